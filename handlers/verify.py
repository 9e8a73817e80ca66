"""Re-reads after an unknown outcome: is the resource already as the change wanted?

The executor calls these when a write timed out after it was sent, or AWS said the resource is in the
wrong state for the call; a resource found stopping after a timed-out stop is reported ok, not failed.
Each returns why the resource is as wanted (a short phrase), or None.
"""
from __future__ import annotations

from typing import Any

from shiftwork.engine.execute.executor import verifier
from shiftwork.engine.plan.changes import Change

EC2_TARGET = {"stop_instances": ("stopping", "stopped"), "start_instances": ("pending", "running")}
RDS_TARGET = {"stop": ("stopping", "stopped"), "start": ("starting", "available")}


def _ec2(call: str) -> None:
    @verifier("ec2", call)
    def check(client: Any, change: Change) -> str | None:
        (iid,) = change.params["InstanceIds"]
        pages = client.describe_instances(InstanceIds=[iid])["Reservations"]
        states = {i["State"]["Name"] for r in pages for i in r["Instances"]}
        return f"instance is {states.pop()}" if len(states) == 1 and states <= set(EC2_TARGET[call]) else None


for _call in EC2_TARGET:
    _ec2(_call)


def _rds(verb: str, kind: str) -> None:
    @verifier("rds", f"{verb}_db_{kind}")
    def check(client: Any, change: Change) -> str | None:
        if kind == "instance":
            record = client.describe_db_instances(DBInstanceIdentifier=change.params["DBInstanceIdentifier"])
            status = record["DBInstances"][0]["DBInstanceStatus"]
        else:
            record = client.describe_db_clusters(DBClusterIdentifier=change.params["DBClusterIdentifier"])
            status = record["DBClusters"][0]["Status"]
        return f"database is {status}" if status in RDS_TARGET[verb] else None


for _verb in RDS_TARGET:
    for _kind in ("instance", "cluster"):
        _rds(_verb, _kind)


@verifier("ecs", "update_service")
def _ecs_desired(client: Any, change: Change) -> str | None:
    p = change.params
    services = client.describe_services(cluster=p["cluster"], services=[p["service"]])["services"]
    return f"desired count is {p['desiredCount']}" if services and \
        services[0].get("desiredCount") == p["desiredCount"] else None


@verifier("autoscaling", "update_auto_scaling_group")
def _asg_size(client: Any, change: Change) -> str | None:
    p = change.params
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[p["AutoScalingGroupName"]])
    found = groups["AutoScalingGroups"]
    if found and (found[0]["MinSize"], found[0]["DesiredCapacity"], found[0]["MaxSize"]) == \
            (p["MinSize"], p["DesiredCapacity"], p["MaxSize"]):
        return f"size is min {p['MinSize']} / desired {p['DesiredCapacity']} / max {p['MaxSize']}"
    return None
