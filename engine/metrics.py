"""CloudWatch Embedded Metric Format: one JSON log line that CloudWatch turns into Count metrics."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
