"""`shiftwork permissions PATH...`: the IAM actions the rule set needs (least privilege)."""
from __future__ import annotations

import json

from shiftwork.engine.language.loader import load
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.language.registry import Registry, registered


def required_permissions(ruleset: RuleSet, registry: Registry) -> list[str]:
    needed: set[str] = set()
    for rule in ruleset.rules:
        needed.update(registry.resources[rule.resource].permissions)
        for spec in rule.all_actions():
            needed.update(registry.actions[spec.type].permissions)
        if any(a.role for a in rule.accounts):
            needed.add("sts:AssumeRole")
    return sorted(needed)


def register(sub) -> None:
    p = sub.add_parser("permissions", help="print the IAM actions a rule set needs")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.add_argument("--format", choices=["text", "json"], default="text", help="one IAM action a line, or a JSON list")
    p.set_defaults(run=run)


def run(args) -> int:
    perms = required_permissions(load(args.paths), registered())
    print(json.dumps(perms, indent=2) if args.format == "json" else "\n".join(perms))
    return 0
