"""`shiftwork plan PATH... --at TIME | --event FILE`: a dry run against AWS that cannot write."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from shiftwork.engine.cli import colour
from shiftwork.engine.errors import EXIT_FAILED, EXIT_LIMITED, EXIT_OK, UsageError
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.regions import unknown_region
from shiftwork.engine.execute.session import make_clients
from shiftwork.engine.language.suggest import did_you_mean


def add_common(p) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="TIME",
                      help="tick time: 2026-12-21T19:00 is each rule's local time; add Z or +01:00 for an instant; "
                      "'now' is the current minute")
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
    from shiftwork.engine.cli.local import add_state_options

    p = sub.add_parser("plan", help="dry-run the rules against AWS at a time or for an event (read-only)")
    add_common(p)
    add_state_options(p, run=False)
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


def evaluate(args, *, execute: bool) -> int:
    """Every rule through the dispatcher for the trigger: planned with read-only sessions, executed with `execute`."""
    from shiftwork.engine.execute.executor import DryRunExecutor, Executor
    from shiftwork.engine.cli.local import confirm, dispatch, state_for, warn_if_far
    from shiftwork.engine.cli.report import render_json, render_table

    ruleset = load(args.paths)
    check_rule_names(ruleset, args.rule)
    trigger = trigger_from(args)
    if args.region and (problem := unknown_region(args.region)):  # a warning: a region newer than botocore is real
        print(f"shiftwork: warning: --region {args.region}: {problem[0]}; {problem[1]}", file=sys.stderr)
    aws = {"profile": args.profile, "region": args.region, "endpoint_url": args.endpoint_url}
    clients, region = make_clients(**aws, read_only=True)
    render = render_json if args.format == "json" else render_table
    if execute and not args.no_state and (far := warn_if_far(trigger, ruleset)):  # no state: nothing recorded
        print(f"shiftwork: warning: {far}", file=sys.stderr)
    if execute and not args.yes and sys.stdin.isatty():
        dry = DryRunExecutor()
        preview = dispatch(ruleset, trigger, clients, region, dry, state_for(args, writing=False) if args.no_state
                           else _preview_state(args), only=args.rule)
        planned = sum(len(o.plan.changes) for o in preview if o.plan and not o.rule.shadow and not o.plan.limited)
        if planned:
            sys.stderr.write(render_table(preview, calls=dry.calls) + "\n")
            if not confirm(planned):
                print("shiftwork: nothing was changed", file=sys.stderr)
                return EXIT_FAILED
    # a plan goes to the dry-run executor, which batches like the live one and calls nothing
    executor = Executor(make_clients(**aws, read_only=False)[0], ruleset.accounts()) if execute else DryRunExecutor()
    outcomes = dispatch(ruleset, trigger, clients, region, executor, state_for(args, writing=execute), only=args.rule)
    out = render(outcomes, executed=execute, calls=executor.calls)
    if render is render_table and colour.enabled(sys.stdout):
        out = colour.colour_table(out)
    sys.stdout.write(out + "\n")
    limited = [o for o in outcomes if o.plan is not None and o.plan.limited]
    for o in limited:  # the table says it too; stderr is what a cron job's mail or a CI log shows first
        print(f"shiftwork: warning: rule '{o.rule.name}' stopped by limits: {o.plan.limited}", file=sys.stderr)
    code = exit_code(outcomes, args.fail_on)
    return EXIT_LIMITED if execute and limited and code == EXIT_OK else code


def _preview_state(args):
    """What `run` will see: its own state file, read only."""
    from shiftwork.engine.cli.local import DEFAULT_STATE
    from shiftwork.engine.dispatch.state import FileState, ReadOnlyState

    return ReadOnlyState(FileState(args.state or DEFAULT_STATE))
