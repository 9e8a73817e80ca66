"""ECS services: scale (through Application Auto Scaling when a target exists) and restore."""
from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from shiftwork.engine.plan.actions import Action, PlanContext, Selector
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.language.model import Account, Rule
from shiftwork.engine.language.registry import action, resource
from shiftwork.engine.plan.resources import Resource, opt_out, tags_match
from shiftwork.handlers.capacity import SAVED_TAG, BadSavedCapacity, Capacity, saved, scaled_count, should_save

DIMENSION = "ecs:service:DesiredCount"
PAGE = {"PageSize": 100}  # list_clusters / list_services return 10 per page unless asked for up to 100
DESCRIBE_BATCH = 10  # describe_services takes at most 10 services
TARGETS_BATCH = 50  # describe_scalable_targets takes at most 50 resource ids

Planned = list[Change | Skip | Finding]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _last(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _has_long_arn(service_arn: str) -> bool:
    """Only long-format service ARNs (service/<cluster>/<name>) can carry tags."""
    return service_arn.split(":", 5)[-1].count("/") == 2


def _account(rule: Rule, res: Resource) -> Account | None:
    return next((a for a in rule.accounts if a.id == res.account), None) if res.account else None


@resource("ecs.service", service="ecs", summary="ECS services in a cluster, selected by tags or names.",
          match=("cluster", "tags", "names"),
          permissions=("ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices", "ecs:ListTagsForResource"))
class ServiceSelector(Selector):
    """Lists services cluster by cluster, filters names on the ARN before describing, then matches tags."""

    resource_type = "ecs.service"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        ecs = ctx.clients.client("ecs", region, account)
        match = rule.match
        if match.cluster:
            clusters = [match.cluster]
        else:
            pages = ecs.get_paginator("list_clusters").paginate(PaginationConfig=PAGE)
            clusters = [arn for page in pages for arn in page["clusterArns"]]
        found: list[Resource] = []
        for cluster in clusters:
            try:
                pages = ecs.get_paginator("list_services").paginate(cluster=cluster, PaginationConfig=PAGE)
                arns = [arn for page in pages for arn in page["serviceArns"]]
            except ClientError as err:
                if err.response.get("Error", {}).get("Code") != "ClusterNotFoundException":
                    raise
                ctx.notes.append(f"rule '{rule.name}': no ECS cluster '{cluster}' in {region}; nothing selected there")
                continue
            if match.names:
                arns = [a for a in arns if any(fnmatch.fnmatchcase(_last(a), g) for g in match.names)]
            for batch in _chunks(arns, DESCRIBE_BATCH):
                page = ecs.describe_services(cluster=cluster, services=list(batch), include=["TAGS"])
                for svc in page["services"]:
                    tags = {t["key"]: t.get("value", "") for t in svc.get("tags") or []}
                    if svc.get("status") == "ACTIVE" and tags_match(tags, match.tags):
                        found.append(self._resource(svc, tags, region, account))
        return found

    @staticmethod
    def _resource(svc: Mapping[str, Any], tags: dict[str, str], region: str, account: Account | None) -> Resource:
        """data is the describe record without its event log (up to 100 messages nobody plans with)."""
        return Resource(
            type="ecs.service", id=svc["serviceArn"], region=region, account=account.id if account else None,
            name=svc["serviceName"], arn=svc["serviceArn"], state=svc.get("status"), tags=tags,
            data={k: v for k, v in svc.items() if k != "events"})


def target_id(res: Resource) -> str:
    """The Application Auto Scaling resource id of a service."""
    return f"service/{_last(res.data['clusterArn'])}/{res.name}"


def scalable_targets(ctx: PlanContext, rule: Rule, services: Sequence[Resource]) -> dict[str, dict[str, Any]]:
    """The autoscaling target of each service that has one, by service ARN; one read per 50 services."""
    groups: dict[tuple[str, str | None], list[Resource]] = {}
    for res in services:
        groups.setdefault((res.region, res.account), []).append(res)
    found: dict[str, dict[str, Any]] = {}
    for (region, _), members in groups.items():
        client = ctx.clients.client("application-autoscaling", region, _account(rule, members[0]))
        by_target = {target_id(r): r.id for r in members}
        for batch in _chunks(sorted(by_target), TARGETS_BATCH):
            pages = client.get_paginator("describe_scalable_targets").paginate(
                ServiceNamespace="ecs", ResourceIds=list(batch), ScalableDimension=DIMENSION)
            for page in pages:
                for target in page["ScalableTargets"]:
                    if target["ResourceId"] in by_target:
                        found[by_target[target["ResourceId"]]] = target
    return found


def current_capacity(res: Resource, target: Mapping[str, Any] | None) -> Capacity:
    desired = int(res.data.get("desiredCount", 0))
    if target is None:
        return Capacity(None, desired, None)
    return Capacity(int(target["MinCapacity"]), desired, int(target["MaxCapacity"]))


def scaled_capacity(current: Capacity, count: int) -> Capacity:
    """The capacity to set: through a target, the bound on the side we move pins the count so that
    autoscaling cannot undo it; zero pins both bounds (the service is off)."""
    if current.min is None or current.max is None:
        return Capacity(None, count, None)
    if count == 0:
        return Capacity(0, 0, 0)
    if count < current.desired:
        return Capacity(min(current.min, count), count, count)
    if count > current.desired:
        return Capacity(count, count, max(current.max, count))
    return Capacity(min(current.min, count), count, max(current.max, count))


def _is_down(before: Capacity, after: Capacity) -> bool:
    return after.desired < before.desired or (after.max is not None and before.max is not None
                                              and after.max < before.max)


class _ServiceAction(Action):
    """Shared plumbing: opt-out, daemon services, the autoscaling lookup, and the write records."""

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> Planned:
        self.now = ctx.now
        planned: Planned = []
        scalable = []
        for res in resources:
            reason = opt_out(res, ctx.now)
            if reason is None and res.data.get("schedulingStrategy") == "DAEMON":
                reason = "a DAEMON service runs one task per container instance; its count cannot be scaled"
            if reason:
                planned.append(self.skip(res, reason))
            else:
                scalable.append(res)
        targets = scalable_targets(ctx, self.rule, scalable) if scalable else {}
        for res in scalable:
            planned.extend(self.plan_service(res, targets.get(res.id)))
        return planned

    def plan_service(self, res: Resource, target: Mapping[str, Any] | None) -> Planned:
        raise NotImplementedError

    def skip(self, res: Resource, reason: str) -> Skip:
        return Skip(self.rule.name, self.action_name, res, reason)

    def change(self, res: Resource, service: str, call: str, params: dict[str, Any], reason: str,
               before: Capacity | None = None, after: Capacity | None = None) -> Change:
        return Change(self.rule.name, self.action_name, res, service, call, params, reason,
                      before=str(before) if before else "", after=str(after) if after else "")

    def writes(self, res: Resource, before: Capacity, after: Capacity, why: str) -> list[Change]:
        """register_scalable_target (bounds first, so autoscaling agrees), then update_service."""
        out = []
        if after.min is not None and after.max is not None and (after.min, after.max) != (before.min, before.max):
            out.append(self.change(
                res, "application-autoscaling", "register_scalable_target",
                {"ServiceNamespace": "ecs", "ResourceId": target_id(res), "ScalableDimension": DIMENSION,
                 "MinCapacity": after.min, "MaxCapacity": after.max},
                f"{why}: autoscaling bounds min {before.min} / max {before.max} -> min {after.min} / max {after.max}",
                before, after))
        if after.desired != before.desired:
            out.append(self.change(
                res, "ecs", "update_service",
                {"cluster": res.data["clusterArn"], "service": res.id, "desiredCount": after.desired},
                f"{why}: desired {before.desired} -> {after.desired}", before, after))
        return out


@action("ecs.scale", resources=["ecs.service"],
        permissions=["ecs:DescribeServices", "ecs:UpdateService", "ecs:TagResource",
                     "application-autoscaling:DescribeScalableTargets",
                     "application-autoscaling:RegisterScalableTarget"],
        options={"desired": {"type": "integer", "minimum": 0, "description": "Set this many tasks."},
                 "add": {"type": "integer", "description": "Add (or with a negative number remove) tasks."},
                 "multiply": {"type": "number", "exclusiveMinimum": 0, "description": "Multiply the task count."},
                 "min": {"type": "integer", "minimum": 0, "description": "Lower bound after add/multiply."},
                 "max": {"type": "integer", "minimum": 0, "description": "Upper bound after add/multiply."}})
class Scale(_ServiceAction):
    """Set, add to or multiply a service's task count; the previous size is saved for ecs.restore.

    Example::

        version: 1
        rules:
          - name: api-scale-out
            resource: ecs.service
            match: {cluster: web, names: [api]}
            on: {alarm: api-cpu-high, state: ALARM}
            cooldown: 5m
            actions: [{type: ecs.scale, add: 2, max: 20}]
    """

    def plan_service(self, res: Resource, target: Mapping[str, Any] | None) -> Planned:
        before = current_capacity(res, target)
        after = scaled_capacity(before, scaled_count(self.options, before.desired))
        if after == before:
            return [self.skip(res, f"already at {before}")]
        out: Planned = []
        if _is_down(before, after):
            save = self.save(res, before)
            if isinstance(save, Skip):
                return [save]
            out.extend([save] if save else [])
        return out + self.writes(res, before, after, "scale")

    def save(self, res: Resource, current: Capacity) -> Change | Skip | None:
        """The tag write that remembers `current` for ecs.restore; None when a size is already saved (the first
        scale-down of a cycle owns it), a Skip when the tag cannot be read (never scale over a lost size)."""
        try:
            already = saved(res.tags)
        except BadSavedCapacity as err:
            return self.skip(res, f"error: not scaling down: {err}; fix or remove the tag, nothing was changed")
        if not should_save(current, already):
            return None
        if not _has_long_arn(res.id):
            return self.skip(res, "cannot save the current size before scaling down: the service has an old-format "
                                  "ARN, which cannot carry tags; enable serviceLongArnFormat and recreate the service")
        stamped = current.stamped(self.now, self.rule.name)
        return self.change(res, "ecs", "tag_resource",
                           {"resourceArn": res.id, "tags": [{"key": SAVED_TAG, "value": stamped.encode()}]},
                           f"save {current} in tag {SAVED_TAG} for ecs.restore", current, current)


@action("ecs.restore", resources=["ecs.service"],
        permissions=["ecs:DescribeServices", "ecs:UpdateService", "ecs:UntagResource",
                     "application-autoscaling:DescribeScalableTargets",
                     "application-autoscaling:RegisterScalableTarget"])
class Restore(_ServiceAction):
    """Restore the task count (and autoscaling min/max) that ecs.scale saved.

    Example::

        version: 1
        rules:
          - name: batch-back-in-the-morning
            resource: ecs.service
            match: {cluster: batch}
            on: {cron: "0 7 * * mon-fri"}
            actions: [ecs.restore]
    """

    def plan_service(self, res: Resource, target: Mapping[str, Any] | None) -> Planned:
        try:
            wanted = saved(res.tags)
        except BadSavedCapacity as err:
            return [self.skip(res, f"error: cannot restore: {err}; fix or remove the tag, nothing was changed")]
        if wanted is None:
            return [self.skip(res, f"no {SAVED_TAG} tag: nothing saved to restore")]
        before = current_capacity(res, target)
        why = "restore"
        if target is None and wanted.min is not None:
            why = "restore (the saved autoscaling bounds are not restored: the service has no scalable target now)"
        after = Capacity(wanted.min if target else None, wanted.desired, wanted.max if target else None)
        if target is not None and wanted.min is None:
            after = Capacity(before.min, wanted.desired, before.max)
        writes = self.writes(res, before, after, why)
        done = f"restored {wanted}" if writes else f"already at the saved {wanted}"
        untag = self.change(res, "ecs", "untag_resource", {"resourceArn": res.id, "tagKeys": [SAVED_TAG]},
                            f"{done}: remove tag {SAVED_TAG}")  # the tag goes; the size is the writes' business
        return [*writes, untag]
