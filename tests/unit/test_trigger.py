from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shiftwork.engine.errors import Loc, UsageError
from shiftwork.engine.language.model import CronTrigger, Match, Rule
from shiftwork.engine.events.trigger import At


def rule(tz: str) -> Rule:
    return Rule(name="r", resource="ec2.instance", match=Match(), trigger=CronTrigger("0 19 * * *", Loc("x")),
                timezone=tz)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("text,tz,expected", [
    ("2026-12-21T19:00", "Europe/London", utc(2026, 12, 21, 19, 0)),  # GMT
    ("2026-07-21T19:00", "Europe/London", utc(2026, 7, 21, 18, 0)),  # BST
    ("2026-12-21T19:00", "America/New_York", utc(2026, 12, 22, 0, 0)),
    ("2026-12-21T19:00Z", "America/New_York", utc(2026, 12, 21, 19, 0)),  # an instant ignores the rule's zone
    ("2026-12-21T19:00+01:00", "Europe/London", utc(2026, 12, 21, 18, 0)),
    ("2026-12-21T19:00:59", "Europe/London", utc(2026, 12, 21, 19, 0)),  # floored to the minute
    ("2027-03-14T02:30", "America/New_York", utc(2027, 3, 14, 7, 0)),  # in the gap: 03:00 EDT
    ("2027-11-07T01:30", "America/New_York", utc(2027, 11, 7, 5, 30)),  # repeated hour: the first (EDT)
])
def test_at_reads_wall_times_in_the_rules_zone(text: str, tz: str, expected: datetime) -> None:
    assert At.parse(text).for_rule(rule(tz)) == expected


def test_a_bad_time_says_what_to_write() -> None:
    with pytest.raises(UsageError, match="write e.g. 2026-12-21T19:00"):
        At.parse("tomorrow")
