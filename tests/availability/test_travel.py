"""Travel-aware availability on small, readable days: a washer 9-18 with visits across town."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta

from hub.availability.engine import find_slots, is_free
from hub.availability.types import Busy, Travel
from tests.availability.helpers import MONDAY, at, calendar, hours, request, times

# Minutes between neighbourhoods (symmetric here; the engine does not need it to be).
MINUTES = {
    frozenset({"palermo", "belgrano"}): 15,
    frozenset({"palermo", "quilmes"}): 60,
    frozenset({"belgrano", "quilmes"}): 70,
    frozenset({"palermo", "depot"}): 20,
    frozenset({"belgrano", "depot"}): 30,
    frozenset({"quilmes", "depot"}): 45,
}


def drive(origin: Hashable, destination: Hashable) -> timedelta:
    if origin == destination:
        return timedelta(0)
    return timedelta(minutes=MINUTES[frozenset({origin, destination})])


def visit(start: str, end: str, place: str | None) -> Busy:
    return Busy(at(MONDAY, start), at(MONDAY, end), 1, True, place)


WORKDAY = hours(range(7), (9, 18))


def test_slots_too_close_to_a_visit_across_town_are_not_offered() -> None:
    washer = calendar(weekly=WORKDAY, busy=[visit("12:00", "13:00", "quilmes")])
    ask = request(minutes=60, at_client_address=True, travel=Travel("palermo", drive))
    # Palermo -> Quilmes is an hour: a Palermo wash must end by 11:00 and can start at 14:00.
    assert times(find_slots(ask, [washer])) == [
        "09:00", "10:00", "14:00", "15:00", "16:00", "17:00",
    ]  # fmt: skip
    assert not is_free(ask, washer, at(MONDAY, "11:00"))
    # Nearby, the same times work.
    near = request(minutes=60, at_client_address=True, travel=Travel("quilmes", drive))
    assert "11:00" in times(find_slots(near, [washer]))


def test_a_base_starts_the_day_and_can_end_it() -> None:
    washer = calendar(weekly=WORKDAY, base="depot")
    leaving = request(minutes=60, at_client_address=True, travel=Travel("quilmes", drive))
    assert times(find_slots(leaving, [washer]))[:1] == ["10:00"]  # 45 minutes from the depot
    assert times(find_slots(leaving, [washer]))[-1:] == ["17:00"]
    back = request(
        minutes=60, at_client_address=True, travel=Travel("quilmes", drive, return_to_base=True)
    )
    assert times(find_slots(back, [washer]))[-1:] == ["16:00"]  # home by 18:00


def test_a_group_offers_the_member_who_can_get_there() -> None:
    far = calendar("ana", weekly=WORKDAY, busy=[visit("11:30", "12:00", "quilmes")])
    near = calendar("bruno", weekly=WORKDAY, busy=[visit("11:30", "12:00", "belgrano")])
    ask = request(minutes=60, at_client_address=True, travel=Travel("palermo", drive))
    slots = find_slots(ask, [far, near])
    by_time = dict(zip(times(slots), (s.resource_ids for s in slots), strict=True))
    assert by_time["09:00"] == ("ana", "bruno")
    assert by_time["10:00"] == ("bruno",)  # Ana could not make Quilmes by 11:30
    assert "12:00" not in by_time  # neither gets to Palermo by 12:00
    assert by_time["13:00"] == ("ana", "bruno")


def test_an_unlocated_visit_keeps_only_the_fixed_gap() -> None:
    washer = calendar(weekly=WORKDAY, busy=[visit("12:00", "13:00", None)])
    ask = request(
        minutes=60,
        at_client_address=True,
        travel=Travel("palermo", drive),
        travel_gap=timedelta(minutes=30),
    )
    assert times(find_slots(ask, [washer])) == [
        "09:00", "10:00", "14:00", "15:00", "16:00", "17:00",
    ]  # fmt: skip


def test_services_at_the_premises_are_not_shaped_by_travel() -> None:
    washer = calendar(weekly=WORKDAY, busy=[visit("12:00", "13:00", "quilmes")], base="depot")
    ask = request(minutes=60, travel=Travel("palermo", drive, return_to_base=True))
    assert "09:00" in times(find_slots(ask, [washer]))
    assert "11:00" in times(find_slots(ask, [washer]))
