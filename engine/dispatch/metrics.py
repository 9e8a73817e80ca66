"""CloudWatch Embedded Metric Format: one JSON log line that CloudWatch turns into Count metrics."""
from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from shiftwork.engine.plan.changes import Finding
from shiftwork.engine.plan.findings import METRICS as FINDING_METRICS, counts

NAMESPACE = "shiftwork"


def emf_document(counts: Mapping[str, int], timestamp_ms: int, dimensions: Mapping[str, str] | None = None,
                 **properties: Any) -> dict[str, Any]:
    """Every entry of `counts` as a Count metric, under the given dimensions; `properties` ride along unmeasured."""
    dims = dict(dimensions or {})
    return {
        "_aws": {"Timestamp": timestamp_ms, "CloudWatchMetrics": [{
            "Namespace": NAMESPACE, "Dimensions": [sorted(dims)],
            "Metrics": [{"Name": name, "Unit": "Count"} for name in counts]}]},
        **dims, **properties, **counts,
    }


def findings_emf(findings: Iterable[Finding], timestamp: datetime) -> list[dict[str, Any]]:
    """CloudWatch Embedded Metric Format documents, one per rule (dimension `rule`), at the trigger time."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    millis = int(timestamp.timestamp() * 1000)
    docs = []
    for rule, group in sorted(by_rule.items()):
        c = counts(group)
        docs.append(emf_document({name: c[name] for name in FINDING_METRICS}, millis, {"rule": rule},
                                 actions=sorted({f.action for f in group})))  # a property, not a dimension
    return docs


def summarise(outcomes: Sequence[Any], repeated: int, deferred: Sequence[str], busy: Sequence[str],
              conflicts: Sequence[str]) -> dict[str, Any]:
    """The invocation's return value and summary log line."""
    results = [r for o in outcomes for r in o.results]
    findings = [f for o in outcomes if o.plan for f in o.plan.findings]
    return {
        "rules_evaluated": len(outcomes), "rules_fired": sum(o.decision.fires for o in outcomes),
        "changes_ok": sum(r.status == "ok" for r in results),
        "changes_failed": sum(r.status == "failed" for r in results),
        "changes_already_done": repeated,
        "findings_failed": sum(f.status == "fail" for f in findings),
        "findings_errored": sum(f.status == "error" for f in findings),
        "rules_limited": sum(bool(o.plan and o.plan.limited) for o in outcomes),
        "failed_rules": sorted({o.rule.name for o in outcomes if o.failed}),
        "limited_rules": sorted({o.rule.name for o in outcomes if o.plan and o.plan.limited}),
        "deferred_rules": list(deferred),
        "busy_rules": list(busy),
        "state_conflicts": list(conflicts),
    }


def emf(summary: dict[str, Any]) -> dict[str, Any]:
    """A CloudWatch Embedded Metric Format record for the invocation's totals."""
    names = ["rules_evaluated", "rules_fired", "rules_limited", "changes_ok", "changes_failed", "changes_already_done",
             "findings_failed", "findings_errored"]
    totals = {n: summary[n] for n in names}
    totals.update(rules_failed=len(summary["failed_rules"]), rules_deferred=len(summary["deferred_rules"]),
                  shards_enqueued=int(summary.get("shards_enqueued", 0)))
    return emf_document(totals, int(time.time() * 1000), failed_rules=len(summary["failed_rules"]),
                        duration_ms=summary.get("duration_ms", 0))
