"""`shiftwork run PATH... --at TIME | --event FILE`: plan, then execute against AWS (writes!)."""
from __future__ import annotations

import sys

from engine.commands.plan import add_common, check_rule_names, exit_code, trigger_from
from engine.loader import load
from engine.session import make_clients


def register(sub) -> None:
    p = sub.add_parser("run", help="evaluate the rules and EXECUTE the changes (what the Lambda does on a tick)")
    add_common(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from engine.executor import Executor
    from engine.report import render_json, render_table
    from engine.runner import run_rules

    ruleset = load(args.paths)
    check_rule_names(ruleset, args.rule)
    trigger = trigger_from(args)
    planning, region = make_clients(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url,
                                    read_only=True)
    writing, _ = make_clients(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url,
                              read_only=False)
    outcomes = run_rules(ruleset, trigger, planning, region, only=args.rule, executor=Executor(writing, ruleset.accounts()))
    out = render_json(outcomes) if args.format == "json" else render_table(outcomes, executed=True)
    sys.stdout.write(out + "\n")
    return exit_code(outcomes, args.fail_on)
