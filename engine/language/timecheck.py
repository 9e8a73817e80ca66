"""Validation hooks for time specs (cron expressions, window fields), used by `validate`.

Each function returns a list of (sub-path, message, hint) problems; empty means valid. The parsing
itself lives in engine.cron and engine.windows, so `validate` accepts exactly what evaluation runs.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from shiftwork.engine.language.cronexpr import Cron, CronError, parse

Problem = tuple[tuple[Any, ...], str, "str | None"]
CYCLE = range(2028, 2056)  # 28 years: every weekday falls on every date of every month, leap days included


def check_cron(expr: str) -> list[Problem]:
    try:
        spec = parse(expr)
    except CronError as exc:
        return [((), f"invalid cron: {exc}", exc.hint)]
    if not _some_day(spec):
        return [((), f"'{expr}' never fires: no day matches its day-of-month, month"
                     + (", day-of-week and year" if spec.years is not None else " and day-of-week") + " together",
                 "check for a day the month does not have, such as 30 February or 31 April")]
    return []


def _some_day(spec: Cron) -> bool:
    """True when some day matches in the years the AWS form names (the first 50), else in a whole calendar cycle."""
    years = sorted(spec.years)[:50] if spec.years is not None else CYCLE
    return any(spec.matches_day(day) for day in _days(years, spec.months))


def _days(years: Iterable[int], months: Iterable[int] | None) -> Iterator[date]:
    """Every day of `months` (all when None) in `years`."""
    for year in years:
        for month in sorted(months) if months is not None else range(1, 13):
            day = date(year, month, 1)
            while day.month == month:
                yield day
                day += timedelta(days=1)


_WINDOW_CHECKS: dict[str, list[Problem]] = {}  # a window's JSON -> its problems; rule sets repeat windows


def check_window(window: dict[str, Any]) -> list[Problem]:
    """The window's problems; each distinct window (by its JSON text) is checked once per process."""
    try:
        key = json.dumps(window, sort_keys=True)
    except (TypeError, ValueError):
        return _check_window(window)
    if key not in _WINDOW_CHECKS:
        if len(_WINDOW_CHECKS) >= 10_000:
            return _check_window(window)
        _WINDOW_CHECKS[key] = _check_window(window)
    return list(_WINDOW_CHECKS[key])


def _check_window(window: dict[str, Any]) -> list[Problem]:
    from shiftwork.engine.language.windowexpr import Window, parse_days, parse_monthdays, parse_months, window_problems

    problems = window_problems(window)
    if problems or not any(k in window for k in ("days", "monthdays", "months")):
        return problems
    compiled = Window(days=parse_days(window["days"]) if "days" in window else None,
                      monthdays=parse_monthdays(window["monthdays"]) if "monthdays" in window else None,
                      months=parse_months(window["months"]) if "months" in window else None,
                      start=0, end=0, calendars=())
    if not any(compiled.day_matches(day) for day in _days(CYCLE, compiled.months)):
        return [((), "this window never opens: no day matches its days, monthdays and months together",
                 "check for a day the month does not have, such as 31 February or 31 April")]
    return []
