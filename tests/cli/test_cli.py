"""The ``turnero`` command as an operator uses it at a shell: what it prints, what it
refuses (one line on stderr, non-zero exit), and what ends up in the database."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import create_engine, text

from hub.cli import main
from tests.support.live import free_port


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TURNERO_DATABASE_URL", url)
    monkeypatch.setenv("TURNERO_DATA_DIR", str(tmp_path))
    assert main(["migrate"], out=io.StringIO()) == 0
    return url


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def count(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def make_business(slug: str = "taller") -> None:
    code, out = run(
        "business", "create", "--slug", slug, "--name", "Taller Ñandú",
        "--timezone", "America/Argentina/Buenos_Aires", "--currency", "ars",
        "--language", "es", "--country", "AR",
    )  # fmt: skip
    assert code == 0, out
    assert slug in out


def test_setup_from_the_shell(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    make_business()
    code, out = run(
        "user", "create", "--business", "taller", "--email", "Jefa@Taller.com",
        "--role", "business_admin", "--password", "una-clave-larga",
    )  # fmt: skip
    assert code == 0 and "jefa@taller.com" in out
    code, out = run("apikey", "create", "--business", "taller", "--name", "CRM")
    assert code == 0
    # Only the key on stdout, so that `KEY=$(turnero apikey create …)` works.
    assert re.fullmatch(r"tk_[0-9a-f]+\.[A-Za-z0-9_-]+\n", out)
    code, out = run("user", "app-password", "--email", "jefa@taller.com")
    assert code == 0 and re.fullmatch(r"[0-9a-f-]{27}\n", out)
    assert "shown once" in capsys.readouterr().err
    assert count(env, "api_keys") == 1
    assert count(env, "app_passwords") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["business", "create", "--slug", "Not A Slug", "--name", "x", "--timezone", "UTC",
             "--currency", "EUR", "--language", "en"],
            "slug",
        ),
        (
            ["business", "create", "--slug", "ok", "--name", "x", "--timezone", "Mars/Base",
             "--currency", "EUR", "--language", "en"],
            "unknown timezone",
        ),
        (["apikey", "create", "--business", "nope"], "no business with slug 'nope'"),
        (
            ["user", "create", "--business", "taller", "--email", "x@y.com", "--role",
             "employee", "--resource", "ghost"],
            "no resource 'ghost'",
        ),
        (
            ["user", "create", "--business", "taller", "--email", "not-an-email", "--role",
             "employee"],
            "not an email",
        ),
        (["user", "app-password", "--email", "nobody@example.com"], "no user"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_on_stderr_and_changes_nothing(
    env: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    make_business()
    capsys.readouterr()
    before = (count(env, "businesses"), count(env, "users"), count(env, "api_keys"))
    code, out = run(*argv)
    err = capsys.readouterr().err
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("turnero: error: ")
    assert message in err
    assert (count(env, "businesses"), count(env, "users"), count(env, "api_keys")) == before


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["serve", "--help"], ["user", "create", "--help"],
                 ["import-ics", "--help"]):  # fmt: skip
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
        assert "usage: turnero" in capsys.readouterr().out


def ics(body: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body
            + "END:VCALENDAR\r\n").encode()  # fmt: skip


def vevent(uid: str, start: str, end: str, summary: str, extra: str = "") -> str:
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;TZID=America/Argentina/Buenos_Aires:{start}\r\n"
            f"DTEND;TZID=America/Argentina/Buenos_Aires:{end}\r\n"
            f"SUMMARY:{summary}\r\n{extra}END:VEVENT\r\n")  # fmt: skip


def future(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).strftime("%Y%m%d")


def setup_resource(env: str) -> None:
    code, _ = run("demo")
    assert code == 0


def test_import_ics_brings_an_agenda_in_as_blocks(env: str, tmp_path: Path) -> None:
    setup_resource(env)
    before = count(env, "blocks")
    path = tmp_path / "agenda.ics"
    path.write_bytes(
        ics(
            vevent("a@x", f"{future(5)}T100000", f"{future(5)}T113000", "Dentista")
            + vevent("b@x", f"{future(6)}T090000", f"{future(6)}T100000", "Gym",
                     "RRULE:FREQ=WEEKLY;COUNT=3\r\n")
            + vevent("c@x", f"{future(7)}T090000", f"{future(7)}T100000", "Libre",
                     "TRANSP:TRANSPARENT\r\n")
        )
    )  # fmt: skip
    code, out = run(
        "import-ics", "--business", "lavadero-demo", "--resource", "Pedro (lavador)", str(path)
    )
    assert code == 0, out
    assert "imported 4 blocks" in out  # one + three weekly; the transparent one is free time
    assert count(env, "blocks") == before + 4
    again = run(
        "import-ics", "--business", "lavadero-demo", "--resource", "Pedro (lavador)", str(path)
    )
    assert again[0] == 0
    assert count(env, "blocks") == before + 4  # the same events (by UID), not twice
    path.write_bytes(ics(vevent("a@x", f"{future(5)}T140000", f"{future(5)}T150000", "Dentista")))
    assert (
        run(
            "import-ics", "--business", "lavadero-demo", "--resource", "Pedro (lavador)", str(path)
        )[0]
        == 0
    )
    assert count(env, "blocks") == before + 4  # the moved appointment replaced, not added


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        ("BEGIN:VEVENT\r\nUID:x\r\nthis is not a property line\r\nEND:VEVENT\r\n", "line"),
        ("BEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026XXXX\r\nEND:VEVENT\r\n", "DTSTART"),
        (vevent("late@x", f"{future(5)}T120000", f"{future(5)}T110000", "Backwards"),
         "ends before it starts"),
        (vevent("ok@x", f"{future(5)}T100000", f"{future(5)}T110000", "Fine")
         + "BEGIN:VEVENT\r\nUID:y\r\nSUMMARY:no start\r\nEND:VEVENT\r\n", "no DTSTART"),
        (vevent("deep@x", f"{future(5)}T100000", f"{future(5)}T110000", "Deep",
                "".join(f"BEGIN:X-N{i}\r\n" for i in range(2_000))
                + "".join(f"END:X-N{i}\r\n" for i in reversed(range(2_000)))),
         "nested more than 8 deep"),
        ("".join(vevent(f"e{i}@x", f"{future(5)}T100000", f"{future(5)}T110000", "Many")
                 for i in range(40_001)),
         "more than 40000 components"),
    ],
)  # fmt: skip
def test_a_malformed_agenda_imports_nothing(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, fault: str
) -> None:
    setup_resource(env)
    before = count(env, "blocks")
    path = tmp_path / "bad.ics"
    path.write_bytes(ics(body))
    code, _ = run(
        "import-ics", "--business", "lavadero-demo", "--resource", "Pedro (lavador)", str(path)
    )
    err = capsys.readouterr().err
    assert code != 0
    assert fault in err, err
    assert err.count("\n") == 1 and err.startswith("turnero: error: "), err
    assert count(env, "blocks") == before


def test_export_ics_is_a_calendar_of_the_agenda(env: str) -> None:
    setup_resource(env)
    code, out = run("export-ics", "--business", "lavadero-demo", "--resource", "juan (lavador)")
    assert code == 0
    calendar = Calendar.from_ical(out)
    assert "Juan (lavador)" in str(calendar["X-WR-CALNAME"])
    events = calendar.walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    # Juan's agenda in the demo: his clients of today and of the coming days, not Pedro's,
    # not the ones who cancelled.
    assert summaries.count("Lavado completo — Hernán Vega") == 5
    assert {
        "Lavado completo — Carla Ruiz",
        "Lavado completo — José Gómez",
        "Lavado completo — Juan Pérez",
    } <= set(summaries)
    assert not any("Diego Sosa" in s or "Gabriela Ríos" in s for s in summaries)
    assert all(str(e["UID"]).endswith("@turnero") for e in events)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Argentina/Buenos_Aires"


def test_demo_is_idempotent(env: str) -> None:
    code, out = run("demo")
    assert code == 0 and "created demo business lavadero-demo" in out
    assert "admin@lavadero.demo" in out and "demo1234" in out
    counts = [count(env, t) for t in ("businesses", "bookings", "users", "blocks")]
    code, out = run("demo")
    assert code == 0 and "lavadero-demo was already there" in out
    assert [count(env, t) for t in ("businesses", "bookings", "users", "blocks")] == counts


def test_demo_agenda_is_alive_today_and_this_week(env: str) -> None:
    """A new user opens the agenda and sees today's work in every state."""
    assert run("demo")[0] == 0
    engine = create_engine(env)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT b.status, b.start_at, b.cancel_reason FROM bookings b "
                    "JOIN businesses z ON z.id = b.business_id WHERE z.slug = 'lavadero-demo'"
                )
            ).all()
    finally:
        engine.dispose()
    now = datetime.now(UTC)
    ba = ZoneInfo("America/Argentina/Buenos_Aires")
    today = [row for row in rows if _utc(row[1]).astimezone(ba).date() == now.astimezone(ba).date()]
    # On the grid's hours whatever the time now; what started is over or under way.
    assert len(today) >= 8
    assert all(9 <= _utc(row[1]).astimezone(ba).hour < 18 for row in today)
    assert {row[0] for row in today if _utc(row[1]) > now} <= {"confirmed", "cancelled"}
    assert {row[0] for row in today if _utc(row[1]) <= now} <= {
        "completed", "no_show", "in_progress", "cancelled"
    }  # fmt: skip
    week = {row[0] for row in rows if _utc(row[1]) - now < timedelta(days=7)}
    assert week >= {"pending", "expired", "confirmed", "cancelled"}
    assert "Cancelado por el cliente por WhatsApp" in {row[2] for row in rows}


