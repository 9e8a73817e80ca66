"""Decide, for one trigger (a tick time or an event), which rules fire and with which actions."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from shiftwork.engine.errors import UsageError
from shiftwork.engine.events.patterns import matches
from shiftwork.engine.schedule.evaluate import Decision, evaluate_tick
from shiftwork.engine.language.model import AlarmTrigger, EventTrigger, Rule
from shiftwork.engine.schedule.walltime import resolve


@dataclass(frozen=True)
class At:
    """A `--at` time: aware (an instant) or naive (wall time in each rule's own timezone)."""

    when: datetime

    @classmethod
    def parse(cls, text: str) -> "At":
        if text.strip().lower() == "now":
            return cls(datetime.now(timezone.utc).replace(second=0, microsecond=0))
        try:
            when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            shaped = re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text.strip())  # 2026-02-30T10:00: say why
            what = f"a valid time ({exc})" if shaped else "an ISO time"
            raise UsageError(f"--at {text!r} is not {what}; write e.g. 2026-12-21T19:00 (each rule's local time) "
                             "or 2026-12-21T19:00Z (UTC)") from None
        return cls(when)

    def for_rule(self, rule: Rule) -> datetime:
        """The instant in UTC, floored to the minute; a wall time in a DST gap moves past the gap."""
        when = self.when
        if when.tzinfo is None:  # wall time: a gap moves to its end, a repeated hour means its first instance
            when = resolve(rule.timezone, when.date(), when.hour * 60 + when.minute)
        return when.astimezone(timezone.utc).replace(second=0, microsecond=0)


def rule_pattern(rule: Rule) -> dict[str, Any] | None:
    if isinstance(rule.trigger, EventTrigger):
        return dict(rule.trigger.pattern)
    if isinstance(rule.trigger, AlarmTrigger):
        return rule.trigger.pattern()
    return None


def decide_tick(rule: Rule, t: datetime) -> Decision:
    """A plan's view of a tick: no watermark, so cron looks back `catch_up` and a window reconciles."""
    decision = evaluate_tick(rule, t, None, None)
    if rule_pattern(rule) is not None:  # the CLI user asked the wrong question: say which one to ask
        decision = replace(decision, reason=f"{decision.reason}; plan it with --event FILE")
    return decision


def decide_event(rule: Rule, event: dict[str, Any]) -> Decision:
    pattern = rule_pattern(rule)
    if pattern is None:
        return Decision(rule.name, False, (), None, "not event-driven: runs on schedule ticks only (plan it with --at)")
    if not rule.enabled:
        return Decision(rule.name, False, (), None, "disabled (enabled: false)")
    if matches(pattern, event):
        return Decision(rule.name, True, rule.actions, None,
                        f"event {event.get('source')}/{event.get('detail-type')} matches the rule's pattern")
    return Decision(rule.name, False, (), None, "the event does not match the rule's pattern")
