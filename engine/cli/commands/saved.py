"""`shiftwork saved PATH...`: every saved capacity across the fleet the rules reach, with its age.

A saved capacity is the size a scale-down remembered for its restore (the `shiftwork:saved-capacity`
tag). The rules say where to look: each `ecs.service` and `asg.group` rule's selection, in its regions
and accounts, read-only. An old entry is a service or group that was never restored; an unreadable one
is a tag that every scale and restore skips until someone fixes it.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any

from shiftwork.engine.errors import EXIT_FAILED, EXIT_OK

RESOURCE_TYPES = ("ecs.service", "asg.group")


def register(sub) -> None:
    p = sub.add_parser("saved", help="list the capacities saved by scale-downs across the fleet, with their age")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.add_argument("--region", help="region for rules that name none (default: your AWS config)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--endpoint-url", metavar="URL", help="an AWS emulator, e.g. http://127.0.0.1:5000")
    p.add_argument("--at", metavar="TIME", help="ages are computed at this instant (default: now)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="lines for people, or JSON")
    p.set_defaults(run=run)


def collect(ruleset: Any, clients: Any, default_region: str) -> tuple[list[dict[str, Any]], list[str]]:
    """One entry per tagged resource (deduplicated across rules), and the selection errors."""
    from shiftwork.engine.language.registry import registered
    from shiftwork.engine.plan.actions import PlanContext
    from shiftwork.engine.plan.capacity import SAVED_TAG, BadSavedCapacity, decode

    registry = registered()
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    errors: list[str] = []
    for rule in ruleset.rules:
        if rule.resource not in RESOURCE_TYPES:
            continue
        selector = registry.resources[rule.resource].selector()
        ctx = PlanContext(clients=clients, now=datetime.now(timezone.utc), ruleset=ruleset)
        for account in rule.accounts or (None,):
            for region in rule.regions or (default_region,):
                try:
                    resources = selector.select(ctx, rule, region, account)
                except Exception as exc:  # noqa: BLE001 (one unreachable location never hides the others)
                    errors.append(f"rule '{rule.name}': {region}{' ' + account.id if account else ''}: {exc}")
                    continue
                for res in resources:
                    text = res.tags.get(SAVED_TAG)
                    if text is None:
                        continue
                    entry = {"resource": res.id, "name": res.name, "type": res.type, "account": res.account,
                             "region": res.region, "tag": text, "rules": [rule.name]}
                    try:
                        cap = decode(text)
                        entry.update(saved=str(cap), saved_at=cap.at, saved_by=cap.rule)
                    except BadSavedCapacity as exc:
                        entry.update(saved=None, saved_at=None, saved_by=None, error=str(exc))
                    key = (res.account or "", res.region, res.id)
                    if key in found:
                        found[key]["rules"].append(rule.name)
                    else:
                        found[key] = entry
    return sorted(found.values(), key=lambda e: (e.get("saved_at") or "", e["resource"])), errors


def age(saved_at: str | None, now: datetime) -> str:
    if not saved_at:
        return "unknown"
    try:
        when = datetime.strptime(saved_at, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return "unknown"
    minutes = int((now - when).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    return f"{days}d {rest // 60}h" if days else f"{rest // 60}h {rest % 60}m"


def run(args) -> int:
    from shiftwork.engine.events.trigger import At
    from shiftwork.engine.execute.session import make_clients
    from shiftwork.engine.language.loader import load

    ruleset = load(args.paths)
    clients, region = make_clients(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url,
                                   read_only=True)
    now = At.parse(args.at).when if args.at else datetime.now(timezone.utc)
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    entries, errors = collect(ruleset, clients, region)
    for e in entries:
        e["age"] = age(e.get("saved_at"), now)
    if args.format == "json":
        sys.stdout.write(json.dumps({"saved": entries, "errors": errors}, indent=2) + "\n")
    else:
        for e in entries:
            where = f"{e['region']}" + (f" {e['account']}" if e["account"] else "")
            what = e["saved"] if e["saved"] else f"UNREADABLE: {e['error']}"
            by = f" by {e['saved_by']}" if e.get("saved_by") else ""
            sys.stdout.write(f"{e['type']} {e['name']} ({where}): {what}; saved {e['saved_at'] or '?'}{by}, "
                             f"{e['age']} ago\n")
        sys.stdout.write(f"{len(entries)} saved capacit{'y' if len(entries) == 1 else 'ies'}"
                         f"{'; ' + str(len(errors)) + ' location(s) could not be read' if errors else ''}\n")
        for err in errors:
            sys.stderr.write(f"shiftwork: error: {err}\n")
    return EXIT_FAILED if errors or any("error" in e for e in entries) else EXIT_OK
