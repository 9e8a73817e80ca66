"""Render rule outcomes for people (a table per rule, then totals) and for scripts (JSON)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shiftwork.engine.execute.results import ResultIndex
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.plan.findings import detail as finding_detail
from shiftwork.engine.plan.findings import table as findings_table
from shiftwork.engine.dispatch.runner import RuleOutcome
from shiftwork.engine.schedule.walltime import wall_label


def _trigger_line(o: RuleOutcome) -> str:
    """The tick in the rule's wall time and in UTC, written as simulate writes it."""
    when = wall_label(o.at, o.rule.timezone)
    if o.rule.timezone != "UTC":
        when += f" ({o.at:%Y-%m-%d %H:%M} UTC)"
    verdict = "FIRES" if o.decision.fires else "does not fire"
    return f"  at {when}: {verdict}: {o.decision.reason}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _note(o: RuleOutcome, note: str) -> str:
    prefix = f"rule '{o.rule.name}': "  # the handlers' notes name the rule; the table already did
    return note[len(prefix):] if note.startswith(prefix) else note


def _result_for(results: ResultIndex, change: Change) -> str:
    r = results.get(change)
    if r is None:
        return ""
    return f" -> {r.status}" + (f": {r.reason}" if r.reason and r.status != "ok" else "")


def totals(outcomes: Sequence[RuleOutcome]) -> dict[str, int]:
    """The counts both the table's last line and the JSON report give."""
    plans = [o.plan for o in outcomes if o.plan is not None]
    results = [r for o in outcomes for r in o.results]
    changes = sum(len(p.changes) for p in plans)
    ok = sum(r.status == "ok" for r in results)
    failed = sum(r.status == "failed" for r in results)
    return {"rules": len(outcomes), "fired": sum(o.decision.fires for o in outcomes), "changes": changes,
            "skipped": sum(len(p.skips) for p in plans), "findings": sum(len(p.findings) for p in plans),
            "errors": sum(bool(o.error) for o in outcomes) + sum(len(p.errors) for p in plans),
            "ok": ok, "failed": failed, "not_run": changes - ok - failed}


def _summary(outcomes: Sequence[RuleOutcome], executed: bool, calls: int | None) -> str:
    t = totals(outcomes)
    head = f"{plural(t['rules'], 'rule')} evaluated, {t['fired']} fired; "
    tail = f"{t['skipped']} skipped, {plural(t['findings'], 'finding')}, {plural(t['errors'], 'error')}"
    in_calls = f" ({plural(calls, 'write call')})" if calls else ""  # "0 changes (0 write calls)" says it twice
    if not executed:
        return head + f"{plural(t['changes'], 'change')} planned{in_calls}, " + tail
    return head + (f"{plural(t['ok'], 'change')} made{in_calls}, {t['failed']} failed"
                   + (f", {t['not_run']} not run" if t["not_run"] else "") + "; " + tail)


