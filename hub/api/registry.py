"""Operations: each API route declares its schemas next to its handler; this module turns the
declarations into Starlette routes (with authentication, input validation, idempotency and
rate limiting done once, here) and into the OpenAPI 3.1 document.

Resource modules create an ``Operations`` collection and decorate handlers with it. What a
handler does with the input (calling one use case) is the resource module's business.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.api import guards, inputs
from hub.api.errors import ERROR_SCHEMA, ApiError, from_exception
from hub.api.schemas import Schema
from hub.domain.accounts import ApiKey
from hub.domain.errors import AuthenticationError, DomainError

if TYPE_CHECKING:
    from hub.process import Hub

P = ParamSpec("P")
T = TypeVar("T")
Handler = Callable[["Call"], Awaitable[Response]]

ERROR_TEXT = {
    400: "Malformed body (not JSON)",
    401: "Missing or invalid API key",
    403: "Not allowed",
    404: "Not found (in this business)",
    409: "Conflict: slot taken, illegal transition or a rule of the business",
    412: "If-Match does not match the current ETag",
    413: "Body too large",
    422: "Invalid input; details.field names the field at fault",
    429: "Too many requests; retry after the Retry-After seconds",
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    schema: Schema
    required: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    responses: dict[int, Schema | None]
    auth: bool = True
    body: Schema | None = None
    body_required: bool = True
    query: tuple[Param, ...] = ()
    errors: tuple[int, ...] = ()
    public_write: bool = False
    media_type: str = "application/json"
    description: str = ""

    @property
    def operation_id(self) -> str:
        return self.handler.__name__.strip("_")

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def error_statuses(self) -> list[int]:
        # 404 everywhere: a slug, a path id or an id in the body may name nothing of this
        # business. 409 on every write: a rule of the business, or (POST) the first request
        # with the same Idempotency-Key still running.
        statuses = set(self.errors) | {404, 422}
        if self.auth:
            statuses.add(401)
        if self.method != "GET":
            statuses.add(409)
        if self.body is not None:
            statuses |= {400, 413}
        if self.public_write:
            statuses.add(429)
        return sorted(statuses)


@dataclass(slots=True)
class Call:
    """One request as a handler sees it: validated input, the hub, and who is calling."""

    request: Request
    hub: Hub
    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    api_key: ApiKey | None = None

    @property
    def business_id(self) -> str:
        if self.api_key is None:
            raise AuthenticationError("this endpoint needs an API key")
        return self.api_key.business_id

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking work (a use case, the database) off the event loop."""
        return await run_in_threadpool(fn, *args, **kwargs)


@dataclass(slots=True)
class Operations:
    """The operations of one resource module, in declaration order."""

    tag: str
    items: list[Operation] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        responses: dict[int, Schema | None],
        **options: Any,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.items.append(
                Operation(method, path, handler, summary, self.tag, responses, **options)
            )
            return handler

        return register


class Registry:
    """All operations of the API: builds the Starlette routes and the OpenAPI document."""

    def __init__(self, groups: Iterable[Operations], prefix: str = "/api/v1") -> None:
        self.prefix = prefix
        self.operations = [op for group in groups for op in group.items]
        self._body_checks = {
            id(op): inputs.validator(op.body) for op in self.operations if op.body is not None
        }
        self._query_checks = {
            (id(op), p.name): inputs.validator(p.schema) for op in self.operations for p in op.query
        }

    def routes(self, hub: Hub) -> list[Route]:
        return [
            Route(op.path, self._endpoint(op, hub), methods=[op.method], name=op.operation_id)
            for op in self.operations
        ]

    def _endpoint(self, op: Operation, hub: Hub) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await self._serve(op, hub, request)
            except (ApiError, DomainError) as exc:
                return from_exception(exc)

        endpoint.__name__ = op.operation_id
        return endpoint

    async def _serve(self, op: Operation, hub: Hub, request: Request) -> Response:
        api_key = await guards.authenticate(hub, request) if op.auth else None
        query = self._query(op, request)
        if op.public_write:
            guards.rate_limit(hub, request)
        raw = await request.body() if op.body is not None else b""
        body = self._body(op, raw)
        call = Call(request, hub, dict(request.path_params), query, body, api_key)
        key = request.headers.get("idempotency-key")
        if op.method == "POST" and key:
            scope = api_key.business_id if api_key else guards.anonymous_scope(hub, request)
            return await guards.idempotent(call, op.handler, scope, key)
        return await op.handler(call)

    def _query(self, op: Operation, request: Request) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for param in op.query:
            raw = request.query_params.get(param.name)
            if raw is None:
                if param.required:
                    raise ApiError(
                        422,
                        "validation_error",
                        f"{param.name} is required",
                        {"field": param.name},
                    )
                continue
            value = inputs.coerce_query(raw, param.schema, param.name)
            inputs.check(self._query_checks[(id(op), param.name)], value, root=param.name)
            values[param.name] = inputs.convert_query(value, param.schema, param.name)
        return values

    def _body(self, op: Operation, raw: bytes) -> Any:
        if op.body is None:
            return None
        if not raw.strip() and not op.body_required:
            return {}
        if not raw.strip():
            raise ApiError(400, "malformed_body", "a JSON body is required")
        body = inputs.parse_json(raw)
        inputs.check(self._body_checks[id(op)], body)
        return body

    def openapi(self, *, title: str, version: str, server_url: str) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            paths.setdefault(self.prefix + op.path, {})[op.method.lower()] = _describe(op)
        return {
            "openapi": "3.1.0",
            "info": {
                "title": title,
                "version": version,
                "description": "Turnero REST API v1. Times are RFC 3339 with an offset; "
                "dates are in the business timezone. Errors are "
                '`{"error": {"code", "message", "details"}}`.',
            },
            "servers": [{"url": server_url}],
            "paths": paths,
            "components": {
                "schemas": {"Error": ERROR_SCHEMA},
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }


def _describe(op: Operation) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in op.path_params
    ]
    parameters += [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "schema": p.schema,
            **({"description": p.description} if p.description else {}),
        }
        for p in op.query
    ]
    if op.method == "POST":
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": "Same key and body within 24 h: the same answer, done once.",
            }
        )
    if 412 in op.errors:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "The ETag read with GET; a stale one answers 412.",
            }
        )
    responses: dict[str, Any] = {}
    for status, schema in op.responses.items():
        entry: dict[str, Any] = {"description": "OK" if status < 300 else str(status)}
        if schema is not None:
            entry["content"] = {op.media_type: {"schema": schema}}
        responses[str(status)] = entry
    for status in op.error_statuses():
        responses[str(status)] = {
            "description": ERROR_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    described: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if op.description:
        described["description"] = op.description
    if op.body is not None:
        described["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": op.body}},
        }
    described["security"] = [{"bearer": []}] if op.auth else []
    return described
