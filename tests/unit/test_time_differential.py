"""Differential tests: the time engine against independent answers (croniter for cron; a per-minute brute
force for windows and for cron across DST), over seeded random expressions and ranges.

Cron: both implementations follow Vixie cron's day rule. When day-of-month and day-of-week are both
restricted a day matches when EITHER matches; a day field that starts with `*` (`*/2`) counts as
unrestricted for that rule, so then both must match (croniter: `implement_cron_bug=True`). Left out on
purpose, because croniter differs by design: equal-ended ranges (`5-5` is the whole cycle to croniter),
a day field listing every value when the other contains `*` (croniter folds it into `*`, turning OR
into AND), wrapping weekday ranges with a step (croniter's `thu-mon/2` is Thu, Sat), `#`/`nL`/`W`
together with a restricted other day field (croniter intersects).

Windows and cron across DST: instants whose wall time shows twice (a fall-back repeat) are compared only
by parity of the phase changes (windows) or by the first-instance rule (cron); gaps need no exception,
since no instant has a wall time inside one.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from shiftwork.engine.schedule.cron import occurrences
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import Calendar, WindowSpec, WindowTrigger
from shiftwork.engine.schedule.windows import INSIDE, OUTSIDE, phase_at, transitions

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
CRON_SEEDS = (1, 7, 42, 2027, 31337)
CRON_PER_SEED = 60  # 300 expressions, each in UTC and in Asia/Tokyo (no DST), over a random 10-day range
CRON_CAP = 30  # compare the first 30 occurrences in the range (croniter takes ~0.1 ms for each)
DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# -- cron vs croniter -----------------------------------------------------------------------------------------
def _value(rng: random.Random, lo: int, hi: int, names: tuple[str, ...] | None, name_base: int) -> tuple[int, str]:
    n = rng.randint(lo, hi)
    if names and rng.random() < 0.5 and 0 <= n - name_base < len(names):
        name = names[n - name_base]
        return n, rng.choice((name, name.upper(), name.title()))
    return n, str(n)


def _item(rng: random.Random, lo: int, hi: int, names: tuple[str, ...] | None = None, name_base: int = 0,
          wrap: bool = False) -> str:
    """One list item. Ranges are never equal-ended: croniter reads `5-5` as the whole cycle, by design."""
    kind = rng.choice(("one", "one", "range", "range-step", "star-step", "start-step", "wrap"))
    if kind == "one":
        return _value(rng, lo, hi, names, name_base)[1]
    if kind == "star-step":
        return f"*/{rng.randint(2, max(2, (hi - lo) // 2))}"
    if kind == "start-step":
        return f"{rng.randint(lo, hi)}/{rng.randint(2, max(2, (hi - lo) // 2))}"
    a, a_text = _value(rng, lo, hi - 1, names, name_base)
    b, b_text = _value(rng, a + 1, hi, names, name_base)
    if kind == "wrap" and wrap:  # a wrapping weekday range (fri-mon), without a step: see the regression test
        return f"{b_text}-{a_text}" if b % 7 != a % 7 else f"{a_text}-{b_text}"
    if kind == "range-step":
        return f"{a_text}-{b_text}/{rng.randint(2, max(2, b - a))}"
    return f"{a_text}-{b_text}"


def _plain(rng: random.Random, lo: int, hi: int, star: float, **kw: object) -> str:
    if rng.random() < star:
        return "*"
    return ",".join(_item(rng, lo, hi, **kw) for _ in range(rng.choice((1, 1, 2, 3))))


def random_cron(rng: random.Random) -> tuple[str, str]:
    """(ours, croniter's spelling of the same): five fields, both day fields sometimes restricted together."""
    minute = str(rng.randint(0, 59)) if rng.random() < 0.6 else _plain(rng, 0, 59, 0.05)  # mostly sparse, so the
    hour = _plain(rng, 0, 23, 0.2)  # capped comparison spans several days and tests the day fields
    month = _plain(rng, 1, 12, 0.5, names=MONTH_NAMES, name_base=1)
    special = rng.random()
    if special < 0.08:  # the last day of the month, alone or with other days (still Vixie's OR with a weekday)
        dom = rng.choice(("L", "1,L", "L,15"))
        dow = rng.choice(("*", _plain(rng, 0, 7, 0.0, names=DOW_NAMES, wrap=True)))
        return f"{minute} {hour} {dom} {month} {dow}", f"{minute} {hour} {dom} {month} {dow}"
    if special < 0.13:  # k-th and last weekday of the month: croniter supports them only with day-of-month `*`
        day = rng.randint(0, 6)
        if rng.random() < 0.5:
            k = rng.randint(1, 4)
            return f"{minute} {hour} * {month} {day}#{k}", f"{minute} {hour} * {month} {day}#{k}"
        return f"{minute} {hour} * {month} {day}L", f"{minute} {hour} * {month} L{day}"
    if special < 0.16:  # nearest weekday: croniter takes `W` only alone, with day-of-week `*`
        dom = f"{rng.randint(1, 28)}W"
        return f"{minute} {hour} {dom} {month} *", f"{minute} {hour} {dom} {month} *"
    dom = _plain(rng, 1, 28, 0.4)  # up to 28 keeps most expressions firing in a 10-day range
    dow = _plain(rng, 0, 7, 0.4, names=DOW_NAMES, wrap=True)
    text = f"{minute} {hour} {dom} {month} {dow}"
    return text, text


def croniter_occurrences(expr: str, tz: str, after: datetime, until: datetime, cap: int) -> list[datetime]:
    """croniter's firings in (after, until], in UTC, at most `cap`."""
    it = croniter(expr, after.astimezone(ZoneInfo(tz)), implement_cron_bug=True, max_years_between_matches=2)
    out: list[datetime] = []
    try:
        for _ in range(cap):
            t = it.get_next(datetime).astimezone(UTC)
            if t > until:
                break
            out.append(t)
    except CroniterBadDateError:  # nothing within two years: none in the range either
        pass
    return out


def croniter_folds_a_full_day_field(expr: str) -> bool:
    """croniter rewrites a day field that lists every value (`0-6`, `7,mon-sat`) as `*` when the other day
    field has a `*` in it, which turns Vixie's OR into AND; Vixie (and we) only look at how the field starts."""
    fields = expr.split()
    expanded = croniter.expand(expr)[0]
    return any(expanded[i] == ["*"] and not fields[i].startswith("*") for i in (2, 4))


def test_croniter_agrees_on_random_five_field_expressions_in_utc_and_tokyo() -> None:
    checked = fired = folded = 0
    for seed in CRON_SEEDS:
        rng = random.Random(seed)
        for _ in range(CRON_PER_SEED):
            ours, theirs = random_cron(rng)
            if croniter_folds_a_full_day_field(theirs):
                folded += 1
                continue
            for tz in ("UTC", "Asia/Tokyo"):
                after = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(7 * 366 * 1440))
                # mostly 10 days; one in four at most a day, which takes schedule()'s short path
                until = after + (timedelta(days=10) if rng.random() < 0.75 else rng.randint(1, 1440) * MINUTE)
                expected = croniter_occurrences(theirs, tz, after, until, CRON_CAP)
                got = occurrences(ours, tz, after, expected[-1] if len(expected) == CRON_CAP else until)
                assert got == expected, (seed, ours, tz, after.isoformat())
                checked += 1
                fired += bool(got)
    assert checked == 2 * (len(CRON_SEEDS) * CRON_PER_SEED - folded) and folded < 20
    assert fired > checked * 0.4  # the generator mostly writes expressions that fire in the range





