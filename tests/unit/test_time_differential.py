"""Differential tests: the time engine against independent answers (croniter for cron, a per-minute
brute force for windows), over seeded random expressions and ranges, so a disagreement is a lead to a bug.

Cron: both implementations follow Vixie cron's day rule. When day-of-month and day-of-week are both
restricted a day matches when EITHER matches; a day field that starts with `*` (`*/2`) counts as
unrestricted for that rule, so then both must match (croniter: `implement_cron_bug=True`).
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from engine.cron import occurrences

UTC = timezone.utc
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
                until = after + timedelta(days=10)
                expected = croniter_occurrences(theirs, tz, after, until, CRON_CAP)
                got = occurrences(ours, tz, after, expected[-1] if len(expected) == CRON_CAP else until)
                assert got == expected, (seed, ours, tz, after.isoformat())
                checked += 1
                fired += bool(got)
    assert checked == 2 * (len(CRON_SEEDS) * CRON_PER_SEED - folded) and folded < 20
    assert fired > checked * 0.5  # the generator mostly writes expressions that fire within 10 days


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
