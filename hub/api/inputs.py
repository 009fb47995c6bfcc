"""Turning request input into typed values: JSON bodies, query parameters, RFC 3339 times.

Validation against the declared JSON Schema happens here, so what the OpenAPI document
promises is exactly what is enforced. Errors name the field at fault. Nothing here knows
a business rule: whether a time is free or a phone is valid is the core's to say.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any

import jsonschema_rs

from hub.api.errors import ApiError
from hub.api.schemas import Schema
from hub.domain.model import FIRST_DAY, LAST_DAY
from hub.edge import REFUSED_TEXT, first_bad_field


def validator(schema: Schema) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def _field_of(error: jsonschema_rs.ValidationError, root: str) -> str:
    path = [str(part) for part in error.instance_path]
    missing = getattr(error.kind, "property", None)
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required) and missing:
        path.append(str(missing))
    unexpected = getattr(error.kind, "unexpected", None)
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        path.append(str(unexpected[0]) if unexpected else "")
    if root != "body":
        path.insert(0, root)
    return ".".join(path) or root


def check(check_with: jsonschema_rs.Validator, value: Any, root: str = "body") -> None:
    """Raise a 422 naming every field that breaks the schema (the first one in the message).
    ``root`` names the value itself (a query parameter's name; ``body`` for the body)."""
    problems = [
        {"field": _field_of(error, root), "message": error.message}
        for error in check_with.iter_errors(value)
    ]
    if problems:
        first = problems[0]
        raise ApiError(
            422,
            "validation_error",
            f"{first['field']}: {first['message']}",
            {"field": first["field"], "errors": problems[:20]},
        )


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or a 400 when it is not JSON at all; a 422 naming the field when a
    string holds a character text may not hold (``hub.edge.text``).
    Its size was checked before it was read (``hub.edge.body``)."""
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ApiError(400, "malformed_body", f"the body is not valid JSON: {exc}") from exc
    field = first_bad_field(value)
    if field is not None:
        raise _invalid(field, REFUSED_TEXT)
    return value


def instant(value: str, field: str) -> datetime:
    """An RFC 3339 date-time with an offset, as an aware UTC datetime."""
    try:
        parsed = datetime.fromisoformat(value.strip().upper())
    except ValueError as exc:
        raise _invalid(field, "is not an RFC 3339 date-time") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _invalid(field, "needs a UTC offset (e.g. 2025-03-01T10:00:00-03:00)")
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise _invalid(field, "is out of range") from exc


def day(value: str, field: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise _invalid(field, "is not a date (YYYY-MM-DD)") from exc
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise _invalid(field, f"must be between {FIRST_DAY} and {LAST_DAY}")
    return parsed


def _invalid(field: str, why: str) -> ApiError:
    return ApiError(422, "validation_error", f"{field} {why}", {"field": field})


def coerce_query(value: str, schema: Schema, field: str) -> Any:
    """A query-string value converted to what its schema says (integer, date, date-time)."""
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(value)
        except ValueError as exc:
            raise _invalid(field, "must be an integer") from exc
    if kind == "number":
        try:
            number = float(value)
        except ValueError as exc:
            raise _invalid(field, "must be a number") from exc
        if not math.isfinite(number):
            raise _invalid(field, "must be a number")
        return number
    return value


def convert_query(value: Any, schema: Schema, field: str) -> Any:
    """After validation: dates and date-times become ``date``/``datetime``."""
    fmt = schema.get("format")
    if fmt == "date":
        return day(value, field)
    if fmt == "date-time":
        return instant(value, field)
    return value


def text(body: dict[str, Any], name: str) -> str | None:
    """An optional string field with surrounding blanks removed (None when absent/null)."""
    value = body.get(name)
    return value.strip() if isinstance(value, str) else None