def random_aws_cron(rng: random.Random) -> tuple[str, str]:
    """(AWS form, the five-field form croniter reads): day-of-week numbers 1=Sunday become 0=Sunday."""
    minute = str(rng.randint(0, 59))
    hour = _plain(rng, 0, 23, 0.2)
    month = _plain(rng, 1, 12, 0.6, names=MONTH_NAMES, name_base=1)
    year = rng.choice(("*", "2024-2030", "2020-2035"))
    if rng.random() < 0.3:
        dom = _plain(rng, 1, 28, 0.0)
        return f"cron({minute} {hour} {dom} {month} ? {year})", f"{minute} {hour} {dom} {month} *"
    aws, unix = [], []
    for _ in range(rng.choice((1, 2))):
        a, b = sorted(rng.sample(range(1, 8), 2))
        kind = rng.choice(("one", "range", "step", "names", "wrap"))
        if kind == "one":
            aws.append(str(a)), unix.append(str(a - 1))
        elif kind == "range":
            aws.append(f"{a}-{b}"), unix.append(f"{a - 1}-{b - 1}")
        elif kind == "step":
            step = rng.randint(2, 3)
            aws.append(f"{a}/{step}"), unix.append(f"{a - 1}/{step}")
        else:  # names mean the same day in both forms; a wrapping range without a step
            first, last = (a, b) if kind == "names" else (b, a)
            name = f"{DOW_NAMES[first - 1]}-{DOW_NAMES[last - 1]}"
            aws.append(name.upper()), unix.append(name)
    return (f"cron({minute} {hour} ? {month} {','.join(aws)} {year})",
            f"{minute} {hour} * {month} {','.join(unix)}")


