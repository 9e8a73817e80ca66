"""When a cron expression fires: its occurrences in local wall time of a zone, across DST.

A time in a spring-forward gap fires at the first instant after the gap (several gap times coalesce);
a time in the repeated fall-back hour fires once. The expression itself is engine.language.cronexpr.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from shiftwork.engine.language.cronexpr import Cron, parse
from shiftwork.engine.schedule.walltime import ensure_utc, local, resolve, steady

MARGIN_MINUTES = 180  # wider than any DST shift: wall-time bounds are widened by this much


@dataclass(frozen=True)
class Occurrence:
    """One firing: the UTC instant, the wall time asked for, and whether a DST gap moved it."""

    at: datetime
    wall: datetime
    shifted: bool = False



# -- evaluation ---------------------------------------------------------------------------------------------
def schedule(cron: str | Cron, tz: str, after: datetime, until: datetime) -> list[Occurrence]:
    """Occurrences in (after, until], in local wall time of `tz`, sorted; a gap-moved duplicate is dropped."""
    spec = parse(cron) if isinstance(cron, str) else cron
    after, until = ensure_utc(after, "after"), ensure_utc(until, "until")
    if until <= after or not spec.times:
        return []
    lo_wall, hi_wall = local(after, tz).replace(tzinfo=None), local(until, tz).replace(tzinfo=None)
    # a short interval with no DST change near it maps wall time to UTC by one offset: no margin needed
    short = until - after <= timedelta(days=1) and steady(tz, after + (until - after) / 2, timedelta(days=1))
    margin = 0 if short else MARGIN_MINUTES
    lo_key = _ordinal(lo_wall) - margin
    hi_key = _ordinal(hi_wall) + margin
    out: list[Occurrence] = []
    day = lo_wall.date() - timedelta(days=0 if short else 1)
    last_day = hi_wall.date() + timedelta(days=0 if short else 1)
    times = spec.times
    while day <= last_day:
        if spec.matches_day(day):
            base = day.toordinal() * 1440
            first = bisect_left(times, lo_key - base) if lo_key > base else 0
            stop = bisect_right(times, hi_key - base) if hi_key < base + 1440 else len(times)
            for minute in times[first:stop]:
                at = resolve(tz, day, minute)
                if after < at <= until and (not out or at > out[-1].at):
                    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
                    out.append(Occurrence(at, wall, shifted=local(at, tz).replace(tzinfo=None) != wall))
        day += timedelta(days=1)
    return out


def occurrences(cron: str | Cron, tz: str, after: datetime, until: datetime) -> list[datetime]:
    """The UTC instants at which the cron fires in (after, until]."""
    return [o.at for o in schedule(cron, tz, after, until)]


def _ordinal(wall: datetime) -> int:
    return wall.toordinal() * 1440 + wall.hour * 60 + wall.minute
