"""CalDAV side by side: the hub's /dav (Radicale over the hub database) against stock Radicale
(multifilesystem, its defaults) and, if installed, Xandikos (its defaults) — the same N events
in each, each served by uvicorn on loopback the same way.

Measured over HTTP on loopback, medians of ``--runs``: a time-range REPORT for one week, the
PUT of one new event, a sync-collection delta after one change, an initial sync-collection,
and a PROPFIND of getctag. ``python -m bench caldav --events 10000 [--json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
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
import uvicorn
from a2wsgi import WSGIMiddleware

TZ = "America/Argentina/Buenos_Aires"
START = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)  # a Monday
PER_DAY = 10

REPORT_WEEK = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
SYNC = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""
CTAG = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/>
</D:prop></D:propfind>"""


def _event(uid: str, start: datetime, summary: str) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    end = start + timedelta(minutes=30)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:{start.strftime(fmt)}\r\nDTSTART:{start.strftime(fmt)}\r\n"
        f"DTEND:{end.strftime(fmt)}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _starts(n: int) -> list[datetime]:
    return [START + timedelta(days=i // PER_DAY, minutes=45 * (i % PER_DAY)) for i in range(n)]


class Served:
    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # asyncio sets TCP_NODELAY only on sockets created with proto IPPROTO_TCP; accepted
        # connections inherit it from the listening socket. Without it every response waits
        # out the client's delayed ACK (~40 ms), on every server alike.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def hub_server(folder: Path, n: int) -> tuple[Served, str, tuple[str, str]]:
    from caldav_server.app import DavSettings, dav_app
    from hub.domain.accounts import Role
    from hub.domain.booking import Actor, BookingStatus, ChangedBy, Channel
    from hub.domain.model import Business, Customer, Resource, Service, new_id, new_token
    from hub.persistence.migrate import migrate
    from hub.persistence.models import BookingRow, CustomerRow
    from hub.persistence.uow import SqlDatabase
    from hub.services import accounts, resource_setup, setup

    url = f"sqlite:///{folder / 'hub.db'}"
    migrate(url)
    db = SqlDatabase(url)
    uow: Any = db.unit_of_work()
    by = ChangedBy(Actor.OPERATOR, Channel.CLI)
    now = datetime.now(UTC)
    business = setup.create_business(uow, Business("bench", "Bench", timezone=TZ), by=by, now=now)
    resource = resource_setup.save_resource(uow, Resource(business.id, "Sala"), by=by, now=now)
    service = setup.save_service(
        uow, Service(business.id, "Turno", 30, resource_ids=(resource.id,)), by=by, now=now
    )
    user = accounts.create_user(
        uow, business_id=business.id, email="bench@example.com", role=Role.BUSINESS_ADMIN, now=now
    )
    password = accounts.create_app_password(uow, user.id, now)
    with db.sessions() as session:
        customer = CustomerRow(
            id=new_id(),
            business_id=business.id,
            name="Cliente",
            phone=None,
            email=None,
            address=None,
        )
        session.add(customer)
        session.flush()
        for start in _starts(n):
            session.add(
                BookingRow(
                    id=new_id(),
                    business_id=business.id,
                    service_id=service.id,
                    resource_id=resource.id,
                    customer_id=customer.id,
                    branch_id=None,
                    group_id=None,
                    start_at=start,
                    end_at=start + timedelta(minutes=30),
                    occupied_start=start,
                    occupied_end=start + timedelta(minutes=30),
                    exclusive=True,
                    at_client_address=False,
                    status=BookingStatus.CONFIRMED.value,
                    persons=1,
                    price_minor=0,
                    deposit_minor=0,
                    currency="USD",
                    address=None,
                    notes="",
                    invitees=[],
                    external_ref=None,
                    video_meeting=False,
                    meeting_url=None,
                    google_event_id=None,
                    series_id=None,
                    hold_until=None,
                    created_at=now,
                    updated_at=now,
                    confirmed_at=now,
                    started_at=None,
                    completed_at=None,
                    cancelled_at=None,
                    expired_at=None,
                    no_show_at=None,
                    client_confirmed_at=None,
                    cancelled_by=None,
                    cancel_reason="",
                    reschedule_count=0,
                    sequence=0,
                    token=new_token(),
                    version=1,
                )
            )
        session.commit()
    _ = Customer
    served = Served(dav_app(db, DavSettings(log_level="error")))
    cal = f"http://127.0.0.1:{served.port}/{user.id}/{resource.id}/"
    return served, cal, (user.email, password)


def radicale_server(folder: Path, n: int) -> tuple[Served, str, tuple[str, str]]:
    from radicale import config
    from radicale.app import Application

    root = folder / "radicale" / "collection-root" / "bench" / "cal"
    root.mkdir(parents=True)
    (root / ".Radicale.props").write_text(json.dumps({"tag": "VCALENDAR"}))
    for i, start in enumerate(_starts(n)):
        (root / f"e{i}.ics").write_text(_event(f"e{i}", start, "Turno — Cliente"))
    configuration = config.load()
    configuration.update(
        {
            "storage": {"filesystem_folder": str(folder / "radicale")},
            "auth": {"type": "none"},
            "rights": {"type": "owner_only"},
            "logging": {"level": "error"},
        },
        "bench",
    )
    served = Served(WSGIMiddleware(Application(configuration), workers=4))
    return served, f"http://127.0.0.1:{served.port}/bench/cal/", ("bench", "x")


def xandikos_server(folder: Path, n: int) -> tuple[Served, str, tuple[str, str]]:
    """Xandikos with its defaults: one git repository per collection, the events committed
    in one go (its own PUT would make one commit per event)."""
    from xandikos.store import STORE_TYPE_CALENDAR
    from xandikos.web import SingleUserFilesystemBackend, XandikosApp

    root = folder / "xandikos"
    root.mkdir()
    backend: Any = SingleUserFilesystemBackend(str(root))
    backend.create_principal("/bench", create_defaults=False)
    collection = backend.create_collection("/bench/calendars/cal")
    collection.store.set_type(STORE_TYPE_CALENDAR)
    path = Path(collection.store.path)
    names = []
    for i, start in enumerate(_starts(n)):
        (path / f"e{i}.ics").write_text(_event(f"e{i}", start, "Turno — Cliente"))
        names.append(f"e{i}.ics")
    tree = collection.store.repo.get_worktree()
    tree.stage(names)
    who = b"bench <bench@example.com>"
    tree.commit(message=b"load", committer=who, author=who)
    served = Served(WSGIMiddleware(XandikosApp(backend, current_user_principal="/bench"), 4))
    return served, f"http://127.0.0.1:{served.port}/bench/calendars/cal/", ("bench", "x")


def measure(cal: str, auth: tuple[str, str], n: int, runs: int) -> dict[str, float]:
    week_start = START + timedelta(days=(n // PER_DAY) // 2)
    fmt = "%Y%m%dT%H%M%SZ"
    report = REPORT_WEEK.format(
        start=week_start.strftime(fmt), end=(week_start + timedelta(days=7)).strftime(fmt)
    ).encode()
    headers = {"Content-Type": "application/xml; charset=utf-8"}
    out: dict[str, list[float]] = {
        k: [] for k in ("report_week", "put", "sync_delta", "sync_initial", "getctag")
    }
    with httpx.Client(auth=auth, timeout=600) as h:

        def timed(key: str, call: Callable[[], httpx.Response]) -> httpx.Response:
            began = time.perf_counter()
            answer = call()
            out[key].append((time.perf_counter() - began) * 1000)
            if answer.status_code >= 400:
                raise RuntimeError(f"{key}: {answer.status_code} {answer.text[:300]}")
            return answer

        def token() -> str:
            answer = h.request(
                "REPORT",
                cal,
                content=SYNC.format(token="").encode(),
                headers={**headers, "Depth": "1"},
            )
            found = re.search(r"<[^>]*sync-token>([^<]+)<", answer.text)
            assert found, answer.text[:300]
            return found.group(1)

        token()  # warm caches (Radicale builds its item cache on first read)
        for run in range(runs):
            timed(
                "report_week",
                lambda: h.request("REPORT", cal, content=report, headers={**headers, "Depth": "1"}),
            )
            timed(
                "getctag",
                lambda: h.request(
                    "PROPFIND", cal, content=CTAG.encode(), headers={**headers, "Depth": "0"}
                ),
            )
            timed(
                "sync_initial",
                lambda: h.request(
                    "REPORT",
                    cal,
                    content=SYNC.format(token="").encode(),
                    headers={**headers, "Depth": "1"},
                ),
            )
            before = token()
            uid = f"bench-{uuid.uuid4()}"
            moment = START + timedelta(days=run, hours=22)
            new = _event(uid, moment, "Bloqueo").encode()
            timed(
                "put",
                lambda u=uid, body=new: h.put(  # type: ignore[misc]
                    f"{cal}{u}.ics",
                    content=body,
                    headers={"Content-Type": "text/calendar", "If-None-Match": "*"},
                ),
            )
            delta = timed(
                "sync_delta",
                lambda b=before: h.request(  # type: ignore[misc]
                    "REPORT",
                    cal,
                    content=SYNC.format(token=b).encode(),
                    headers={**headers, "Depth": "1"},
                ),
            )
            assert uid in delta.text, delta.text[:500]
    return {k: statistics.median(v) for k, v in out.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench caldav", description=__doc__)
    parser.add_argument("--events", type=int, default=1000, help="events per calendar")
    parser.add_argument("--runs", type=int, default=5, help="repetitions (medians reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args(argv)
    servers: list[tuple[str, Callable[[Path, int], tuple[Served, str, tuple[str, str]]]]] = [
        ("hub", hub_server),
        ("radicale", radicale_server),
    ]
    try:
        import xandikos.web  # noqa: F401

        servers.append(("xandikos", xandikos_server))
    except ImportError:
        print("xandikos: not installed, left out")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, build in servers:
            began = time.perf_counter()
            served, cal, auth = build(folder, args.events)
            load_s = time.perf_counter() - began
            print(f"{name}: loaded {args.events} events in {load_s:.1f} s", flush=True)
            try:
                results[name] = measure(cal, auth, args.events, args.runs)
            finally:
                served.stop()
            # Each server's figures as soon as they are known: a long run at 100,000 events
            # still tells something if it is stopped half-way.
            print(f"{name}: " + ", ".join(f"{k} {v:.1f} ms" for k, v in results[name].items()))
    operations: dict[str, dict[str, float | None]] = {}
    print(f"\nCalDAV, {args.events} events, medians of {args.runs} runs (ms)")
    header = (
        f"{'operation':<14}{'hub':>10}{'radicale':>10}{'xandikos':>10}"
        f"{'vs radicale':>13}{'vs xandikos':>13}"
    )
    print(header)
    print("-" * len(header))

    def ratio(other: float | None, hub_ms: float) -> float | None:
        return None if other is None else round(other / hub_ms, 1) if hub_ms else None

    for op in ("report_week", "put", "sync_delta", "sync_initial", "getctag"):
        hub_ms, rad_ms = results["hub"][op], results["radicale"][op]
        xan_ms = results["xandikos"][op] if "xandikos" in results else None
        operations[op] = {
            "hub_ms": round(hub_ms, 2),
            "radicale_ms": round(rad_ms, 2),
            "xandikos_ms": None if xan_ms is None else round(xan_ms, 2),
            "speedup_vs_radicale": ratio(rad_ms, hub_ms),
            "speedup_vs_xandikos": ratio(xan_ms, hub_ms),
        }
        xan = "-" if xan_ms is None else f"{xan_ms:.1f}"
        vs_x = "-" if xan_ms is None else f"{xan_ms / hub_ms:.1f}x"
        print(f"{op:<14}{hub_ms:>10.1f}{rad_ms:>10.1f}{xan:>10}{rad_ms / hub_ms:>12.1f}x{vs_x:>13}")
    if args.json:
        print(json.dumps({"events": args.events, "operations": operations}))
    return 0