def test_aws_form_agrees_with_croniter_on_the_equivalent_five_field_expression() -> None:
    rng = random.Random(99)
    for _ in range(80):
        aws, unix = random_aws_cron(rng)
        after = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(6 * 365 * 1440))
        until = after + timedelta(days=10)
        expected = croniter_occurrences(unix, "Asia/Tokyo", after, until, CRON_CAP)
        got = occurrences(aws, "Asia/Tokyo", after, expected[-1] if len(expected) == CRON_CAP else until)
        assert got == expected, (aws, unix, after.isoformat())


# -- cron across DST vs a per-minute brute force ----------------------------------------------------------------
def _wall_matcher(expr: str) -> Callable[[datetime], bool]:
    """Does a wall time match? From croniter's own expansion of the fields (one day field is `*` here)."""
    fields = croniter.expand(expr)[0]
    sets = [None if f == ["*"] else {int(v) % 7 if i == 4 else int(v) for v in f} for i, f in enumerate(fields)]
    minute, hour, dom, month, dow = sets

    def matches(w: datetime) -> bool:
        return ((minute is None or w.minute in minute) and (hour is None or w.hour in hour)
                and (dom is None or w.day in dom) and (month is None or w.month in month)
                and (dow is None or (w.weekday() + 1) % 7 in dow))
    return matches


def reference_cron(expr: str, tz: str, after: datetime, until: datetime) -> list[datetime]:
    """Step UTC minutes: fire where the wall time matches; after a gap, fire if any skipped wall time matched;
    in a repeated hour, fire only at the first instance."""
    z, matches = ZoneInfo(tz), _wall_matcher(expr)
    out = []
    t = after + MINUTE
    prev_wall = after.astimezone(z).replace(tzinfo=None)
    while t <= until:
        wall = t.astimezone(z).replace(tzinfo=None)
        if wall - prev_wall > MINUTE:  # the first instant after a gap: every wall time the clock skipped
            skipped = (prev_wall + k * MINUTE for k in range(1, int((wall - prev_wall) / MINUTE) + 1))
            if any(matches(w) for w in skipped):
                out.append(t)
        elif matches(wall) and t.astimezone(z).fold == 0:  # fold 1: the repeated hour's second instance
            out.append(t)
        prev_wall = wall
        t += MINUTE
    return out


def test_cron_across_dst_agrees_with_a_per_minute_brute_force() -> None:
    rng = random.Random(2028)
    checked = fired = 0
    for tz in WINDOW_ZONES:
        local_hours = tuple({c.astimezone(ZoneInfo(tz)).hour for c in dst_changes(tz, 2027)} | {0, 1, 2, 3, 23})
        for change in dst_changes(tz, 2027) + dst_changes(tz, 2028):
            for _ in range(4):
                minute = rng.choice(("0", "30", "15,45", "*/20", "10-40/15", "*/7", "59"))
                hour = rng.choice((str(rng.choice(local_hours)), f"{min(local_hours)}-{max(local_hours)}", "*",
                                   "*/2", f"{rng.choice(local_hours)},{rng.randrange(24)}"))
                dom, dow = rng.choice((("*", "*"), ("*", "sun"), ("*", "mon-fri"), ("*", "sat,sun"),
                                       (str(change.day), "*"), ("1-15", "*")))
                expr = f"{minute} {hour} {dom} * {dow}"
                after = change - timedelta(minutes=rng.randrange(120, 1440))
                until = change + timedelta(minutes=rng.randrange(120, 1440))
                expected = reference_cron(expr, tz, after, until)
                assert occurrences(expr, tz, after, until) == expected, (expr, tz, after.isoformat())
                checked += 1
                fired += bool(expected)
    assert checked == len(WINDOW_ZONES) * 4 * 4 and fired > checked // 2


