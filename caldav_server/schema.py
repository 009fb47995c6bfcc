"""The CalDAV view's change log, as database triggers: the per-calendar log (with
tombstones) behind sync-collection and getctag. Its tables, and the view's other own tables,
are ``caldav_server.tables``.

The change log is written by database triggers on ``bookings``, ``blocks`` and on this
package's own event tables, in the very transaction that changes the row. Whatever path a
change takes (REST API, booking pages, scheduler, console, a raw SQL fix) the trigger runs,
and it runs inside that transaction: a change cannot be committed without its log entry, and
a crash between the two cannot happen. (An after-commit hook could miss a change on crash;
reading the outbox could not see blocks, nor the calendar a booking left when it was
reassigned.)

Ordering: each calendar has a counter row (``caldav_calendar_seq``). The trigger bumps it
with an ``UPDATE``, whose row lock is held until commit, so two writers on one calendar take
numbers in commit order and a reader never sees number *n + 1* committed while *n* is still
in flight — a client that synced at token *n* cannot miss *n*. Writers on different calendars
do not wait for each other. ``caldav_changes`` keeps one row per (calendar, href): the latest
number and whether the object is gone (a tombstone).

The trigger DDL is here (and not only in the migration) so that ``ensure_triggers`` can check
and restore it: SQLite drops a table's triggers when a batch migration recreates the table.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

GONE_STATUSES = "('cancelled', 'expired')"


# --- triggers ---------------------------------------------------------------------------


def _block_href(row: str) -> str:
    return (
        "COALESCE((SELECT href FROM caldav_client_items"
        f" WHERE calendar_id = {row}.resource_id AND uid = {row}.external_uid),"
        f" 'block-' || {row}.id || '.ics')"
    )


def _block_gone(row: str) -> str:
    # An event a client made stays while any of the blocks it became remains.
    return (
        "CASE WHEN EXISTS (SELECT 1 FROM caldav_client_items"
        f" WHERE calendar_id = {row}.resource_id AND uid = {row}.external_uid)"
        " THEN NOT EXISTS (SELECT 1 FROM blocks"
        f" WHERE resource_id = {row}.resource_id AND external_uid = {row}.external_uid)"
        " ELSE 1 = 1 END"
    )


# (name, table, event, when, [(calendar, href, gone), ...])
_TRIGGERS: list[tuple[str, str, str, str, list[tuple[str, str, str]]]] = [
    (
        "caldav_bookings_ins",
        "bookings",
        "INSERT",
        "",
        [("NEW.resource_id", "NEW.id || '.ics'", f"NEW.status IN {GONE_STATUSES}")],
    ),
    (
        "caldav_bookings_upd",
        "bookings",
        "UPDATE",
        "",
        [("NEW.resource_id", "NEW.id || '.ics'", f"NEW.status IN {GONE_STATUSES}")],
    ),
    (
        "caldav_bookings_moved",
        "bookings",
        "UPDATE",
        "OLD.resource_id <> NEW.resource_id",
        [("OLD.resource_id", "OLD.id || '.ics'", "1 = 1")],
    ),
    (
        "caldav_bookings_del",
        "bookings",
        "DELETE",
        "",
        [("OLD.resource_id", "OLD.id || '.ics'", "1 = 1")],
    ),
    (
        "caldav_blocks_ins",
        "blocks",
        "INSERT",
        "NEW.resource_id IS NOT NULL",
        [("NEW.resource_id", _block_href("NEW"), "1 = 0")],
    ),
    (
        "caldav_blocks_del",
        "blocks",
        "DELETE",
        "OLD.resource_id IS NOT NULL",
        [("OLD.resource_id", _block_href("OLD"), _block_gone("OLD"))],
    ),
    (
        "caldav_items_ins",
        "caldav_client_items",
        "INSERT",
        "",
        [("NEW.calendar_id", "NEW.href", "1 = 0")],
    ),
    (
        "caldav_items_upd",
        "caldav_client_items",
        "UPDATE",
        "",
        [("NEW.calendar_id", "NEW.href", "1 = 0")],
    ),
    (
        "caldav_items_del",
        "caldav_client_items",
        "DELETE",
        "",
        [("OLD.calendar_id", "OLD.href", "1 = 1")],
    ),
    (
        "caldav_personal_ins",
        "caldav_personal_events",
        "INSERT",
        "",
        [("NEW.calendar_id", "NEW.href", "1 = 0")],
    ),
    (
        "caldav_personal_upd",
        "caldav_personal_events",
        "UPDATE",
        "",
        [("NEW.calendar_id", "NEW.href", "1 = 0")],
    ),
    (
        "caldav_personal_del",
        "caldav_personal_events",
        "DELETE",
        "",
        [("OLD.calendar_id", "OLD.href", "1 = 1")],
    ),
]

# (name, table, which bookings): when a row their events are rendered from changes — the
# customer's name or phone, the service's name, the resource's name, the branch's address —
# every event of those bookings changes (its ETag does), so each is logged as changed and
# the calendars' sync tokens and ctags move. Set-based, so the same statements serve both
# dialects; the changes of one statement share one number per calendar.
_RENDERED_FROM: list[tuple[str, str, str]] = [
    ("caldav_customers_upd", "customers", "customer_id = NEW.id"),
    ("caldav_services_upd", "services", "service_id = NEW.id"),
    ("caldav_resources_upd", "resources", "resource_id = NEW.id"),
    ("caldav_branches_upd", "branches", "branch_id = NEW.id"),
]


def _touch_bookings(which: str) -> list[str]:
    alive = f"{which} AND status NOT IN {GONE_STATUSES}"
    return [
        "INSERT INTO caldav_calendar_seq (calendar_id, seq)"
        f" SELECT DISTINCT resource_id, 0 FROM bookings WHERE {alive}"
        " ON CONFLICT (calendar_id) DO NOTHING",
        "UPDATE caldav_calendar_seq SET seq = seq + 1"
        f" WHERE calendar_id IN (SELECT resource_id FROM bookings WHERE {alive})",
        "INSERT INTO caldav_changes (calendar_id, href, seq, deleted)"
        " SELECT b.resource_id, b.id || '.ics', s.seq, 1 = 0 FROM bookings b"
        " JOIN caldav_calendar_seq s ON s.calendar_id = b.resource_id"
        f" WHERE b.{alive.replace(' AND status', ' AND b.status')}"
        " ON CONFLICT (calendar_id, href) DO UPDATE"
        " SET seq = excluded.seq, deleted = excluded.deleted",
    ]


# Blocks of a whole branch (no resource) show in the calendar of every resource of the
# branch, and are logged in each of them.
_BRANCH_BLOCKS: list[tuple[str, str, str]] = [
    ("caldav_branch_blocks_ins", "INSERT", "NEW"),
    ("caldav_branch_blocks_del", "DELETE", "OLD"),
]


def _branch_members(row: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"EXISTS (SELECT 1 FROM json_each(r.branch_ids) j WHERE j.value = {row}.branch_id)"
    return f"jsonb_exists(r.branch_ids::jsonb, {row}.branch_id)"


def _touch_branch(row: str, gone: str, dialect: str) -> list[str]:
    members = _branch_members(row, dialect)
    return [
        "INSERT INTO caldav_calendar_seq (calendar_id, seq)"
        f" SELECT r.id, 0 FROM resources r WHERE {members}"
        " ON CONFLICT (calendar_id) DO NOTHING",
        "UPDATE caldav_calendar_seq SET seq = seq + 1"
        f" WHERE calendar_id IN (SELECT r.id FROM resources r WHERE {members})",
        "INSERT INTO caldav_changes (calendar_id, href, seq, deleted)"
        f" SELECT r.id, 'block-' || {row}.id || '.ics', s.seq, {gone} FROM resources r"
        f" JOIN caldav_calendar_seq s ON s.calendar_id = r.id WHERE {members}"
        " ON CONFLICT (calendar_id, href) DO UPDATE"
        " SET seq = excluded.seq, deleted = excluded.deleted",
    ]


_PG_TOUCH = """
CREATE OR REPLACE FUNCTION caldav_touch(cal text, ref text, gone boolean) RETURNS void AS $$
DECLARE s bigint;
BEGIN
  INSERT INTO caldav_calendar_seq (calendar_id, seq) VALUES (cal, 0)
    ON CONFLICT (calendar_id) DO NOTHING;
  UPDATE caldav_calendar_seq SET seq = seq + 1 WHERE calendar_id = cal RETURNING seq INTO s;
  INSERT INTO caldav_changes (calendar_id, href, seq, deleted) VALUES (cal, ref, s, gone)
    ON CONFLICT (calendar_id, href) DO UPDATE SET seq = EXCLUDED.seq, deleted = EXCLUDED.deleted;
