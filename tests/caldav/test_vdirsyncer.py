"""vdirsyncer (its CLI, in a subprocess) against /dav: discover and sync a resource calendar
into a folder, push a local edit back (the booking is rescheduled), and have a local move onto
another booking refused with the server left as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from icalendar import Calendar

from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import reread

VDIRSYNCER = str(Path(sys.executable).with_name("vdirsyncer"))


def configure(world: DavWorld, folder: Path) -> Path:
    config = folder / "config"
    config.write_text(
        f"""
[general]
status_path = "{folder / "status"}/"

[pair agenda]
a = "local"
b = "turnero"
collections = ["from b"]
conflict_resolution = "b wins"

[storage local]
type = "filesystem"
path = "{folder / "local"}/"
fileext = ".ics"

[storage turnero]
type = "caldav"
url = "{world.dav_url}"
username = "{world.juan.user.email}"
password = "{world.juan.password}"
"""
    )
    return config


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VDIRSYNCER, "-c", str(config), *args],
        input="y\n" * 10,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def retime(path: Path, start: object, end: object) -> None:
    cal = Calendar.from_ical(path.read_bytes())
    (event,) = cal.walk("VEVENT")
    event["DTSTART"].dt = start
    event["DTEND"].dt = end
    path.write_bytes(cal.to_ical())


def test_sync_edit_back_and_refused_overlap(dav: DavWorld, tmp_path: Path) -> None:
    first, second = dav.book(10), dav.book(12)
    config = configure(dav, tmp_path)
    discovered = run(config, "discover")
    assert discovered.returncode == 0, discovered.stderr
    synced = run(config, "sync")
    assert synced.returncode == 0, synced.stderr
    folder = tmp_path / "local" / dav.tenant.resources[0].id
    files = {p.name: p.read_text() for p in folder.glob("*.ics")}
    assert len(files) == 2
    assert any(first.uid in text for text in files.values())
    [first_file] = [folder / n for n, text in files.items() if first.uid in text]
    [second_file] = [folder / n for n, text in files.items() if second.uid in text]

    retime(first_file, dav.tenant.at(15), dav.tenant.at(15, 30))
    assert run(config, "sync").returncode == 0
    assert reread(dav, first).start == dav.tenant.at(15)

    retime(second_file, dav.tenant.at(15, 15), dav.tenant.at(15, 45))
    refused = run(config, "sync")
    assert refused.returncode != 0
    assert "403" in refused.stderr or "Forbidden" in refused.stderr
    kept = reread(dav, second)
    assert kept.start == second.start
    assert kept.version == second.version
