"""Public holidays resolved at package time, so the Lambda needs neither the `holidays` package nor its size.

The rules name calendars such as `{holidays: GB, subdiv: ENG}`; only the calendars some rule's
window excludes are resolved, for the years from this year to this year + N (default 3).

`resolve_calendars` returns::

    {"england": {"2027-01-01": "New Year's Day", "2027-03-26": "Good Friday", ...}, ...}

and the package stores it in `shiftwork_data/holidays.json` (deploy.layout.HOLIDAYS_FILE; the
Lambda finds it through SHIFTWORK_HOLIDAYS) wrapped with what a reader needs to trust it::

    {
      "format": 1,
      "years": [2026, 2029],                  # first and last year covered, inclusive
      "holidays_version": "0.109",            # the holidays package that produced the names
      "sources": {"england": {"country": "GB", "subdiv": "ENG"}},
      "calendars": {"england": {"2026-01-01": "New Year's Day", ...}}
    }

A reader must treat a day outside `years` as unknown (and say so), never as "not a holiday", and
should check `sources` against the calendar as the rules define it. Names are English where the
holidays package has an English localisation, as the engine's own calendars name them.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from .rules_view import HolidayCalendar, holiday_calendars

FORMAT = 1
DEFAULT_YEARS_AHEAD = 3
ENGLISH = "en_US"


def package_years(today: date | None = None, ahead: int = DEFAULT_YEARS_AHEAD) -> tuple[int, ...]:
    """This year to this year + `ahead`, inclusive."""
    first = (today or date.today()).year
    return tuple(range(first, first + ahead + 1))


def resolve_calendars(ruleset: Any, years: Iterable[int]) -> dict[str, dict[str, str]]:
    """`{calendar: {"YYYY-MM-DD": "Holiday name"}}` for the holidays calendars the rules use."""
    return holiday_tables(holiday_calendars(ruleset), years)


def holiday_tables(calendars: Sequence[HolidayCalendar], years: Iterable[int]) -> dict[str, dict[str, str]]:
    """The same, from calendars already extracted (deploy.rules_view)."""
    import holidays

    wanted = sorted(set(years))
    tables: dict[str, dict[str, str]] = {}
    for calendar in calendars:
        localized = holidays.list_localized_countries().get(calendar.country, ())
        language = ENGLISH if ENGLISH in localized else None
        table = holidays.country_holidays(calendar.country, subdiv=calendar.subdiv, years=wanted, language=language)
        tables[calendar.name] = {day.isoformat(): name for day, name in sorted(table.items()) if day.year in wanted}
    return tables


def holidays_document(calendars: Sequence[HolidayCalendar], years: Iterable[int]) -> dict[str, Any]:
    """The JSON document the package stores (shape in the module docstring)."""
    import holidays

    wanted = sorted(set(years))
    if not wanted or wanted != list(range(wanted[0], wanted[-1] + 1)):
        raise ValueError(f"years must be a non-empty run without gaps, not {wanted}")
    return {
        "format": FORMAT,
        "years": [wanted[0], wanted[-1]],
        "holidays_version": holidays.__version__,
        "sources": {c.name: {"country": c.country, "subdiv": c.subdiv} for c in calendars},
        "calendars": holiday_tables(calendars, wanted),
    }


def encode(document: dict[str, Any]) -> bytes:
    """Stable bytes for the package: sorted keys, one layout, UTF-8."""
    return (json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
