"""`shiftwork plan PATH... --at TIME | --event FILE`: a dry run against AWS that cannot write."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from shiftwork.engine.errors import EXIT_FAILED, UsageError
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.regions import unknown_region
from shiftwork.engine.execute.session import make_clients
from shiftwork.engine.language.suggest import did_you_mean


def add_common(p) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="TIME",
                      help="tick time: 2026-12-21T19:00 is each rule's local time; add Z or +01:00 for an instant")
    when.add_argument("--event", metavar="FILE", help="a JSON event (EventBridge, SNS, SQS, alarm action)")
    p.add_argument("--rule", action="append", default=[], metavar="NAME", help="only this rule (repeatable)")
    p.add_argument("--region", help="region for rules that name none (default: your AWS config)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--endpoint-url", metavar="URL", help="an AWS emulator, e.g. http://127.0.0.1:5000")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="a table per rule for people (default), or JSON for scripts")
    p.add_argument("--fail-on", choices=["errors", "findings"], default="errors",
                   help="exit 1 on errors, including checks that could not run (default), or also on failed checks")


def register(sub) -> None:
    p = sub.add_parser("plan", help="dry-run the rules against AWS at a time or for an event (read-only)")
    add_common(p)
    p.set_defaults(run=run)


def trigger_from(args):
    from shiftwork.engine.dispatch.runner import Trigger
    from shiftwork.engine.events.trigger import At

    if args.event:
        path = Path(args.event)
        if not path.is_file():
            raise UsageError(f"--event {args.event}: no such file")
        try:
            raw = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"--event {args.event}: not JSON ({exc})") from None
        if not isinstance(raw, dict):
            raise UsageError(f"--event {args.event}: an event is a JSON object ({{...}}), not a {_json_kind(raw)}")
        try:
            return Trigger.from_event(raw)
        except UsageError as exc:
            raise UsageError(f"--event {args.event}: {exc}") from None
    return Trigger(at=At.parse(args.at))


def _json_kind(value: object) -> str:
    return {list: "list", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


def check_rule_names(ruleset, names) -> None:
    known = [r.name for r in ruleset.rules]
    for name in names:  # worded as simulate words it
        if name not in known:
            raise UsageError(f"--rule: no rule named '{name}'" + (f"; {hint}" if (hint := did_you_mean(name, known))
                                                                  else f"; rules: {', '.join(known[:20])}"))


def exit_code(outcomes, fail_on: str) -> int:
    """1 when a rule failed or a check could not run (an error finding); with `findings`, also on a failed check."""
    from shiftwork.engine.plan.findings import exit_code_for
    from shiftwork.engine.cli.report import all_findings

    if any(o.failed for o in outcomes):
        return EXIT_FAILED
    return exit_code_for(all_findings(outcomes), fail_on)


def run(args) -> int:
    return evaluate(args, execute=False)


def is_schedule(outcome) -> bool:
    from shiftwork.engine.events.trigger import rule_pattern

    return rule_pattern(outcome.rule) is None


def schedule_summary(outcomes) -> str:
    """One line for the schedule and window rules an event never runs (`plan --at` plans them)."""
    if not outcomes:
        return ""
    names = [o.rule.name for o in outcomes]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return (f"{len(names)} schedule rule{'s' if len(names) != 1 else ''} not run by events "
            f"(plan {'them' if len(names) != 1 else 'it'} with --at): {shown}\n\n")


def evaluate(args, *, execute: bool) -> int:
    """Plan every rule for the trigger (read-only sessions); with `execute`, hand the changes to the executor."""
    from shiftwork.engine.execute.executor import DryRunExecutor, Executor
    from shiftwork.engine.cli.report import render_json, render_table
    from shiftwork.engine.dispatch.runner import run_rules

    ruleset = load(args.paths)
    check_rule_names(ruleset, args.rule)
    trigger = trigger_from(args)
    if args.region and (problem := unknown_region(args.region)):  # a warning: a region newer than botocore is real
        print(f"shiftwork: warning: --region {args.region}: {problem[0]}; {problem[1]}", file=sys.stderr)
    aws = {"profile": args.profile, "region": args.region, "endpoint_url": args.endpoint_url}
    clients, region = make_clients(**aws, read_only=True)
    # a plan goes to the dry-run executor, which batches like the live one and calls nothing
    executor = Executor(make_clients(**aws, read_only=False)[0], ruleset.accounts()) if execute else DryRunExecutor()
    outcomes = run_rules(ruleset, trigger, clients, region, only=args.rule, executor=executor)
    if args.format == "json":
        out = render_json(outcomes, executed=execute, calls=executor.calls)
    elif trigger.event is not None:  # every event rule with why it matched or not; schedule rules in one line
        out = render_table([o for o in outcomes if not is_schedule(o)], executed=execute, calls=executor.calls)
        out = schedule_summary([o for o in outcomes if is_schedule(o)]) + out
    else:
        out = render_table(outcomes, executed=execute, calls=executor.calls)
    sys.stdout.write(out + "\n")
    return exit_code(outcomes, args.fail_on)
