"""A small IAM evaluator and a call recorder: is every AWS call a rule makes allowed by the policy made for it?

The evaluator reads what the generated policies use: Allow statements, Action and Resource with IAM
wildcards (`*`, `?`; actions case-insensitive), and StringEquals / StringLike / Null on
`aws:ResourceTag/KEY`. Any other condition raises, so a policy that grows one is not silently misread.
Each call is mapped to the ARNs it targets, the way AWS authorizes it (per operation below); a call to
an action with no resource type (deploy/iam_actions.py) targets "*".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import boto3

from shiftwork.deploy.iam_actions import ACTS_ON_SELECTED, NEEDS_NO_PERMISSION, RESOURCE_TYPES
from shiftwork.engine.execute.aws import Clients


def wildcard(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def condition_holds(condition: dict[str, dict[str, Any]], tags: dict[str, str]) -> bool:
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            if not key.startswith("aws:ResourceTag/"):
                raise ValueError(f"the test evaluator does not know condition key {key}")
            actual = tags.get(key.split("/", 1)[1])
            if operator == "Null":
                if (actual is None) != (wanted == "true"):
                    return False
            elif operator == "StringEquals":
                if actual is None or actual not in listed(wanted):
                    return False
            elif operator == "StringLike":
                if actual is None or not any(wildcard(w, actual) for w in listed(wanted)):
                    return False
            else:
                raise ValueError(f"the test evaluator does not know condition operator {operator}")
    return True


def allows(policy: dict[str, Any], action: str, resource: str, tags: dict[str, str]) -> bool:
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        if not any(wildcard(a, action, ignore_case=True) for a in listed(statement["Action"])):
            continue
        if not any(wildcard(r, resource) for r in listed(statement["Resource"])):
            continue
        if condition_holds(statement.get("Condition", {}), tags):
            return True
    return False


@dataclass
class Call:
    """One AWS call as IAM sees it: which rule made it, the action, and each target ARN with its tags then."""

    rule: str
    action: str
    targets: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    member: str | None = None  # the member account whose role made the call; None: the dispatcher's own role


def uncovered(calls: list[Call], policy_for: Callable[[str, str | None], dict[str, Any]]) -> list[str]:
    """'rule: action on ARN' for every target that the policy of the rule and caller does not allow."""
    out = set()
    for call in calls:
        if call.action in NEEDS_NO_PERMISSION:
            continue
        policy = policy_for(call.rule, call.member)
        for arn, tags in call.targets:
            if not allows(policy, call.action, arn, tags):
                out.add(f"{call.rule}: {call.action} on {arn}")
    return sorted(out)


# --- which ARNs a call targets, per operation ---------------------------------------------------------

Targets = Callable[[dict, str, str, boto3.Session], list[str]]  # (params, region, account, session) -> ARNs


def _rds(kind: str, key: str) -> Targets:
    def arns(p: dict, region: str, account: str, session: boto3.Session) -> list[str]:
        return [f"arn:aws:rds:{region}:{account}:{kind}:{p.get(key) or '*'}"]
    return arns


def _ecs_services(p: dict, region: str, account: str, session: boto3.Session) -> list[str]:
    cluster = str(p.get("cluster") or "default").rsplit("/", 1)[-1]
    services = p.get("services") or [p.get("service")]
    return [s if s.startswith("arn:") else f"arn:aws:ecs:{region}:{account}:service/{cluster}/{s}" for s in services]


def _asg_arns(names: list[str], region: str, session: boto3.Session) -> list[str]:
    client = session.client("autoscaling", region_name=region)
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=names)["AutoScalingGroups"]
    return [g["AutoScalingGroupARN"] for g in groups]


TARGETS: dict[str, Targets] = {
    "ec2:StartInstances": lambda p, r, a, s: [f"arn:aws:ec2:{r}:{a}:instance/{i}" for i in p["InstanceIds"]],
    "ec2:StopInstances": lambda p, r, a, s: [f"arn:aws:ec2:{r}:{a}:instance/{i}" for i in p["InstanceIds"]],
    "rds:DescribeDBInstances": _rds("db", "DBInstanceIdentifier"),
    "rds:DescribeDBClusters": _rds("cluster", "DBClusterIdentifier"),
    "rds:DescribeDBSnapshots": _rds("db", "DBInstanceIdentifier"),
    "rds:DescribeDBClusterSnapshots": _rds("cluster", "DBClusterIdentifier"),
    "rds:StartDBInstance": _rds("db", "DBInstanceIdentifier"),
    "rds:StopDBInstance": _rds("db", "DBInstanceIdentifier"),
    "rds:StartDBCluster": _rds("cluster", "DBClusterIdentifier"),
    "rds:StopDBCluster": _rds("cluster", "DBClusterIdentifier"),
    "rds:ListTagsForResource": lambda p, r, a, s: [p["ResourceName"]],
    "ecs:DescribeServices": _ecs_services,
    "ecs:UpdateService": _ecs_services,
    "ecs:TagResource": lambda p, r, a, s: [p["resourceArn"]],
    "ecs:UntagResource": lambda p, r, a, s: [p["resourceArn"]],
    "ecs:ListTagsForResource": lambda p, r, a, s: [p["resourceArn"]],
    # the target's ARN ends in an id AWS assigns (not the service's), unknowable before the call
    "application-autoscaling:RegisterScalableTarget":
        lambda p, r, a, s: [f"arn:aws:application-autoscaling:{r}:{a}:scalable-target/*"],
    "autoscaling:UpdateAutoScalingGroup": lambda p, r, a, s: _asg_arns([p["AutoScalingGroupName"]], r, s),
    "autoscaling:CreateOrUpdateTags": lambda p, r, a, s: _asg_arns([t["ResourceId"] for t in p["Tags"]], r, s),
    "autoscaling:DeleteTags": lambda p, r, a, s: _asg_arns([t["ResourceId"] for t in p["Tags"]], r, s),
    "backup:DescribeRecoveryPoint": lambda p, r, a, s: [p["RecoveryPointArn"]],
    "dynamodb:DescribeTable": lambda p, r, a, s: [f"arn:aws:dynamodb:{r}:{a}:table/{p['TableName']}"],
    "dynamodb:ListTagsOfResource": lambda p, r, a, s: [p["ResourceArn"]],
    "elasticfilesystem:DescribeFileSystems":
        lambda p, r, a, s: [f"arn:aws:elasticfilesystem:{r}:{a}:file-system/{p.get('FileSystemId') or '*'}"],
    "sns:Publish": lambda p, r, a, s: [p["TopicArn"]],
    "sts:AssumeRole": lambda p, r, a, s: [p["RoleArn"]],
}
for _op in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"):
    TARGETS[f"dynamodb:{_op}"] = lambda p, r, a, s: [f"arn:aws:dynamodb:{r}:{a}:table/{p['TableName']}"]


def targets(action: str, params: dict[str, Any], region: str, account: str, session: boto3.Session) -> list[str]:
    if action in NEEDS_NO_PERMISSION:
        return []
    if action not in RESOURCE_TYPES:
        raise AssertionError(f"{action} is not in deploy/iam_actions.py: no policy can grant it")
    if not RESOURCE_TYPES[action]:
        return ["*"]
    if action not in TARGETS:
        raise AssertionError(f"the test does not know which ARN {action} targets: add it to TARGETS")
    return TARGETS[action](params, region, account, session)


def tags_of(arn: str, region: str, session: boto3.Session) -> dict[str, str]:
    """The target's tags at call time, read from moto (aws:ResourceTag is evaluated against them)."""
    service = arn.split(":")[2]
    if service == "ec2":
        found = session.client("ec2", region_name=region).describe_tags(
            Filters=[{"Name": "resource-id", "Values": [arn.rsplit("/", 1)[-1]]}])["Tags"]
    elif service == "rds":
        found = session.client("rds", region_name=region).list_tags_for_resource(ResourceName=arn)["TagList"]
    elif service == "ecs":
        found = [{"Key": t["key"], "Value": t.get("value", "")} for t in
                 session.client("ecs", region_name=region).list_tags_for_resource(resourceArn=arn)["tags"]]
    elif service == "autoscaling":
        name = arn.rsplit("autoScalingGroupName/", 1)[-1]
        found = session.client("autoscaling", region_name=region).describe_tags(
            Filters=[{"Name": "auto-scaling-group", "Values": [name]}])["Tags"]
    else:
        raise AssertionError(f"the test cannot read the tags of {arn}")
    return {t["Key"]: t.get("Value", "") for t in found}


