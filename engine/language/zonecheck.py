"""Warn about time zones that validate but do not follow a place's clock (EST, Etc/GMT+5, US/Eastern).

`timezone: EST` is a fixed UTC-05:00 offset: from the first DST day a New York office-hours window opens
an hour late. The warning names the zone to use and, computed from the zone rules shipped with
shiftwork (the tzdata package), the next date on which the two clocks disagree.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

SILENT = frozenset({"UTC", "Etc/UTC"})
HORIZON_DAYS = 800  # far enough to find the next DST change of any zone that has one

# Abbreviations and POSIX-style names: the zone people mean by them (the tzdata link target of `EST` is
# America/Panama, which is right for nobody who writes EST in a New York rule file).
MEANT = {
    "EST": "America/New_York", "EST5EDT": "America/New_York", "CST6CDT": "America/Chicago",
    "MST": "America/Denver", "MST7MDT": "America/Denver", "PST8PDT": "America/Los_Angeles",
    "HST": "Pacific/Honolulu", "GMT": "Europe/London", "CET": "Europe/Paris", "MET": "Europe/Paris",
    "EET": "Europe/Athens", "WET": "Europe/Lisbon",
}
# A place with each whole-hour standard offset, for the fixed Etc/GMT±N zones (UTC offset in hours).
BY_OFFSET = {
    -10: "Pacific/Honolulu", -9: "America/Anchorage", -8: "America/Los_Angeles", -7: "America/Denver",
    -6: "America/Chicago", -5: "America/New_York", -4: "America/Halifax", -3: "America/Sao_Paulo",
    0: "Europe/London", 1: "Europe/Paris", 2: "Europe/Athens", 3: "Europe/Istanbul", 4: "Asia/Dubai",
    5: "Asia/Karachi", 6: "Asia/Dhaka", 7: "Asia/Bangkok", 8: "Asia/Singapore", 9: "Asia/Tokyo",
    10: "Australia/Sydney", 12: "Pacific/Auckland",
}
ETC_GMT = re.compile(r"^(?:Etc/)?GMT([+-])(\d{1,2})$")


def today() -> date:
    """The day the warning counts from (a function, so a golden test can pin it)."""
    return datetime.now(timezone.utc).date()


@lru_cache(maxsize=1)
def _tzdata() -> tuple[frozenset[str], dict[str, str]]:
    """(zone names of zone.tab/zone1970.tab, link name -> target) from the tzdata package."""
    base = resources.files("tzdata.zoneinfo")
    places: set[str] = set()
    for tab in ("zone.tab", "zone1970.tab"):
        for line in base.joinpath(tab).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                places.add(line.split("\t")[2])
    links = {}
    for line in base.joinpath("tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            links[name] = target
    return frozenset(places), links


def canonical(name: str) -> str | None:
    """The place-named zone to use instead of `name`, or None when `name` is fine as it is."""
    places, links = _tzdata()
    if name in SILENT or name in places:
        return None
    if name in MEANT:
        return MEANT[name]
    if (m := ETC_GMT.match(name)) is not None:  # POSIX sign: Etc/GMT+5 is UTC-05:00
        hours = int(m.group(2)) * (-1 if m.group(1) == "+" else 1)
        return BY_OFFSET.get(hours, "")
    target = name
    for _ in range(5):  # link chains are short; bounded all the same
        target = links.get(target, target)
    if target in SILENT:  # Zulu, UCT, Universal...
        return "UTC"
    if target == "Etc/GMT":  # GMT0, Greenwich...: people who write GMT mean London's clock
        return MEANT["GMT"]
    return MEANT.get(target, target) if target != name else None


def zone_warning(name: str, start: date | None = None) -> tuple[str, str] | None:
    """(message, hint) for a zone that is not a place's own name, or None."""
    return _zone_warning(name, start or today())


@lru_cache(maxsize=256)
def _zone_warning(name: str, start: date) -> tuple[str, str] | None:
    use = canonical(name)
    if use is None:
        return None
    if not use:  # an Etc/GMT offset no well-known place keeps
        return (f"'{name}' is a fixed UTC offset with no DST", "write the place whose clock the rule follows, "
                                                               "such as Pacific/Auckland")
    fixed, place = ZoneInfo(name), ZoneInfo(use)
    change = _next_difference(fixed, place, start)
    if change is None and ETC_GMT.match(name):
        return (f"'{name}' is a fixed UTC offset with no DST; {use} keeps the same clock",
                f"write {use} if the rule follows local time there")
    if change is None:
        return (f"'{name}' is an old-style name; {use} keeps the same clock",
                f"write {use}: old names may be dropped from the zone database")
    when, before, after = change
    offsets = {fixed.utcoffset(datetime(when.year, month, 1)) for month in range(1, 13)}
    kind = "no DST" if len(offsets) == 1 else "other DST rules"
    day = f"{when.day} {when:%B %Y}"
    at = datetime.combine(when, datetime.min.time()).replace(hour=8)
    if after:
        effect = f"from {day} {_clock(at, fixed)} is {_clock(at + after, place)}"
    else:
        at -= timedelta(days=1)
        effect = f"{_clock(at, fixed)} is {_clock(at + before, place)} until {day}"
    return (f"'{name}' is not {use}: {kind}: {effect}", f"write {use} if the rule follows local time there")


def _clock(wall: datetime, zone: ZoneInfo) -> str:
    label = zone.tzname(wall.replace(tzinfo=zone)) or ""
    if label[:1] in "+-":
        label = f"UTC{label}"
    return f"{wall:%H:%M} {label}"


def _next_difference(fixed: ZoneInfo, place: ZoneInfo, start: date) -> tuple[date, timedelta, timedelta] | None:
    """The first day from `start` on which the two zones' offset difference changes, the difference
    before and after (place minus fixed); or None when they agree, with no change, over the horizon."""
    def gap(day: date) -> timedelta:
        noon = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc).replace(hour=12)
        return noon.astimezone(place).utcoffset() - noon.astimezone(fixed).utcoffset()

    first = gap(start)
    for n in range(1, HORIZON_DAYS):
        day = start + timedelta(days=n)
        if (now := gap(day)) != first:
            return day, first, now
    return None if not first else (start, first, first)
