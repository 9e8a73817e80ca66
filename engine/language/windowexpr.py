"""Time windows (`during:`) as written: parse and check days, months, monthdays and hours; compile a spec.

A compiled Window holds the day filters and start/end as minutes of the local day; when it is open on the
UTC timeline (DST, calendars) is engine.schedule.windows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from shiftwork.engine.language.cronexpr import MONTHS
from shiftwork.engine.language.model import Calendar, WindowSpec, WindowTrigger
from shiftwork.engine.language.suggest import did_you_mean

MINUTES_PER_DAY = 1440
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NUMBERS = {**{n: i for i, n in enumerate(WEEKDAYS)}, **{n: i for i, n in enumerate(_FULL_DAYS)}}
MONTH_NUMBERS = {**MONTHS, **{str(i): i for i in range(1, 13)},
                 **{name: i for name, i in zip(("january", "february", "march", "april", "may", "june", "july",
                                                "august", "september", "october", "november", "december"),
                                               range(1, 13))}}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
LAST = 32  # stands for `L`, the last day of the month


class WindowError(ValueError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Window:
    """One compiled window: filters on the start day, and start/end as minutes of the local day."""

    days: frozenset[int] | None  # Python weekdays 0=Mon..6=Sun
    monthdays: frozenset[int] | None  # 1..31, LAST for `L`
    months: frozenset[int] | None
    start: int
    end: int  # exclusive; <= start means overnight (ends the next day); 1440 is midnight
    calendars: tuple[Calendar, ...]

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def day_matches(self, d: date) -> bool:
        """The day filters alone (calendars are applied separately, so they can be reported)."""
        if self.days is not None and d.weekday() not in self.days:
            return False
        if self.months is not None and d.month not in self.months:
            return False
        if self.monthdays is not None:
            last = (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            return d.day in self.monthdays or (LAST in self.monthdays and d == last)
        return True



# -- parsing ------------------------------------------------------------------------------------------------
def _items(value: Any) -> list[str]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [part.strip() for v in values for part in str(v).split(",")]


SPELLED_OUT = {"weekday": "mon-fri", "weekdays": "mon-fri", "workdays": "mon-fri", "weekend": "sat-sun",
               "weekends": "sat-sun"}  # words people write for days; 'weekdays' is not a misspelt 'wednesday'


def _named(text: str, table: dict[str, int], what: str, example: str) -> int:
    key = text.strip().lower()
    if key not in table:
        hint = f"write '{SPELLED_OUT[key]}'" if what == "day" and key in SPELLED_OUT else did_you_mean(key, table)
        raise WindowError(f"unknown {what} {text!r}", hint or f"write e.g. {example}")
    return table[key]


def parse_days(value: Any) -> frozenset[int]:
    out: set[int] = set()
    for item in _items(value):
        first, sep, last = item.partition("-")
        a = _named(first, DAY_NUMBERS, "day", "'mon-fri', 'sun-thu' or 'sat'")
        b = _named(last, DAY_NUMBERS, "day", "'mon-fri', 'sun-thu' or 'sat'") if sep else a
        out.update((a + i) % 7 for i in range((b - a) % 7 + 1))  # ranges may wrap: sun-thu
    return frozenset(out)


def parse_months(value: Any) -> frozenset[int]:
    out: set[int] = set()
    for item in _items(value):
        first, sep, last = item.partition("-")
        a = _named(first, MONTH_NUMBERS, "month", "'jan-mar', 'dec' or 'nov-feb'")
        b = _named(last, MONTH_NUMBERS, "month", "'jan-mar', 'dec' or 'nov-feb'") if sep else a
        out.update((a - 1 + i) % 12 + 1 for i in range((b - a) % 12 + 1))
    return frozenset(out)


def _monthday(text: str) -> int:
    if text.upper() == "L":
        return LAST
    if not text.isdigit() or not 1 <= int(text) <= 31:
        raise WindowError(f"invalid day of the month {text!r}", "use 1-31 or 'L' for the last day")
    return int(text)


def parse_monthdays(value: Any) -> frozenset[int]:
    out: set[int] = set()
    for item in _items(value):
        first, sep, last = item.partition("-")
        a = _monthday(first)
        b = _monthday(last) if sep else a
        if a == LAST and sep:
            raise WindowError(f"invalid range {item!r}: 'L' can only end a range", "e.g. '25-L'")
        if b < a:
            raise WindowError(f"range {item!r} ends before it starts")
        out.update(range(a, min(b, 31) + 1))
        if b == LAST:
            out.add(LAST)
    return frozenset(out)


def parse_hours(text: str) -> tuple[int, int]:
    m = _HOURS.match(str(text).strip())
    if not m:
        raise WindowError(f"invalid hours {text!r}", "write 'HH:MM-HH:MM', e.g. \"08:00-19:00\"")
    h1, m1, h2, m2 = map(int, m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise WindowError(f"invalid hours {text!r}: hours run 00-23 (24:00 only as an end), minutes 00-59")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise WindowError(f"empty window {text!r}: start and end are equal", "leave out 'hours' for whole days")
    return start, end


def window_problems(raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str | None]]:
    """Problems in one raw window mapping, each at its field (and list index)."""
    problems = []
    for key, parser in (("days", parse_days), ("months", parse_months), ("monthdays", parse_monthdays),
                        ("hours", parse_hours)):
        if key not in raw:
            continue
        value = raw[key]
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            try:
                parser(item)
            except WindowError as exc:
                problems.append(((key,) if i is None else (key, i), str(exc), exc.hint))
    return problems


@lru_cache(maxsize=4096)
def compile_window(spec: WindowSpec) -> Window:
    start, end = parse_hours(spec.hours) if spec.hours else (0, MINUTES_PER_DAY)
    return Window(
        days=parse_days(spec.days) if spec.days else None,
        monthdays=parse_monthdays(spec.monthdays) if spec.monthdays else None,
        months=parse_months(spec.months) if spec.months else None,
        start=start, end=end, calendars=spec.except_)


_COMPILED: dict[int, tuple[WindowTrigger, tuple[Window, ...]]] = {}


def compile_trigger(trigger: WindowTrigger) -> tuple[Window, ...]:
    """Compiled windows, memoised by identity (hashing the nested spec on every tick costs more)."""
    hit = _COMPILED.get(id(trigger))
    if hit is not None and hit[0] is trigger:
        return hit[1]
    compiled = tuple(compile_window(spec) for spec in trigger.windows)
    if len(_COMPILED) > 10_000:
        _COMPILED.clear()
    _COMPILED[id(trigger)] = (trigger, compiled)
    return compiled
