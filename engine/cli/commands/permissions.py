"""`shiftwork permissions PATH...`: the least-privilege IAM policy the rule set needs (or its bare action list)."""
from __future__ import annotations

import json
import sys

from shiftwork.deploy.policy import ACCOUNT_PLACEHOLDER, INLINE_ROLE_POLICY_CHARS, MANAGED_POLICY_CHARS, \
    REGION_PLACEHOLDER, Hub, hub_policy, member_policy, policy_actions, size
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.registry import registered

DEFAULTS = Hub()


def register(sub) -> None:
    p = sub.add_parser("permissions", help="print the IAM policy a rule set needs (least privilege)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.add_argument("--format", choices=["policy", "list"], default="policy",
                   help="an IAM policy document as JSON (default), or one IAM action a line")
    p.add_argument("--member", action="store_true",
                   help="the policy of the role in each member account (the rules' fleet actions there) instead "
                        "of the dispatcher's")
    p.add_argument("--account", metavar="ID",
                   help="the account of the dispatcher (with --member: of the member); default: the first account "
                        f"the rules reach without a role, else {ACCOUNT_PLACEHOLDER}")
    p.add_argument("--region", metavar="REGION",
                   help=f"the dispatcher's region; default: the rules' first region, else {REGION_PLACEHOLDER}")
    p.add_argument("--table", metavar="NAME", help=f"the state table (default {DEFAULTS.table})")
    p.add_argument("--queue", metavar="NAME", help=f"the fan-out queue (default {DEFAULTS.queue}); its dead-letter "
                                                   f"queue is NAME-dlq")
    p.add_argument("--function", metavar="NAME", help=f"the Lambda function, for its log group "
                                                      f"(default {DEFAULTS.function})")
    p.set_defaults(run=run)


def run(args) -> int:
    ruleset = load(args.paths)
    registry = registered()
    dlq = f"{args.queue}-dlq" if args.queue else None
    hub = Hub.for_rules(ruleset, account=args.account, region=args.region, table=args.table, queue=args.queue,
                        dlq=dlq, function=args.function)
    if args.member:
        policy = member_policy(ruleset, registry, args.account or ACCOUNT_PLACEHOLDER, hub.region)
    else:
        policy = hub_policy(ruleset, registry, hub)
    if args.format == "list":
        print("\n".join(policy_actions(policy)))
        return 0
    placeholders = [p for p in (ACCOUNT_PLACEHOLDER, REGION_PLACEHOLDER) if p in json.dumps(policy)]
    if placeholders:
        print(f"note: the policy names {' and '.join(placeholders)} (CloudFormation pseudo parameters, substituted "
              "by the template); pass --account/--region for literal ARNs", file=sys.stderr)
    if size(policy) > MANAGED_POLICY_CHARS:
        print(f"warning: the policy has {size(policy):,} characters without white space: more than a managed policy "
              f"holds ({MANAGED_POLICY_CHARS:,}); as a role's inline policy it fits up to "
              f"{INLINE_ROLE_POLICY_CHARS:,}", file=sys.stderr)
    print(json.dumps(policy, indent=2))
    return 0
