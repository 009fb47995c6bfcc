"""What pages say, in Spanish (Argentina) and English, and how a page picks its language.

Messages are in ``locales/<language>.json`` (flat keys, ``{name}`` placeholders); dates,
times, zones and money are formatted by ``connectors.notify.formatting`` so pages and
messages read the same. The page's language is the visitor's explicit choice, else the
business's language; ``Accept-Language`` decides only where there is no business (search,
console login) and suggests the other language on booking pages.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date, get_day_names

from connectors.notify import formatting

LANGUAGES = ("es", "en")
LOCALES = Path(__file__).with_name("locales")


@functools.cache
def messages(language: str) -> dict[str, str]:
    loaded: dict[str, str] = json.loads((LOCALES / f"{language}.json").read_text("utf-8"))
    return loaded


def shipped(language: str | None) -> str | None:
    """``"es-AR"`` → ``"es"``; ``None`` when we do not ship that language."""
    if not language:
        return None
    primary = language.replace("_", "-").split("-")[0].strip().lower()
    return primary if primary in LANGUAGES else None


def accepted(header: str | None) -> str | None:
    """The first shipped language of an ``Accept-Language`` header, by preference."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = shipped(tag)
        if language and quality > 0:
            ranked.append((-quality, index, language))
    return min(ranked)[2] if ranked else None


def choose(explicit: str | None, business_language: str | None, accept_language: str | None) -> str:
    return shipped(explicit) or shipped(business_language) or accepted(accept_language) or "en"


class _Args(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class Translator:
    """``t("key", name=...)`` plus the formatters, for one language, country and zone."""

    language: str
    country: str | None = None
    timezone: str = "UTC"

    @property
    def locale(self) -> str:
        return formatting.locale_of(self.language, self.country)

    def __call__(self, key: str, **args: object) -> str:
        text = messages(self.language).get(key) or messages("en").get(key) or key
        return text.format_map(_Args(args)) if "{" in text else text

    def date(self, moment: dt.datetime) -> str:
        return formatting.date_text(moment, self.timezone, self.locale)

    def short_date(self, moment: dt.datetime) -> str:
        return formatting.short_date_text(moment, self.timezone, self.locale)

    def day(self, day: dt.date, pattern: str = "full") -> str:
        text = format_date(day, pattern, locale=self.locale)
        return text[:1].upper() + text[1:]

    def time(self, moment: dt.datetime) -> str:
        return formatting.time_text(moment, self.timezone, self.locale)

    def zone(self) -> str:
        return formatting.zone_name(self.timezone, self.locale)

    def money(self, amount_minor: int, currency: str) -> str:
        return formatting.money_text(amount_minor, currency, self.locale)

    def weekdays(self) -> list[str]:
        """Monday-first short weekday names."""
        names = get_day_names("abbreviated", locale=self.locale)
        return [str(names[i]) for i in range(7)]

    def status(self, status: str) -> str:
        return self(f"status.{status}")
