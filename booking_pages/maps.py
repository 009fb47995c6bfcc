"""Maps on our pages: the tile server the Leaflet maps load from (``TURNERO_MAP_TILE_URL``),
the origin a page's CSP ``img-src`` must allow for it, and what the booking form's map (the
client's pin) starts from, carried as JSON because our CSP allows no inline script.

Drawing is the static scripts' (``turnero-route.js``, ``turnero-pin.js``). Not here: where a
business goes (``hub.services.coverage``) or the day's route (``console_route``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from hub.config import Settings
from hub.domain.geo import GeoPoint, Zone

HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def tile_origin(url: str) -> str | None:
    """The scheme and host of the tile URL, for the page's CSP ``img-src``; None if unusable."""
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not HOST.fullmatch(parts.netloc):
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin.replace("://a.", "://*.") if "{s}" in url else origin


def img_sources(settings: Settings) -> tuple[str, ...]:
    """What a page with a map adds to its CSP ``img-src``: the tile server, if usable."""
    origin = tile_origin(settings.map_tile_url) if settings.map_tile_url else None
    return (origin,) if origin else ()


def _json(data: dict[str, Any]) -> str:
    # Inside a <script type="application/json">: no "<" may close or comment the element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _zone(zone: Zone) -> dict[str, Any]:
    if zone.polygon:
        return {"id": zone.id, "polygon": [[p.lat, p.lng] for p in zone.polygon]}
    assert zone.centre is not None and zone.radius_km is not None
    return {
        "id": zone.id,
        "centre": [zone.centre.lat, zone.centre.lng],
        "radius_m": zone.radius_km * 1000,
    }


def pin_map(
    settings: Settings, zones: Sequence[Zone], base: GeoPoint | None, pin: GeoPoint | None
) -> str | None:
    """The booking form's map data: tiles, the business's zones and base to start from, and
    the pin already dropped (a form shown again). None when there is no usable tile server
    or nowhere to start the map (no zones, no base, no pin): the zone list does the job."""
    if not img_sources(settings) or (not zones and base is None and pin is None):
        return None
    return _json(
        {
            "tiles": settings.map_tile_url,
            "attribution": settings.map_attribution,
            "zones": [_zone(z) for z in zones],
            "base": None if base is None else [base.lat, base.lng],
            "pin": None if pin is None else [pin.lat, pin.lng],
        }
    )


__all__ = ["img_sources", "pin_map", "tile_origin"]
