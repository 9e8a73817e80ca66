"""Which scheduled firings of a rule fall within its `notice` of a tick: the occurrences to announce."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shiftwork.engine.language.model import ActionSpec, CronTrigger, Rule, WindowTrigger
from shiftwork.engine.schedule.cron import occurrences
from shiftwork.engine.schedule.walltime import ensure_utc, floor_minute
from shiftwork.engine.schedule.windows import INSIDE, transitions


@dataclass(frozen=True)
class Upcoming:
    """One scheduled firing ahead of the tick: when, in which phase (window rules), with which actions."""

    at: datetime
    phase: str | None
    actions: tuple[ActionSpec, ...]


def upcoming(rule: Rule, t: datetime) -> list[Upcoming]:
    """The rule's firings in (t, t + notice]; empty without `notice`, for a disabled rule, or an event rule.

    A firing is announced by the first tick that sees it within its notice (a tick at 18:45 for a 19:00
    stop with `notice: 15m`); the dispatcher records each one sent, so the 18:50 tick says nothing.
    """
    if rule.notice is None or not rule.enabled:
        return []
    t = floor_minute(ensure_utc(t, "tick time"))
    end = t + rule.notice
    trigger = rule.trigger
    if isinstance(trigger, WindowTrigger):
        return [Upcoming(at, phase, rule.inside if phase == INSIDE else rule.outside)
                for at, phase in transitions(trigger, rule.timezone, t, end)]
    if isinstance(trigger, CronTrigger):
        return [Upcoming(at, None, rule.actions) for at in occurrences(trigger.cron, rule.timezone, t, end)]
    return []
