"""Validation hooks for time specs (cron expressions, window fields), used by `validate`.

Each function returns a list of (sub-path, message, hint) problems; empty means valid. The parsing
itself lives in engine.cron and engine.windows, so `validate` accepts exactly what evaluation runs.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.cron import Cron, CronError, parse

Problem = tuple[tuple[Any, ...], str, "str | None"]


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
    """True when some day matches: a leap-year cycle, or the years the AWS form names (first 50)."""
    years = sorted(spec.years)[:50] if spec.years is not None else range(2028, 2032)
    for year in years:
        day, end = date(year, 1, 1), date(year + 1, 1, 1)
        while day < end:
            if spec.matches_day(day):
                return True
            day += timedelta(days=1)
    return False


def check_window(window: dict[str, Any]) -> list[Problem]:
    from engine.windows import window_problems

    return window_problems(window)
