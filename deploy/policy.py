"""The least-privilege IAM policy for one rule set: what the dispatcher's role (and each member role) needs.

Fleet permissions come from the registry, per resource type the rules use; each is scoped to the ARNs the
AWS Service Authorization Reference allows (`iam_actions`), in the rules' regions and accounts, with the
rules' tag conditions on calls that act on a selected resource (`scope`). The hub adds its own resources:
the state table, the fan-out queue and its DLQ, the notify topics, the member roles and its log group.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from shiftwork.engine.errors import ShiftworkError, UsageError
from shiftwork.engine.execute.aws import is_read_only
from shiftwork.engine.language.model import Account, Rule, RuleSet
from shiftwork.engine.language.registry import Registry

from . import scope
from .iam_actions import ACTS_ON_SELECTED, RESOURCE_TYPES, SAME_THING

VERSION = "2012-10-17"
ACCOUNT_PLACEHOLDER = "${AWS::AccountId}"  # CloudFormation pseudo parameters: a template wraps them in Fn::Sub
REGION_PLACEHOLDER = "${AWS::Region}"
NO_RESOURCE = ("*",)
# IAM quotas (IAM User Guide, "IAM and AWS STS quotas"), white space not counted: a managed policy holds at
# most 6,144 characters; the inline policies of one role at most 10,240 together.
MANAGED_POLICY_CHARS = 6144
INLINE_ROLE_POLICY_CHARS = 10240
STATE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                 "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem")  # engine/dispatch/dynamo_state
QUEUE_ACTIONS = ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                 "sqs:ChangeMessageVisibility")


class UnknownPermission(ShiftworkError):
    """A handler declares an IAM action that iam_actions does not describe yet."""


@dataclass(frozen=True)
class Hub:
    """Where the dispatcher runs and the names of its own resources."""

    account: str = ACCOUNT_PLACEHOLDER
    region: str = REGION_PLACEHOLDER
    table: str = "shiftwork-state"
    queue: str = "shiftwork-fanout"
    dlq: str = "shiftwork-fanout-dlq"
    function: str = "shiftwork"

    @classmethod
    def for_rules(cls, ruleset: RuleSet, **given: str | None) -> Hub:
        """Defaults: the first account the rules reach without a role (that is the hub's own), their first region."""
        own = next((a.id for r in ruleset.rules for a in r.accounts if not a.role), None)
        region = next((reg for r in ruleset.rules for reg in r.regions), None)
        hub = cls(account=own or ACCOUNT_PLACEHOLDER, region=region or REGION_PLACEHOLDER)
        return replace(hub, **{k: v for k, v in given.items() if v})


@dataclass(frozen=True)
class Grant:
    """One IAM action on some ARNs under one condition, and a label that becomes the statement's Sid."""

    action: str
    resources: tuple[str, ...]
    condition: str = "{}"  # scope.frozen() of the Condition block
    label: str = ""
    narrowed: bool = False  # by the rule's tags, ids or names: the Sid names the rule


def camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def rule_grants(rule: Rule, registry: Registry, accounts: Iterable[str], default_region: str) -> Iterator[Grant]:
    """What one rule needs in the given accounts: its selector's and its actions' declared permissions."""
    accounts = list(accounts)
    if not accounts:
        return
    regions = list(rule.regions) or [default_region]
    sources: list[tuple[tuple[str, ...], list[str]]] = [(registry.resources[rule.resource].permissions, regions)]
    for spec in rule.all_actions():
        if spec.type == "notify":
            continue  # published by the hub to the topic: see notify_topics
        extra = [r for r in spec.options.get("copy_regions") or () if r not in regions]
        sources.append((registry.actions[spec.type].permissions_for(rule.resource, spec.options), regions + extra))
    condition = scope.tag_condition(rule)
    for permissions, where in sources:
        for action in permissions:
            if rule.shadow and not is_read_only(action.split(":")[1]):
                continue  # a shadow rule plans (reads) and never executes
            yield from action_grants(action, rule, accounts, where, condition)


def action_grants(action: str, rule: Rule, accounts: Iterable[str], regions: list[str],
                  condition: dict[str, Any]) -> Iterator[Grant]:
    if action == "sts:GetCallerIdentity":
        return  # AWS answers it for any principal: no policy grants or denies it
    if action not in RESOURCE_TYPES:
        raise UnknownPermission(f"{action} (declared for {rule.resource}) is not in deploy/iam_actions.py: look up its "
                                "resource types in the AWS Service Authorization Reference and add it")
    service = action.split(":")[0]
    kinds = RESOURCE_TYPES[action]
    if not kinds:
        yield Grant(action, NO_RESOURCE, label=f"{camel(service)}NoResourceLevelPermissions")
        return
    kinds = tuple(k for k in kinds if k in SAME_THING.get(rule.resource, ())) or kinds
    acting = action in ACTS_ON_SELECTED
    narrowed = acting and (bool(condition) or scope.names(rule) != ["*"])
    own = rule.resource.split(".")[0] in (service, {"autoscaling": "asg"}.get(service))
    label = camel(rule.resource) if own else f"{camel(service)}For{camel(rule.resource)}"
    label += f"Rule{camel(rule.name)}" if narrowed else ""
    resources = tuple(a for account in accounts for region in regions
                      for a in scope.arns(kinds, rule, region, account, acting))
    yield Grant(action, resources, scope.frozen(condition if acting else {}), label, narrowed)


def statements(grants: Iterable[Grant]) -> list[dict[str, Any]]:
    """Grants as few statements as possible: one per (service, resources, condition), each with a unique Sid."""
    by_action: dict[tuple[str, str], Grant] = {}
    for g in grants:
        key = (g.action, g.condition)
        seen = by_action.get(key)
        if seen is None:
            by_action[key] = g
        elif seen.resources != NO_RESOURCE:
            merged = tuple(dict.fromkeys(seen.resources + g.resources))
            by_action[key] = replace(seen, resources=merged, label=min(seen.label, g.label))
    groups: dict[tuple[str, tuple[str, ...], str], list[Grant]] = {}
    for g in by_action.values():
        groups.setdefault((g.action.split(":")[0], tuple(sorted(g.resources)), g.condition), []).append(g)
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    for (service, resources, condition), members in sorted(groups.items(),
                                                           key=lambda kv: min(m.label for m in kv[1])):
        actions = sorted({m.action for m in members})
        label = min(m.label for m in members)
        if len(actions) == 1 and resources != NO_RESOURCE and not any(m.narrowed for m in members):
            label = camel(service) + actions[0].split(":")[1]  # e.g. RdsDescribeDBClusters
        statement: dict[str, Any] = {"Sid": unique(label, used), "Effect": "Allow", "Action": actions,
                                     "Resource": list(resources) if len(resources) > 1 else resources[0]}
        if json.loads(condition):
            statement["Condition"] = json.loads(condition)
        out.append(statement)
    return out


def unique(sid: str, used: set[str]) -> str:
    n, candidate = 1, sid
    while candidate in used:
        n += 1
        candidate = f"{sid}{n}"
    used.add(candidate)
    return candidate


def hub_accounts(rule: Rule, hub: Hub) -> list[str]:
    """Accounts the hub acts in with its own credentials: the rule's accounts without a role, or its own."""
    if not rule.accounts:
        return [hub.account]
    return [a.id for a in rule.accounts if not a.role]


def member_roles(rules: Iterable[Rule]) -> list[Account]:
    return sorted({a.role: a for r in rules for a in r.accounts if a.role}.values(), key=lambda a: a.role or "")


def running(ruleset: RuleSet) -> list[Rule]:
    """The rules that can run: a disabled rule never plans, so it needs nothing."""
    return [r for r in ruleset.rules if r.enabled]


def notify_topics(ruleset: RuleSet) -> list[str]:
    """The SNS topics the rules' notify actions (and `notify:` options, which become them) publish to."""
    targets = {s.options.get("target") for r in running(ruleset) if not r.shadow
               for s in r.all_actions() if s.type == "notify"}
    return sorted(ruleset.notify[t].sns for t in targets if t in ruleset.notify)


def hub_statements(ruleset: RuleSet, hub: Hub) -> list[dict[str, Any]]:
    """The dispatcher's own resources: state, queue, topics, member roles, logs."""
    def arn(kind: str, name: str) -> str:
        return scope.arn(kind, hub.region, hub.account, name)

    log_group = f"/aws/lambda/{hub.function}"
    out = [
        {"Sid": "StateTable", "Effect": "Allow", "Action": list(STATE_ACTIONS), "Resource": arn("table", hub.table)},
        {"Sid": "FanOutQueueAndDeadLetterQueue", "Effect": "Allow", "Action": list(QUEUE_ACTIONS),
         "Resource": [arn("queue", hub.queue), arn("queue", hub.dlq)]},
        {"Sid": "FunctionLogGroup", "Effect": "Allow", "Action": ["logs:CreateLogGroup"],
         "Resource": arn("log-group", log_group)},
        {"Sid": "FunctionLogStreams", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": arn("log-stream", log_group)},
    ]
    topics = notify_topics(ruleset)
    if topics:
        out.append({"Sid": "NotifyTopics", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": topics})
    roles = [a.role for a in member_roles(running(ruleset))]
    if roles:
        out.append({"Sid": "AssumeMemberRoles", "Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": roles})
    return out


def hub_policy(ruleset: RuleSet, registry: Registry, hub: Hub) -> dict[str, Any]:
    """The dispatcher function's role: its own resources, and the fleet in accounts it reaches without a role."""
    grants = [g for r in running(ruleset) for g in rule_grants(r, registry, hub_accounts(r, hub), hub.region)]
    return {"Version": VERSION, "Statement": hub_statements(ruleset, hub) + statements(grants)}


def member_policy(ruleset: RuleSet, registry: Registry, account: str = ACCOUNT_PLACEHOLDER,
                  region: str = REGION_PLACEHOLDER) -> dict[str, Any]:
    """The role in each member account: only the fleet actions of the rules that assume a role, in that account."""
    members = [r for r in running(ruleset) if any(a.role for a in r.accounts)]
    if not members:
        raise UsageError("no rule reaches a member account (an account with a `role`): there is no member policy; "
                         "the dispatcher's own policy (without --member) covers every rule")
    grants = [g for r in members for g in rule_grants(r, registry, [account], region)]
    return {"Version": VERSION, "Statement": statements(grants)}


def for_template(value: Any) -> Any:
    """The policy inside a CloudFormation template: each string naming ${AWS::...} becomes {"Fn::Sub": it}."""
    if isinstance(value, dict):
        return {k: for_template(v) for k, v in value.items()}
    if isinstance(value, list):
        return [for_template(v) for v in value]
    if isinstance(value, str) and "${AWS::" in value:
        return {"Fn::Sub": value}
    return value


def size(policy: dict[str, Any]) -> int:
    """The characters IAM counts against its quotas (white space is not counted)."""
    return len(json.dumps(policy, separators=(",", ":")))


def policy_actions(policy: dict[str, Any]) -> list[str]:
    """Every IAM action a policy allows, sorted: `--format list`."""
    found: set[str] = set()
    for statement in policy["Statement"]:
        actions = statement["Action"]
        found.update([actions] if isinstance(actions, str) else actions)
    return sorted(found)
