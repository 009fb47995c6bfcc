"""Dates, times, time-zone names and money as a person reads them, with Babel.

Everything is shown in the business's timezone and locale, and the zone is always named
("hora de Argentina", "Central European Time"): a message never shows UTC unless the business
itself runs on UTC. Nothing here knows about bookings or channels.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_time
from babel.numbers import format_currency, get_currency_precision

SHIPPED_LANGUAGES = ("es", "en")
DEFAULT_REGION = {"es": "AR"}  # Spanish — Argentina is the house Spanish


def language_of(language: str) -> str:
    """The shipped template language for a business language tag ("es-AR" → "es")."""
    primary = language.replace("_", "-").split("-")[0].lower()
    return primary if primary in SHIPPED_LANGUAGES else "en"


@functools.lru_cache(maxsize=256)
def locale_of(language: str, country: str | None = None) -> str:
    """A Babel locale for a business: its language tag, with its country when the tag has
    none ("es" + "AR" → "es_AR"); unknown tags fall back to English."""
    tag = language.replace("-", "_")
    parts = tag.split("_")
    if len(parts) == 1:
        region = (country or DEFAULT_REGION.get(parts[0].lower(), "")).upper()
        tag = f"{parts[0].lower()}_{region}" if region else parts[0].lower()
    for candidate in (tag, tag.split("_")[0]):
        try:
            Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        return candidate
    return "en"


@functools.lru_cache(maxsize=1)
def _metazone_of() -> dict[str, str]:
    # Babel keys metazones by CLDR's zone ids, which still use old names for some IANA
    # zones (America/Buenos_Aires for America/Argentina/Buenos_Aires).
    metazones: dict[str, str] = dict(get_global("meta_zones"))
    for old, new in get_global("zone_aliases").items():
        if old in metazones and new not in metazones:
            metazones[new] = metazones[old]
    return metazones


@functools.lru_cache(maxsize=512)
def zone_name(tzname: str, locale: str) -> str:
    """The generic name of a zone ("hora de Argentina", "Eastern Time")."""
    loc = Locale.parse(locale)
    metazone = _metazone_of().get(tzname)
    if metazone is not None:
        names = loc.meta_zones.get(metazone, {}).get("long", {})
        if "generic" in names:
            return str(names["generic"])
    territory = get_global("zone_territories").get(tzname)
    if territory and territory in loc.territories:
        country = loc.territories[territory]
        return f"hora de {country}" if loc.language == "es" else f"{country} Time"
    city = tzname.rsplit("/", 1)[-1].replace("_", " ")
    return f"hora de {city}" if loc.language == "es" else f"{city} time"


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def local(moment: datetime, tzname: str) -> datetime:
    return moment.astimezone(ZoneInfo(tzname))


@functools.lru_cache(maxsize=4096)  # bookings share slot times
def date_text(moment: datetime, tzname: str, locale: str) -> str:
    """ "Martes, 10 de febrero de 2026" / "Tuesday, February 10, 2026"."""
    return _capitalized(format_date(local(moment, tzname).date(), "full", locale=locale))


@functools.lru_cache(maxsize=4096)  # bookings share slot times
def short_date_text(moment: datetime, tzname: str, locale: str) -> str:
    """ "Martes 10 feb" / "Tuesday Feb 10" — the WhatsApp style of the seed texts."""
    day: date = local(moment, tzname).date()
    pattern = "EEEE d MMM" if Locale.parse(locale).language == "es" else "EEEE MMM d"
    return _capitalized(format_date(day, pattern, locale=locale))


# The clock each shipped language reads, fixed here rather than taken from CLDR's "short"
# pattern, so a Babel release never changes what clients read (CLDR 42 moved es-AR from
# "11:30 p. m." to "23:30"). Our Spanish is Argentina's, which writes 24-hour times; English
# keeps the 12-hour clock with CLDR's narrow no-break space before AM/PM, so "10:00 AM" never
# wraps between its parts. Other languages follow their CLDR "short" pattern.
TIME_PATTERNS = {"es": "HH:mm", "en": "h:mm\u202fa"}


@functools.lru_cache(maxsize=4096)  # bookings share slot times
def time_text(moment: datetime, tzname: str, locale: str) -> str:
    """ "23:30" / "11:30 PM" — the wall clock in the business's zone."""
    pattern = TIME_PATTERNS.get(Locale.parse(locale).language, "short")
    return format_time(local(moment, tzname), pattern, tzinfo=ZoneInfo(tzname), locale=locale)


@functools.lru_cache(maxsize=4096)  # bookings share slot times
def money_text(amount_minor: int, currency: str, locale: str) -> str:
    """Integer minor units as money: 500000 ARS → "$5.000,00" (es_AR)."""
    digits = get_currency_precision(currency)
    amount = Decimal(amount_minor).scaleb(-digits)
    return format_currency(amount, currency, locale=locale)
