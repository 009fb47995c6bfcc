"""The text the hub accepts from a request: anything but NUL, the other C0 control characters
(TAB, LF and CR stay: notes have lines) and lone surrogates (what JSON's ``"\\ud800"`` escape
parses to).

PostgreSQL refuses NUL in text and no encoder writes a lone surrogate, so such text would fail
deep inside a use case as a 500; refused here, it gets a 4xx naming the field. The rule is
applied once per kind of input: paths and query strings by ``TextCheckMiddleware`` (every
route), JSON bodies by the API's parsing, forms by the pages' form reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.edge.body import Refusal, Refuse

_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
REFUSED_TEXT = "holds a character text may not hold (NUL, a control character, a lone surrogate)"


def bad_character(text: str) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX``, or None when all are fine."""
    found = _REFUSED.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def first_bad_field(value: Any, root: str = "") -> str | None:
    """The dotted path (``customer.name``, ``items.2``) of the first string — key or value —
    in parsed JSON that holds a refused character; None when there is none. Iterative, so
    any depth the parser accepted is walked."""
    stack: list[tuple[str, Any]] = [(root, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if _REFUSED.search(item):
                return path or "body"
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                child_path = f"{path}.{key}" if path else str(key)
                if _REFUSED.search(str(key)):
                    return child_path
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend(
                (f"{path}.{index}" if path else str(index), child)
                for index, child in reversed(list(enumerate(item)))
            )
    return None


def first_bad_pair(pairs: Iterable[tuple[str, str]]) -> str | None:
    """The name of the first form or query field whose name or value holds a refused
    character; None when there is none."""
    for name, value in pairs:
        if _REFUSED.search(name) or _REFUSED.search(value):
            return name
    return None


def refused_text(field: str) -> Refusal:
    return Refusal(422, "validation_error", f"{field} {REFUSED_TEXT}", {"field": field})


class TextCheckMiddleware:
    """Refuses, with 422 naming the field, a request whose decoded path or query string holds
    a refused character — before any route looks at it."""

    def __init__(self, app: ASGIApp, refuse: Refuse) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._check(scope)
            if refusal is not None:
                await self.refuse(scope, refusal)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _check(scope: Scope) -> Refusal | None:
        if _REFUSED.search(scope["path"]):
            return refused_text("path")
        raw: bytes = scope.get("query_string", b"")
        if b"%" in raw:  # the HTTP parser lets no raw control byte through
            # Decoded as Starlette decodes it for the routes (QueryParams).
            pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
            name = first_bad_pair(pairs)
            if name is not None:
                return refused_text(name if bad_character(name) is None else "query")
        return None
