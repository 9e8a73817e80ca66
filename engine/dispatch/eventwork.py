"""Event rules, resource by resource: a cooldown per (rule, resource), and no resource acted on twice for one event.

Both are claim keys in the state store (its one atomic primitive): `cooldown#rule#resource` held for the
rule's cooldown, `done#event#rule#resource` held for two days. They are claimed before the writes and
released for a resource whose write failed, so a retried delivery acts only where the first attempt did
not (an `add: 2` is never added twice) and a second alarm inside the cooldown changes nothing and says so.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shiftwork.engine.dispatch.state import State
from shiftwork.engine.language.model import Rule
from shiftwork.engine.language.registry import registered
from shiftwork.engine.plan.changes import Change, Result, Skip
from shiftwork.engine.plan.planner import RulePlan

DONE_TTL = timedelta(days=2)


def resource_key(change: Change) -> str:
    res = change.resource
    return f"{res.account or '-'}/{res.region}/{res.id}"


@dataclass
class Held:
    """The keys claimed for one rule's run, by resource, so a failed resource's keys can be given back."""

    state: State
    keys: dict[str, list[str]] = field(default_factory=dict)

    def release_all(self) -> None:
        for keys in self.keys.values():
            for key in keys:
                self.state.release(key)

    def release_failed(self, results: Sequence[Result]) -> None:
        failed = {resource_key(r.change) for r in results if r.status == "failed"}
        for resource in failed:
            for key in self.keys.get(resource, ()):
                self.state.release(key)


def hold(state: State, rule: Rule, plan: RulePlan, t: datetime, event_id: str) -> Held:
    """Drop from `plan` the changes of resources already done for this event or in the rule's cooldown."""
    held = Held(state)
    actions = registered().actions
    decided: dict[str, str | None] = {}  # resource -> why not (None: go ahead)
    keep: list[Change] = []
    for change in plan.changes:
        kind = actions.get(change.action)
        if kind is not None and kind.cls.summarises:
            keep.append(change)  # a summary follows the others; it is about them, not a resource
            continue
        resource = resource_key(change)
        if resource not in decided:
            decided[resource] = _claim(state, rule, resource, t, event_id, held)
        why = decided[resource]
        if why is None:
            keep.append(change)
        else:
            plan.skips.append(Skip(rule.name, change.action, change.resource, why))
    plan.changes = keep
    return held


def _claim(state: State, rule: Rule, resource: str, t: datetime, event_id: str, held: Held) -> str | None:
    done = f"done#{event_id}#{rule.name}#{resource}"
    if not state.claim(done, t, DONE_TTL):
        return "already acted on for this event (an earlier delivery or attempt); not repeated"
    keys = [done]
    if rule.cooldown and rule.target == "event":
        cooling = f"cooldown#{rule.name}#{resource}"
        if not state.claim(cooling, t, rule.cooldown):
            state.release(done)
            return (f"in cooldown: the rule acted on this resource less than {_duration(rule.cooldown)} ago; "
                    "no change")
        keys.append(cooling)
    held.keys[resource] = keys
    return None


def _duration(d: timedelta) -> str:
    seconds = int(d.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
