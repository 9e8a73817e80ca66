"""CloudWatch Embedded Metric Format: one JSON log line that CloudWatch turns into Count metrics."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
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