def test_demo_car_wash_serves_barrios_and_its_visits_are_on_the_map(env: str) -> None:
    """The demo car wash ships with Buenos Aires barrios as zones; its visits carry
    coordinates and, inside a barrio, its zone; its washers start from a base."""
    assert run("demo")[0] == 0
    engine = create_engine(env)
    try:
        with engine.connect() as conn:
            zones = dict(conn.execute(text("SELECT id, name FROM zones")).all())
            visits = conn.execute(
                text(
                    "SELECT b.latitude, b.longitude, b.zone_id FROM bookings b "
                    "JOIN businesses z ON z.id = b.business_id WHERE z.slug = 'lavadero-demo'"
                )
            ).all()
            bases = conn.execute(
                text("SELECT base_lat FROM resources WHERE name LIKE '%(lavador)'")
            ).all()
    finally:
        engine.dispose()
    assert {"Palermo", "Belgrano", "Recoleta", "Caballito", "Villa Urquiza", "Núñez"} <= set(
        zones.values()
    )
    assert visits and all(lat is not None and lng is not None for lat, lng, _ in visits)
    named = {zones[zone_id] for _, _, zone_id in visits if zone_id is not None}
    assert {"Palermo", "Belgrano", "Caballito"} <= named
    assert len(bases) == 2 and all(lat is not None for (lat,) in bases)


