"""Time windows on the UTC timeline: "inside or outside?" and "when does it change?".

A window on local day D is the interval [wall(D, start), wall(D or D+1, end)) on the UTC timeline, with
the shared wall-time rules (engine.schedule.walltime.resolve): a bound in a spring-forward gap moves to the
end of the gap, a bound in a repeated fall-back hour is its first instance. Overnight windows (end <= start)
belong to their start day. A trigger is the union of its windows; calendars remove whole start days.
Parsing and compiling a window is engine.language.windowexpr.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

from shiftwork.engine.language.model import WindowTrigger
from shiftwork.engine.language.windowexpr import MINUTES_PER_DAY, Window, compile_trigger
from shiftwork.engine.schedule.calendars import exclusion
from shiftwork.engine.schedule.walltime import ensure_utc, local, resolve, steady

INSIDE, OUTSIDE = "inside", "outside"


# -- evaluation ---------------------------------------------------------------------------------------------
def _day_on(window: Window, d: date) -> bool:
    return window.day_matches(d) and not (window.calendars and exclusion(window.calendars, d))


def instance(window: Window, tz: str, d: date) -> tuple[datetime, datetime] | None:
    """The UTC interval of this window starting on local day d, if it has one that day."""
    if not _day_on(window, d):
        return None
    start = resolve(tz, d, window.start)
    end = resolve(tz, d, window.end + (MINUTES_PER_DAY if window.overnight else 0))
    return (start, end) if start < end else None  # a window wholly inside a DST gap is empty


def _days(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def intervals(trigger: WindowTrigger, tz: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The merged inside intervals that meet [start, end], complete (not clipped)."""
    start, end = ensure_utc(start, "start"), ensure_utc(end, "end")
    raw: list[tuple[datetime, datetime]] = []
    windows = compile_trigger(trigger)
    for d in _days(local(start, tz).date() - timedelta(days=2), local(end, tz).date() + timedelta(days=1)):
        for window in windows:
            got = instance(window, tz, d)
            if got is not None:
                raw.append(got)
    raw.sort()
    merged: list[list[datetime]] = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged if e >= start and s <= end]


def phase_at(trigger: WindowTrigger, tz: str, t: datetime) -> str:
    """'inside' when t is in any window of the trigger, else 'outside'."""
    t = ensure_utc(t)
    lt = local(t, tz)
    today = lt.date()
    if steady(tz, t, timedelta(days=2)):  # fast path: one UTC offset covers every candidate window
        now = lt.hour * 60 + lt.minute + lt.second / 60
        for window in compile_trigger(trigger):
            length = window.end - window.start + (MINUTES_PER_DAY if window.overnight else 0)
            for back in (1, 0):
                start = window.start - back * MINUTES_PER_DAY
                if start <= now < start + length and _day_on(window, today - timedelta(days=back)):
                    return INSIDE
        return OUTSIDE
    for window in compile_trigger(trigger):
        for d in (today - timedelta(days=1), today, today + timedelta(days=1)):
            got = instance(window, tz, d)
            if got is not None and got[0] <= t < got[1]:
                return INSIDE
    return OUTSIDE


def transitions(trigger: WindowTrigger, tz: str, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Phase changes in (start, end], as (UTC instant, new phase), in order."""
    start, end = ensure_utc(start, "start"), ensure_utc(end, "end")
    out: list[tuple[datetime, str]] = []
    for s, e in intervals(trigger, tz, start, end):
        if start < s <= end:
            out.append((s, INSIDE))
        if start < e <= end:
            out.append((e, OUTSIDE))
    return out


@dataclass(frozen=True)
class Suppressed:
    """A local day on which a window would have run but a calendar removed it."""

    day: date
    calendar: str
    reason: str
    at: datetime  # when the window would have opened (UTC)


def suppressed(trigger: WindowTrigger, tz: str, start: datetime, end: datetime) -> list[Suppressed]:
    """Days in [start, end) whose windows a calendar removed, once per day."""
    start, end = ensure_utc(start, "start"), ensure_utc(end, "end")
    out: dict[date, Suppressed] = {}
    for d in _days(local(start, tz).date(), local(end, tz).date()):
        for window in compile_trigger(trigger):
            if d in out or not window.calendars or not window.day_matches(d):
                continue
            found = exclusion(window.calendars, d)
            opens = resolve(tz, d, window.start)
            if found and start <= opens < end:
                out[d] = Suppressed(d, found[0].name, found[1], opens)
    return sorted(out.values(), key=lambda s: s.at)
