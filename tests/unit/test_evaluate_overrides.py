"""evaluate_tick with `held_until`, and the heads-up schedule: both are pure functions of the rule and the time."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from shiftwork.engine.schedule.evaluate import evaluate_tick
from shiftwork.engine.schedule.expiry import after_expiry, next_change
from shiftwork.engine.schedule.notice import upcoming
from tests.unit.ruletools import cron_rule, utc, window_rule

RULE = window_rule("mon-fri", "08:00-19:00", tz="Europe/London")


def test_an_ended_override_fires_the_window_rule_once_without_enforce() -> None:
    last = utc("2026-12-21T21:55:00Z")
    ends = utc("2026-12-21T22:00:00Z")
    quiet = evaluate_tick(RULE, utc("2026-12-21T21:55:00Z"), utc("2026-12-21T21:50:00Z"), "outside", ends)
    assert not quiet.fires  # not yet
    due = evaluate_tick(RULE, ends, last, "outside", ends)
    assert due.fires and [a.type for a in due.actions] == ["ec2.stop"]
    assert due.reason == ("an override that held back resources ended at 2026-12-21 Mon 22:00 GMT; "
                          "reconciling them to 'outside'")
    late = evaluate_tick(RULE, utc("2026-12-21T23:10:00Z"), last, "outside", ends)  # the 22:00 tick was missed
    assert late.fires
    assert not evaluate_tick(RULE, ends, last, "outside", None).fires  # nothing held: nothing to do
    disabled = dataclasses.replace(RULE, enabled=False)
    assert not evaluate_tick(disabled, ends, last, "outside", ends).fires


def test_a_phase_change_still_says_so_when_an_override_also_ended() -> None:
    d = evaluate_tick(RULE, utc("2026-12-22T08:00:00Z"), utc("2026-12-22T07:55:00Z"), "outside",
                      utc("2026-12-22T07:00:00Z"))
    assert d.fires and d.reason.startswith("phase changed from 'outside' to 'inside'")


def test_upcoming_firings_within_the_notice() -> None:
    rule = dataclasses.replace(RULE, notice=timedelta(minutes=15))
    assert upcoming(rule, utc("2026-12-21T18:44:00Z")) == []
    (first,) = upcoming(rule, utc("2026-12-21T18:45:00Z"))
    assert (first.at, first.phase, [a.type for a in first.actions]) == (utc("2026-12-21T19:00:00Z"), "outside",
                                                                        ["ec2.stop"])
    assert [u.at for u in upcoming(rule, utc("2026-12-21T18:50:00Z"))] == [utc("2026-12-21T19:00:00Z")]
    assert upcoming(rule, utc("2026-12-21T19:00:00Z")) == []  # (t, t + notice]: the firing itself is not ahead
    assert upcoming(RULE, utc("2026-12-21T18:45:00Z")) == []  # no notice option
    cron = dataclasses.replace(cron_rule("0 18 * * fri", tz="America/New_York"), notice=timedelta(hours=1))
    assert [u.at for u in upcoming(cron, utc("2026-12-25T22:30:00Z"))] == [utc("2026-12-25T23:00:00Z")]


def test_what_the_rule_does_when_an_override_ends() -> None:
    assert after_expiry(RULE, utc("2026-12-21T22:00:00Z")) == (
        "reconciles to 'outside' at the first tick from 2026-12-21 Mon 22:00 GMT: ec2.stop")
    assert after_expiry(RULE, utc("2026-12-22T09:00:00Z")).startswith("reconciles to 'inside'")
    cron = cron_rule("0 18 * * fri", tz="America/New_York")
    assert after_expiry(cron, utc("2026-12-21T22:00:00Z")) == (
        "next '0 18 * * fri' at 2026-12-25 Fri 18:00 EST: ec2.stop")
    assert next_change(RULE, utc("2026-12-21T19:00:00Z")) == utc("2026-12-22T08:00:00Z")
