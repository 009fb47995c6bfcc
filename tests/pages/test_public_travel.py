"""The public page of an at-address service asks where before it shows any time, and shows
only the times a washer can drive to: the zone is the first step, it travels through the day
and time links into the booking form, a zone the branch does not go to is said so at that
step with no times, and a time posted from a stale page that no one can reach books nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace

import httpx

from booking_pages.catalogue import slot_code
from hub.bootstrap import Hub
from hub.domain.geo import CoverageMode
from hub.services import setup
from hub.services.availability import list_bookings
from tests.pages.far_visit import FarVisit, far_visit
from tests.pages.helpers import book, slot_codes, text_of
from tests.pages.shop import SETUP


def _times(client: httpx.Client, fv: FarVisit, zone: str) -> httpx.Response:
    shop = fv.shop
    day = shop.day()
    return client.get(
        f"/book/{shop.slug}",
        params={
            "service": shop.full_wash.id,
            "zone": zone,
            "month": day.strftime("%Y-%m"),
            "day": day.isoformat(),
        },
    )


def _booked(fv: FarVisit) -> list[object]:
    shop = fv.shop
    return list(
        list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(0, days_ahead=3))
    )


def test_the_zone_is_asked_before_any_time(hub: Hub, client: httpx.Client) -> None:
    fv = far_visit(hub)
    page = client.get(f"/book/{fv.shop.slug}", params={"service": fv.shop.full_wash.id})
    assert page.status_code == 200
    text = text_of(page.text)
    assert "¿Dónde vamos?" in text and "Elegí tu zona y te mostramos" in text
    assert re.findall(r'<option value="([^"]*)"', page.text) == [
        "",
        fv.belgrano.id,
        fv.palermo.id,
        fv.tigre.id,
        "other",
    ]
    assert slot_codes(page.text) == [] and "Elegí un día" not in text
    # Whatever is typed into the address bar that is not one of its zones: still the step.
    for wrong in ("not-a-zone", "<script>", "x" * 500):
        again = _times(client, fv, wrong)
        assert again.status_code == 200 and slot_codes(again.text) == []
        assert "Elegí tu zona y te mostramos" in text_of(again.text)
    # A service done at the business asks nothing of the kind.
    quick = client.get(f"/book/{fv.shop.slug}", params={"service": fv.shop.quick_wash.id})
    assert 'name="zone"' not in quick.text and slot_codes(quick.text)


def test_only_times_a_washer_can_get_to_are_shown(hub: Hub, client: httpx.Client) -> None:
    fv = far_visit(hub)
    shop = fv.shop
    in_palermo = slot_codes(_times(client, fv, fv.palermo.id).text)
    in_tigre = slot_codes(_times(client, fv, fv.tigre.id).text)
    # Juan is in Tigre until 11:00 and needs over 80 minutes to Palermo; María is off.
    for hour, minute in ((11, 30), (12, 0)):
        assert slot_code(shop.at(hour, minute)) in in_tigre
        assert slot_code(shop.at(hour, minute)) not in in_palermo
    assert slot_code(shop.at(12, 30)) in in_palermo
    # Before the visit: from Palermo at 10:00 he could not be in Tigre in time either.
    assert slot_code(shop.at(9)) not in in_palermo
    assert slot_code(shop.at(9)) in in_tigre


def test_the_zone_travels_to_the_form_and_stays(hub: Hub, client: httpx.Client) -> None:
    fv = far_visit(hub)
    shop = fv.shop
    page = _times(client, fv, fv.palermo.id)
    assert f'<option value="{fv.palermo.id}" selected>Palermo</option>' in page.text
    assert "Solo los horarios en que llegamos a Palermo" in text_of(page.text)
    links = re.findall(r'href="([^"]*/form\?[^"]*)"', page.text)
    assert links and all(f"zone={fv.palermo.id}" in link for link in links)
    days = re.findall(r'class="daylink[^"]*" href="([^"]*)"', page.text)
    assert days and all(f"zone={fv.palermo.id}" in link for link in days)
    form = client.get(links[-1].replace("&amp;", "&"))
    assert form.status_code == 200
    assert f'<option value="{fv.palermo.id}" selected>Palermo</option>' in form.text
    back = re.search(r'href="([^"]*)">Elegir otro horario', form.text)
    assert back and f"zone={fv.palermo.id}" in back.group(1)
    # A mistake elsewhere in the form keeps the zone picked.
    wrong = book(client, shop.slug, shop.full_wash.id, shop.at(13), name="", zone=fv.palermo.id)
    assert wrong.status_code == 422
    assert f'<option value="{fv.palermo.id}" selected>Palermo</option>' in wrong.text


def test_a_stale_time_no_one_can_reach_books_nothing(hub: Hub, client: httpx.Client) -> None:
    for language, said in (
        ("es", "No llegamos a tu domicilio a tiempo para ese horario"),
        ("en", "We cannot get to your address in time for that time"),
    ):
        fv = far_visit(hub, language=language)
        shop = fv.shop
        stale = book(client, shop.slug, shop.full_wash.id, shop.at(11, 30), zone=fv.palermo.id)
        assert stale.status_code == 409
        assert said in text_of(stale.text)
        assert [b.id for b in _booked(fv)] == [fv.visit.id]  # type: ignore[attr-defined]
        # The times offered instead are ones a washer gets to in Palermo.
        offered = re.findall(r'name="start" value="([^"]+)"', stale.text)
        assert slot_code(shop.at(12, 30)) in offered
        assert slot_code(shop.at(12)) not in offered
        done = book(client, shop.slug, shop.full_wash.id, shop.at(12, 30), zone=fv.palermo.id)
        assert done.status_code == 303
        assert len(_booked(fv)) == 2


def test_a_zone_the_branch_does_not_go_to_shows_no_times(hub: Hub, client: httpx.Client) -> None:
    for language, said in (("es", "No llegamos a esa zona"), ("en", "We don't reach that area")):
        fv = far_visit(hub, language=language)
        page = _times(client, fv, "other")
        assert page.status_code == 200
        assert said in text_of(page.text)
        assert slot_codes(page.text) == [] and 'class="daylink' not in page.text
        assert '<option value="other" selected>' in page.text
    # A branch that takes such visits and flags them for review shows its times.
    flagging = replace(fv.shop.branch, coverage_mode=CoverageMode.FLAG)
    setup.save_branch(hub.uow(), flagging, by=SETUP, now=hub.now())
    page = _times(client, fv, "other")
    assert said not in text_of(page.text)
    assert slot_code(fv.shop.at(13)) in slot_codes(page.text)


def test_another_business_zone_is_not_one_of_ours(hub: Hub, client: httpx.Client) -> None:
    ours, theirs = far_visit(hub), far_visit(hub)
    page = client.get(
        f"/book/{ours.shop.slug}",
        params={"service": ours.shop.full_wash.id, "zone": theirs.palermo.id},
    )
    assert page.status_code == 200 and slot_codes(page.text) == []
    assert theirs.palermo.id not in page.text
    assert "Elegí tu zona y te mostramos" in text_of(page.text)
