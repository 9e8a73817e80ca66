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
from shiftwork.engine.plan.planner import RulePlan
from shiftwork.engine.events.trigger import rule_pattern
from shiftwork.engine.schedule.walltime import wall_label


def _when(o: RuleOutcome) -> str:
    """The tick in the rule's wall time and in UTC, written as simulate writes it."""
    when = wall_label(o.at, o.rule.timezone)
    if o.rule.timezone != "UTC":
        when += f" ({o.at:%Y-%m-%d %H:%M} UTC)"
    return when


def _trigger_line(o: RuleOutcome) -> str:
    verdict = "FIRES" if o.decision.fires else "does not fire"
    return f"  at {_when(o)}: {verdict}: {o.decision.reason}"


def _quiet(o: RuleOutcome) -> bool:
    """A rule that does not fire and has nothing else to say gets one line, not a block."""
    return not (o.decision.fires or o.decision.missed or o.plan is not None or o.error or o.notes)


def _idle(o: RuleOutcome) -> bool:
    """A rule that fires but selected nothing and has nothing else to say: one line, like a rule that does not fire."""
    plan = o.plan
    return bool(o.decision.fires and plan is not None and not (
        plan.resources or plan.changes or plan.skips or plan.findings or plan.errors or plan.limited
        or o.decision.missed or o.error or len(o.notes) > 1))


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
            "ok": ok, "failed": failed, "not_run": changes - ok - failed,
            "limited": sum(bool(p.limited) for p in plans)}


def _summary(outcomes: Sequence[RuleOutcome], executed: bool, calls: int | None) -> str:
    t = totals(outcomes)
    head = f"{plural(t['rules'], 'rule')} evaluated, {t['fired']} fired; "
    tail = f"{t['skipped']} skipped, {plural(t['findings'], 'finding')}, {plural(t['errors'], 'error')}"
    if t["limited"]:
        tail += f"; {plural(t['limited'], 'rule')} stopped by limits"
    in_calls = f" ({plural(calls, 'write call')})" if calls else ""  # "0 changes (0 write calls)" says it twice
    if not executed:
        return head + f"{plural(t['changes'], 'change')} planned{in_calls}, " + tail
    return head + (f"{plural(t['ok'], 'change')} made{in_calls}, {t['failed']} failed"
                   + (f", {t['not_run']} not run" if t["not_run"] else "") + "; " + tail)


def other_kind(o: RuleOutcome) -> str | None:
    """'event' for an event rule on a tick, 'schedule' for a schedule rule on an event: one line for them all."""
    if o.decision.fires or o.plan is not None or o.error:
        return None
    event_rule = rule_pattern(o.rule) is not None
    if event_rule and o.decision.reason.endswith("plan it with --event FILE"):
        return "event"
    if not event_rule and o.decision.reason.startswith("not event-driven"):
        return "schedule"
    return None


OTHER_KIND = {"event": "event rules, not evaluated on a tick (plan them with --event FILE)",
              "schedule": "schedule rules, not evaluated for an event (plan them with --at TIME)"}


def _skip_lines(skips: Sequence[Skip]) -> list[str]:
    """One line per resource and reason, naming every action it skips (an opt-out skips them all)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for skip in skips:
        actions = grouped.setdefault((skip.resource.label, skip.reason), [])
        if skip.action not in actions:
            actions.append(skip.action)
    return [f"  skip    {label}  {', '.join(actions)}: {reason}" for (label, reason), actions in grouped.items()]


def _change_lines(changes: Sequence[Change], results: ResultIndex | None) -> list[str]:
    """One line per resource: its calls in order (a tag save and a scale are one step for a reader)."""
    runs: list[list[Change]] = []
    for change in changes:
        if runs and runs[-1][0].resource == change.resource:
            runs[-1].append(change)
        else:
            runs.append([change])
    lines = []
    for run in runs:
        calls = " + ".join(f"{c.service}:{c.operation}" for c in run)
        arrows = [f"{c.before or '(none)'} -> {c.after or '(none)'}" for c in run
                  if c.before != c.after]  # a tag write's "x -> x" says nothing
        outcome = ""
        if results is not None:
            each = [_result_for(results, c) for c in run]
            outcome = each[0] if len(set(each)) == 1 else " ->" + ",".join(e.removeprefix(" ->") for e in each)
        lines.append(f"  change  {run[0].resource.label}  {calls}{'  ' + arrows[-1] if arrows else ''}  "
                     f"({'; '.join(c.reason for c in run)}){outcome}")
    return lines


def _selected(plan: RulePlan) -> str:
    """How many resources the rule selected and where, opted-out ones included (their skip lines follow)."""
    regions = sorted({r.region for r in plan.resources})
    opted = {s.resource.label for s in plan.skips if s.resource not in plan.resources}
    return (plural(len(plan.resources) + len(opted), "resource") + (f" in {', '.join(regions)}" if regions else "")
            + (f" ({len(opted)} opted out)" if opted else ""))


def render_table(outcomes: Sequence[RuleOutcome], *, executed: bool = False, calls: int | None = None) -> str:
    """`calls`: the write calls the changes take (batched), as the executor or the dry-run executor counted."""
    lines: list[str] = []
    others: dict[str, list[str]] = {}
    quiet: list[str] = []
    for o in outcomes:
        rule = o.rule
        flags = "".join(f" [{f}]" for f, on in (("shadow", rule.shadow), ("disabled", not rule.enabled)) if on)
        if (kind := other_kind(o)) is not None:
            others.setdefault(kind, []).append(rule.name)
            continue
        if _quiet(o):
            quiet.append(f"rule {rule.name}{flags}  at {_when(o)}: does not fire: {o.decision.reason}")
            continue
        if _idle(o):
            why = _note(o, o.notes[0]) if o.notes else f"no {rule.resource} selected"
            quiet.append(f"rule {rule.name}{flags}  at {_when(o)}: fires, nothing to do: {why}")
            continue
        lines.append(f"rule {rule.name}{flags}  ({rule.resource}, {rule.timezone}, {rule.loc})"
                     + _trigger_line(o))
        if rule.description:  # docs/rules.md: shown in plans and notifications
            lines.append(f"  {' '.join(rule.description.split())}")
        if o.decision.missed:
            missed = ", ".join(wall_label(m, rule.timezone) for m in o.decision.missed)
            lines.append(f"  missed (older than catch_up): {missed}")
        plan = o.plan
        if o.decision.fires:
            lines.append(f"  actions: {', '.join(a.type for a in o.decision.actions) or '(none)'}"
                         + (f" on {_selected(plan)}" if plan is not None else ""))
        if o.error:
            lines.append(f"  ERROR: {o.error}")
        if plan is not None:
            if plan.limited:
                lines.append(f"  WARNING: stopped by limits: {plan.limited}")
            lines.extend(_change_lines(plan.changes, ResultIndex(o.results) if executed else None))
            lines.extend(_skip_lines(plan.skips))
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
    lines.extend(quiet)
    lines.extend(f"{OTHER_KIND[kind]}: {', '.join(names)}" for kind, names in others.items())
    if quiet or others:
        lines.append("")
    findings = all_findings(outcomes)
    if len({f.rule for f in findings}) > 1:  # one rule's findings are in its block already
        lines.extend(["backup findings:", findings_table(findings)])
    lines.append(_summary(outcomes, executed, calls)
                 + ("; dry run: nothing was changed (plans may read AWS but never write)" if not executed else ""))
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
