"""vdirsyncer (its CLI, in a subprocess) syncing a member's personal task list and journal in
both directions — against /dav/ and against stock Radicale in the same run, with the same
steps, and the same outcome on each: what the server has reaches the folder, a to-do and a
journal entry written, completed or deleted in the folder reach the server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import caldav
from icalendar import Calendar

from tests.caldav.conftest import DavWorld
from tests.caldav.reference import StockRadicale, radicale  # noqa: F401 - the fixture

VDIRSYNCER = str(Path(sys.executable).with_name("vdirsyncer"))

TODO = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n"
    "DTSTAMP:20260101T000000Z\r\nDUE:20270110T150000Z\r\nSUMMARY:{summary}\r\n"
    "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
)
JOURNAL = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VJOURNAL\r\nUID:{uid}\r\n"
    "DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20270110\r\nSUMMARY:{summary}\r\n"
    "END:VJOURNAL\r\nEND:VCALENDAR\r\n"
)


def configure(folder: Path, url: str, username: str, password: str) -> Path:
    folder.mkdir(parents=True)
    config = folder / "config"
    config.write_text(
        f"""
[general]
status_path = "{folder / "status"}/"

[pair mine]
a = "local"
b = "server"
collections = ["tareas", "diario"]
conflict_resolution = "b wins"

[storage local]
type = "filesystem"
path = "{folder / "local"}/"
fileext = ".ics"

[storage server]
type = "caldav"
url = "{url}"
username = "{username}"
password = "{password}"
"""
    )
    return config


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [VDIRSYNCER, "-c", str(config), *args],
        input="y\n" * 10,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def summaries(folder: Path) -> dict[str, str]:
    """UID → SUMMARY (and STATUS, for to-dos) of the files in a local collection."""
    out = {}
    for path in folder.glob("*.ics"):
        for component in Calendar.from_ical(path.read_bytes()).subcomponents:
            if component.name in ("VTODO", "VJOURNAL"):
                status = f" [{component['STATUS']}]" if "STATUS" in component else ""
                out[str(component["UID"])] = f"{component['SUMMARY']}{status}"
    return out


def server_view(calendar: caldav.Calendar) -> dict[str, str]:
    out = {}
    items = [*calendar.todos(include_completed=True), *calendar.journals()]
    for item in items:
        for component in item.icalendar_instance.subcomponents:
            if component.name in ("VTODO", "VJOURNAL"):
                status = f" [{component['STATUS']}]" if "STATUS" in component else ""
                out[str(component["UID"])] = f"{component['SUMMARY']}{status}"
    return out


def exercise(folder: Path, url: str, username: str, password: str) -> list[object]:
    """The same steps against one server; what was seen after each, to compare."""
    seen: list[object] = []
    with caldav.DAVClient(url=url, username=username, password=password) as client:
        principal = client.principal()
        tasks = principal.make_calendar(
            name="Tareas", cal_id="tareas", supported_calendar_component_set=["VTODO"]
        )
        diary = principal.make_calendar(
            name="Diario", cal_id="diario", supported_calendar_component_set=["VJOURNAL"]
        )
        tasks.save_todo(TODO.format(uid="srv-todo", summary="Pedir insumos"))
        diary.save_journal(JOURNAL.format(uid="srv-journal", summary="Cierre de caja"))

        config = configure(folder, url, username, password)
        run(config, "discover")
        run(config, "sync")
        local_tasks, local_diary = folder / "local" / "tareas", folder / "local" / "diario"
        seen.append(("server to folder", summaries(local_tasks), summaries(local_diary)))

        (local_tasks / "local-todo.ics").write_text(
            TODO.format(uid="local-todo", summary="Cambiar filtro")
        )
        (local_diary / "local-journal.ics").write_text(
            JOURNAL.format(uid="local-journal", summary="Visita del técnico")
        )
        [server_todo] = [p for p in local_tasks.glob("*.ics") if "srv-todo" in p.read_text()]
        server_todo.write_text(
            server_todo.read_text().replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED")
        )
        [server_journal] = [p for p in local_diary.glob("*.ics") if "srv-journal" in p.read_text()]
        server_journal.unlink()
        run(config, "sync")
        seen.append(("folder to server", server_view(tasks), server_view(diary)))

        tasks.todo_by_uid("local-todo").delete()
        diary.save_journal(JOURNAL.format(uid="srv-journal-2", summary="Inventario"))
        run(config, "sync")
        seen.append(("server to folder again", summaries(local_tasks), summaries(local_diary)))
    return seen


def test_task_lists_and_journals_sync_both_ways_as_with_stock_radicale(
    dav: DavWorld,
    radicale: StockRadicale,  # noqa: F811
    tmp_path: Path,
) -> None:
    ours = exercise(tmp_path / "hub", dav.dav_url, dav.juan.user.email, dav.juan.password)
    reference = exercise(tmp_path / "stock", radicale.url, radicale.username, radicale.password)
    assert ours == reference
    assert ours == [
        (
            "server to folder",
            {"srv-todo": "Pedir insumos [NEEDS-ACTION]"},
            {"srv-journal": "Cierre de caja"},
        ),
        (
            "folder to server",
            {
                "srv-todo": "Pedir insumos [COMPLETED]",
                "local-todo": "Cambiar filtro [NEEDS-ACTION]",
            },
            {"local-journal": "Visita del técnico"},
        ),
        (
            "server to folder again",
            {"srv-todo": "Pedir insumos [COMPLETED]"},
            {"local-journal": "Visita del técnico", "srv-journal-2": "Inventario"},
        ),
    ]
