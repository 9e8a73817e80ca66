"""Which rules fire at a tick: the one decision the dispatcher, `plan` and `simulate` all share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shiftwork.engine.schedule.cron import occurrences
from shiftwork.engine.language.durations import elapsed_words, format_duration
from shiftwork.engine.language.model import ActionSpec, AlarmTrigger, CronTrigger, EventTrigger, Rule, WindowTrigger
from shiftwork.engine.schedule.walltime import ensure_utc, floor_minute, wall_label
from shiftwork.engine.schedule.windows import INSIDE, phase_at, transitions

MAX_LOOKBACK = timedelta(days=31)  # older watermarks are clamped: missed firings are listed for 31 days at most


@dataclass(frozen=True)
class Decision:
    rule: str
    fires: bool  # run `actions` now
    actions: tuple[ActionSpec, ...]  # what to run (empty when not firing)
    phase: str | None  # "inside"/"outside" for window rules, else None
    reason: str  # one human sentence: why it fires or not
    occurrences: tuple[datetime, ...] = ()  # cron occurrences coalesced into this firing
    missed: tuple[datetime, ...] = ()  # occurrences older than catch_up: reported, not run


def evaluate_tick(rule: Rule, t: datetime, last: datetime | None, last_phase: str | None,
                  held_until: datetime | None = None) -> Decision:
    """Decide whether `rule` fires at tick `t`, given the previous evaluation time and phase.

    `held_until`: when an override that kept the rule's last firing off some resources ends; from then a
    window rule fires again, so those resources reach the phase's state without waiting for `enforce`.
    """
    t = floor_minute(ensure_utc(t, "tick time"))
    last = ensure_utc(last, "last evaluation time") if last is not None else None
    trigger = rule.trigger
    if isinstance(trigger, WindowTrigger):
        return _window(rule, trigger, t, last, last_phase, held_until)
    if isinstance(trigger, CronTrigger):
        return _cron(rule, trigger, t, last)
    if isinstance(trigger, (EventTrigger, AlarmTrigger)):
        return Decision(rule.name, False, (), None, "fires on events only, not on schedule ticks")
    raise TypeError(f"rule '{rule.name}': unknown trigger {type(trigger).__name__}")


def _window(rule: Rule, trigger: WindowTrigger, t: datetime, last: datetime | None,
            last_phase: str | None, held_until: datetime | None = None) -> Decision:
    phase = phase_at(trigger, rule.timezone, t)
    actions = rule.inside if phase == INSIDE else rule.outside
    if not rule.enabled:
        return Decision(rule.name, False, (), phase, f"disabled (enabled: false); the window is {phase}")
    if last_phase is None:
        why = f"first evaluation: reconciling to '{phase}'"
    elif phase != last_phase:
        why = f"phase changed from '{last_phase}' to '{phase}'"
        if last is not None and timedelta(0) < t - last <= MAX_LOOKBACK:
            changes = transitions(trigger, rule.timezone, last, t)
            if changes:
                why += f" at {wall_label(changes[-1][0], rule.timezone)}"
    elif rule.enforce:
        why = f"still '{phase}'; enforce re-applies the '{phase}' actions every tick"
    elif held_until is not None and held_until <= t:
        why = (f"an override that held back resources ended at {wall_label(held_until, rule.timezone)}; "
               f"reconciling them to '{phase}'")
    else:
        return Decision(rule.name, False, (), phase, f"still '{phase}' since the last evaluation; nothing to do")
    if not actions:
        return Decision(rule.name, False, (), phase, f"{why}; the rule has no '{phase}' actions")
    return Decision(rule.name, True, actions, phase, why)


def _cron(rule: Rule, trigger: CronTrigger, t: datetime, last: datetime | None) -> Decision:
    tz = rule.timezone
    if not rule.enabled:
        return Decision(rule.name, False, (), None, "disabled (enabled: false)")
    if last is None:
        after = t - rule.catch_up - timedelta(microseconds=1)  # first run: look back only catch_up
    elif last >= t:
        return Decision(rule.name, False, (), None, f"already evaluated up to {wall_label(last, tz)}")
    else:
        after = max(last, t - MAX_LOOKBACK)
    found = occurrences(trigger.cron, tz, after, t)
    missed = tuple(o for o in found if t - o > rule.catch_up)
    pending = tuple(o for o in found if t - o <= rule.catch_up)
    late = (f"; {len(missed)} older than catch_up {format_duration(rule.catch_up)} "
            f"missed (first {wall_label(missed[0], tz)})" if missed else "")
    if not pending:
        if missed:
            return Decision(rule.name, False, (), None, f"no occurrence to run{late}", missed=missed)
        if last is None:  # a plan, or the dispatcher's first tick: say what was looked at, and when it fires next
            return Decision(rule.name, False, (), None, f"no occurrence of '{trigger.cron}' in the "
                            f"{format_duration(rule.catch_up)} before this tick (catch_up){_next(trigger, tz, t)}")
        return Decision(rule.name, False, (), None, f"no occurrence of '{trigger.cron}' since the last evaluation")
    if len(pending) == 1:
        why = f"'{trigger.cron}' occurred at {wall_label(pending[0], tz)}"
    else:
        why = (f"{len(pending)} occurrences of '{trigger.cron}' from {wall_label(pending[0], tz)} "
               f"to {wall_label(pending[-1], tz)} coalesced into one firing")
    if pending[-1] < t:
        why += f" (caught up {elapsed_words(t - pending[-1])} late)"
    return Decision(rule.name, True, rule.actions, None, why + late, occurrences=pending, missed=missed)


def _next(trigger: CronTrigger, tz: str, t: datetime) -> str:
    """"; next at ..." within 31 days (searched a day, then a week, then a month ahead), else nothing."""
    for ahead in (timedelta(days=1), timedelta(days=8), MAX_LOOKBACK):
        found = occurrences(trigger.cron, tz, t, t + ahead)
        if found:
            return f"; next at {wall_label(found[0], tz)} (in {elapsed_words(found[0] - t)})"
    return ""
