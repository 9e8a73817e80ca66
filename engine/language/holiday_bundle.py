"""Public holidays bundled into the Lambda package at package time, used instead of the `holidays` package.

The package (deploy.holidays_data) writes the calendars the rules use, for a run of years, to a JSON
file and the template points SHIFTWORK_HOLIDAYS at it. When that variable is set, calendars resolve
from the file only: a day outside its years, or a calendar it does not hold, is an error (never "not a
holiday"), and `horizon_warning` says when the years are about to run out.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from shiftwork.engine.errors import ShiftworkError

ENV = "SHIFTWORK_HOLIDAYS"
FORMAT = 1
WARN_DAYS = 90  # warn when the bundled years end within this many days of a tick
_WARNED: set[date] = set()  # days this process has warned on


class HolidayDataError(ShiftworkError):
    """The bundled holidays cannot answer: a missing or unreadable file, a calendar or a year it does not hold."""


@dataclass(frozen=True)
class HolidayData:
    """The bundled document: calendars by name, where each came from, the years covered."""

    path: str
    first_year: int
    last_year: int
    sources: dict[str, tuple[str, str | None]]  # calendar name -> (country, subdiv)
    calendars: dict[str, dict[str, str]]  # calendar name -> {"YYYY-MM-DD": name}

    @property
    def horizon(self) -> date:
        """The last day the data answers for."""
        return date(self.last_year, 12, 31)

    def holidays(self, country: str, subdiv: str | None, year: int) -> dict[date, str]:
        """One year of the calendar defined as (country, subdiv), as schedule.calendars.public_holidays returns it."""
        name = next((n for n, source in sorted(self.sources.items()) if source == (country, subdiv)), None)
        where = f"{country}{'/' + subdiv if subdiv else ''}"
        if name is None:
            raise HolidayDataError(f"{self.path}: no holidays for {where}; package the rules again "
                                   "(shiftwork package) so the bundle holds every calendar they use")
        if not self.first_year <= year <= self.last_year:
            raise HolidayDataError(f"{self.path}: holidays for {where} cover {self.first_year}-{self.last_year}, "
                                   f"not {year}; package and deploy again to extend them")
        return {date.fromisoformat(day): text for day, text in self.calendars.get(name, {}).items()
                if day.startswith(f"{year}-")}

    def problems(self, name: str, country: str, subdiv: str | None) -> list[str]:
        """A calendar the rules define differently from how the bundle resolved it (the rules changed after packaging)."""
        source = self.sources.get(name)
        if source is None or source == (country, subdiv):
            return []  # not resolved: no window excludes it, or a lookup will say so
        return [f"the bundled holidays of calendar '{name}' are for {source[0]}{'/' + source[1] if source[1] else ''}, "
                f"not {country}{'/' + subdiv if subdiv else ''}; package the rules again"]


def parse(document: dict[str, Any], path: str = "<holidays>") -> HolidayData:
    if document.get("format") != FORMAT:
        raise HolidayDataError(f"{path}: holidays data format {document.get('format')!r}; this engine reads {FORMAT}")
    try:
        first, last = (int(y) for y in document["years"])
        sources = {str(n): (str(s["country"]), s.get("subdiv")) for n, s in document["sources"].items()}
        calendars = {str(n): dict(days) for n, days in document["calendars"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise HolidayDataError(f"{path}: not a shiftwork holidays document ({exc!r})") from None
    return HolidayData(path, first, last, sources, calendars)


@lru_cache(maxsize=4)
def _load(path: str) -> HolidayData:
    try:
        with open(path, encoding="utf-8") as handle:
            return parse(json.load(handle), path)
    except (OSError, ValueError) as exc:
        raise HolidayDataError(f"{ENV}={path}: cannot read the bundled holidays ({exc})") from None


def bundled() -> HolidayData | None:
    """The data SHIFTWORK_HOLIDAYS points at, or None when it is not set (the `holidays` package is used)."""
    path = os.environ.get(ENV)
    return _load(path) if path else None


def horizon_warning(data: HolidayData | None, at: datetime) -> dict[str, Any] | None:
    """A WARNING log record when the bundled years end within WARN_DAYS of `at`, else None."""
    if data is None or not data.sources:
        return None
    left = (data.horizon - at.date()).days
    if left > WARN_DAYS:
        return None
    ends = f"ends {data.horizon.isoformat()}, in {left} days" if left >= 0 else f"ended {data.horizon.isoformat()}"
    return {"level": "WARNING", "message": f"the bundled public holidays ({', '.join(sorted(data.sources))}) {ends}: "
            "package and deploy again (shiftwork deploy) before then, or windows that exclude them will fail",
            "holidays_until": data.horizon.isoformat(), "days_left": left}


def warn_once_a_day(at: datetime, log: Callable[[dict[str, Any]], None]) -> None:
    """Log the horizon warning at most once per container and day (a tick comes every few minutes)."""
    record = horizon_warning(bundled(), at)
    if record is not None and at.date() not in _WARNED:
        _WARNED.add(at.date())
        log(record)

