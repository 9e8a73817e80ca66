"""Which resources an event is about: what a `target: event` rule acts on.

An alarm names resources through its metrics' dimensions; service events name theirs in `detail`
(EC2 state changes, Auto Scaling, RDS) and in `resources` (ARNs). Each name is a small set of
identity fields that must all hold for one resource (an ECS service is its cluster and its name).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

Name = dict[str, str]  # identity fields of one resource: id, arn, name, cluster

# Alarm metric dimensions that name a resource of a type, as CloudWatch's AWS namespaces write them.
DIMENSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "ecs.service": (("ServiceName", "name"), ("ClusterName", "cluster")),
    "asg.group": (("AutoScalingGroupName", "id"),),
    "ec2.instance": (("InstanceId", "id"),),
    "rds.instance": (("DBInstanceIdentifier", "id"),),
    "rds.cluster": (("DBClusterIdentifier", "id"),),
}
ARN_SHAPES = {  # (service, resource prefix) of each type's ARN
    "ecs.service": ("ecs", "service/"), "asg.group": ("autoscaling", "autoScalingGroup:"),
    "ec2.instance": ("ec2", "instance/"), "rds.instance": ("rds", "db:"), "rds.cluster": ("rds", "cluster:"),
    "ebs.volume": ("ec2", "volume/"), "dynamodb.table": ("dynamodb", "table/"),
    "efs.filesystem": ("elasticfilesystem", "file-system/"),
}


def _metrics(event: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    detail = event.get("detail") if isinstance(event.get("detail"), Mapping) else {}
    config = detail.get("configuration") if isinstance(detail.get("configuration"), Mapping) else {}
    for metric in config.get("metrics") or []:
        stat = metric.get("metricStat") if isinstance(metric, Mapping) else None
        inner = stat.get("metric") if isinstance(stat, Mapping) else None
        if isinstance(inner, Mapping) and isinstance(inner.get("dimensions"), Mapping):
            yield inner["dimensions"]


def _from_alarm(event: Mapping[str, Any], rtype: str) -> list[Name]:
    wanted = DIMENSIONS.get(rtype, ())
    names = []
    for dims in _metrics(event):
        name = {field: str(dims[dim]) for dim, field in wanted if dim in dims}
        if wanted and len(name) == len(wanted):
            names.append(name)
    return names


def _from_detail(event: Mapping[str, Any], rtype: str) -> list[Name]:
    detail = event.get("detail") if isinstance(event.get("detail"), Mapping) else {}
    source = event.get("source")
    if rtype == "ec2.instance":
        found = detail.get("instance-id") if source == "aws.ec2" else detail.get("EC2InstanceId")
        return [{"id": found}] if isinstance(found, str) else []
    if rtype == "asg.group" and source == "aws.autoscaling" and isinstance(detail.get("AutoScalingGroupName"), str):
        return [{"id": detail["AutoScalingGroupName"]}]
    if source == "aws.rds" and isinstance(detail.get("SourceIdentifier"), str):
        kind = {"DB_INSTANCE": "rds.instance", "CLUSTER": "rds.cluster"}.get(detail.get("SourceType"))
        return [{"id": detail["SourceIdentifier"]}] if kind == rtype else []
    return []


def _from_arns(event: Mapping[str, Any], rtype: str) -> list[Name]:
    """`resources` ARNs; for AWS Backup jobs also the protected resource (detail.resourceArn)."""
    service, prefix = ARN_SHAPES.get(rtype, ("", "\0"))
    names = []
    arns = list(event.get("resources") or [])
    detail = event.get("detail") if isinstance(event.get("detail"), Mapping) else {}
    if event.get("source") == "aws.backup" and isinstance(detail.get("resourceArn"), str):
        arns.append(detail["resourceArn"])
    for arn in arns:
        parts = arn.split(":", 5) if isinstance(arn, str) else []
        if len(parts) == 6 and parts[2] == service and parts[5].startswith(prefix):
            rest = parts[5][len(prefix):]
            names.append({"arn": arn} if rtype == "ecs.service" else {"id": rest.rsplit("/", 1)[-1]})
    return names


def named_resources(event: Mapping[str, Any], rtype: str) -> list[Name]:
    """Every resource of type `rtype` the event names, without repeats."""
    found = _from_alarm(event, rtype) if event.get("source") == "aws.cloudwatch" else []
    found += _from_detail(event, rtype) + _from_arns(event, rtype)
    unique: list[Name] = []
    for name in found:
        if name not in unique:
            unique.append(name)
    return unique


def is_named(resource: Any, names: list[Name]) -> bool:
    """Whether a selected resource is one the event names (every identity field of one name holds)."""
    cluster = str(resource.data.get("clusterArn", "")).rsplit("/", 1)[-1] if resource.data else ""
    have = {"id": resource.id, "arn": resource.arn or resource.id, "name": resource.name, "cluster": cluster}
    return any(all(have.get(k) == v for k, v in name.items()) for name in names)
