"""Console: the service records ("registro" of what was done and charged when a booking was
finished) over a period, on screen and as a CSV file for a spreadsheet.

An employee sees the records of their resources only. The records are written by the
"Finalizar" use case; reading them is ``hub.services.records``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages
from hub.domain.errors import DomainError, NotFoundError
from hub.domain.model import ServiceRecord
from hub.services import customer_setup, setup
from hub.services.records import list_service_records

CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Line:
    record: ServiceRecord
    customer: str
    service: str
    resource: str


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP "CSV injection")."""
    return "'" + text if text.startswith(CSV_FORMULA) else text


def period(request: Request, staff: Staff, now: datetime) -> tuple[date, date]:
    """From/to dates of the query (inclusive); this month so far by default."""
    today = catalogue.today_in(staff.business, now)
    first = catalogue.parse_day(request.query_params.get("from")) or today.replace(day=1)
    last = catalogue.parse_day(request.query_params.get("to")) or max(first, today)
    if last < first:
        raise PageError(422, "error.record_period")
    return first, last


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def lines(staff: Staff, first: date, last: date) -> list[Line]:
        tz = staff.business.tz
        try:
            found = list_service_records(
                hub.uow(),
                staff.business.id,
                datetime.combine(first, time(0), tz),
                datetime.combine(last + timedelta(days=1), time(0), tz),
                resource_ids=None if staff.is_admin else [r.id for r in staff.resources],
            )
        except DomainError as exc:
            raise PageError(422, "error.record_period") from exc
        services = {s.id: s.name for s in setup.list_services(hub.uow(), staff.business.id)}
        resources = {r.id: r.name for r in setup.list_resources(hub.uow(), staff.business.id)}
        customers: dict[str, str] = {}
        result = []
        for record in found:
            if record.customer_id not in customers:
                try:
                    who = customer_setup.get_customer(
                        hub.uow(), staff.business.id, record.customer_id
                    )
                    customers[record.customer_id] = who.name
                except NotFoundError:
                    customers[record.customer_id] = "?"
            result.append(
                Line(
                    record,
                    customers[record.customer_id],
                    services.get(record.service_id, "?"),
                    resources.get(record.resource_id, "?"),
                )
            )
        return result

    async def records_page(request: Request, staff: Staff) -> Response:
        first, last = period(request, staff, hub.now())
        found = await run_in_threadpool(lines, staff, first, last)
        totals: dict[str, int] = {}
        for line in found:
            totals[line.record.currency] = totals.get(line.record.currency, 0) + (
                line.record.charged_minor
            )
        context: dict[str, Any] = {
            "staff": staff,
            "lines": found,
            "first": first,
            "last": last,
            "totals": sorted(totals.items()),
            "csv": f"/console/records.csv?from={first.isoformat()}&to={last.isoformat()}",
        }
        return pages.render(request, "console/records.html", context, t=staff.t)

    async def records_csv(request: Request, staff: Staff) -> Response:
        first, last = period(request, staff, hub.now())
        found = await run_in_threadpool(lines, staff, first, last)
        tz = staff.business.tz
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "performed_at",
                "booking_id",
                "customer",
                "service",
                "resource",
                "charged",
                "charged_minor",
                "currency",
                "notes",
            ]
        )
        for line in found:
            r = line.record
            writer.writerow(
                [
                    r.performed_at.astimezone(tz).isoformat(timespec="minutes"),
                    r.booking_id,
                    spreadsheet_safe(line.customer),
                    spreadsheet_safe(line.service),
                    spreadsheet_safe(line.resource),
                    f"{r.charged_minor / 100:.2f}",
                    r.charged_minor,
                    r.currency,
                    spreadsheet_safe(r.notes),
                ]
            )
        name = f"registros-{first.isoformat()}-{last.isoformat()}.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    return [
        Route("/records", staff_only(pages, records_page), methods=["GET"], name="records"),
        Route("/records.csv", staff_only(pages, records_csv), methods=["GET"]),
    ]
