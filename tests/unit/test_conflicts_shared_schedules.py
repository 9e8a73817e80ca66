"""Conflict probing computes each distinct schedule's times once: every rule's segments are those it has alone."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from shiftwork.engine.schedule.conflicts import segments
from tests.unit.test_simulate_shared_schedules import shared_schedule_rules


def test_segments_with_a_shared_memo_equal_each_rules_own(tmp_path: Path) -> None:
    rules = shared_schedule_rules(tmp_path).rules  # EXTRA: same schedules in other timezones, other actions
    for start, end in [(datetime(2027, 3, 22, tzinfo=timezone.utc), datetime(2027, 4, 5, tzinfo=timezone.utc)),
                       (datetime(2027, 1, 1, tzinfo=timezone.utc), datetime(2028, 1, 1, tzinfo=timezone.utc))]:
        memo: dict = {}
        shared = [segments(rule, start, end, memo) for rule in rules]
        assert shared == [segments(rule, start, end) for rule in rules]
        assert sum(bool(s) for s in shared) > 150 and len(memo) < 150  # shared, and non-trivially
        by_name = dict(zip((r.name for r in rules), shared))
        assert by_name["a"] != by_name["c"] and by_name["e"] != by_name["g"]  # same schedule, other timezone
