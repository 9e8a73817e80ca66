"""How far one rule reaches, in IAM terms: the ARNs of what it selects and the tag condition on them.

A rule that selects by tags gets an `aws:ResourceTag/KEY` condition on the calls that act on one selected
resource; a rule that selects by ids or names gets those in the ARN where the ARN carries them. Anything
the IAM language cannot say exactly (a `[...]` glob) is left wider, never narrower: the policy must allow
every call the rule makes.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

from shiftwork.engine.language.model import Match, Rule
from shiftwork.handlers.storage import partition_of

from .iam_actions import ARNS

NAME_IS_TAG = frozenset({"ec2.instance", "ebs.volume", "efs.filesystem"})  # `names` match the Name tag


def iam_glob(pattern: str) -> bool:
    """True when a shell glob means the same as an IAM wildcard pattern (only * and ?)."""
    return "[" not in pattern


def last_part(ident: str) -> str:
    """An id given as an ARN (arn:aws:rds:...:db:name, .../cluster/name) by its last part."""
    return ident.replace("/", ":").rsplit(":", 1)[-1] if ident.startswith("arn:") else ident


def names(rule: Rule) -> list[str]:
    """The name part of the ARNs a rule's resources can have, or ["*"]."""
    match = rule.match
    if match.ids and rule.resource != "ecs.service":
        return sorted({last_part(i) for i in match.ids})
    if match.names and rule.resource not in NAME_IS_TAG and all(iam_glob(n) for n in match.names):
        return sorted(set(match.names))
    return ["*"]


def cluster(match: Match) -> str:
    return last_part(match.cluster) if match.cluster else "*"


def arn(kind: str, region: str, account: str, name: str = "*", cluster_name: str = "*") -> str:
    return ARNS[kind].format(partition=partition_of(region), region=region, account=account, name=name,
                             cluster=cluster_name)


def arns(kinds: tuple[str, ...], rule: Rule, region: str, account: str, acting: bool) -> list[str]:
    """The ARN patterns of each resource type; names narrow only calls that act on a selected resource."""
    wanted = names(rule) if acting else ["*"]
    return [arn(kind, region, account, name, cluster(rule.match)) for kind in kinds for name in wanted]


def tag_condition(rule: Rule) -> dict[str, Any]:
    """The IAM condition that holds for exactly the tags a rule selects by (wider where IAM cannot say it)."""
    wanted: dict[str, tuple[str, ...]] = dict(rule.match.tags)
    if rule.resource in NAME_IS_TAG and rule.match.names:
        wanted["Name"] = tuple(rule.match.names)
    equals: dict[str, Any] = {}
    like: dict[str, Any] = {}
    present: dict[str, str] = {}
    for key, values in sorted(wanted.items()):
        condition_key = f"aws:ResourceTag/{key}"
        if not values:
            present[condition_key] = "false"
        elif not all(iam_glob(v) for v in values):
            present[condition_key] = "false"  # a [...] glob: the key must be there, any value
        elif any("*" in v or "?" in v for v in values):
            like[condition_key] = one_or_list(values)
        else:
            equals[condition_key] = one_or_list(values)
    return {op: keys for op, keys in (("StringEquals", equals), ("StringLike", like), ("Null", present)) if keys}


def one_or_list(values: tuple[str, ...]) -> str | list[str]:
    unique = sorted(set(values))
    return unique[0] if len(unique) == 1 else unique


def frozen(condition: Mapping[str, Any]) -> str:
    """A condition as a hashable key (for grouping grants into statements)."""
    return json.dumps(condition, sort_keys=True)