END $$ LANGUAGE plpgsql
"""


def _sqlite_touch(calendar: str, href: str, gone: str) -> str:
    return (
        f"INSERT INTO caldav_calendar_seq (calendar_id, seq) VALUES ({calendar}, 0)"
        " ON CONFLICT (calendar_id) DO NOTHING;\n"
        f"UPDATE caldav_calendar_seq SET seq = seq + 1 WHERE calendar_id = {calendar};\n"
        "INSERT INTO caldav_changes (calendar_id, href, seq, deleted) VALUES"
        f" ({calendar}, {href},"
        f" (SELECT seq FROM caldav_calendar_seq WHERE calendar_id = {calendar}), {gone})"
        " ON CONFLICT (calendar_id, href) DO UPDATE"
        " SET seq = excluded.seq, deleted = excluded.deleted;\n"
    )


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that (re)create every change-log trigger on ``dialect``."""
    statements: list[str] = []
    if dialect == "postgresql":
        statements.append(_PG_TOUCH)
    for name, table, event, when, touches in _TRIGGERS:
        if dialect == "sqlite":
            condition = f" WHEN {when}" if when else ""
            body = "".join(_sqlite_touch(*t) for t in touches)
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                f"{condition}\nBEGIN\n{body}END"
            )
        else:
            row = "OLD" if event == "DELETE" else "NEW"
            calls = "".join(f"  PERFORM caldav_touch({c}, {h}, {g});\n" for c, h, g in touches)
            statements.append(
                f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger AS $$\n"
                f"BEGIN\n{calls}  RETURN {row};\nEND $$ LANGUAGE plpgsql"
            )
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            condition = f" WHEN ({when})" if when else ""
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                f"{condition} EXECUTE FUNCTION {name}_fn()"
            )
    bulk = [
        (name, table, "UPDATE", "", "NEW", _touch_bookings(which))
        for name, table, which in _RENDERED_FROM
    ] + [
        (
            name,
            "blocks",
            event,
            f"{row}.resource_id IS NULL AND {row}.branch_id IS NOT NULL",
            row,
            _touch_branch(row, "1 = 1" if event == "DELETE" else "1 = 0", dialect),
        )
        for name, event, row in _BRANCH_BLOCKS
    ]
    for name, table, event, when, row, sql in bulk:
        body = "".join(f"  {statement};\n" for statement in sql)
        if dialect == "sqlite":
            condition = f" WHEN {when}" if when else ""
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition}\n"
                f"BEGIN\n{body}END"
            )
        else:
            condition = f" WHEN ({when})" if when else ""
            statements.append(
                f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger AS $$\n"
                f"BEGIN\n{body}  RETURN {row};\nEND $$ LANGUAGE plpgsql"
            )
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition}"
                f" EXECUTE FUNCTION {name}_fn()"
            )
    return statements


def trigger_tables() -> list[tuple[str, str]]:
    """(trigger, table) of every change-log trigger."""
    return (
        [(name, table) for name, table, *_ in _TRIGGERS]
        + [(name, table) for name, table, _ in _RENDERED_FROM]
        + [(name, "blocks") for name, _, _ in _BRANCH_BLOCKS]
    )


def missing_triggers(connection: Connection) -> list[str]:
    names = {name for name, _ in trigger_tables()}
    if connection.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    present = {row[0] for row in connection.execute(text(sql))}
    return sorted(names - present)


def ensure_triggers(connection: Connection) -> bool:
    """Recreate the change-log triggers if any is missing; returns whether it had to.
    Does nothing on a database the CalDAV migration has not reached yet."""
    if not inspect(connection).has_table("caldav_changes") or not missing_triggers(connection):
        return False
    for statement in trigger_ddl(connection.dialect.name):
        connection.execute(text(statement))
    return True
