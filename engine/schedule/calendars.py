"""Calendars that remove whole local days from windows: public holidays and explicit dates or ranges."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from shiftwork.engine.language.calendarcheck import date_range
from shiftwork.engine.language.holiday_bundle import bundled
from shiftwork.engine.language.holidaydata import country_class
from shiftwork.engine.language.model import Calendar

ENGLISH = "en_US"


@lru_cache(maxsize=512)
def public_holidays(country: str, subdiv: str | None, year: int) -> dict[date, str]:
    """The holidays of one country (and subdivision) in one year, named in English where available."""
    data = bundled()  # in the Lambda package: resolved at package time, no `holidays` package
    if data is not None:
        return data.holidays(country, subdiv, year)
    entity = country_class(country)  # that country's module only (holidaydata.py)
    language = ENGLISH if ENGLISH in entity.supported_languages else None
    table = entity(subdiv=subdiv, years=year, language=language)
    return {day: name for day, name in table.items() if day.year == year}


@lru_cache(maxsize=512)
def _ranges(dates: tuple[str, ...]) -> tuple[tuple[date, date, str], ...]:
    return tuple((*date_range(text), text) for text in dates)


def reason(calendar: Calendar, day: date) -> str | None:
    """Why `day` is excluded by this calendar ("Good Friday", "2026-12-24..2027-01-02"), or None."""
    if calendar.holidays:
        name = public_holidays(calendar.holidays, calendar.subdiv, day.year).get(day)
        if name:
            return name
    for first, last, text in _ranges(calendar.dates):
        if first <= day <= last:
            return f"date {text}" if first == last else f"dates {text}"
    return None


def is_excluded(calendar: Calendar, day: date) -> bool:
    return reason(calendar, day) is not None


def exclusion(calendars: tuple[Calendar, ...], day: date) -> tuple[Calendar, str] | None:
    """The first of `calendars` that removes `day`, with its reason."""
    for calendar in calendars:
        why = reason(calendar, day)
        if why is not None:
            return calendar, why
    return None

