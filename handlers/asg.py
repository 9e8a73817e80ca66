"""Auto Scaling groups: scale min/desired/max and restore the saved size exactly."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shiftwork.engine.plan.actions import Action, PlanContext, Selector
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.language.model import Account, Match, Rule
from shiftwork.engine.language.registry import action, resource
from shiftwork.engine.plan.resources import Resource, name_matches, tags_match
from shiftwork.handlers.capacity import SAVED_TAG, BadSavedCapacity, Capacity, saved, scaled_count, should_save

SIZE = {"type": "integer", "minimum": 0}
GLOB_CHARS = "*?["


def is_glob(text: str) -> bool:
    """Auto Scaling filters match exact values only, so globs are checked client-side."""
    return any(ch in text for ch in GLOB_CHARS)


def group_filters(match: Match) -> list[dict[str, Any]]:
    """Filters Auto Scaling applies itself (exact values only); globs are checked client-side."""
    filters: list[dict[str, Any]] = []
    for key, values in match.tags.items():
        if values and not any(is_glob(v) for v in values):
            filters.append({"Name": f"tag:{key}", "Values": list(values)})
        else:
            filters.append({"Name": "tag-key", "Values": [key]})
    return filters


def current(res: Resource) -> Capacity:
    """The group's size as described at selection time."""
    d = res.data
    return Capacity(d["MinSize"], d["DesiredCapacity"], d["MaxSize"])


def to_resource(record: Mapping[str, Any], region: str, account: Account | None) -> Resource:
    """One DescribeAutoScalingGroups record as a Resource; the group name is the id writes take."""
    tags = {t["Key"]: t["Value"] for t in record.get("Tags") or ()}
    name = record["AutoScalingGroupName"]
    size = Capacity(record["MinSize"], record["DesiredCapacity"], record["MaxSize"])
    return Resource("asg.group", name, region, account.id if account else None, name=name,
                    arn=record.get("AutoScalingGroupARN"), state=record.get("Status") or str(size),
                    tags=tags, data=record)


@resource("asg.group", service="autoscaling", summary="Auto Scaling groups, selected by tags or names.",
          match=("tags", "names"), permissions=("autoscaling:DescribeAutoScalingGroups",))
class GroupSelector(Selector):
    resource_type = "asg.group"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        client = ctx.clients.client("autoscaling", region, account)
        kwargs: dict[str, Any] = {"PaginationConfig": {"PageSize": 100}}
        filters = group_filters(rule.match)
        if filters:
            kwargs["Filters"] = filters
        names = rule.match.names
        if names and not any(is_glob(n) for n in names):
            kwargs["AutoScalingGroupNames"] = list(names)
        found = []
        for page in client.get_paginator("describe_auto_scaling_groups").paginate(**kwargs):
            for record in page.get("AutoScalingGroups", ()):
                res = to_resource(record, region, account)
                if tags_match(res.tags, rule.match.tags) and name_matches(res.name, names):
                    found.append(res)
        return found


def target_size(now: Capacity, want: Mapping[str, int]) -> Capacity:
    """Apply the given fields; move unspecified ones only as far as min <= desired <= max requires.

    desired 0 alone lowers min to 0 and keeps max; max 0 alone brings desired and min down to 0;
    min 5 alone raises desired (and max) to at least 5. Given fields that contradict each other raise.
    """
    lo, ds, hi = want.get("min"), want.get("desired"), want.get("max")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"min {lo} is greater than max {hi}")
    if ds is not None and ((lo is not None and ds < lo) or (hi is not None and ds > hi)):
        raise ValueError(f"desired {ds} is outside min {lo if lo is not None else '-'} .. "
                         f"max {hi if hi is not None else '-'}")
    assert now.min is not None and now.max is not None
    new_hi = hi if hi is not None else max([now.max] + [v for v in (lo, ds) if v is not None])
    new_lo = lo if lo is not None else min([now.min] + [v for v in (ds, hi) if v is not None])
    new_ds = ds if ds is not None else min(max(now.desired, new_lo), new_hi)
    return Capacity(new_lo, new_ds, new_hi)


def idle_over_real(now: Capacity, kept: Capacity | None) -> bool:
    """A group running nothing (desired 0, whatever its max) never replaces a saved size that ran something."""
    return now.desired == 0 and kept is not None and kept.desired > 0


def _is_down(now: Capacity, goal: Capacity) -> bool:
    """A scale that lowers any bound is a scale-down: the size before it is worth saving."""
    return any(g < n for g, n in ((goal.min, now.min), (goal.desired, now.desired), (goal.max, now.max))
               if g is not None and n is not None)


def update(action: Action, res: Resource, size: Capacity, reason: str, before: Capacity) -> Change:
    return Change(action.rule.name, action.action_name, res, "autoscaling", "update_auto_scaling_group",
                  {"AutoScalingGroupName": res.id, "MinSize": size.min, "DesiredCapacity": size.desired,
                   "MaxSize": size.max}, reason, before=str(before), after=str(size))


def tag_ref(res: Resource) -> dict[str, Any]:
    """The saved-capacity tag of a group, as CreateOrUpdateTags/DeleteTags address it."""
    return {"ResourceId": res.id, "ResourceType": "auto-scaling-group", "Key": SAVED_TAG}


