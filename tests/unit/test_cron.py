"""Cron: both forms, the day-of-month/day-of-week rule, and DST gaps and repeats in several zones."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shiftwork.engine.language.cronexpr import CronError, parse
from shiftwork.engine.schedule.cron import occurrences, schedule

UTC = timezone.utc


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fires(expr: str, tz: str, after: str, until: str) -> list[str]:
    return [t.strftime("%Y-%m-%d %H:%M") for t in occurrences(expr, tz, utc(after), utc(until))]


def test_five_field_names_ranges_steps() -> None:
    assert fires("0 19 * * mon-fri", "UTC", "2027-03-19 00:00", "2027-03-23 00:00") == [
        "2027-03-19 19:00", "2027-03-22 19:00"]
    assert fires("*/20 8-9 * * *", "UTC", "2027-03-19 00:00", "2027-03-19 23:59") == [
        "2027-03-19 08:00", "2027-03-19 08:20", "2027-03-19 08:40",
        "2027-03-19 09:00", "2027-03-19 09:20", "2027-03-19 09:40"]
    assert fires("15 6 1,15 jan,feb *", "UTC", "2027-01-01 00:00", "2027-03-31 00:00") == [
        "2027-01-01 06:15", "2027-01-15 06:15", "2027-02-01 06:15", "2027-02-15 06:15"]


def test_sunday_is_0_and_7_and_ranges_may_wrap() -> None:
    # 2027-03-21 is a Sunday
    assert fires("0 12 * * 0", "UTC", "2027-03-15 00:00", "2027-03-22 00:00") == ["2027-03-21 12:00"]
    assert fires("0 12 * * 7", "UTC", "2027-03-15 00:00", "2027-03-22 00:00") == ["2027-03-21 12:00"]
    assert fires("0 12 * * fri-mon", "UTC", "2027-03-15 00:00", "2027-03-22 23:00") == [
        "2027-03-15 12:00", "2027-03-19 12:00", "2027-03-20 12:00", "2027-03-21 12:00", "2027-03-22 12:00"]


def test_vixie_or_when_both_day_fields_are_restricted() -> None:
    # the 13th OR any Friday, March 2027: Fridays 5, 12, 19, 26 and Saturday the 13th
    assert fires("0 0 13 * fri", "UTC", "2027-03-01 00:00", "2027-03-31 00:00") == [
        "2027-03-05 00:00", "2027-03-12 00:00", "2027-03-13 00:00", "2027-03-19 00:00", "2027-03-26 00:00"]
    # a field starting with '*' is unrestricted for the rule: odd days AND Fridays
    assert fires("0 0 */2 * fri", "UTC", "2027-03-01 00:00", "2027-03-31 00:00") == [
        "2027-03-05 00:00", "2027-03-19 00:00"]


def test_last_day_of_month_and_feb_29() -> None:
    assert fires("0 9 L * *", "UTC", "2028-01-01 00:00", "2028-04-01 00:00") == [
        "2028-01-31 09:00", "2028-02-29 09:00", "2028-03-31 09:00"]
    assert fires("0 9 29 2 *", "UTC", "2027-01-01 00:00", "2029-01-01 00:00") == ["2028-02-29 09:00"]
    assert fires("cron(0 9 L * ? *)", "UTC", "2027-02-01 00:00", "2027-03-01 00:00") == ["2027-02-28 09:00"]


def test_aws_form_translation() -> None:
    # 1 = Sunday in the AWS form: MON-FRI is 2-6
    assert fires("cron(0 19 ? * MON-FRI *)", "UTC", "2027-03-19 00:00", "2027-03-23 00:00") == [
        "2027-03-19 19:00", "2027-03-22 19:00"]
    assert fires("cron(0 19 ? * 2-6 *)", "UTC", "2027-03-19 00:00", "2027-03-23 00:00") == [
        "2027-03-19 19:00", "2027-03-22 19:00"]
    assert fires("cron(0 12 ? * 1 *)", "UTC", "2027-03-15 00:00", "2027-03-22 00:00") == ["2027-03-21 12:00"]
    # 6#3: the third Friday; 2L: the last Monday; L alone: Saturday
    assert fires("cron(0 9 ? * 6#3 *)", "UTC", "2027-01-01 00:00", "2027-04-01 00:00") == [
        "2027-01-15 09:00", "2027-02-19 09:00", "2027-03-19 09:00"]
    assert fires("cron(0 9 ? * 2L *)", "UTC", "2027-01-01 00:00", "2027-03-01 00:00") == [
        "2027-01-25 09:00", "2027-02-22 09:00"]
    assert fires("cron(0 9 ? * L *)", "UTC", "2027-03-15 00:00", "2027-03-22 00:00") == ["2027-03-20 09:00"]
    # 15W: the weekday nearest the 15th (Sat 2027-05-15 -> Fri 14th); 1W on a Saturday -> Monday 3rd; LW
    assert fires("cron(0 9 15W * ? *)", "UTC", "2027-05-01 00:00", "2027-06-01 00:00") == ["2027-05-14 09:00"]
    assert fires("cron(0 9 1W * ? *)", "UTC", "2027-05-01 00:00", "2027-06-01 00:00") == ["2027-05-03 09:00"]
    assert fires("cron(0 9 LW * ? *)", "UTC", "2027-07-01 00:00", "2027-08-01 00:00") == ["2027-07-30 09:00"]
    # the year field
    assert fires("cron(0 0 1 1 ? 2028)", "UTC", "2026-01-01 00:00", "2030-01-01 00:00") == ["2028-01-01 00:00"]


def test_aws_form_is_not_read_as_seconds() -> None:
    spec = parse("cron(30 7 ? * MON *)")
    assert spec.aws and spec.times == (7 * 60 + 30,)


@pytest.mark.parametrize("expr, fragment", [
    ("0 19 * *", "a cron has 5 fields"),
    ("0 19 ? * MON-FRI *", "if it is the EventBridge form, wrap it: 'cron(0 19 ? * MON-FRI *)'"),
    ("cron(0 19 * * MON-FRI *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 19 ? * ? *)", "exactly one of"),
    ("61 * * * *", "minute: 61 is out of range 0-59"),
    ("0 0 * * mon#9", "must be 1-5"),
    ("0 0 * foo *", "month: 'foo' is not a number or name"),
    ("0 5-2 * * *", "hour: range '5-2' ends before it starts"),
    ("rate(5 minutes)", "rate() expressions are not supported"),
])
def test_errors_name_the_field(expr: str, fragment: str) -> None:
    with pytest.raises(CronError) as info:
        parse(expr)
    assert fragment in str(info.value) + str(info.value.hint)


# -- DST ------------------------------------------------------------------------------------------------------
def test_spring_forward_gap_fires_at_first_instant_after_it() -> None:
    # New York 2027-03-14: 02:00 EST -> 03:00 EDT; 02:30 fires at 03:00 EDT = 07:00 UTC
    occ = schedule("30 2 * * *", "America/New_York", utc("2027-03-13 00:00"), utc("2027-03-16 00:00"))
    assert [(o.at.strftime("%m-%d %H:%M"), o.shifted) for o in occ] == [
        ("03-13 07:30", False), ("03-14 07:00", True), ("03-15 06:30", False)]
    # London 2027-03-28: 01:00 GMT -> 02:00 BST; 01:30 fires at 02:00 BST = 01:00 UTC
    assert fires("30 1 * * *", "Europe/London", "2027-03-27 00:00", "2027-03-29 00:00") == [
        "2027-03-27 01:30", "2027-03-28 01:00"]
    # Sydney 2027-10-03: 02:00 AEST -> 03:00 AEDT; 02:30 -> 03:00 AEDT = 16:00 UTC the day before
    assert fires("30 2 * * *", "Australia/Sydney", "2027-10-01 12:00", "2027-10-03 12:00") == [
        "2027-10-01 16:30", "2027-10-02 16:00"]


def test_lord_howe_half_hour_gap_coalesces() -> None:
    # Lord Howe 2027-10-03: 02:00 (+10:30) -> 02:30 (+11); 02:00 and 02:20 both land on 02:30 = 15:30 UTC
    assert fires("*/20 2 * * *", "Australia/Lord_Howe", "2027-10-02 12:00", "2027-10-03 12:00") == [
        "2027-10-02 15:30", "2027-10-02 15:40"]


def test_fall_back_repeated_hour_fires_once() -> None:
    # New York 2027-11-07: 01:00-01:59 happens twice; 01:30 fires at the first (EDT, 05:30 UTC) only
    assert fires("30 1 * * *", "America/New_York", "2027-11-06 00:00", "2027-11-09 00:00") == [
        "2027-11-06 05:30", "2027-11-07 05:30", "2027-11-08 06:30"]
    # hourly in London 2027-10-31: 01:00 BST (00:00 UTC) fires, 01:00 GMT (01:00 UTC) does not
    assert fires("0 * * * *", "Europe/London", "2027-10-30 22:30", "2027-10-31 03:30") == [
        "2027-10-30 23:00", "2027-10-31 00:00", "2027-10-31 02:00", "2027-10-31 03:00"]
    # Lord Howe 2027-04-04: 01:30-02:00 happens twice (+11 then +10:30)
    assert fires("45 1 * * *", "Australia/Lord_Howe", "2027-04-03 00:00", "2027-04-04 12:00") == [
        "2027-04-03 14:45"]
    # Sydney 2027-04-04: 02:00-03:00 repeats; 02:30 AEDT = 15:30 UTC
    assert fires("30 2 * * *", "Australia/Sydney", "2027-04-03 12:00", "2027-04-04 12:00") == [
        "2027-04-03 15:30"]


def test_interval_is_half_open() -> None:
    assert fires("0 8 * * *", "UTC", "2027-03-22 08:00", "2027-03-23 08:00") == ["2027-03-23 08:00"]
    assert fires("0 8 * * *", "UTC", "2027-03-22 08:00", "2027-03-22 08:00") == []
