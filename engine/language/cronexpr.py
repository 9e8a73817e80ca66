"""Cron expressions, Unix five-field and the AWS `cron(...)` form: parsed and checked (evaluated in engine.schedule.cron).

Our own matcher, so both forms mean exactly what their users expect (croniter would read the AWS
form's sixth field as seconds and number its weekdays differently).

Day rule: in the five-field form, when both day-of-month and day-of-week are restricted (neither
starts with `*` or is `?`), a day matches when EITHER matches (Vixie cron); otherwise both must.
In the AWS form exactly one of the two is `?` and the other one alone decides.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class CronError(ValueError):
    """A cron expression a user wrote wrongly; the message says which field and why."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class DaySpec:
    """A parsed day-of-month or day-of-week field; `star` means unrestricted."""

    values: frozenset[int] = frozenset()  # day of month 1..31, or Python weekday 0=Mon..6=Sun
    star: bool = False  # written as `*...` or `?`: turns the five-field OR rule off
    last: bool = False  # dom `L`
    last_weekday: bool = False  # dom `LW`
    nearest_weekday: frozenset[int] = frozenset()  # dom `15W`
    nth: frozenset[tuple[int, int]] = frozenset()  # dow `2#1` as (weekday, n)
    last_of: frozenset[int] = frozenset()  # dow `5L`: the last such weekday of the month


@dataclass(frozen=True)
class Cron:
    text: str
    aws: bool
    times: tuple[int, ...]  # sorted minute-of-day values
    months: frozenset[int]
    years: frozenset[int] | None
    dom: DaySpec
    dow: DaySpec

    def matches_day(self, d: date) -> bool:
        if d.month not in self.months or (self.years is not None and d.year not in self.years):
            return False
        if self.dom.star or self.dow.star:  # `*/2` still restricts, but turns Vixie's OR off
            return _dom_match(self.dom, d) and _dow_match(self.dow, d)
        return _dom_match(self.dom, d) or _dow_match(self.dow, d)  # five-field only: Vixie's OR


ANY_DOM = DaySpec(frozenset(range(1, 32)), star=True)
ANY_DOW = DaySpec(frozenset(range(7)), star=True)


def _dom_match(spec: DaySpec, d: date) -> bool:
    last = calendar.monthrange(d.year, d.month)[1]
    if d.day in spec.values or (spec.last and d.day == last):
        return True
    if spec.last_weekday and d == _nearest_weekday(d.year, d.month, last, last):
        return True
    return any(n <= last and d == _nearest_weekday(d.year, d.month, n, last) for n in spec.nearest_weekday)


def _nearest_weekday(year: int, month: int, n: int, last: int) -> date:
    """The weekday nearest day n, never leaving the month (cron `nW`)."""
    d = date(year, month, n)
    if d.weekday() == 5:  # Saturday -> Friday, or Monday when the 1st
        return d + timedelta(days=2) if n == 1 else d - timedelta(days=1)
    if d.weekday() == 6:  # Sunday -> Monday, or Friday when the last day
        return d - timedelta(days=2) if n == last else d + timedelta(days=1)
    return d


