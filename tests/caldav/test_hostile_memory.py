"""Memory does not grow with a hostile request: while four clients at a time send calendar
objects of 100,000 properties, PROPFINDs naming 90,000 properties, entity bombs and
components nested 2,000 deep, each is refused with a 4xx and the server's resident memory
(this process: the server runs in it) stays within a generous bound of where it was."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx

from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import vevent
from tests.caldav.test_xml_bodies import LAUGHS, REPORT

BOUND_MB = 100


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class PeakMemory:
    """Samples this process's resident memory every few milliseconds while in use."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, resident_mb())
            time.sleep(0.005)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def test_hostile_bodies_are_refused_without_memory_growing(dav_sqlite: DavWorld) -> None:
    dav = dav_sqlite
    cal = dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    start, _ = dav.week()
    end = start + timedelta(hours=1)
    properties = "\r\n".join(f"X-PROPERTY-{i}:value {i}" for i in range(100_000))
    nested = "".join(f"BEGIN:X-N{i}\r\n" for i in range(2_000))
    nested += "".join(f"END:X-N{i}\r\n" for i in reversed(range(2_000)))
    names = "".join(f"<x{i}/>" for i in range(90_000))  # within the 1 MB a body may have
    hostile = [
        ("PUT", "many.ics", vevent("many", start, end, "x", properties)),
        ("PUT", "many-small.ics", vevent("small", start, end, "x", properties[:400_000])),
        ("PUT", "nested.ics", vevent("nested", start, end, "x", nested.rstrip())),
        ("PROPFIND", "", f'<propfind xmlns="DAV:"><prop>{names}</prop></propfind>'.encode()),
        ("REPORT", "", (LAUGHS + REPORT.format("&lol9;")).encode()),
    ]
    auth = (dav.juan.user.email, dav.juan.password)
    with httpx.Client(auth=auth, timeout=300) as h:

        def send(verb: str, href: str, body: bytes) -> int:
            answer = h.request(verb, f"{cal}{href}", content=body, headers={"Depth": "0"})
            return answer.status_code

        send("PROPFIND", "", b"")  # every lazy part of the server loaded
        before = resident_mb()
        with PeakMemory() as memory, ThreadPoolExecutor(4) as pool:
            answers = {
                (verb, href): list(pool.map(send, [verb] * 4, [href] * 4, [body] * 4))
                for verb, href, body in hostile
            }
    grown = memory.peak - before
    print(f"resident memory: {before:.0f} MB before, {memory.peak:.0f} MB at most")
    assert grown < BOUND_MB, f"resident memory grew {grown:.0f} MB"
    for request, statuses in answers.items():
        assert all(400 <= s < 500 for s in statuses), (request, statuses)
