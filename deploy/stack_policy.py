"""The rules' IAM policy as the stack's function role holds it: one copy, computed by deploy.policy.

The template grants the dispatcher's own resources itself (state table, queues, log group, by
GetAtt, since CloudFormation names them), so those statements of the hub policy are left out here,
and `${AWS::AccountId}`/`${AWS::Region}` become Fn::Sub so the stack fills them in; in those ARNs the
partition is `${AWS::Partition}` too, so the template also deploys in aws-cn and aws-us-gov.
"""
from __future__ import annotations

from typing import Any

from shiftwork.engine.errors import UsageError
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.language.registry import Registry

from .member import build_member_template
from .policy import VERSION, Hub, for_template, hub_policy, member_policy

# deploy.policy.hub_statements' Sids for what core.role grants on the stack's own resources.
TEMPLATE_OWNS = ("StateTable", "FanOutQueueAndDeadLetterQueue", "FunctionLogGroup", "FunctionLogStreams")


def stack_policy(ruleset: RuleSet, registry: Registry) -> dict[str, Any]:
    """The `rules` policy of the function role: fleet, notify topics and member roles, in CloudFormation form."""
    statements = hub_policy(ruleset, registry, Hub())["Statement"]
    missing = set(TEMPLATE_OWNS) - {s.get("Sid") for s in statements}
    if missing:  # deploy.policy renamed them: the role would hold two grants of the same resources
        raise RuntimeError(f"deploy.policy no longer names {sorted(missing)}; update TEMPLATE_OWNS")
    kept = [s for s in statements if s["Sid"] not in TEMPLATE_OWNS]
    return for_template(_partition({"Version": VERSION, "Statement": kept}))


def _partition(value: Any) -> Any:
    """`arn:aws:` as `arn:${AWS::Partition}:` in ARNs that name a pseudo parameter already."""
    if isinstance(value, dict):
        return {k: _partition(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_partition(v) for v in value]
    if isinstance(value, str) and value.startswith("arn:aws:") and "${AWS::" in value:
        return "arn:${AWS::Partition}:" + value[len("arn:aws:"):]
    return value


def member_stack(ruleset: RuleSet, registry: Registry) -> dict[str, Any]:
    """The member-account template for a StackSet: the rules' one member role name and external id, their policy."""
    roles = {(a.role, a.external_id) for r in ruleset.rules if r.enabled for a in r.accounts if a.role}
    policy = member_policy(ruleset, registry)  # a UsageError when no rule reaches a member account
    names = sorted({role.rsplit("/", 1)[-1] for role, _ in roles})
    ids = sorted({external_id or "" for _, external_id in roles})
    if len(names) != 1 or len(ids) != 1:
        raise UsageError(f"one StackSet gives every member account the same role; the rules name roles {names} with "
                         f"external ids {ids}: use one role name and one external_id in accounts[]")
    if not ids[0]:
        raise UsageError("the rules' member accounts have no external_id: set accounts[].external_id, which the "
                         "member role requires of the hub (a role trusted without it is open to a confused deputy)")
    return build_member_template("HubRoleArn", ids[0], for_template(_partition(policy)), role_name=names[0])
