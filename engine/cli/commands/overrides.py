"""`shiftwork overrides PATH...`: the active and recently ended overrides in the rules' scope (read-only)."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

from shiftwork.engine.errors import EXIT_FAILED, EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("overrides", help="list active and recently ended overrides in the rules' scope (read-only)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.add_argument("--at", metavar="TIME", help="as of this instant (ISO, with Z or an offset; default: now)")
    p.add_argument("--recent", default="24h", metavar="DURATION",
                   help="also list overrides that ended this long ago (default 24h)")
    add_read_options(p)
    p.set_defaults(run=run)


def add_read_options(p) -> None:
    """The options of the read-only reports (overrides, drift): which rules, which AWS, which format."""
    p.add_argument("--rule", action="append", default=[], metavar="NAME", help="only this rule (repeatable)")
    p.add_argument("--region", help="region for rules that name none (default: your AWS config)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--endpoint-url", metavar="URL", help="an AWS emulator, e.g. http://127.0.0.1:5000")
    p.add_argument("--format", choices=["table", "json"], default="table", help="for people (default) or scripts")


def instant(text: str | None, option: str = "--at") -> datetime:
    """An aware instant from the command line, or now."""
    from shiftwork.engine.errors import UsageError
    from shiftwork.engine.plan.overrides import parse_time

    if text is None:
        return datetime.now(timezone.utc).replace(second=0, microsecond=0)
    found = parse_time(text)
    if found is None:
        raise UsageError(f"{option} {text!r} is not an instant; write e.g. 2026-12-21T21:30Z or 2026-12-21T21:30+00:00")
    return found


def run(args) -> int:
    from shiftwork.engine.cli.commands.plan import check_rule_names
    from shiftwork.engine.errors import UsageError
    from shiftwork.engine.execute.session import make_clients
    from shiftwork.engine.language.durations import parse_duration
    from shiftwork.engine.language.loader import load
    from shiftwork.engine.plan.actions import PlanContext
    from shiftwork.engine.plan.override_scan import scan
    from shiftwork.engine.plan.overrides import format_until, when

    ruleset = load(args.paths)
    check_rule_names(ruleset, args.rule)
    try:
        recent = parse_duration(args.recent)
    except ValueError as exc:
        raise UsageError(f"--recent: {exc}") from None
    now = instant(args.at)
    clients, region = make_clients(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url,
                                   read_only=True)
    held, errors = scan(PlanContext(clients=clients, now=now, ruleset=ruleset), ruleset, region, args.rule, recent)
    if args.format == "json":
        rows = [{"rule": h.rule, "resource": {"type": h.resource.type, "id": h.resource.id, "name": h.resource.name,
                                              "region": h.resource.region, "state": h.resource.state},
                 "until": format_until(h.override.until) if h.override.until else None, "active": h.active,
                 "keep": h.override.keep, "by": h.override.by or None, "reason": h.override.reason or None,
                 "tag": h.override.tag, "problem": h.override.problem or None, "then": h.then} for h in held]
        sys.stdout.write(json.dumps({"at": format_until(now), "overrides": rows, "errors": errors}, indent=2) + "\n")
    else:
        for h in held:
            o = h.override
            status = "ACTIVE" if h.active else "ended"
            until = when(o.until, h.timezone) if o.until else o.problem
            print(f"{h.resource.label} ({h.resource.type}, {h.resource.region}, {h.resource.state})  rule {h.rule}")
            print(f"  {status} until {until}" + (f", keep {o.keep}" if o.keep else ", holds it as it is"))
            print(f"  by {o.by or '(not recorded)'}: {o.reason or '(no reason given)'}")
            print(f"  then the rule {h.then}")
        for err in errors:
            print(f"ERROR: {err}")
        active = sum(h.active for h in held)
        print(f"{active} active, {len(held) - active} ended in the last {args.recent} (as of {format_until(now)})")
    return EXIT_FAILED if errors else EXIT_OK
