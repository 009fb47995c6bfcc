"""Matching what people type against names, emails and phones: case and accents do not
count ("maria" finds "María López"), the same on every database because it is done here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """``text`` without case or accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(needle: str, values: Iterable[str | None]) -> bool:
    """Whether the folded ``needle`` is inside any of the folded ``values``."""
    wanted = fold(needle.strip())
    return bool(wanted) and any(wanted in fold(v) for v in values if v)