@action("asg.scale", resources=["asg.group"],
        permissions=["autoscaling:DescribeAutoScalingGroups", "autoscaling:UpdateAutoScalingGroup",
                     "autoscaling:CreateOrUpdateTags"],
        options={"min": SIZE, "max": SIZE, "desired": SIZE,
                 "add": {"type": "integer", "description": "Add (or with a negative number remove) instances."},
                 "multiply": {"type": "number", "exclusiveMinimum": 0,
                              "description": "Multiply the desired capacity."}})
class Scale(Action):
    """Set a group's min/desired/max (saving the previous size for asg.restore), or add to or multiply it.

    With add/multiply, min/max bound the new desired capacity; a relative step never saves or replaces
    the size asg.restore restores.

    Example::

        version: 1
        rules:
          - name: workers-off-at-night
            resource: asg.group
            match: {tags: {tier: worker}}
            during: {days: mon-fri, hours: "20:00-07:00"}
            actions:
              inside: [{type: asg.scale, min: 0, desired: 0, max: 0}]
              outside: [asg.restore]
    """

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        if "add" in self.options or "multiply" in self.options:
            return [self.step(res) for res in resources]
        want = {k: int(self.options[k]) for k in ("min", "desired", "max") if self.options.get(k) is not None}
        if not want:
            raise ValueError("asg.scale needs at least one of min, desired, max")
        out: list[Change | Skip | Finding] = []
        for res in resources:
            if res.data.get("Status"):
                out.append(Skip(self.rule.name, self.action_name, res, f"group status {res.data['Status']!r}"))
                continue
            now = current(res)
            try:
                goal = target_size(now, want)
            except ValueError as exc:
                out.append(Skip(self.rule.name, self.action_name, res, f"cannot scale: {exc}"))
                continue
            if goal == now:
                out.append(Skip(self.rule.name, self.action_name, res, f"already at {now}"))
                continue
            try:
                kept = saved(dict(res.tags))
            except BadSavedCapacity as exc:
                out.append(Skip(self.rule.name, self.action_name, res,
                                f"error: {exc}; not scaling, so the size it may hold is not overwritten"))
                continue
            if should_save(now, kept) and not idle_over_real(now, kept) and _is_down(now, goal):
                stamped = now.stamped(ctx.now, self.rule.name).encode()
                out.append(Change(self.rule.name, self.action_name, res, "autoscaling", "create_or_update_tags",
                                  {"Tags": [{**tag_ref(res), "Value": stamped, "PropagateAtLaunch": False}]},
                                  f"saving the current size ({now}) for asg.restore",
                                  before=res.tags.get(SAVED_TAG, ""), after=stamped))
            out.append(update(self, res, goal, f"scaling from {now} to {goal}", now))
        return out


    def step(self, res: Resource) -> Change | Skip:
        """add/multiply: the desired capacity moves, bounded by the options' min/max; the group's own min/max
        widen only as far as the new desired capacity needs. The target is absolute from here on."""
        if res.data.get("Status"):
            return Skip(self.rule.name, self.action_name, res, f"group status {res.data['Status']!r}")
        now = current(res)
        goal = target_size(now, {"desired": scaled_count(self.options, now.desired)})
        if goal == now:
            return Skip(self.rule.name, self.action_name, res, f"already at {now}")
        verb = f"add {self.options['add']}" if "add" in self.options else f"multiply by {self.options['multiply']}"
        return update(self, res, goal, f"{verb}: from {now} to {goal}", now)


@action("asg.restore", resources=["asg.group"],
        permissions=["autoscaling:DescribeAutoScalingGroups", "autoscaling:UpdateAutoScalingGroup",
                     "autoscaling:DeleteTags"])
class Restore(Action):
    """Restore the min/desired/max that asg.scale saved; groups with nothing saved are left alone.

    Example::

        version: 1
        rules:
          - name: workers-back-in-the-morning
            resource: asg.group
            match: {names: [batch-*]}
            on: {cron: "0 7 * * mon-fri"}
            actions: [asg.restore]
    """

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        out: list[Change | Skip | Finding] = []
        for res in resources:
            if res.data.get("Status"):
                out.append(Skip(self.rule.name, self.action_name, res, f"group status {res.data['Status']!r}"))
                continue
            try:
                goal = saved(dict(res.tags))
            except BadSavedCapacity as exc:
                out.append(Skip(self.rule.name, self.action_name, res, f"{exc}; not restoring a guessed size"))
                continue
            if goal is None:
                out.append(Skip(self.rule.name, self.action_name, res, f"no {SAVED_TAG} tag: nothing saved to restore"))
                continue
            if goal.min is None or goal.max is None:
                out.append(Skip(self.rule.name, self.action_name, res, f"{SAVED_TAG} tag {goal.encode()!r} lacks "
                                "min and max, which a group needs; not restoring a guessed size"))
                continue
            now = current(res)
            if now != goal:
                out.append(update(self, res, goal, f"restoring the saved size {goal}", now))
            reason = "restored; removing the saved size" if now != goal else \
                f"already at the saved size {goal}; removing the saved tag"
            out.append(Change(self.rule.name, self.action_name, res, "autoscaling", "delete_tags",
                              {"Tags": [tag_ref(res)]}, reason, before=goal.encode(), after=""))
        return out