def _dow_match(spec: DaySpec, d: date) -> bool:
    wd = d.weekday()
    if wd in spec.values or (wd, (d.day - 1) // 7 + 1) in spec.nth:
        return True
    return wd in spec.last_of and d.day + 7 > calendar.monthrange(d.year, d.month)[1]


# -- parsing ------------------------------------------------------------------------------------------------
def _number(text: str, lo: int, hi: int, names: dict[str, int], field: str) -> int:
    key = text.strip().lower()
    if key in names:
        return names[key]
    if not key.isdigit():
        raise CronError(f"{field}: {text!r} is not a number or name")
    value = int(key)
    if not lo <= value <= hi:
        raise CronError(f"{field}: {value} is out of range {lo}-{hi}")
    return value


def _field(text: str, lo: int, hi: int, field: str, names: dict[str, int] | None = None,
           wrap: bool = False, top: int | None = None) -> set[int]:
    """Numbers of a plain field: `*`, `5`, `1-5`, `*/15`, `10-50/10`, `3/20`, lists of these, names.

    `top` is where an open step (`5/2`) ends when `hi` is only an alias (Unix day-of-week 7 = Sunday = 0).
    """
    names = names or {}
    top = hi if top is None else top
    out: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronError(f"{field}: empty list item in {text!r}")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"{field}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if base in ("*", "?"):
            first, last = lo, hi
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = _number(a, lo, hi, names, field), _number(b, lo, hi, names, field)
        else:
            first = _number(base, lo, hi, names, field)
            last = top if step_text else first
        if first <= last:
            out.update(range(first, last + 1, step))
        elif wrap:  # a wrapping day range such as fri-mon walks the week once: 7 and 0 are the same Sunday
            out.update(lo + (first - lo + i) % 7 for i in range(0, (last - first) % 7 + 1, step))
        else:
            raise CronError(f"{field}: range {base!r} ends before it starts")
    return out


def _dom(text: str) -> DaySpec:
    field = "day-of-month"
    if text == "?" or text.startswith("*"):
        return DaySpec(frozenset(_field(text, 1, 31, field)), star=True)
    values: set[int] = set()
    last = last_weekday = False
    nearest: set[int] = set()
    for part in text.upper().split(","):
        if part == "L":
            last = True
        elif part == "LW":
            last_weekday = True
        elif part.endswith("W") and part[:-1].isdigit():
            nearest.add(_number(part[:-1], 1, 31, {}, field))
        else:
            values |= _field(part, 1, 31, field)
    return DaySpec(frozenset(values), last=last, last_weekday=last_weekday, nearest_weekday=frozenset(nearest))


def _dow(text: str, aws: bool) -> DaySpec:
    """Weekdays; AWS numbers 1=Sunday..7=Saturday, Unix 0=Sunday..6=Saturday (7 also Sunday)."""
    field = "day-of-week"
    lo, hi = (1, 7) if aws else (0, 7)
    names = {n: i + (1 if aws else 0) for i, n in enumerate(DAY_NAMES)}

    def to_py(n: int) -> int:
        return (n - 2) % 7 if aws else (n - 1) % 7

    if text.startswith("*") or text == "?":
        return DaySpec(frozenset(to_py(n) for n in _field(text, lo, hi, field, names, wrap=True, top=lo + 6)),
                       star=True)
    values: set[int] = set()
    nth: set[tuple[int, int]] = set()
    last_of: set[int] = set()
    for part in text.split(","):
        upper = part.upper()
        if "#" in part:
            day, _, n = part.partition("#")
            if not n.isdigit() or not 1 <= int(n) <= 5:
                raise CronError(f"{field}: in {part!r} the week number after '#' must be 1-5")
            nth.add((to_py(_number(day, lo, hi, names, field)), int(n)))
        elif upper == "L":
            values.add(5)  # L alone: the last day of the week, Saturday
        elif upper.endswith("L") and len(part) > 1:
            last_of.add(to_py(_number(part[:-1], lo, hi, names, field)))
        else:
            values |= {to_py(n) for n in _field(part, lo, hi, field, names, wrap=True, top=lo + 6)}
    return DaySpec(frozenset(values), nth=frozenset(nth), last_of=frozenset(last_of))


def six_field_hint(fields: list[str]) -> str:
    """Six bare fields are seconds-first (Quartz, Spring) or EventBridge's form without cron(...): suggest
    only the readings that parse, each written so it validates as it stands."""
    minute, hour, dom, month, dow, year = fields
    if dom != "?" and dow != "?":  # AWS: exactly one of them is '?'; the one that is '*' says nothing
        dom, dow = ("?", dow) if dom == "*" else (dom, "?") if dow == "*" else (dom, dow)
    readings = [("if the first field is seconds, drop it", " ".join(fields[1:])),
                ("if it is the EventBridge form, wrap it", f"cron({minute} {hour} {dom} {month} {dow} {year})")]
    good = []
    for why, candidate in readings:
        try:
            parse(candidate)
        except CronError:
            continue
        good.append(f"{why}: '{candidate}'")
    return "; ".join(good) or ("shiftwork reads 5 fields (minute hour day-of-month month day-of-week) or "
                               "EventBridge's cron(minutes hours day-of-month month day-of-week year)")


@lru_cache(maxsize=4096)
def parse(text: str) -> Cron:
    """Parse either form; raise CronError with the field and the reason."""
    raw = text.strip()
    aws = raw.lower().startswith("cron(")
    if raw.lower().startswith("rate("):
        raise CronError(f"{text!r}: rate() expressions are not supported", "write a cron, e.g. '*/5 * * * *'")
    if aws:
        if not raw.endswith(")"):
            raise CronError(f"{text!r}: the AWS form must end with ')'")
        fields = raw[5:-1].split()
        if len(fields) != 6:
            raise CronError(f"{text!r}: the AWS form cron(...) has 6 fields (minutes hours day-of-month month "
                            f"day-of-week year), found {len(fields)}")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise CronError(f"{text!r}: in the AWS form exactly one of day-of-month and day-of-week must be '?'",
                            "e.g. cron(0 19 ? * MON-FRI *)")
    else:
        fields = raw.split()
        if len(fields) != 5:
            hint = six_field_hint(fields) if len(fields) == 6 else None
            raise CronError(f"{text!r}: a cron has 5 fields (minute hour day-of-month month day-of-week), "
                            f"found {len(fields)}", hint)
        minute, hour, dom, month, dow = fields
        year = "*"
    if "?" in (minute, hour, month, year):
        raise CronError(f"{text!r}: '?' is only allowed in day-of-month or day-of-week")
    minutes = sorted(_field(minute, 0, 59, "minute"))
    hours = sorted(_field(hour, 0, 23, "hour"))
    years = None if year == "*" else frozenset(_field(year, 1970, 2199, "year"))
    dom_spec = ANY_DOM if dom == "?" else _dom(dom)
    dow_spec = ANY_DOW if dow == "?" else _dow(dow, aws)
    return Cron(text=raw, aws=aws, times=tuple(h * 60 + m for h in hours for m in minutes),
                months=frozenset(_field(month, 1, 12, "month", MONTHS)), years=years, dom=dom_spec, dow=dow_spec)
