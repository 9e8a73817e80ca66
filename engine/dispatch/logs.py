"""JSON log lines: one per decision, one per skip, finding and change, with rule, location and outcome."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from shiftwork.engine.dispatch.metrics import findings_emf
from shiftwork.engine.dispatch.runner import RuleOutcome

Log = Callable[[dict[str, Any]], None]


def json_log(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, default=str, sort_keys=True) + "\n")


def _where(resource: Any) -> dict[str, Any]:
    return {"resource": resource.id, "account": resource.account, "region": resource.region}


def log_outcome(log: Log, base: dict[str, Any], o: RuleOutcome) -> None:
    """Every skip, finding, change and error of one rule's run, one line each."""
    plan = o.plan
    if plan is not None:
        if plan.limited:
            log({"level": "WARNING", **base, "outcome": "limited", "reason": plan.limited})
        for skip in plan.skips:
            log({"level": "INFO", **base, **_where(skip.resource), "action": skip.action,
                 "outcome": "skipped", "reason": skip.reason})
        for f in plan.findings:
            log({"level": "INFO" if f.status == "pass" else "WARNING", **base, **_where(f.resource),
                 "action": f.action, "outcome": f.status, "check": f.check, "observed": f.observed,
                 "required": f.required, "reason": f.reason})
        for err in plan.errors:
            log({"level": "ERROR", **base, "outcome": "error", "reason": err})
        for doc in findings_emf(plan.findings, o.at):  # checked / passed / failed / errored, per rule
            log(doc)
        if o.rule.shadow:
            for c in plan.changes:
                log({"level": "INFO", **base, **_where(c.resource), "action": c.action,
                     "call": f"{c.service}:{c.operation}", "outcome": "shadow", "reason": c.reason})
    for r in o.results:
        log({"level": "ERROR" if r.status == "failed" else "INFO", **base, **_where(r.change.resource),
             "action": r.change.action, "call": f"{r.change.service}:{r.change.operation}",
             "outcome": r.status, "reason": r.reason or r.change.reason, "error_code": r.error_code})
    for note in o.notes:
        log({"level": "INFO", **base, "outcome": "note", "reason": note})
    if o.error:
        log({"level": "ERROR", **base, "outcome": "error", "reason": o.error})
