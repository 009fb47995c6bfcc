"""JSON Schema building blocks shared by the API's request and response declarations.

Schemas are plain dicts in JSON Schema 2020-12 (the dialect of OpenAPI 3.1). Resource
modules compose these; the registry puts them into the OpenAPI document and validates
request bodies against exactly what it publishes.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

ID: Schema = {"type": "string", "minLength": 1, "maxLength": 64}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
DATE: Schema = {"type": "string", "format": "date"}
EMAIL: Schema = {"type": "string", "format": "email", "maxLength": 254}
TEXT: Schema = {"type": "string", "maxLength": 2000}
NAME: Schema = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}
TIME: Schema = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null (OpenAPI 3.1 spells nullability as a type union)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def obj(
    properties: dict[str, Schema],
    required: tuple[str, ...] | list[str] = (),
    *,
    closed: bool = True,
) -> Schema:
    """An object; request bodies are closed (unknown fields are an error, not ignored)."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items: Schema, max_items: int | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


def integer(minimum: int | None = None, maximum: int | None = None) -> Schema:
    schema: Schema = {"type": "integer"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def page_of(item: Schema) -> Schema:
    """A page of a cursor-paginated list: pass ``next_cursor`` back as ``cursor``."""
    return obj(
        {"items": array(item), "next_cursor": nullable({"type": "string"})},
        ("items", "next_cursor"),
        closed=False,
    )


def output(schema: Schema) -> Schema:
    """A response version of a schema: servers may add fields later, so responses are open."""
    result = dict(schema)
    result.pop("additionalProperties", None)
    return result