def render_table(outcomes: Sequence[RuleOutcome], *, executed: bool = False, calls: int | None = None) -> str:
    """`calls`: the write calls the changes take (batched), as the executor or the dry-run executor counted."""
    lines: list[str] = []
    for o in outcomes:
        rule = o.rule
        flags = "".join(f" [{f}]" for f, on in (("shadow", rule.shadow), ("disabled", not rule.enabled)) if on)
        lines.append(f"rule {rule.name}{flags}  ({rule.resource}, {rule.timezone}, {rule.loc})")
        if rule.description:  # docs/rules.md: shown in plans and notifications
            lines.append(f"  {' '.join(rule.description.split())}")
        lines.append(_trigger_line(o))
        if o.decision.missed:
            missed = ", ".join(wall_label(m, rule.timezone) for m in o.decision.missed)
            lines.append(f"  missed (older than catch_up): {missed}")
        if o.decision.fires:
            lines.append(f"  actions: {', '.join(a.type for a in o.decision.actions) or '(none)'}")
        if o.error:
            lines.append(f"  ERROR: {o.error}")
        plan = o.plan
        if plan is not None:
            done = ResultIndex(o.results) if executed else None
            regions = sorted({r.region for r in plan.resources})
            lines.append(f"  selected: {plural(len(plan.resources), 'resource')}"
                         + (f" in {', '.join(regions)}" if regions else ""))
            if plan.limited:
                lines.append(f"  LIMIT: {plan.limited}")
            for change in plan.changes:
                arrow = (f"  {change.before or '(none)'} -> {change.after or '(none)'}"
                         if change.before != change.after else "")  # a tag write's "x -> x" says nothing
                lines.append(f"  change  {change.resource.label}  {change.service}:{change.operation}"
                             f"{arrow}  ({change.reason}){_result_for(done, change) if done else ''}")
            for skip in plan.skips:
                lines.append(f"  skip    {skip.resource.label}  {skip.action}: {skip.reason}")
            for f in plan.findings:
                check = f"{f.check}: " if f.check and f.check != "all" else ""
                more = [str(x.get("check")) for x in f.details.get("failures", [])[1:] if isinstance(x, dict)]
                also = f" (also failing: {', '.join(more)})" if f.status == "fail" and more else ""
                lines.append(f"  {f.status.upper():6}  {f.resource.label}  {f.action}: {check}{finding_detail(f)}"
                             + also)
            for err in plan.errors:
                lines.append(f"  ERROR: {err}")
        lines.extend(f"  note: {_note(o, note)}" for note in o.notes)
        if executed and rule.shadow and plan is not None and plan.changes:
            lines.append("  shadow: planned only, nothing executed")
        lines.append("")
    findings = all_findings(outcomes)
    if findings:
        lines.extend(["backup findings:", findings_table(findings)])
    lines.append(_summary(outcomes, executed, calls))
    if not executed:
        lines.append("dry run: nothing was changed (plans may read AWS but never write)")
    return "\n".join(lines)


def _resource(r: Any) -> dict[str, Any]:
    return {"type": r.type, "id": r.id, "name": r.name, "region": r.region, "account": r.account, "state": r.state}


def _utc(t: Any) -> str:
    return t.isoformat().replace("+00:00", "Z")


def outcome_json(o: RuleOutcome) -> dict[str, Any]:
    """One rule's outcome; every key is always present (empty or null when it does not apply)."""
    plan = o.plan
    return {
        "rule": o.rule.name, "description": o.rule.description or None, "location": str(o.rule.loc),
        "resource_type": o.rule.resource,
        "timezone": o.rule.timezone, "at": _utc(o.at), "fires": o.decision.fires, "reason": o.decision.reason,
        "phase": o.decision.phase, "actions": [a.type for a in o.decision.actions],
        "missed": [_utc(m) for m in o.decision.missed], "shadow": o.rule.shadow, "error": o.error,
        "resources": [_resource(r) for r in plan.resources] if plan else [],
        "limited": plan.limited if plan else None,
        "changes": [{"resource": _resource(c.resource), "action": c.action, "call": f"{c.service}:{c.operation}",
                     "params": dict(c.params), "reason": c.reason, "before": c.before, "after": c.after}
                    for c in plan.changes] if plan else [],
        "skips": [{"resource": _resource(s.resource), "action": s.action, "reason": s.reason}
                  for s in plan.skips] if plan else [],
        "findings": [{"resource": _resource(f.resource), "action": f.action, "status": f.status,
                      "check": f.check, "observed": f.observed, "required": f.required, "reason": f.reason,
                      "details": dict(f.details)}
                     for f in plan.findings] if plan else [],
        "errors": list(plan.errors) if plan else [],
        "notes": [_note(o, n) for n in o.notes],
        "results": [{"resource": r.change.resource.id, "call": f"{r.change.service}:{r.change.operation}",
                     "status": r.status, "reason": r.reason or None, "error_code": r.error_code or None}
                    for r in o.results],
    }


def render_json(outcomes: Sequence[RuleOutcome], *, executed: bool = False, calls: int | None = None) -> str:
    report = {"version": 1, "dry_run": not executed, "rules": [outcome_json(o) for o in outcomes],
              "totals": {**totals(outcomes), "write_calls": calls}}
    return json.dumps(report, indent=2, default=str)


def all_findings(outcomes: Sequence[RuleOutcome]) -> list[Finding]:
    return [f for o in outcomes if o.plan for f in o.plan.findings]


def all_skips(outcomes: Sequence[RuleOutcome]) -> list[Skip]:
    return [s for o in outcomes if o.plan for s in o.plan.skips]
