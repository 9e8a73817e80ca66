"""evaluate_tick: cron catch-up and coalescing, window phase changes, enforce, DST on tick boundaries."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shiftwork.engine.schedule.evaluate import evaluate_tick
from tests.unit.ruletools import alarm_rule, cron_rule, utc, window_rule


def test_cron_fires_for_an_occurrence_since_the_last_tick() -> None:
    rule = cron_rule("0 19 * * mon-fri", tz="Europe/London")
    d = evaluate_tick(rule, utc("2027-03-22 19:00"), utc("2027-03-22 18:59"), None)
    assert d.fires and [a.type for a in d.actions] == ["ec2.stop"]
    assert d.occurrences == (utc("2027-03-22 19:00"),) and d.missed == ()
    assert d.reason == "'0 19 * * mon-fri' occurred at 2027-03-22 Mon 19:00 GMT"
    quiet = evaluate_tick(rule, utc("2027-03-22 19:01"), utc("2027-03-22 19:00"), None)
    assert not quiet.fires and quiet.actions == ()


def test_catch_up_after_a_missed_three_hour_gap() -> None:
    # ticks stopped after 09:00 and resumed at 12:00; catch_up is 1h
    rule = cron_rule("*/30 * * * *")
    d = evaluate_tick(rule, utc("2027-03-22 12:00"), utc("2027-03-22 09:00"), None)
    assert d.fires
    assert d.missed == (utc("2027-03-22 09:30"), utc("2027-03-22 10:00"), utc("2027-03-22 10:30"))
    assert d.occurrences == (utc("2027-03-22 11:00"), utc("2027-03-22 11:30"), utc("2027-03-22 12:00"))
    assert "3 occurrences" in d.reason and "coalesced into one firing" in d.reason
    assert "3 older than catch_up 1h missed" in d.reason


def test_an_occurrence_older_than_catch_up_is_missed_not_run() -> None:
    late = evaluate_tick(cron_rule("0 8 * * *"), utc("2027-03-22 10:00"), utc("2027-03-22 07:00"), None)
    assert not late.fires and late.missed == (utc("2027-03-22 08:00"),)
    generous = cron_rule("0 8 * * *", catch_up=timedelta(hours=3))
    d = evaluate_tick(generous, utc("2027-03-22 10:00"), utc("2027-03-22 07:00"), None)
    assert d.fires and d.occurrences == (utc("2027-03-22 08:00"),) and "caught up 2 h 0 m late" in d.reason


def test_first_evaluation_looks_back_only_catch_up() -> None:
    rule = cron_rule("0 8 * * *")
    assert evaluate_tick(rule, utc("2027-03-22 08:40"), None, None).fires
    assert evaluate_tick(rule, utc("2027-03-22 09:00"), None, None).fires  # exactly catch_up old
    old = evaluate_tick(rule, utc("2027-03-22 09:01"), None, None)
    assert not old.fires and old.missed == ()


def test_cron_at_0230_on_spring_forward_day_fires_at_0300() -> None:
    rule = cron_rule("30 2 * * *", tz="America/New_York")
    # 2027-03-14: the tick at 07:00 UTC is 03:00 EDT, the first minute after the gap
    d = evaluate_tick(rule, utc("2027-03-14 07:00"), utc("2027-03-14 06:59"), None)
    assert d.fires and d.occurrences == (utc("2027-03-14 07:00"),)
    assert d.reason == "'30 2 * * *' occurred at 2027-03-14 Sun 03:00 EDT"


def test_fall_back_repeated_hour_fires_once_over_minute_ticks() -> None:
    rule = cron_rule("30 1 * * *", tz="America/New_York")
    t, fired = utc("2027-11-07 04:00"), []
    while t < utc("2027-11-07 08:00"):
        if evaluate_tick(rule, t + timedelta(minutes=1), t, None).fires:
            fired.append(t + timedelta(minutes=1))
        t += timedelta(minutes=1)
    assert fired == [utc("2027-11-07 05:30")]


def test_tick_time_is_floored_and_must_be_aware() -> None:
    rule = cron_rule("0 8 * * *")
    d = evaluate_tick(rule, utc("2027-03-22 08:00") + timedelta(seconds=42), utc("2027-03-22 07:59"), None)
    assert d.fires and d.occurrences == (utc("2027-03-22 08:00"),)
    with pytest.raises(ValueError, match="has no timezone"):
        evaluate_tick(rule, datetime(2027, 3, 22, 8), None, None)


def test_window_first_evaluation_reconciles() -> None:
    rule = window_rule("mon-fri", "08:00-19:00", tz="Europe/London")
    d = evaluate_tick(rule, utc("2027-03-22 12:00"), None, None)
    assert d.fires and d.phase == "inside" and [a.type for a in d.actions] == ["ec2.start"]
    assert d.reason == "first evaluation: reconciling to 'inside'"


def test_window_fires_on_phase_change_only() -> None:
    rule = window_rule("mon-fri", "08:00-19:00", tz="Europe/London")
    d = evaluate_tick(rule, utc("2027-03-22 19:00"), utc("2027-03-22 18:59"), "inside")
    assert d.fires and d.phase == "outside" and [a.type for a in d.actions] == ["ec2.stop"]
    assert d.reason == "phase changed from 'inside' to 'outside' at 2027-03-22 Mon 19:00 GMT"
    same = evaluate_tick(rule, utc("2027-03-22 19:01"), utc("2027-03-22 19:00"), "outside")
    assert not same.fires and same.phase == "outside"


def test_a_change_during_missed_ticks_counts() -> None:
    rule = window_rule("mon-fri", "08:00-19:00", tz="Europe/London")
    # last seen Friday 18:00 inside; next tick Monday 06:00 (after the DST change): outside
    d = evaluate_tick(rule, utc("2027-03-29 05:00"), utc("2027-03-26 17:00"), "inside")
    assert d.fires and d.phase == "outside"
    # inside -> outside -> inside while ticks were missed: same phase, nothing to do
    back = evaluate_tick(rule, utc("2027-03-23 10:00"), utc("2027-03-22 10:00"), "inside")
    assert not back.fires


def test_enforce_fires_every_tick() -> None:
    rule = window_rule("mon-fri", "08:00-19:00", enforce=True)
    d = evaluate_tick(rule, utc("2027-03-22 23:00"), utc("2027-03-22 22:59"), "outside")
    assert d.fires and [a.type for a in d.actions] == ["ec2.stop"]
    assert d.reason == "still 'outside'; enforce re-applies the 'outside' actions every tick"


def test_a_phase_without_actions_does_not_fire() -> None:
    rule = window_rule("mon-fri", "08:00-19:00", outside=())
    d = evaluate_tick(rule, utc("2027-03-22 19:00"), utc("2027-03-22 18:59"), "inside")
    assert not d.fires and d.phase == "outside" and d.reason.endswith("the rule has no 'outside' actions")


def test_disabled_and_event_rules_never_fire_on_ticks() -> None:
    off = window_rule("mon-fri", "08:00-19:00", enabled=False)
    assert not evaluate_tick(off, utc("2027-03-22 12:00"), None, None).fires
    assert not evaluate_tick(cron_rule("* * * * *", enabled=False), utc("2027-03-22 12:00"), None, None).fires
    d = evaluate_tick(alarm_rule(), utc("2027-03-22 12:00"), None, None)
    assert not d.fires and d.reason == "fires on events only, not on schedule ticks"


def test_first_evaluation_without_an_occurrence_says_what_it_looked_at_and_when_it_fires_next() -> None:
    """A plan has no earlier tick: 'since the last evaluation' would be wrong; catch_up is what it looked at."""
    rule = cron_rule("0 6 * * mon", tz="Europe/London")
    d = evaluate_tick(rule, utc("2026-12-21 19:00"), None, None)
    assert not d.fires
    assert d.reason == ("no occurrence of '0 6 * * mon' in the 1h before this tick (catch_up); "
                        "next at 2026-12-28 Mon 06:00 GMT (in 6 d 11 h 0 m)")
    yearly = evaluate_tick(cron_rule("0 6 1 6 *"), utc("2026-12-21 19:00"), None, None)
    assert yearly.reason == "no occurrence of '0 6 1 6 *' in the 1h before this tick (catch_up)"
    later = evaluate_tick(rule, utc("2026-12-21 19:00"), utc("2026-12-21 18:55"), None)
    assert later.reason == "no occurrence of '0 6 * * mon' since the last evaluation"
