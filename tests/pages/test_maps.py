"""Which tile server a page's map may load from, and when the booking form has a map at all."""

from __future__ import annotations

import json
from pathlib import Path

from booking_pages.maps import img_sources, pin_map, tile_origin
from hub.config import Settings
from hub.domain.geo import GeoPoint, Zone

PALERMO = Zone("b", "Palermo", centre=GeoPoint(-34.5889, -58.4306), radius_km=2)


def _settings(url: str) -> Settings:
    return Settings(data_dir=Path("."), map_tile_url=url, map_attribution="© OSM")


def test_the_tile_servers_origin_goes_into_the_csp_and_odd_urls_do_not() -> None:
    assert tile_origin("https://tile.example.org/{z}/{x}/{y}.png") == "https://tile.example.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tile_origin("javascript:alert(1)//{z}") is None
    assert tile_origin("https://evil.org; script-src *") is None
    assert img_sources(_settings("")) == ()


def test_the_form_has_a_map_only_with_tiles_and_somewhere_to_start() -> None:
    tiles = _settings("https://tile.example.org/{z}/{x}/{y}.png")
    assert pin_map(_settings(""), [PALERMO], None, None) is None
    assert pin_map(tiles, [], None, None) is None
    base = GeoPoint(-34.58, -58.41)
    data = pin_map(tiles, [], base, None)
    assert data is not None and json.loads(data)["base"] == [-34.58, -58.41]
    square = Zone("b", "Centro", polygon=(GeoPoint(0, 0), GeoPoint(0, 1), GeoPoint(1, 1)))
    shown = json.loads(pin_map(tiles, [square], None, GeoPoint(0.2, 0.5)) or "{}")
    assert shown["zones"] == [{"id": square.id, "polygon": [[0, 0], [0, 1], [1, 1]]}]
    assert shown["pin"] == [0.2, 0.5]


def test_the_data_cannot_close_its_script_element() -> None:
    tiles = _settings("https://tile.example.org/{z}/{x}/{y}.png</script>")
    assert "</script>" not in (pin_map(tiles, [PALERMO], None, None) or "")
