"""Hostile and costly CalDAV input, side by side: the hub's /dav against stock Radicale
(multifilesystem, its defaults), each with the same N events, served by uvicorn on loopback
the same way (``bench.caldav``'s servers).

Measured over HTTP, wall time of each answer (status shown beside it):

- ``put_many_properties``: the PUT of one event of ``--properties`` properties (1.2 MB);
- ``propfind_many_names``: a PROPFIND naming ``--names`` properties (2.3 MB);
- ``report_while_hostile``: a week REPORT sent while ``--concurrent`` other clients PUT such
  events — what everyone else waits while they are at it;
- ``put_reasonable``: the PUT of a meeting with 200 attendees, three alarms and a long
  description (median of ``--runs``);
- ``report_large_stored``: a week REPORT on a calendar of 50 events that holds one event of
  ``--properties`` properties stored earlier (for the hub, as it was stored before it had
  limits), median of ``--runs``.

``python -m bench hostile [--events 1000] [--json]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.caldav import START, Served, hub_server, radicale_server

FMT = "%Y%m%dT%H%M%SZ"
WEEK = START + timedelta(days=14)
REPORT_WEEK = (
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter>"
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    f'<C:time-range start="{WEEK.strftime(FMT)}" end="{(WEEK + timedelta(days=7)).strftime(FMT)}"/>'
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
)
OPERATIONS = (
    "put_many_properties",
    "propfind_many_names",
    "report_while_hostile",
    "put_reasonable",
    "report_large_stored",
)


def _event(uid: str, start: datetime, extra: list[str]) -> str:
    end = start + timedelta(hours=1)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//bench//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{start.strftime(FMT)}",
        f"DTSTART:{start.strftime(FMT)}",
        f"DTEND:{end.strftime(FMT)}",
        "SUMMARY:Bench",
        *extra,
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(lines)


def many_properties(uid: str, start: datetime, n: int) -> str:
    return _event(uid, start, [f"X-PROPERTY-{i}:value {i}" for i in range(n)])


def reasonable(uid: str, start: datetime) -> str:
    attendees = [
        f"ATTENDEE;CN=Socio {n:03};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:"
        f"mailto:socio{n:03}@example.com"
        for n in range(200)
    ]
    text = "Orden del día: balance, elección de autoridades, cuota social y varios. " * 300
    folded = "DESCRIPTION:" + "\r\n ".join(text[i : i + 60] for i in range(0, len(text), 60))
    alarms = [
        line
        for minutes in (15, 60, 1440)
        for line in ("BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:-PT{minutes}M",
                     "DESCRIPTION:Recordatorio", "END:VALARM")
    ]  # fmt: skip
    return _event(uid, start, [*attendees, folded, *alarms])


def store_large_in_hub(folder: Path, calendar_url: str, n: int) -> None:
    """The large event as an earlier hub stored it: straight into its personal calendar."""
    from sqlalchemy import create_engine, text

    from caldav_server.render import text_etag

    ics = many_properties("large-stored", WEEK + timedelta(days=2, hours=8), n)
    name = calendar_url.rstrip("/").rsplit("/", 1)[1]
    engine = create_engine(f"sqlite:///{folder / 'hub.db'}")
    with engine.begin() as connection:
        calendar_id = connection.execute(
            text("SELECT id FROM caldav_personal_calendars WHERE name = :name"), {"name": name}
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO caldav_personal_events (id, calendar_id, href, uid, ics, etag,"
                " start_at, end_at, opaque, recurring, updated_at) VALUES (:id, :calendar,"
                " 'large-stored.ics', 'large-stored', :ics, :etag, :start, :end, 1, 0, :now)"
            ),
            {
                "id": str(uuid.uuid4()),
                "calendar": calendar_id,
                "ics": ics,
                "etag": text_etag(ics),
                "start": WEEK + timedelta(days=2, hours=8),
                "end": WEEK + timedelta(days=2, hours=9),
                "now": datetime.now(UTC),
            },
        )
    engine.dispose()


def measure(
    name: str, folder: Path, cal: str, auth: tuple[str, str], args: argparse.Namespace
) -> dict[str, tuple[float, int]]:
    out: dict[str, tuple[float, int]] = {}
    big = many_properties("big", WEEK + timedelta(days=1), args.properties).encode()
    names = "".join(f"<x{i}/>" for i in range(args.names))
    propfind = f'<propfind xmlns="DAV:"><prop>{names}</prop></propfind>'.encode()
    report = REPORT_WEEK.encode()
    # The hub's resource calendars hold bookings; a client's own events go to a calendar
    # of its own (MKCALENDAR), as they would in Radicale.
    own = f"{cal.rstrip('/').rsplit('/', 1)[0]}/bench-own/" if name == "hub" else cal
    with httpx.Client(auth=auth, timeout=600) as h:

        def timed(call: Callable[[], httpx.Response]) -> tuple[float, int]:
            began = time.perf_counter()
            answer = call()
            return (time.perf_counter() - began) * 1000, answer.status_code

        if own != cal:
            assert h.request("MKCALENDAR", own).status_code == 201
        out["put_many_properties"] = timed(lambda: h.put(f"{own}big.ics", content=big))
        out["propfind_many_names"] = timed(
            lambda: h.request("PROPFIND", cal, content=propfind, headers={"Depth": "0"})
        )

        hostile = [
            threading.Thread(
                target=lambda i=i: httpx.put(
                    f"{own}hostile-{i}.ics", content=big, auth=auth, timeout=600
                )
            )
            for i in range(args.concurrent)
        ]
        for thread in hostile:
            thread.start()
        time.sleep(0.3)  # they are in
        out["report_while_hostile"] = timed(
            lambda: h.request("REPORT", cal, content=report, headers={"Depth": "1"})
        )
        for thread in hostile:
            thread.join()

        puts = []
        for run in range(args.runs):
            body = reasonable(f"meeting-{run}", WEEK + timedelta(days=run % 7, hours=20))
            href = f"{own}meeting-{run}.ics"
            puts.append(timed(lambda u=href, b=body: h.put(u, content=b)))  # type: ignore[misc]
        out["put_reasonable"] = (statistics.median(p[0] for p in puts), puts[-1][1])

        for i in range(50):
            body = _event(f"e{i}", WEEK + timedelta(hours=3 * i), [])
            h.put(f"{own}e{i}.ics", content=body.encode())
        if name == "hub":
            store_large_in_hub(folder, own, args.properties)
        else:
            large = many_properties(
                "large-stored", WEEK + timedelta(days=2, hours=8), args.properties
            )
            assert h.put(f"{own}large-stored.ics", content=large.encode()).status_code == 201
        reports = [
            timed(lambda: h.request("REPORT", own, content=report, headers={"Depth": "1"}))
            for _ in range(args.runs)
        ]
        out["report_large_stored"] = (statistics.median(r[0] for r in reports), reports[-1][1])
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench hostile", description=__doc__)
    parser.add_argument("--events", type=int, default=1000, help="events per calendar")
    parser.add_argument("--properties", type=int, default=100_000, help="of the large event")
    parser.add_argument("--names", type=int, default=200_000, help="in the large PROPFIND")
    parser.add_argument("--concurrent", type=int, default=8, help="clients sending it at once")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (medians reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args(argv)
    builders: list[tuple[str, Callable[[Path, int], tuple[Served, str, tuple[str, str]]]]] = [
        ("hub", hub_server),
        ("radicale", radicale_server),
    ]
    results: dict[str, dict[str, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in builders:
            folder = Path(tmp) / name
            folder.mkdir()
            served, cal, auth = build(folder, args.events)
            try:
                results[name] = measure(name, folder, cal, auth, args)
            finally:
                served.stop()
            figures = ", ".join(f"{k} {v[0]:.0f} ms ({v[1]})" for k, v in results[name].items())
            print(f"{name}: {figures}", flush=True)
    print(f"\nHostile CalDAV input, {args.events} events (ms, HTTP status)")
    header = f"{'operation':<22}{'hub':>16}{'radicale':>16}"
    print(header)
    print("-" * len(header))
    report: dict[str, Any] = {}
    for op in OPERATIONS:
        hub_ms, hub_status = results["hub"][op]
        rad_ms, rad_status = results["radicale"][op]
        print(f"{op:<22}{hub_ms:>10.1f} ({hub_status}){rad_ms:>10.1f} ({rad_status})")
        report[op] = {
            "hub_ms": round(hub_ms, 2),
            "hub_status": hub_status,
            "radicale_ms": round(rad_ms, 2),
            "radicale_status": rad_status,
        }
    if args.json:
        print(json.dumps({"events": args.events, "operations": report}))
    return 0
