"""What `shiftwork override` tags: resources named by id or ARN, and the tag writes for each service.

The writes are Change records like any plan's, so the one Executor performs them (batched for EC2,
one call per resource elsewhere), and a dry run could show them. Setting an override writes all four
override tags in one call (placeholders for what was not given), so a later override never inherits
a stale `keep` or reason from an earlier one; clearing removes them and the older skip-until tag.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shiftwork.engine.errors import UsageError
from shiftwork.engine.plan.changes import Change
from shiftwork.engine.plan.overrides import OVERRIDE_TAGS, UNTIL_TAG, override_tags
from shiftwork.engine.plan.resources import SKIP_UNTIL_TAG, Resource

EC2_ID = re.compile(r"^i-[0-9a-f]{8,17}$")
ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(?P<rest>.+)$")
EC2_BATCH = 1000  # CreateTags/DeleteTags take many resource ids; one call per 1,000 instances
FORMS = ("an EC2 instance id (i-...) or ARN", "an Auto Scaling group ARN", "an ECS service ARN "
         "(arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME)", "an RDS DB instance ARN (...:db:NAME)",
         "an Aurora cluster ARN (...:cluster:NAME)")


def parse_ref(text: str, default_region: str) -> Resource:
    """A resource as the override command names it; a UsageError says which forms are understood."""
    text = text.strip()
    if EC2_ID.match(text):
        return Resource("ec2.instance", text, default_region, name=text)
    found = ARN.match(text)
    if found:
        service, region, account, rest = found.group("service", "region", "account", "rest")
        got = _from_arn(service, rest)
        if got is not None:
            rtype, ident, name = got
            return Resource(rtype, ident or text, region, account, name=name, arn=text)
    raise UsageError(f"{text!r} is not a resource shiftwork can override; give {', '.join(FORMS[:-1])} "
                     f"or {FORMS[-1]}")


def _from_arn(service: str, rest: str) -> tuple[str, str, str] | None:
    """(resource type, the id the tag API takes, a short name), or None."""
    if service == "ec2" and rest.startswith("instance/") and EC2_ID.match(rest[9:]):
        return "ec2.instance", rest[9:], rest[9:]
    if service == "autoscaling" and rest.startswith("autoScalingGroup:") and ":autoScalingGroupName/" in rest:
        name = rest.split(":autoScalingGroupName/", 1)[1]
        return ("asg.group", name, name) if name else None
    if service == "ecs" and rest.startswith("service/") and rest.count("/") == 2:
        return "ecs.service", "", rest.rsplit("/", 1)[1]  # its id is the ARN itself, as the selector's
    if service == "rds" and (rest.startswith("db:") or rest.startswith("cluster:")):
        kind, name = rest.split(":", 1)
        return ("rds.instance" if kind == "db" else "rds.cluster"), name, name
    return None


def set_changes(targets: Sequence[Resource], until: datetime, keep: str | None, by: str, reason: str) -> list[Change]:
    """One tag write per resource (EC2: batched) recording the override."""
    tags = override_tags(until, keep, by, reason)
    why = f"override until {tags[UNTIL_TAG]}" + (f", keep {keep}" if keep else "")
    return [_tag_change(t, tags, why) for t in targets]


def clear_changes(targets: Sequence[Resource]) -> list[Change]:
    """One untag per resource (EC2: batched) removing the override and the older skip-until tag."""
    return [_untag_change(t, (*OVERRIDE_TAGS, SKIP_UNTIL_TAG)) for t in targets]


def _arn(res: Resource) -> str:
    return res.arn or res.id


def _change(res: Resource, action: str, service: str, call: str, params: dict[str, Any], reason: str,
            batch: bool = False) -> Change:
    return Change("override", action, res, service, call, params, reason,
                  batch_param="Resources" if batch else None, batch_size=EC2_BATCH if batch else 1)


def _tag_change(res: Resource, tags: dict[str, str], why: str) -> Change:
    if res.type == "ec2.instance":
        return _change(res, "override", "ec2", "create_tags", {"Resources": [res.id], "Tags": _kv(tags)}, why, True)
    if res.type == "asg.group":
        rows = [{"ResourceId": res.id, "ResourceType": "auto-scaling-group", "Key": k, "Value": v,
                 "PropagateAtLaunch": False} for k, v in tags.items()]
        return _change(res, "override", "autoscaling", "create_or_update_tags", {"Tags": rows}, why)
    if res.type == "ecs.service":
        return _change(res, "override", "ecs", "tag_resource",
                       {"resourceArn": _arn(res), "tags": [{"key": k, "value": v} for k, v in tags.items()]}, why)
    return _change(res, "override", "rds", "add_tags_to_resource", {"ResourceName": _arn(res), "Tags": _kv(tags)}, why)


def _untag_change(res: Resource, keys: Sequence[str]) -> Change:
    why = "clear the override"
    if res.type == "ec2.instance":
        return _change(res, "override.clear", "ec2", "delete_tags",
                       {"Resources": [res.id], "Tags": [{"Key": k} for k in keys]}, why, True)
    if res.type == "asg.group":
        rows = [{"ResourceId": res.id, "ResourceType": "auto-scaling-group", "Key": k} for k in keys]
        return _change(res, "override.clear", "autoscaling", "delete_tags", {"Tags": rows}, why)
    if res.type == "ecs.service":
        return _change(res, "override.clear", "ecs", "untag_resource", {"resourceArn": _arn(res), "tagKeys": list(keys)},
                       why)
    return _change(res, "override.clear", "rds", "remove_tags_from_resource",
                   {"ResourceName": _arn(res), "TagKeys": list(keys)}, why)


def _kv(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def command_ref(res: Resource) -> str:
    """How `shiftwork override` names this resource: the instance id for EC2, else the ARN."""
    return res.id if res.type == "ec2.instance" else (res.arn or res.id)


def missing(clients: Any, res: Resource) -> str | None:
    """Why the resource cannot be overridden (it does not exist), or None: a typo must not tag nothing silently."""
    from botocore.exceptions import ClientError

    try:
        if res.type == "ec2.instance":
            found = clients.client("ec2", res.region).describe_instances(InstanceIds=[res.id])["Reservations"]
        elif res.type == "asg.group":
            found = clients.client("autoscaling", res.region).describe_auto_scaling_groups(
                AutoScalingGroupNames=[res.id])["AutoScalingGroups"]
        elif res.type == "ecs.service":
            cluster = res.id.split(":", 5)[-1].split("/")[1]
            found = [s for s in clients.client("ecs", res.region).describe_services(
                cluster=cluster, services=[res.id])["services"] if s.get("status") != "INACTIVE"]
        elif res.type == "rds.instance":
            found = clients.client("rds", res.region).describe_db_instances(DBInstanceIdentifier=res.id)["DBInstances"]
        else:
            found = clients.client("rds", res.region).describe_db_clusters(DBClusterIdentifier=res.id)["DBClusters"]
    except ClientError as err:
        error = err.response.get("Error", {})
        if "NotFound" in error.get("Code", "") or "NotFound" in error.get("Message", ""):
            return f"no such {res.type} in {res.region} ({error.get('Code')})"
        raise
    return None if found else f"no such {res.type} in {res.region}"