@dataclass
class Log:
    """The calls recorded so far, and the rule running now (set by the test before each rule)."""

    rule: str = ""
    calls: list[Call] = field(default_factory=list)


class Recording(Clients):
    """A Clients factory that records each call of the current rule with its targets (and their tags)."""

    def __init__(self, log: Log, account: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.log = log
        self.hub_account = account

    def client(self, service: str, region: str, account: Any = None) -> Any:
        client = super().client(service, region, account)
        member = account.id if account is not None and account.role else None
        owner = account.id if account is not None else self.hub_account
        session = self.session_for(account)  # unhooked clients of the same credentials, to read targets

        def record(model: Any = None, params: Any = None, **_: Any) -> None:
            action = f"{model.service_model.signing_name}:{model.name}"
            call = Call(self.log.rule, action, member=member)
            for arn in targets(action, dict(params or {}), region, owner, session):
                call.targets.append((arn, tags_of(arn, region, session) if action in ACTS_ON_SELECTED else {}))
            self.log.calls.append(call)

        client.meta.events.register_first("before-parameter-build", record, unique_id=f"iam-check-{id(self)}")
        return client

    def session_for(self, account: Any) -> Any:
        """The dispatcher's own sts:AssumeRole into a member account, once per account."""
        if account is not None and account.role and account.id not in self._sessions:
            self.log.calls.append(Call(self.log.rule, "sts:AssumeRole", [(account.role, {})]))
        return super().session_for(account)
