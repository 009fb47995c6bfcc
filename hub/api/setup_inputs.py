"""The bodies of the setup CRUD (branches, resources, groups, services, zones): their JSON
schemas, and how a validated body becomes domain fields (times of day, weekly rules, date
exceptions, kinds, points and polygons). The endpoints are in ``setup``.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from hub.api import geo, inputs
from hub.api.schemas import (
    DATE,
    ID,
    NAME,
    TEXT,
    Schema,
    array,
    enum,
    integer,
    nullable,
    obj,
)
from hub.domain.geo import CoverageMode, GeoPoint
from hub.domain.model import (
    DateException,
    PricingStrategy,
    ResourceKind,
    WeeklyInterval,
)

CLOCK: Schema = {"type": "string", "pattern": r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"}
INTERVAL_IN = obj(
    {"weekday": integer(0, 6), "start": CLOCK, "end": CLOCK}, ("weekday", "start", "end")
)
NUMBER: Schema = {"type": "number", "minimum": -1e6, "maximum": 1e6}


def clock(value: str) -> time:
    return time(0) if value == "24:00" else time.fromisoformat(value)


def weekly(items: list[dict[str, Any]]) -> tuple[WeeklyInterval, ...]:
    return tuple(WeeklyInterval(i["weekday"], clock(i["start"]), clock(i["end"])) for i in items)


BRANCH_IN = obj(
    {
        "name": NAME,
        "address": TEXT,
        "lat": nullable({"type": "number", "minimum": -90, "maximum": 90}),
        "lng": nullable({"type": "number", "minimum": -180, "maximum": 180}),
        "coverage_km": nullable({"type": "number", "minimum": 0, "maximum": 20000}),
        "coverage_mode": {
            **enum([m.value for m in CoverageMode]),
            "description": "At-address services, an address outside the coverage (radius "
            "from lat/lng, and the zones): `refuse` it, or book it and `flag` it for review",
        },
        "hours": array(INTERVAL_IN, 50),
        "exceptions": array(
            obj(
                {
                    "start_date": DATE,
                    "end_date": DATE,
                    "intervals": array(obj({"start": CLOCK, "end": CLOCK}, ("start", "end")), 20),
                    "reason": TEXT,
                },
                ("start_date", "end_date"),
            ),
            200,
        ),
        "active": {"type": "boolean"},
    }
)
RESOURCE_IN = obj(
    {
        "name": NAME,
        "kind": enum([k.value for k in ResourceKind]),
        "capacity": integer(1, 1000),
        "branch_ids": array(ID, 50),
        "weekly": array(INTERVAL_IN, 50),
        "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "price_minor": nullable(integer(0, 10**12)),
        "base": {**nullable(geo.POINT_IN), "description": "Where the worker starts the day"},
    }
)
GROUP_IN = obj({"name": NAME, "resource_ids": array(ID, 200)})
SERVICE_IN = obj(
    {
        "name": NAME,
        "description": TEXT,
        "duration_minutes": integer(1, 24 * 60),
        "price_minor": integer(0, 10**12),
        "pricing": enum([p.value for p in PricingStrategy]),
        "buffer_before_minutes": integer(0, 24 * 60),
        "buffer_after_minutes": integer(0, 24 * 60),
        "at_client_address": {"type": "boolean"},
        "video_meeting": {"type": "boolean"},
        "resource_ids": array(ID, 200),
        "group_ids": array(ID, 50),
        "max_persons": integer(1, 1000),
    }
)


def with_required(schema: Schema, *names: str) -> Schema:
    return {**schema, "required": list(names)}


def fields(body: dict[str, Any]) -> dict[str, Any]:
    """Body fields as dataclass fields (lists become tuples, intervals become rules)."""
    out: dict[str, Any] = {}
    for name, value in body.items():
        if name in ("hours", "weekly"):
            out[name] = weekly(value)
        elif name == "exceptions":
            out[name] = tuple(
                DateException(
                    inputs.day(e["start_date"], "start_date"),
                    inputs.day(e["end_date"], "end_date"),
                    tuple((clock(i["start"]), clock(i["end"])) for i in e.get("intervals", [])),
                    reason=e.get("reason", ""),
                )
                for e in value
            )
        elif name == "kind":
            out[name] = ResourceKind(value)
        elif name == "pricing":
            out[name] = PricingStrategy(value)
        elif name == "coverage_mode":
            out[name] = CoverageMode(value)
        elif name in ("centre", "base"):
            out[name] = None if value is None else GeoPoint(value["lat"], value["lng"])
        elif name == "polygon":
            out[name] = geo.polygon_in(value)
        elif isinstance(value, list):
            out[name] = tuple(value)
        elif isinstance(value, str) and name in ("name",):
            out[name] = value.strip()
        else:
            out[name] = value
    return out
