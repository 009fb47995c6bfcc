"""Many writers, one calendar: no double booking, ever (DESIGN §3.2).

32 threads, each with its own connection, try to book the same 20 slots. On a capacity-1
resource exactly one booking per slot survives; on a capacity-3 bay exactly three; every
other attempt gets a typed ``SlotTakenError``. A direct SQL query then looks for overlaps.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

from sqlalchemy import text

from hub.domain.errors import SlotTakenError
from hub.domain.model import Customer
from hub.services.booking_create import NewBooking, create_booking
from tests.services.conftest import NOW, OPERATOR, World, local

WRITERS = 32
# 20 one-hour slots: Tuesday and Wednesday, 09:00-18:00 (9 each), and Thursday 09:00-11:00.
SLOTS = [local(day, hour) for day in (5, 6) for hour in range(9, 18)] + [
    local(7, 9),
    local(7, 10),
]


def _customers(w: World) -> list[str]:
    uow = w.uow()
    ids = []
    with uow:
        for n in range(WRITERS):
            customer = Customer(w.business.id, f"Client {n}", phone=f"+54911555{n:05d}")
            uow.customers.add(customer)
            ids.append(customer.id)
        uow.commit()
    return ids


def _race(w: World, service_id: str, resource_id: str) -> tuple[Counter[str], list[BaseException]]:
    customers = _customers(w)
    outcomes: Counter[str] = Counter()
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        order = SLOTS[:]
        random.Random(n).shuffle(order)
        barrier.wait()
        uow = w.uow()  # one unit of work (and connection) per thread
        for start in order:
            request = NewBooking(
                w.business.id, service_id, start, customer_id=customers[n], resource_id=resource_id
            )
            try:
                create_booking(uow, request, by=OPERATOR, now=NOW)
                outcome = "booked"
            except SlotTakenError:
                outcome = "taken"
            except BaseException as exc:
                with lock:
                    unexpected.append(exc)
                continue
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, unexpected


def _per_slot(w: World, resource_id: str) -> dict[str, int]:
    with w.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT start_at, count(*) FROM bookings WHERE resource_id = :r "
                "AND status IN ('pending', 'confirmed', 'in_progress') GROUP BY start_at"
            ),
            {"r": resource_id},
        ).all()
    return {str(start): count for start, count in rows}


def test_capacity_one_gets_exactly_one_booking_per_slot(any_world: World) -> None:
    w = any_world
    outcomes, unexpected = _race(w, w.wash.id, w.washer_a.id)
    assert unexpected == []
    assert outcomes["booked"] == len(SLOTS)
    assert outcomes["taken"] == WRITERS * len(SLOTS) - len(SLOTS)
    assert sorted(_per_slot(w, w.washer_a.id).values()) == [1] * len(SLOTS)
    with w.db.engine.connect() as conn:
        overlaps = conn.execute(
            text(
                "SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id "
                "AND a.id < b.id AND a.occupied_start < b.occupied_end "
                "AND b.occupied_start < a.occupied_end "
                "WHERE a.status IN ('pending', 'confirmed', 'in_progress') "
                "AND b.status IN ('pending', 'confirmed', 'in_progress')"
            )
        ).scalar_one()
    assert overlaps == 0
    assert w.count("outbox_events") == len(SLOTS)  # the losers wrote nothing


def test_capacity_three_gets_exactly_three_bookings_per_slot(any_world: World) -> None:
    w = any_world
    outcomes, unexpected = _race(w, w.class_.id, w.bay.id)
    assert unexpected == []
    assert outcomes["booked"] == 3 * len(SLOTS)
    assert outcomes["taken"] == WRITERS * len(SLOTS) - 3 * len(SLOTS)
    assert sorted(_per_slot(w, w.bay.id).values()) == [3] * len(SLOTS)
    with w.db.engine.connect() as conn:
        # At no booking's start do more than three bookings on the bay overlap it.
        worst = conn.execute(
            text(
                "SELECT max(n) FROM (SELECT a.id, count(*) AS n FROM bookings a "
                "JOIN bookings b ON a.resource_id = b.resource_id "
                "AND b.occupied_start <= a.occupied_start AND a.occupied_start < b.occupied_end "
                "WHERE a.resource_id = :r GROUP BY a.id) AS load"
            ),
            {"r": w.bay.id},
        ).scalar_one()
    assert worst == 3
