"""What a rule does to a resource once an override on it ends: said in words for `overrides` and notices."""
from __future__ import annotations

from datetime import datetime, timedelta

from shiftwork.engine.language.model import CronTrigger, Rule, WindowTrigger
from shiftwork.engine.schedule.cron import occurrences
from shiftwork.engine.schedule.walltime import wall_label
from shiftwork.engine.schedule.windows import INSIDE, phase_at, transitions

LOOK_AHEAD = timedelta(days=8)  # a week and a day: every weekly schedule shows its next occurrence


def _names(actions) -> str:
    return ", ".join(a.type for a in actions) or "nothing (no actions for it)"


def after_expiry(rule: Rule, until: datetime) -> str:
    """One phrase: the actions the rule applies when an override ending at `until` is gone, and when."""
    trigger = rule.trigger
    if not rule.enabled:
        return "nothing: the rule is disabled"
    if isinstance(trigger, WindowTrigger):
        phase = phase_at(trigger, rule.timezone, until)
        actions = rule.inside if phase == INSIDE else rule.outside
        return f"reconciles to '{phase}' at the first tick from {wall_label(until, rule.timezone)}: {_names(actions)}"
    if isinstance(trigger, CronTrigger):
        found = occurrences(trigger.cron, rule.timezone, until, until + LOOK_AHEAD)
        if not found:
            return f"nothing within {LOOK_AHEAD.days} days ('{trigger.cron}' does not occur)"
        return f"next '{trigger.cron}' at {wall_label(found[0], rule.timezone)}: {_names(rule.actions)}"
    return f"acts on its next matching event: {_names(rule.actions)}"


def next_change(rule: Rule, after: datetime) -> datetime | None:
    """When the rule acts next after `after` (a window's phase change, a cron occurrence; within LOOK_AHEAD)."""
    if isinstance(rule.trigger, WindowTrigger):
        changes = transitions(rule.trigger, rule.timezone, after, after + LOOK_AHEAD)
        return changes[0][0] if changes else None
    if isinstance(rule.trigger, CronTrigger):
        found = occurrences(rule.trigger.cron, rule.timezone, after, after + LOOK_AHEAD)
        return found[0] if found else None
    return None
