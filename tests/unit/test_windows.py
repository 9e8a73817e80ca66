"""Windows: day/month filters, overnight ownership, unions, calendars, and DST at window edges."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import Calendar, WindowSpec, WindowTrigger
from shiftwork.engine.language.windowexpr import parse_days, parse_monthdays, parse_months, window_problems
from shiftwork.engine.schedule.windows import phase_at, suppressed, transitions

UTC = timezone.utc
ENGLAND = Calendar("england", "GB", "ENG")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def trigger(*specs: dict) -> WindowTrigger:
    windows = []
    for s in specs:
        windows.append(WindowSpec(s.get("days"), s.get("hours"), s.get("monthdays"), s.get("months"),
                                  tuple(s.get("except", ()))))
    return WindowTrigger(tuple(windows), Loc("test"))


def changes(trig: WindowTrigger, tz: str, start: str, end: str) -> list[str]:
    return [f"{t:%m-%d %H:%M} {phase}" for t, phase in transitions(trig, tz, utc(start), utc(end))]


def test_day_names_ranges_and_wrapping() -> None:
    assert parse_days(("mon-fri",)) == {0, 1, 2, 3, 4}
    assert parse_days(("sun-thu",)) == {6, 0, 1, 2, 3}
    assert parse_days(("sat", "Monday")) == {5, 0}
    assert parse_days("fri-mon") == {4, 5, 6, 0}
    assert parse_months(("nov-feb",)) == {11, 12, 1, 2}
    assert parse_monthdays(("1-3", "L")) == {1, 2, 3, 32}


def test_office_hours_across_london_spring_forward() -> None:
    trig = trigger({"days": ("mon-fri",), "hours": "08:00-19:00"})
    # Fri 2027-03-26 in GMT; Mon 2027-03-29 in BST (clocks changed on Sun 28th)
    assert changes(trig, "Europe/London", "2027-03-26 00:00", "2027-03-30 00:00") == [
        "03-26 08:00 inside", "03-26 19:00 outside", "03-29 07:00 inside", "03-29 18:00 outside"]


def test_overnight_window_is_owned_by_its_start_day() -> None:
    trig = trigger({"days": ("fri",), "hours": "20:00-07:00"})
    assert changes(trig, "UTC", "2027-03-18 00:00", "2027-03-22 00:00") == [
        "03-19 20:00 inside", "03-20 07:00 outside"]
    assert phase_at(trig, "UTC", utc("2027-03-20 06:59")) == "inside"  # Saturday morning: Friday's window
    assert phase_at(trig, "UTC", utc("2027-03-19 06:59")) == "outside"  # Friday morning: Thursday not listed


def test_overnight_window_across_a_dst_change() -> None:
    # Sat 2027-03-27 22:00 GMT to Sun 06:00 BST (05:00 UTC): 7 real hours
    trig = trigger({"days": ("sat",), "hours": "22:00-06:00"})
    assert changes(trig, "Europe/London", "2027-03-27 00:00", "2027-03-29 00:00") == [
        "03-27 22:00 inside", "03-28 05:00 outside"]
    # New York fall-back: Sat 2027-11-06 22:00 EDT (02:00 UTC) to Sun 06:00 EST (11:00 UTC): 9 real hours
    assert changes(trig, "America/New_York", "2027-11-06 00:00", "2027-11-08 00:00") == [
        "11-07 02:00 inside", "11-07 11:00 outside"]


def test_window_edges_in_the_spring_gap() -> None:
    # New York 2027-03-14: 02:00 -> 03:00. 01:30-02:30 lasts 01:30 EST .. 03:00 EDT (06:30-07:00 UTC)
    assert changes(trigger({"hours": "01:30-02:30"}), "America/New_York", "2027-03-14 00:00",
                   "2027-03-14 12:00") == ["03-14 06:30 inside", "03-14 07:00 outside"]
    # a window wholly inside the gap does not open that day
    assert changes(trigger({"hours": "02:10-02:50"}), "America/New_York", "2027-03-14 00:00",
                   "2027-03-14 12:00") == []
    # Lord Howe 2027-10-03: 02:00 -> 02:30 (+10:30 -> +11); 02:00-04:00 opens at 02:30 = 15:30 UTC Sat
    assert changes(trigger({"hours": "02:00-04:00"}), "Australia/Lord_Howe", "2027-10-02 12:00",
                   "2027-10-03 12:00") == ["10-02 15:30 inside", "10-02 17:00 outside"]


def test_window_in_the_repeated_hour_happens_once() -> None:
    # New York 2027-11-07: 01:00-01:30 uses the first 01:00 and the first 01:30 (EDT): 05:00-05:30 UTC
    assert changes(trigger({"hours": "01:00-01:30"}), "America/New_York", "2027-11-07 00:00",
                   "2027-11-07 12:00") == ["11-07 05:00 inside", "11-07 05:30 outside"]
    # Sydney 2027-04-04 03:00 AEDT -> 02:00 AEST: 00:00-04:00 is 5 real hours (13:00-18:00 UTC Sat)
    assert changes(trigger({"hours": "00:00-04:00"}), "Australia/Sydney", "2027-04-03 12:00",
                   "2027-04-04 12:00") == ["04-03 13:00 inside", "04-03 18:00 outside"]


def test_union_of_windows_merges_adjacent_ones() -> None:
    trig = trigger({"days": ("mon",), "hours": "08:00-12:00"}, {"days": ("mon",), "hours": "12:00-18:00"},
                   {"days": ("mon",), "hours": "17:00-20:00"})
    assert changes(trig, "UTC", "2027-03-22 00:00", "2027-03-23 00:00") == [
        "03-22 08:00 inside", "03-22 20:00 outside"]
    # whole days (no hours) in a row merge into one stretch
    assert changes(trigger({"days": ("sat-sun",)}), "UTC", "2027-03-19 12:00", "2027-03-23 00:00") == [
        "03-20 00:00 inside", "03-22 00:00 outside"]


def test_midnight_end_and_last_day_of_month() -> None:
    trig = trigger({"monthdays": ("L",), "hours": "18:00-24:00"})
    assert changes(trig, "UTC", "2028-02-01 00:00", "2028-03-31 12:00") == [
        "02-29 18:00 inside", "03-01 00:00 outside"]
    assert changes(trigger({"monthdays": ("L",), "months": ("feb",)}), "UTC", "2027-01-01 00:00",
                   "2027-12-31 00:00") == ["02-28 00:00 inside", "03-01 00:00 outside"]


def test_calendar_removes_a_whole_local_day() -> None:
    trig = trigger({"days": ("mon-fri",), "hours": "08:00-19:00", "except": (ENGLAND,)})
    assert phase_at(trig, "Europe/London", utc("2027-03-26 12:00")) == "outside"  # Good Friday
    assert changes(trig, "Europe/London", "2027-03-25 00:00", "2027-03-30 00:00") == [
        "03-25 08:00 inside", "03-25 19:00 outside"]  # Fri 26th and Mon 29th (Easter Monday) removed
    gone = suppressed(trig, "Europe/London", utc("2027-03-22 00:00"), utc("2027-04-03 00:00"))
    assert [(str(s.day), s.calendar, s.reason) for s in gone] == [
        ("2027-03-26", "england", "Good Friday"), ("2027-03-29", "england", "Easter Monday")]


def test_overnight_window_across_a_holiday_keeps_the_previous_nights() -> None:
    freeze = Calendar("freeze", dates=("2027-03-26",))
    trig = trigger({"days": ("mon-fri",), "hours": "20:00-07:00", "except": (freeze,)})
    # Thursday night runs into the holiday Friday morning; Friday night is removed
    assert changes(trig, "UTC", "2027-03-25 12:00", "2027-03-30 00:00") == [
        "03-25 20:00 inside", "03-26 07:00 outside", "03-29 20:00 inside"]


def test_date_ranges_in_calendars() -> None:
    freeze = Calendar("freeze", dates=("2026-12-24..2027-01-02",))
    trig = trigger({"days": ("mon-fri",), "hours": "09:00-17:00", "except": (freeze,)})
    assert changes(trig, "UTC", "2026-12-23 00:00", "2027-01-05 00:00") == [
        "12-23 09:00 inside", "12-23 17:00 outside", "01-04 09:00 inside", "01-04 17:00 outside"]


@pytest.mark.parametrize("raw, expected", [
    ({"days": "mon-fry"}, [(("days",), "unknown day 'fry'")]),
    ({"days": ["mon", "sundy"]}, [(("days", 1), "unknown day 'sundy'")]),
    ({"hours": "8-19"}, [(("hours",), "invalid hours '8-19'")]),
    ({"hours": "08:00-08:00"}, [(("hours",), "empty window '08:00-08:00': start and end are equal")]),
    ({"hours": "08:00-24:30"}, [(("hours",), "invalid hours '08:00-24:30': hours run 00-23 (24:00 only as an "
                                             "end), minutes 00-59")]),
    ({"monthdays": [1, "L-3"]}, [(("monthdays", 1), "invalid range 'L-3': 'L' can only end a range")]),
    ({"monthdays": "32"}, [(("monthdays",), "invalid day of the month '32'")]),
    ({"months": "jan-smarch"}, [(("months",), "unknown month 'smarch'")]),
])
def test_problems_point_at_the_field(raw: dict, expected: list) -> None:
    assert [(p[0], p[1]) for p in window_problems(raw)] == expected


def test_validate_reports_time_errors_at_their_place(tmp_path, capsys) -> None:
    from shiftwork.engine.cli.main import main

    path = tmp_path / "r.yaml"
    path.write_text("version: 1\nrules:\n"
                    "  - name: w\n    resource: ec2.instance\n    match: {tags: {env: dev}}\n"
                    "    during: {days: [mon, frx], hours: \"08:00-25:00\"}\n"
                    "    actions: {inside: [ec2.start]}\n"
                    "  - name: c\n    resource: ec2.instance\n    match: {tags: {env: dev}}\n"
                    "    on: {cron: \"cron(0 19 * * MON *)\"}\n    actions: [ec2.stop]\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:6:26: rule 'w': during.days[1]: unknown day 'frx'; did you mean 'fri'?",
        f"{path}:6:39: rule 'w': during.hours: invalid hours '08:00-25:00': hours run 00-23 (24:00 only as an "
        "end), minutes 00-59",
        f"{path}:11:16: rule 'c': on.cron: invalid cron: 'cron(0 19 * * MON *)': in the AWS form exactly one of "
        "day-of-month and day-of-week must be '?'; e.g. cron(0 19 ? * MON-FRI *)",
        "3 errors"]


@pytest.mark.parametrize("tz", ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Australia/Sydney"])
def test_phase_at_agrees_with_intervals_around_dst(tz: str) -> None:
    """phase_at (with its fast path away from DST changes) must agree with the interval model everywhere."""
    import random
    from datetime import timedelta

    from shiftwork.engine.schedule.windows import intervals

    trig = trigger({"days": ("mon-fri",), "hours": "08:00-19:00"}, {"days": ("sat",), "hours": "22:00-02:30"},
                   {"monthdays": ("L",), "hours": "01:00-24:00"}, {"days": ("sun",), "hours": "01:45-03:15"})
    rng = random.Random(7)
    for start in (utc("2027-03-10 00:00"), utc("2027-03-25 00:00"), utc("2027-04-01 00:00"),
                  utc("2027-09-29 00:00"), utc("2027-10-28 00:00"), utc("2027-11-05 00:00")):
        end = start + timedelta(days=5)
        spans = intervals(trig, tz, start, end)
        for _ in range(300):
            t = start + timedelta(minutes=rng.randrange(5 * 1440))
            expected = "inside" if any(s <= t < e for s, e in spans) else "outside"
            assert phase_at(trig, tz, t) == expected, (tz, t)
