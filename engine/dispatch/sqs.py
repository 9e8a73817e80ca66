"""An SQS batch, as Lambda's SQS event source delivers it: each record on its own, partial failures
reported as `batchItemFailures` so SQS redelivers only those (and moves a poison record to the DLQ after
the queue's maxReceiveCount), never blocking the others."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from shiftwork.engine.events.shapes import Delivery, deliveries


def is_sqs_batch(raw: Any) -> bool:
    records = raw.get("Records") if isinstance(raw, dict) else None
    return isinstance(records, list) and bool(records) and all(
        isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records)


def handle_sqs(dispatcher: Any, raw: dict[str, Any]) -> list[dict[str, str]]:
    """Run each record; the message ids of those that failed (unreadable, or a rule did not complete)."""
    failures = []
    for n, record in enumerate(raw["Records"], start=1):
        before = len(dispatcher.outcomes)
        try:
            read = [dispatcher.dispatch(_numbered(d, n)) for d in deliveries({"Records": [record]})]
            failed = not all(read) or any(o.failed for o in dispatcher.outcomes[before:])
        except Exception as exc:  # noqa: BLE001 (a poison record fails alone)
            dispatcher.log({"level": "ERROR", "message": "unreadable SQS record", "message_id": record.get("messageId"),
                            "reason": f"{type(exc).__name__}: {exc}"})
            failed = True
        if failed:
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    return failures


def _numbered(delivery: Delivery, n: int) -> Delivery:
    """A record read on its own is 'record 1'; name it by its place in the batch, as the logs should."""
    return replace(delivery, record=f"record {n}{delivery.record.removeprefix('record 1')}")
