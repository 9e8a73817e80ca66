"""Render rule outcomes for people (a table per rule, then totals) and for scripts (JSON)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from engine.changes import Change, Finding, Result, Skip
from engine.findings import detail as finding_detail
from engine.findings import table as findings_table
from engine.runner import RuleOutcome


def _trigger_line(o: RuleOutcome) -> str:
    local = o.at.astimezone(__import__("zoneinfo").ZoneInfo(o.rule.timezone))
    when = f"{local:%a %Y-%m-%d %H:%M} {o.rule.timezone} ({o.at:%H:%M}Z)"
    verdict = "FIRES" if o.decision.fires else "does not fire"
    return f"  at {when}: {verdict}: {o.decision.reason}"


def _result_for(results: Sequence[Result], change: Change) -> str:
    for r in results:
        if r.change is change or r.change == change:
            return f" -> {r.status}" + (f": {r.reason}" if r.reason and r.status != "ok" else "")
    return ""


def render_table(outcomes: Sequence[RuleOutcome], *, executed: bool = False) -> str:
    lines: list[str] = []
    totals = {"fired": 0, "changes": 0, "skips": 0, "findings": 0, "errors": 0, "failed": 0}
    for o in outcomes:
        rule = o.rule
        flags = "".join(f" [{f}]" for f, on in (("shadow", rule.shadow), ("disabled", not rule.enabled)) if on)
        lines.append(f"rule {rule.name}{flags}  ({rule.resource}, {rule.loc})")
        lines.append(_trigger_line(o))
        if o.decision.missed:
            lines.append(f"  missed (older than catch_up): {', '.join(f'{m:%Y-%m-%d %H:%M}Z' for m in o.decision.missed)}")
        if o.decision.fires:
            totals["fired"] += 1
            lines.append(f"  actions: {', '.join(a.type for a in o.decision.actions) or '(none)'}")
        if o.error:
            totals["errors"] += 1
            lines.append(f"  ERROR: {o.error}")
        plan = o.plan
        if plan is not None:
            regions = sorted({r.region for r in plan.resources})
            lines.append(f"  selected: {len(plan.resources)} resource{'s' if len(plan.resources) != 1 else ''}"
                         + (f" in {', '.join(regions)}" if regions else ""))
            if plan.limited:
                lines.append(f"  LIMIT: {plan.limited}")
            for change in plan.changes:
                totals["changes"] += 1
                arrow = f"  {change.before} -> {change.after}" if change.before or change.after else ""
                lines.append(f"  change  {change.resource.label}  {change.service}:{change.operation}"
                             f"{arrow}  ({change.reason}){_result_for(o.results, change) if executed else ''}")
            for skip in plan.skips:
                totals["skips"] += 1
                lines.append(f"  skip    {skip.resource.label}  {skip.action}: {skip.reason}")
            for f in plan.findings:
                totals["findings"] += 1
                check = f"{f.check}: " if f.check and f.check != "all" else ""
                lines.append(f"  {f.status.upper():6}  {f.resource.label}  {f.action}: {check}{finding_detail(f)}")
            for err in plan.errors:
                totals["errors"] += 1
                lines.append(f"  ERROR: {err}")
        totals["failed"] += sum(1 for r in o.results if r.status == "failed")
        lines.append("")
    findings = all_findings(outcomes)
    if findings:
        lines.extend(["backup findings:", findings_table(findings)])
    verb = "made" if executed else "planned"
    lines.append(f"{len(outcomes)} rules evaluated, {totals['fired']} fired; {totals['changes']} changes {verb}, "
                 f"{totals['skips']} skipped, {totals['findings']} findings, {totals['errors']} errors"
                 + (f", {totals['failed']} failed" if executed else ""))
    if not executed:
        lines.append("dry run: nothing was changed (plans may read AWS but never write)")
    return "\n".join(lines)


def _resource(r: Any) -> dict[str, Any]:
    return {"type": r.type, "id": r.id, "name": r.name, "region": r.region, "account": r.account, "state": r.state}


def outcome_json(o: RuleOutcome) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": o.rule.name, "location": str(o.rule.loc), "resource_type": o.rule.resource,
        "at": o.at.isoformat().replace("+00:00", "Z"), "fires": o.decision.fires, "reason": o.decision.reason,
        "phase": o.decision.phase, "actions": [a.type for a in o.decision.actions],
        "missed": [m.isoformat().replace("+00:00", "Z") for m in o.decision.missed],
        "shadow": o.rule.shadow, "error": o.error,
    }
    if o.plan is not None:
        out.update({
            "resources": [_resource(r) for r in o.plan.resources],
            "limited": o.plan.limited,
            "changes": [{"resource": _resource(c.resource), "action": c.action, "call": f"{c.service}:{c.operation}",
                         "params": dict(c.params), "reason": c.reason, "before": c.before, "after": c.after}
                        for c in o.plan.changes],
            "skips": [{"resource": _resource(s.resource), "action": s.action, "reason": s.reason}
                      for s in o.plan.skips],
            "findings": [{"resource": _resource(f.resource), "action": f.action, "status": f.status,
                          "check": f.check, "observed": f.observed, "required": f.required, "reason": f.reason}
                         for f in o.plan.findings],
            "errors": list(o.plan.errors),
        })
    if o.results:
        out["results"] = [{"resource": r.change.resource.id, "call": f"{r.change.service}:{r.change.operation}",
                           "status": r.status, "reason": r.reason, "error_code": r.error_code} for r in o.results]
    return out


def render_json(outcomes: Sequence[RuleOutcome]) -> str:
    return json.dumps({"rules": [outcome_json(o) for o in outcomes]}, indent=2, default=str)


def all_findings(outcomes: Sequence[RuleOutcome]) -> list[Finding]:
    return [f for o in outcomes if o.plan for f in o.plan.findings]


def all_skips(outcomes: Sequence[RuleOutcome]) -> list[Skip]:
    return [s for o in outcomes if o.plan for s in o.plan.skips]
