"""Console: "Estadísticas" — the business's figures for a week or a month beside the period
before (bookings, confirmed %, cancellations, no-shows, busiest hour, zones, revenue,
deposits kept), as inline SVG charts with the same figures in a table, and as a CSV file.

The figures come from ``hub.services.analytics_read_model``; an employee sees those of their
own resources only.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking_pages import catalogue, charts
from booking_pages.console_auth import Staff, staff_only
from booking_pages.console_records import spreadsheet_safe
from booking_pages.web import PageError, Pages
from hub.services.analytics_read_model import PERIODS, Analytics, Figures, business_analytics
from hub.services.payment_ports import PaymentsUnitOfWork


def _money(pairs: tuple[tuple[str, int], ...], currency: str) -> int:
    return dict(pairs).get(currency, 0)


def rows(analytics: Analytics, currency: str) -> list[tuple[str, object, object]]:
    """(figure key, this period, the period before): what the table and the CSV show."""
    now, before = analytics.current, analytics.previous

    def hour(f: Figures) -> str:
        return "" if f.busiest_hour is None else f"{f.busiest_hour:02d}:00"

    out: list[tuple[str, object, object]] = [
        ("bookings", now.bookings, before.bookings),
        ("confirmed", now.confirmed, before.confirmed),
        ("confirmed_pct", now.confirmed_pct, before.confirmed_pct),
        ("cancelled", now.cancelled, before.cancelled),
        ("no_shows", now.no_shows, before.no_shows),
        ("busiest_hour", hour(now), hour(before)),
        ("busiest_count", now.busiest_count, before.busiest_count),
    ]
    currencies = sorted(
        {c for c, _ in (*now.revenue, *before.revenue, *now.deposits_kept, *before.deposits_kept)}
        | {currency}
    )
    for code in currencies:
        out.append(
            (f"revenue_minor:{code}", _money(now.revenue, code), _money(before.revenue, code))
        )
        out.append(
            (
                f"deposits_kept_minor:{code}",
                _money(now.deposits_kept, code),
                _money(before.deposits_kept, code),
            )
        )
    before_zones = dict(before.zones)
    for name, count in now.zones:
        out.append((f"zone:{name}", count, before_zones.get(name, 0)))
    return out


def shown(analytics: Analytics, staff: Staff) -> list[tuple[str, str, str]]:
    """The table's rows in the reader's language: label, this period, the period before."""
    t = staff.t
    out = []
    for key, current, previous in rows(analytics, staff.business.currency):
        name, _, detail = key.partition(":")
        if name in ("revenue_minor", "deposits_kept_minor"):
            assert isinstance(current, int) and isinstance(previous, int)
            label = t(f"analytics.{name.removesuffix('_minor')}")
            out.append((label, t.money(current, detail), t.money(previous, detail)))
        elif name == "zone":
            out.append((t("analytics.zone", name=detail), str(current), str(previous)))
        elif name == "confirmed_pct":
            out.append((t("analytics.confirmed_pct"), f"{current}%", f"{previous}%"))
        else:
            out.append((t(f"analytics.{name}"), str(current) or "—", str(previous) or "—"))
    return out


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def query(request: Request, staff: Staff) -> tuple[str, date]:
        period = request.query_params.get("period", "week")
        if period not in PERIODS:
            raise PageError(422, "analytics.bad_period")
        raw = request.query_params.get("date")
        day = catalogue.parse_day(raw) if raw else catalogue.today_in(staff.business, hub.now())
        if day is None:
            raise PageError(422, "analytics.bad_date")
        return period, day

    def load(staff: Staff, period: str, day: date) -> Analytics:
        uow = cast(PaymentsUnitOfWork, hub.database.unit_of_work())
        return business_analytics(
            uow,
            staff.business.id,
            period,
            day,
            resource_ids=None if staff.is_admin else [r.id for r in staff.resources],
        )

    async def page(request: Request, staff: Staff) -> Response:
        period, day = query(request, staff)
        found = await run_in_threadpool(load, staff, period, day)
        now, before = found.current, found.previous
        t = staff.t
        day_labels = [t.day(d, "d") for d, _ in now.per_day]
        context: dict[str, Any] = {
            "staff": staff,
            "a": found,
            "period": period,
            "day": day,
            "rows": rows(found, staff.business.currency),
            "by_day": charts.bars(
                day_labels, [n for _, n in now.per_day], [n for _, n in before.per_day]
            ),
            "by_hour": charts.bars(
                [f"{h:02d}" for h in range(6, 23)],
                list(now.per_hour[6:23]),
                list(before.per_hour[6:23]),
            ),
            "table": shown(found, staff),
            "prev": before.first.isoformat(),
            "next": (now.last + date.resolution).isoformat(),
            "csv": f"/console/analytics.csv?period={period}&date={day.isoformat()}",
        }
        return pages.render(request, "console/analytics.html", context, t=t)

    async def export(request: Request, staff: Staff) -> Response:
        period, day = query(request, staff)
        found = await run_in_threadpool(load, staff, period, day)
        out = io.StringIO()
        writer = csv.writer(out)
        now, before = found.current, found.previous
        writer.writerow(
            [
                "figure",
                f"{now.first.isoformat()}..{now.last.isoformat()}",
                f"{before.first.isoformat()}..{before.last.isoformat()}",
            ]
        )
        for key, current, previous in rows(found, staff.business.currency):
            writer.writerow([spreadsheet_safe(key), current, previous])
        name = f"estadisticas-{period}-{now.first.isoformat()}.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    return [
        Route("/analytics", staff_only(pages, page), methods=["GET"], name="analytics"),
        Route("/analytics.csv", staff_only(pages, export), methods=["GET"]),
    ]
