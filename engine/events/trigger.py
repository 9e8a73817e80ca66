"""Decide, for one trigger (a tick time or an event), which rules fire and with which actions."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from shiftwork.engine.errors import UsageError
from shiftwork.engine.events.patterns import explain, matches
from shiftwork.engine.schedule.evaluate import Decision, evaluate_tick
from shiftwork.engine.language.model import AlarmTrigger, EventTrigger, Rule, RuleSet
from shiftwork.engine.language.patterns import CompiledPattern
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


def rule_compiled(rule: Rule) -> CompiledPattern | None:
    """The rule's pattern as compiled when the rules loaded; None for schedule rules."""
    if isinstance(rule.trigger, (EventTrigger, AlarmTrigger)):
        return rule.trigger.compiled
    return None


def decide_tick(rule: Rule, t: datetime) -> Decision:
    """A plan's view of a tick: no watermark, so cron looks back `catch_up` and a window reconciles."""
    decision = evaluate_tick(rule, t, None, None)
    if rule_pattern(rule) is not None:  # the CLI user asked the wrong question: say which one to ask
        decision = replace(decision, reason=f"{decision.reason}; plan it with --event FILE")
    return decision


def decide_event(rule: Rule, event: dict[str, Any]) -> Decision:
    """Fire or not, and why; a miss names the first pattern path that failed (what it wanted, what the event has)."""
    pattern = rule_compiled(rule)
    if pattern is None:
        return Decision(rule.name, False, (), None, "not event-driven: runs on schedule ticks only (plan it with --at)")
    if not rule.enabled:
        return Decision(rule.name, False, (), None, "disabled (enabled: false)")
    if matches(pattern, event):
        return Decision(rule.name, True, rule.actions, None,
                        f"event {event.get('source')}/{event.get('detail-type')} matches the rule's pattern")
    return Decision(rule.name, False, (), None, f"no match: {explain(pattern, event)}")


class EventIndex:
    """Event rules indexed by their patterns' exact `source` and `detail-type`, so an event is matched only
    against the rules that could match it (the rest are never looked at)."""

    def __init__(self, ruleset: RuleSet):
        self.by_source: dict[str, list[tuple[int, frozenset[str] | None]]] = {}
        self.any_source: list[tuple[int, frozenset[str] | None]] = []
        for i, rule in enumerate(ruleset.rules):
            pattern = rule_compiled(rule)
            if pattern is None:
                continue
            entry = (i, pattern.detail_types)
            for source in pattern.sources or ():
                self.by_source.setdefault(source, []).append(entry)
            if pattern.sources is None:
                self.any_source.append(entry)

    def candidates(self, event: Mapping[str, Any]) -> set[int]:
        """Positions (in the rule set) of the event rules whose pattern may match `event`."""
        sources, detail_types = _strings(event.get("source")), _strings(event.get("detail-type"))
        found = [entry for source in sources for entry in self.by_source.get(source, ())]
        return {i for i, types in (*found, *self.any_source) if types is None or not types.isdisjoint(detail_types)}


def _strings(value: Any) -> set[str]:
    """An event field's string values (a list in a hand-made event matches like any array)."""
    if isinstance(value, str):
        return {value}
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


_INDEXES: dict[int, tuple[RuleSet, EventIndex]] = {}


def event_index(ruleset: RuleSet) -> EventIndex:
    """The rule set's index, built once (rule sets are loaded once per process and never change)."""
    cached = _INDEXES.get(id(ruleset))
    if cached is None or cached[0] is not ruleset:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        cached = _INDEXES[id(ruleset)] = (ruleset, EventIndex(ruleset))
    return cached[1]
