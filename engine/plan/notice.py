"""The heads-up before a scheduled stop or scale-down: which resources will change, and how to keep each.

The firing is planned as it will be planned then (`now` = the firing's time, so an override that ends
before it does not count and one that lasts past it does), and only changes that stop or shrink
something are announced. The message is one SNS publish, a Change like any other write.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shiftwork.engine.language.model import ActionSpec, Rule, RuleSet
from shiftwork.engine.language.registry import registered
from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.plan.changes import Change
from shiftwork.engine.plan.override_targets import command_ref
from shiftwork.engine.plan.overrides import format_until, when
from shiftwork.engine.plan.planner import RulePlan, plan_rule
from shiftwork.engine.plan.resources import Resource
from shiftwork.engine.schedule.expiry import next_change
from shiftwork.engine.schedule.notice import Upcoming

STOP_CALLS = frozenset({"stop_instances", "stop_db_instance", "stop_db_cluster"})
MAX_LISTED = 100  # resources named in one message; the rest are counted
MAX_SUBJECT = 99  # SNS: ASCII, one line, fewer than 100 characters
FALLBACK_HOLD = timedelta(hours=12)  # the suggested override when the rule does not act again within 8 days


def lowers(change: Change) -> bool:
    """A change that stops or shrinks its resource (what a heads-up is for); tag writes never are."""
    if change.call in STOP_CALLS:
        return True
    data, p = change.resource.data, change.params
    if change.call == "update_auto_scaling_group":
        return p.get("DesiredCapacity", 0) < data.get("DesiredCapacity", 0) or p.get("MaxSize", 0) < data.get("MaxSize", 0)
    if change.call == "update_service":
        return p.get("desiredCount", 0) < data.get("desiredCount", 0)
    return False


@dataclass
class Notice:
    """One rule's heads-up for one firing: what will change, and the message (None when nothing will)."""

    rule: Rule
    upcoming: Upcoming
    plan: RulePlan
    changing: list[Resource] = field(default_factory=list)
    message: Change | None = None


def target_topic(rule: Rule, ruleset: RuleSet | None, specs: Sequence[ActionSpec]) -> tuple[str, str]:
    """(target name, topic ARN) of the first notify action in `specs`, else of the rule (validate requires one)."""
    for spec in (*specs, *rule.all_actions()):
        if spec.type == "notify":
            name = str(spec.options["target"])
            targets = ruleset.notify if ruleset is not None else {}
            if name not in targets:
                raise ValueError(f"rule '{rule.name}': notify target '{name}' is not defined under 'notify:'")
            return name, targets[name].sns
    raise ValueError(f"rule '{rule.name}' has no notify action to say where its messages go")


def plan_notice(ctx: PlanContext, rule: Rule, upcoming: Upcoming, default_region: str) -> Notice:
    """Plan the firing at its own time (reads only) and build the message about what it stops or shrinks."""
    registry = registered()
    acting = [s for s in upcoming.actions if s.type in registry.actions and not registry.actions[s.type].cls.summarises]
    at_then = dataclasses.replace(ctx, now=upcoming.at, phase=upcoming.phase, notes=[])
    plan = plan_rule(at_then, rule, acting, default_region)
    notice = Notice(rule, upcoming, plan)
    seen: dict[tuple[str, str, str], Resource] = {}
    for change in plan.changes:
        if lowers(change):
            seen.setdefault((change.resource.account or "", change.resource.region, change.resource.id), change.resource)
    notice.changing = list(seen.values())
    if notice.changing and not plan.limited:
        notice.message = message(ctx, rule, upcoming, plan, notice.changing)
    return notice


def keep_command(res: Resource, until: datetime) -> str:
    """The exact `shiftwork override` that keeps this resource running past the firing."""
    region = f" --region {res.region}" if res.type == "ec2.instance" else ""
    where = f"  # in account {res.account}: use a --profile for it" if res.account else ""
    return f"shiftwork override {command_ref(res)}{region} --until {format_until(until)} --keep running{where}"


def message(ctx: PlanContext, rule: Rule, upcoming: Upcoming, plan: RulePlan, changing: Sequence[Resource]) -> Change:
    name, topic = target_topic(rule, ctx.ruleset, upcoming.actions)
    at, tz = upcoming.at, rule.timezone
    until = next_change(rule, at) or at + FALLBACK_HOLD  # when the rule acts again: skip just this firing
    actions = ", ".join(s.type for s in plan.actions)
    lines = [f"shiftwork rule '{rule.name}' will stop or scale down {len(changing)} resource"
             f"{'' if len(changing) == 1 else 's'} at {when(at, tz)} ({actions}).",
             *([" ".join(rule.description.split())] if rule.description else []),
             "", "To keep one running, override it before then (needs tag permissions on it):"]
    reasons = {(c.resource.region, c.resource.id): c.reason for c in plan.changes if lowers(c)}
    for res in list(changing)[:MAX_LISTED]:
        lines += [f"  {res.label} ({res.region}): {reasons.get((res.region, res.id), '')}",
                  f"    {keep_command(res, until)}"]
    if len(changing) > MAX_LISTED:
        lines.append(f"  ... and {len(changing) - MAX_LISTED} more")
    if plan.overrides:
        lines += ["", "Already overridden, left alone:"] + [f"  {r.label}: {o.describe(tz)}" for r, o in plan.overrides]
    lines += ["", f"An override set before {when(at, tz)} is honoured then; `shiftwork overrides` lists them."]
    local = when(at, tz).split(" (")[0]
    subject = f"shiftwork: {rule.name} stops {len(changing)} at {local}"
    subject = "".join(ch if " " <= ch <= "~" else "?" for ch in subject)[:MAX_SUBJECT]
    topic_res = Resource("sns.topic", topic, topic.split(":")[3], name=name, arn=topic)
    return Change(rule.name, "notice", topic_res, "sns", "publish",
                  {"TopicArn": topic, "Subject": subject, "Message": "\n".join(lines) + "\n"},
                  f"heads-up to '{name}': {len(changing)} resource(s) change at {format_until(at)}")

