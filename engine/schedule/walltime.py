"""Local wall time to UTC, with the DST rules every schedule shares: a gap moves on, a repeat fires once."""
from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

UTC = timezone.utc
MINUTES_PER_DAY = 1440


@lru_cache(maxsize=256)
def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def ensure_utc(t: datetime, what: str = "time") -> datetime:
    """An aware datetime converted to UTC; naive datetimes are a programming error, not a guess."""
    if t.tzinfo is UTC:
        return t
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{what} {t.isoformat()} has no timezone; pass an aware datetime (UTC)")
    return t.astimezone(UTC)


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def local(t: datetime, tz: str) -> datetime:
    return t.astimezone(zone(tz))


@lru_cache(maxsize=200_000)
def resolve(tz: str, day: date, minute: int) -> datetime:
    """The UTC instant at which local wall time `day` + `minute` (0..1440) happens.

    In a spring-forward gap the wall time never shows on a clock: the answer is the first instant
    after the gap (02:30 -> 03:00). In a fall-back repeat the wall time shows twice: the answer is
    the first of the two.
    """
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=minute // MINUTES_PER_DAY), minute % MINUTES_PER_DAY
    z = zone(tz)
    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
    first = wall.replace(tzinfo=z, fold=0).utcoffset()
    second = wall.replace(tzinfo=z, fold=1).utcoffset()
    if first == second:
        return (wall - first).replace(tzinfo=UTC)
    candidates = sorted((wall - first, wall - second))
    valid = [c for c in candidates if _wall_of(c, z) == wall]
    if valid:
        return valid[0].replace(tzinfo=UTC)  # the repeated hour: the first instance
    return _transition(candidates[0], candidates[1], z)  # the gap


def _wall_of(naive_utc: datetime, z: zoneinfo.ZoneInfo) -> datetime:
    return naive_utc.replace(tzinfo=UTC).astimezone(z).replace(tzinfo=None)


def _transition(lo: datetime, hi: datetime, z: zoneinfo.ZoneInfo) -> datetime:
    """The first UTC instant in (lo, hi] whose offset is the one after the change (bisect on seconds)."""
    after = hi.replace(tzinfo=UTC).astimezone(z).utcoffset()
    lo_s, hi_s = 0, int((hi - lo).total_seconds())
    for _ in range(32):  # 2**32 s covers any gap; typically 12 steps
        if hi_s - lo_s <= 1:
            break
        mid = (lo_s + hi_s) // 2
        if (lo + timedelta(seconds=mid)).replace(tzinfo=UTC).astimezone(z).utcoffset() == after:
            hi_s = mid
        else:
            lo_s = mid
    return (lo + timedelta(seconds=hi_s)).replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def steady(tz: str, t: datetime, around: timedelta) -> bool:
    """True when the zone's UTC offset is the same at t - around and t + around (no DST change near t).

    Used for fast paths; only sound for `around` shorter than the time between two changes (months).
    """
    z = zone(tz)
    return (t - around).astimezone(z).utcoffset() == (t + around).astimezone(z).utcoffset()


def wall_label(t: datetime, tz: str) -> str:
    """'2027-03-28 Sun 03:00 BST' for reports."""
    lt = local(t, tz)
    return f"{lt:%Y-%m-%d %a %H:%M} {lt.tzname()}"