# -- windows vs a per-minute brute force ----------------------------------------------------------------------
WINDOW_SEEDS = (3, 11, 404)
# Lord Howe moves by 30 minutes; Santiago changes at midnight, so one day has no 00:00 and one has 23:xx twice
WINDOW_ZONES = ("Europe/London", "America/New_York", "Australia/Lord_Howe", "America/Santiago")
WINDOW_CASES = 8  # per seed and zone: 96 cases, two thirds of them on ranges across a DST change
DAY_RANGE_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class RefWindow:
    """The reference's own view of one window: sets of allowed start days, and minutes of the local day."""

    days: frozenset[int] | None  # Python weekdays
    monthdays: frozenset[int] | None  # 1..31, and 32 for `L`
    months: frozenset[int] | None
    start: int
    end: int
    excluded: frozenset[date]

    def day_ok(self, d: date) -> bool:
        last = (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return ((self.days is None or d.weekday() in self.days)
                and (self.monthdays is None or d.day in self.monthdays or (32 in self.monthdays and d == last))
                and (self.months is None or d.month in self.months)
                and d not in self.excluded)

    def holds(self, d: date, minute: int) -> bool:
        """Wall time `d` + `minute` is inside: today's window, or yesterday's overnight one (owned by yesterday)."""
        if self.end > self.start:
            return self.start <= minute < self.end and self.day_ok(d)
        return ((minute >= self.start and self.day_ok(d))
                or (minute < self.end and self.day_ok(d - timedelta(days=1))))


def _cyclic(first: int, last: int, size: int) -> list[int]:
    return [(first + i) % size for i in range((last - first) % size + 1)]


def _hhmm(rng: random.Random, hours: tuple[int, ...]) -> int:
    return rng.choice(hours) * 60 + rng.choice((0, 0, 15, 30, 30, 45, rng.randrange(60)))


def random_window(rng: random.Random, first_day: date, dst_hours: tuple[int, ...]) -> tuple[WindowSpec, RefWindow]:
    """A window as written in YAML, and the same window as the reference's sets."""
    days = monthdays = months = hours = None
    ref_days = ref_monthdays = ref_months = None
    if rng.random() < 0.7:
        items, ref = [], set()
        for _ in range(rng.choice((1, 1, 2))):
            a, b = rng.randrange(7), rng.randrange(7)
            if rng.random() < 0.4:
                items.append(DAY_RANGE_NAMES[a])
                ref.add(a)
            else:  # ranges may wrap: sun-thu
                items.append(f"{DAY_RANGE_NAMES[a]}-{DAY_RANGE_NAMES[b]}")
                ref.update(_cyclic(a, b, 7))
        days, ref_days = tuple(items), frozenset(ref)
    if rng.random() < 0.2:
        a, b = rng.randint(1, 28), rng.choice((rng.randint(1, 31), 32))
        if rng.random() < 0.3:
            monthdays, ref_monthdays = ("L",), frozenset({32})
        elif b == 32 or b < a:
            monthdays, ref_monthdays = (f"{a}-L",), frozenset(range(a, 33))
        else:
            monthdays, ref_monthdays = (f"{a}-{b}",), frozenset(range(a, b + 1))
    if rng.random() < 0.15:
        a = rng.randint(1, 12)
        b = (a + rng.randrange(4)) % 12 + 1
        months = (f"{MONTH_NAMES[a - 1]}-{MONTH_NAMES[b - 1]}",)  # may wrap: nov-feb
        ref_months = frozenset(m + 1 for m in _cyclic(a - 1, b - 1, 12))
    start, end = 0, 1440
    if rng.random() < 0.85:  # bounds near the DST change times are the interesting ones
        pool = dst_hours + tuple(range(24))
        start, end = _hhmm(rng, pool), _hhmm(rng, pool)
        if rng.random() < 0.1:
            end = 1440
        if start == end:
            end = (start + 90) % 1440
        hours = f"{start // 60:02}:{start % 60:02}-{end // 60:02}:{end % 60:02}"
    calendars: tuple[Calendar, ...] = ()
    excluded: set[date] = set()
    if rng.random() < 0.3:
        first = first_day + timedelta(days=rng.randrange(-1, 5))
        last = first + timedelta(days=rng.randrange(3))
        calendars = (Calendar("freeze", dates=(f"{first}..{last}",)),)
        excluded = {first + timedelta(days=i) for i in range((last - first).days + 1)}
    spec = WindowSpec(days, hours, monthdays, months, calendars)
    return spec, RefWindow(ref_days, ref_monthdays, ref_months, start, end, frozenset(excluded))


@lru_cache(maxsize=64)
def dst_changes(tz: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants at which the zone's offset changes in `year` (hourly scan, then to the minute)."""
    z = ZoneInfo(tz)
    out = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    while t.year == year:
        nxt = t + timedelta(hours=1)
        if t.astimezone(z).utcoffset() != nxt.astimezone(z).utcoffset():
            while t.astimezone(z).utcoffset() == (t + MINUTE).astimezone(z).utcoffset():
                t += MINUTE
            out.append(t + MINUTE)
        t = nxt
    return tuple(out)


def repeated_spans(tz: str, years: tuple[int, ...]) -> list[tuple[datetime, datetime]]:
    """UTC intervals whose wall times show twice: both passes through each fall-back repeat."""
    z = ZoneInfo(tz)
    spans = []
    for change in (c for y in years for c in dst_changes(tz, y)):
        shift = (change - MINUTE).astimezone(z).utcoffset() - change.astimezone(z).utcoffset()
        if shift > timedelta(0):
            spans.append((change - shift, change + shift))
    return spans


def reference_phases(windows: list[RefWindow], tz: str, start: datetime, minutes: int) -> list[bool | None]:
    """Inside (True), outside (False) for each minute from `start`; None where the wall time shows twice."""
    z = ZoneInfo(tz)
    repeats = repeated_spans(tz, (start.year - 1, start.year, start.year + 1))
    out: list[bool | None] = []
    for i in range(minutes + 1):
        t = start + i * MINUTE
        if any(a <= t < b for a, b in repeats):
            out.append(None)  # a repeated wall time: which instance a bound means is the engine's choice
            continue
        lt = t.astimezone(z)
        d, m = lt.date(), lt.hour * 60 + lt.minute
        out.append(any(w.holds(d, m) for w in windows))
    return out


def check_window_case(trig: WindowTrigger, windows: list[RefWindow], tz: str, start: datetime, days: int,
                      rng: random.Random) -> tuple[int, int]:
    """Compare transitions and phase_at with the reference; returns (transitions, phase_at checks)."""
    minutes = days * 1440
    ref = reference_phases(windows, tz, start, minutes)
    engine = transitions(trig, tz, start, start + minutes * MINUTE)
    at = {int((t - start) / MINUTE): phase for t, phase in engine}
    assert len(at) == len(engine), "two transitions in one minute"
    where = (tz, start.isoformat(), trig.windows)
    # transitions: wherever the reference is defined on both sides of a minute, it changes exactly there
    known = 0 if ref[0] is not None else None
    for i in range(1, minutes + 1):
        if ref[i] is None:
            continue
        if known == i - 1:
            assert (i in at) == (ref[i] != ref[i - 1]), (where, i, start + i * MINUTE)
            if i in at:
                assert at[i] == (INSIDE if ref[i] else OUTSIDE), (where, i)
        elif known is not None:  # across a repeated hour: the engine may change inside it, but must end right
            flips = sum(1 for j in range(known + 1, i + 1) if j in at)
            assert flips % 2 == (ref[i] != ref[known]), (where, i, start + i * MINUTE)
        known = i
    phases = [phase for _, phase in engine]
    assert all(a != b for a, b in zip(phases, phases[1:])), (where, engine)
    # phase_at: at every change +-1 minute, and a sample of the others
    probes = {j for i in at for j in (i - 1, i, i + 1)}
    probes |= {rng.randrange(minutes + 1) for _ in range(60)}
    checked = 0
    for i in sorted(p for p in probes if 0 <= p <= minutes and ref[p] is not None):
        got = phase_at(trig, tz, start + i * MINUTE)
        assert got == (INSIDE if ref[i] else OUTSIDE), (where, i, start + i * MINUTE)
        checked += 1
    return len(engine), checked


def test_windows_agree_with_a_per_minute_brute_force_across_dst() -> None:
    totals = [0, 0, 0]  # cases, transitions, phase_at checks
    for seed in WINDOW_SEEDS:
        rng = random.Random(seed)
        for tz in WINDOW_ZONES:
            changes = [c for y in (2026, 2027, 2028) for c in dst_changes(tz, y)]
            assert len(changes) == 6
            dst_hours = tuple({c.astimezone(ZoneInfo(tz)).hour for c in changes} | {0, 1, 2, 23})
            for case in range(WINDOW_CASES):
                days = rng.randint(3, 5)
                if case % 3:  # a range with a DST change somewhere inside it
                    start = rng.choice(changes) - timedelta(minutes=rng.randrange(60, (days - 1) * 1440))
                else:
                    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(3 * 365 * 1440))
                start = start.replace(second=0, microsecond=0)
                pairs = [random_window(rng, start.date(), dst_hours) for _ in range(rng.choice((1, 1, 2)))]
                trig = WindowTrigger(tuple(spec for spec, _ in pairs), Loc("test"))
                found, checked = check_window_case(trig, [ref for _, ref in pairs], tz, start, days, rng)
                totals[0] += 1
                totals[1] += found
                totals[2] += checked
    assert totals[0] == len(WINDOW_SEEDS) * len(WINDOW_ZONES) * WINDOW_CASES
    assert totals[1] > totals[0] and totals[2] > 50 * totals[0]  # the cases do change phase, and were probed


# -- regressions the differential tests found ------------------------------------------------------------------
def _days_fired(expr: str) -> list[str]:
    """Weekday and day of the firings in the week of Monday 2027-03-01 (UTC)."""
    week = datetime(2027, 3, 1, tzinfo=UTC) - timedelta(minutes=1)
    fired = occurrences(expr, "UTC", week, week + timedelta(days=7))
    return [f"{t:%a %d}" for t in fired]


def test_open_weekday_step_stops_at_saturday() -> None:
    # 7 is only another name for Sunday: `fri/2` is Friday alone (the week ends on Saturday), not Friday and Sunday
    assert _days_fired("0 0 * * 5/2") == ["Fri 05"]
    assert _days_fired("0 0 * * fri/2") == ["Fri 05"]
    assert _days_fired("0 0 * * 1/2") == ["Mon 01", "Wed 03", "Fri 05"]
    assert _days_fired("cron(0 0 ? * 6/2 *)") == ["Fri 05"]  # AWS numbers 1=Sunday..7=Saturday


def test_wrapping_weekday_range_with_a_step_counts_each_day_once() -> None:
    # fri-mon is Fri, Sat, Sun, Mon; every second one is Fri and Sun (Sunday used to count twice, as 7 and 0)
    assert _days_fired("0 0 * * fri-mon/2") == ["Fri 05", "Sun 07"]
    assert _days_fired("0 0 * * thu-mon/2") == ["Mon 01", "Thu 04", "Sat 06"]
    assert _days_fired("0 0 * * sat-tue/3") == ["Tue 02", "Sat 06"]
    assert _days_fired("0 0 * * 7-1/2") == ["Sun 07"]  # Sun-Mon
    assert _days_fired("0 0 * * 7/2") == ["Tue 02", "Thu 04", "Sat 06", "Sun 07"]  # the same as 0/2
    assert _days_fired("cron(0 0 ? * FRI-MON/2 *)") == ["Fri 05", "Sun 07"]


def test_weekday_list_starting_with_a_star_takes_wrapping_ranges() -> None:
    # `sat-tue,*/3` was accepted but `*/3,sat-tue` said "range 'sat-tue' ends before it starts"
    assert _days_fired("0 0 * * */3,sat-tue") == _days_fired("0 0 * * sat-tue,*/3") == [
        "Mon 01", "Tue 02", "Wed 03", "Sat 06", "Sun 07"]
