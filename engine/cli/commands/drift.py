"""`shiftwork drift PATH... [--at TIME]`: resources not in the state their `during` rule wants (read-only)."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

from shiftwork.engine.cli.commands.overrides import add_read_options
from shiftwork.engine.errors import EXIT_FAILED, EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("drift", help="list resources whose state differs from what their 'during' rule wants now "
                                     "(read-only)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.add_argument("--at", metavar="TIME", help="as of this time: 2026-12-21T21:30 is each rule's local time; add Z "
                                                "or an offset for an instant (default: now)")
    add_read_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from shiftwork.engine.cli.commands.plan import check_rule_names
    from shiftwork.engine.events.trigger import At
    from shiftwork.engine.execute.session import make_clients
    from shiftwork.engine.language.loader import load
    from shiftwork.engine.language.model import WindowTrigger
    from shiftwork.engine.plan.actions import PlanContext
    from shiftwork.engine.plan.drift import drift_rule

    ruleset = load(args.paths)
    check_rule_names(ruleset, args.rule)
    at = At.parse(args.at) if args.at else At(datetime.now(timezone.utc))
    clients, region = make_clients(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url,
                                   read_only=True)
    reports = []
    for rule in ruleset.rules:
        if isinstance(rule.trigger, WindowTrigger) and (not args.rule or rule.name in args.rule):
            ctx = PlanContext(clients=clients, now=at.for_rule(rule), ruleset=ruleset)
            reports.append(drift_rule(ctx, rule, region))
    sys.stdout.write((render_json(reports) if args.format == "json" else render_table(reports)) + "\n")
    return EXIT_FAILED if any(r.errors for r in reports) else EXIT_OK


def _utc(t: datetime | None) -> str | None:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


def render_json(reports) -> str:
    rules = [{"rule": r.rule.name, "at": _utc(r.at), "phase": r.phase, "phase_since": _utc(r.phase_since),
              "wants": list(r.wants), "drifted": len(r.drifted), "instance_hours": round(r.instance_hours, 2),
              "resources": [{"type": d.resource.type, "id": d.resource.id, "name": d.resource.name,
                             "region": d.resource.region, "state": d.resource.state, "fix": list(d.fix),
                             "reason": d.reason, "since": _utc(d.since), "since_source": d.since_source,
                             "instance_hours": None if d.instance_hours is None else round(d.instance_hours, 2)}
                            for d in r.drifted],
              "overridden": r.held, "errors": r.errors} for r in reports]
    total = {"drifted": sum(len(r.drifted) for r in reports),
             "instance_hours": round(sum(r.instance_hours for r in reports), 2)}
    return json.dumps({"version": 1, "rules": rules, "totals": total}, indent=2)


def render_table(reports) -> str:
    from shiftwork.engine.plan.overrides import when
    from shiftwork.engine.language.durations import format_duration

    lines = []
    for r in reports:
        tz = r.rule.timezone
        head = f"rule {r.rule.name}: '{r.phase}' at {when(r.at, tz)}, wants {', '.join(r.wants) or 'nothing'}"
        lines.append(head + f": {len(r.drifted)} drifted" + (f", ~{r.instance_hours:.1f} instance-hours"
                                                            if r.instance_hours else ""))
        for d in r.drifted:
            out_for = format_duration(r.at - d.since)
            cost = f", ~{d.instance_hours:.1f} instance-hours" if d.instance_hours is not None else ""
            lines.append(f"  {d.resource.label} ({d.resource.region}) is {d.resource.state}: fix {', '.join(d.fix)}; "
                         f"out of state {out_for} (since {when(d.since, tz)}: {d.since_source}){cost}")
        lines.extend(f"  overridden, not drift: {h}" for h in r.held)
        lines.extend(f"  ERROR: {e}" for e in r.errors)
    drifted = sum(len(r.drifted) for r in reports)
    hours = sum(r.instance_hours for r in reports)
    lines.append(f"{drifted} resource{'' if drifted == 1 else 's'} drifted across {len(reports)} window rule"
                 f"{'' if len(reports) == 1 else 's'}" + (f", ~{hours:.1f} instance-hours" if hours else ""))
    return "\n".join(lines)
