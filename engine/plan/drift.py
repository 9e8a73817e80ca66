"""Drift: resources not in the state their `during` rule wants now, for how long, and at what cost (reads only).

A resource drifts when planning the rule's current phase would change it (a tag write alone is
bookkeeping, not drift). How long: from the later of the phase's start and the moment AWS says the
resource last changed state (EC2 LaunchTime for a start, StateTransitionReason for a stop); where
AWS says nothing, from the phase's start, and the report says so.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from shiftwork.engine.language.model import Limits, Rule, WindowTrigger
from shiftwork.engine.language.registry import registered
from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.plan.changes import Change
from shiftwork.engine.plan.planner import plan_rule
from shiftwork.engine.plan.resources import Resource
from shiftwork.engine.schedule.windows import INSIDE, phase_at, transitions

BOOKKEEPING = frozenset({"create_tags", "delete_tags", "create_or_update_tags", "tag_resource", "untag_resource",
                         "add_tags_to_resource", "remove_tags_from_resource", "publish"})
PHASE_LOOKBACK = timedelta(days=31)
STOPPED_AT = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


@dataclass(frozen=True)
class Drifted:
    resource: Resource
    fix: tuple[str, ...]  # the calls that would put it right, e.g. ("ec2:StopInstances",)
    reason: str
    since: datetime
    since_source: str  # where `since` comes from: an AWS field, or the phase start
    instance_hours: float | None  # running when it should not be, EC2 only; else None


@dataclass
class RuleDrift:
    rule: Rule
    at: datetime
    phase: str
    phase_since: datetime | None
    wants: tuple[str, ...]
    drifted: list[Drifted] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # skipped (override, opt-out...): not drift, said why
    errors: list[str] = field(default_factory=list)

    @property
    def instance_hours(self) -> float:
        return sum(d.instance_hours or 0.0 for d in self.drifted)


def phase_start(rule: Rule, at: datetime) -> datetime | None:
    """When the current phase began (within 31 days), or None."""
    assert isinstance(rule.trigger, WindowTrigger)
    changes = transitions(rule.trigger, rule.timezone, at - PHASE_LOOKBACK, at)
    return changes[-1][0] if changes else None


def aws_since(res: Resource) -> tuple[datetime | None, str]:
    """When AWS says the resource entered its current state, and the field that says so."""
    data = res.data
    if res.type != "ec2.instance":
        return None, ""
    if res.state in ("running", "pending") and isinstance(data.get("LaunchTime"), datetime):
        return data["LaunchTime"].astimezone(timezone.utc), "EC2 LaunchTime"
    found = STOPPED_AT.search(str(data.get("StateTransitionReason") or ""))
    if res.state in ("stopped", "stopping") and found:
        return datetime.fromisoformat(found.group(1)).replace(tzinfo=timezone.utc), "EC2 StateTransitionReason"
    return None, ""


def drift_rule(ctx: PlanContext, rule: Rule, default_region: str) -> RuleDrift:
    """What differs from the rule's wanted state at ctx.now; only window rules want a state."""
    assert isinstance(rule.trigger, WindowTrigger)
    registry = registered()
    phase = phase_at(rule.trigger, rule.timezone, ctx.now)
    actions = [a for a in (rule.inside if phase == INSIDE else rule.outside)
               if a.type in registry.actions and not registry.actions[a.type].cls.summarises]
    began = phase_start(rule, ctx.now)
    report = RuleDrift(rule, ctx.now, phase, began, tuple(a.type for a in actions))
    if not actions or not rule.enabled:
        return report
    unlimited = dataclasses.replace(rule, limits=Limits())  # limits bound what a run changes, not what is seen
    plan = plan_rule(dataclasses.replace(ctx, phase=phase, notes=[]), unlimited, actions, default_region)
    report.errors = list(plan.errors)
    by_resource: dict[tuple[str, str, str], list[Change]] = {}
    for c in plan.changes:
        if c.call not in BOOKKEEPING:
            by_resource.setdefault((c.resource.account or "", c.resource.region, c.resource.id), []).append(c)
    for changes in by_resource.values():
        res = changes[0].resource
        since, source = aws_since(res)
        if began is not None and (since is None or since < began):
            since, source = began, f"the start of the '{phase}' phase"
        since = since or ctx.now
        running = res.type == "ec2.instance" and res.state in ("running", "pending")
        hours = (ctx.now - since).total_seconds() / 3600 if running else None
        report.drifted.append(Drifted(res, tuple(f"{c.service}:{c.operation}" for c in changes),
                                      "; ".join(c.reason for c in changes), since, source, hours))
    report.held = [f"{r.label}: {o.describe(rule.timezone)}" for r, o in plan.overrides]
    return report
