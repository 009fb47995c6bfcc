"""Dates, zones and money as a client in Argentina or an English-speaking one reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.notify import formatting as fmt

TUESDAY_10_AM_BA = datetime(2026, 2, 10, 13, 0, tzinfo=UTC)


def test_spanish_argentina_dates_are_in_spanish_and_local_time() -> None:
    tz = "America/Argentina/Buenos_Aires"
    assert fmt.date_text(TUESDAY_10_AM_BA, tz, "es_AR") == "Martes, 10 de febrero de 2026"
    assert fmt.short_date_text(TUESDAY_10_AM_BA, tz, "es_AR") == "Martes 10 feb"
    assert fmt.time_text(TUESDAY_10_AM_BA, tz, "es_AR") == "10:00"
    assert fmt.zone_name(tz, "es_AR") == "hora de Argentina"


def test_english_dates_and_zone_names() -> None:
    tz = "America/New_York"
    moment = datetime(2026, 2, 10, 15, 0, tzinfo=UTC)
    assert fmt.date_text(moment, tz, "en") == "Tuesday, February 10, 2026"
    assert fmt.short_date_text(moment, tz, "en") == "Tuesday Feb 10"
    assert fmt.time_text(moment, tz, "en") == "10:00\u202fAM"
    assert fmt.zone_name(tz, "en") == "Eastern Time"
    assert fmt.zone_name("Europe/Madrid", "es_AR") == "hora de Europa central"


def test_local_day_can_differ_from_the_utc_day() -> None:
    late = datetime(2026, 2, 11, 2, 30, tzinfo=UTC)  # still Tuesday 23:30 in Buenos Aires
    tz = "America/Argentina/Buenos_Aires"
    assert fmt.short_date_text(late, tz, "es_AR") == "Martes 10 feb"
    assert fmt.time_text(late, tz, "es_AR") == "23:30"  # Argentina writes 24-hour times
    assert fmt.time_text(late, tz, "es_MX") == "23:30"
    assert fmt.time_text(late, "America/New_York", "en_US") == "9:30\u202fPM"


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (500000, "ARS", "es_AR", "$5.000,00"),
        (5000, "EUR", "en", "€50.00"),
        (123456, "USD", "en", "$1,234.56"),
        (5000, "JPY", "en", "¥5,000"),  # no minor unit
        (500000, "ARS", "en", "ARS5,000.00"),
    ],
)
def test_money_from_minor_units(minor: int, currency: str, locale: str, expected: str) -> None:
    assert fmt.money_text(minor, currency, locale) == expected


@pytest.mark.parametrize(
    ("language", "country", "locale", "templates"),
    [
        ("es", "AR", "es_AR", "es"),
        ("es", None, "es_AR", "es"),
        ("es-MX", None, "es_MX", "es"),
        ("en", None, "en", "en"),
        ("en", "US", "en_US", "en"),
        ("pt-BR", None, "pt_BR", "en"),
        ("xx", None, "en", "en"),
    ],
)
def test_locale_and_template_language(
    language: str, country: str | None, locale: str, templates: str
) -> None:
    assert fmt.locale_of(language, country) == locale
    assert fmt.language_of(language) == templates