def _utc(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.mark.slow
def test_serve_demo_answers_health_and_demo_availability(tmp_path: Path) -> None:
    """What a new user sees after `make run`: the hub answering with demo data."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
    environ["TURNERO_DATA_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "serve", "--demo", "--port", str(port)],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    printed = ""
    assert proc.stdout is not None
    for line in proc.stdout:  # the demo summary comes before the server starts
        if "availability" in line and "lavadero-demo" in line:
            printed = line.split()[-1]
            break
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "turnero serve exited early"
            assert time.monotonic() < deadline, "turnero serve did not answer in time"
            time.sleep(0.3)
        business = httpx.get(f"{base}/api/v1/public/businesses/lavadero-demo").json()
        service = next(s for s in business["services"] if s["name"] == "Lavado completo")
        start = datetime.now(UTC).date() + timedelta(days=2)
        slots = httpx.get(
            f"{base}/api/v1/public/businesses/lavadero-demo/availability",
            params={"service": service["id"], "from": start.isoformat(),
                    "to": (start + timedelta(days=7)).isoformat()},
        )  # fmt: skip
        assert slots.status_code == 200
        assert slots.json()["timezone"] == "America/Argentina/Buenos_Aires"
        assert len(slots.json()["slots"]) > 10
        # The availability link printed for a new user answers as it is.
        assert printed.startswith(f"{base}/api/v1/public/businesses/lavadero-demo/availability?")
        week = httpx.get(printed)
        assert week.status_code == 200, week.text
        assert len(week.json()["slots"]) > 10
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # The rest of the output, through the same buffered reader the lines above came from
    # (``communicate`` would read the pipe past what that reader already holds).
    with proc.stdout:
        output = proc.stdout.read()
    assert "admin@lavadero.demo" in output
    assert (tmp_path / "turnero.db").exists()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TURNERO_WEB_THREADS", "ocho", "TURNERO_WEB_THREADS must be a whole number, not 'ocho'"),
        ("TURNERO_SMTP_PORT", "0", "TURNERO_SMTP_PORT must be at least 1, not 0"),
        ("TURNERO_TICK_SECONDS", "nan", "TURNERO_TICK_SECONDS must be a number of zero or more"),
        ("TURNERO_DELIVERY_BATCH", "x", "TURNERO_DELIVERY_BATCH must be a number, not 'x'"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(
    env: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    """A typo in a TURNERO_* variable is a usage error that names it, not a traceback."""
    capsys.readouterr()
    monkeypatch.setenv(variable, value)
    code, out = run("queue", "status")
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err.startswith(f"turnero: error: configuration: {message}")
    assert err.count("\n") == 1
