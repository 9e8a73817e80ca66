"""Fan-out on SQS: a wide tick decides every rule, then enqueues one shard per (account, region).

The tick stays cheap (no AWS reads but the state table): it evaluates each rule against its watermark,
enqueues the firings as shard messages, one per (account, region) with the decisions that location
needs, and only then advances the watermarks. The same function consumes the shards (its SQS event
source), plans and executes each rule narrowed to that one location, through the work journal, so a
redelivered shard never repeats a change. Lambda's concurrency is the scale-out: no threads of our own.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shiftwork.engine.language.model import Rule
from shiftwork.engine.schedule.evaluate import Decision

DEFAULT_THRESHOLD = 4  # (account, region) pairs above which a tick fans out
SEND_BATCH = 10  # SendMessageBatch takes at most 10 messages


def locations(rule: Rule, default_region: str) -> list[tuple[str | None, str]]:
    """The (account id, region) pairs a rule acts in; None is the function's own account."""
    return [(account.id if account else None, region) for account in (rule.accounts or (None,))
            for region in (rule.regions or (default_region,))]


def wide(rules: Iterable[Rule], default_region: str, threshold: int) -> bool:
    return len({pair for rule in rules for pair in locations(rule, default_region)}) > threshold


def narrow(rule: Rule, account: str | None, region: str) -> Rule:
    """The rule as it acts in one (account, region)."""
    return replace(rule, regions=(region,), accounts=tuple(a for a in rule.accounts if a.id == account))


def actions_of(rule: Rule, phase: str | None) -> tuple[Any, ...]:
    if phase == "inside":
        return rule.inside
    if phase == "outside":
        return rule.outside
    return rule.actions


@dataclass(frozen=True)
class Firing:
    """One rule's decision at a tick, as a shard carries it."""

    rule: str
    phase: str | None
    occurrence: str
    reason: str

    def decision(self, rule: Rule) -> Decision:
        return Decision(rule.name, True, actions_of(rule, self.phase), self.phase, self.reason)


def shards(t: datetime, firings: Sequence[tuple[Rule, Firing]], default_region: str) -> list[dict[str, Any]]:
    """One message per (account, region), each with the firings that act there."""
    by_location: dict[tuple[str | None, str], list[Firing]] = {}
    for rule, firing in firings:
        for pair in locations(rule, default_region):
            by_location.setdefault(pair, []).append(firing)
    return [{"shiftwork": "shard", "time": t.isoformat(), "account": account, "region": region,
             "rules": [vars(f) for f in found]}
            for (account, region), found in sorted(by_location.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))]


def firings_of(message: dict[str, Any]) -> list[Firing]:
    return [Firing(str(f["rule"]), f.get("phase"), str(f["occurrence"]), str(f.get("reason", "")))
            for f in message.get("rules") or []]


class Queue:
    """The fan-out queue (SHIFTWORK_QUEUE_URL)."""

    def __init__(self, client: Any, url: str):
        self.client = client
        self.url = url
        self.sent = 0

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(messages), SEND_BATCH):
            chunk = messages[start:start + SEND_BATCH]
            response = self.client.send_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(n), "MessageBody": json.dumps(m, default=str)} for n, m in enumerate(chunk)])
            if response.get("Failed"):
                codes = ", ".join(sorted({f.get("Code", "?") for f in response["Failed"]}))
                raise RuntimeError(f"SQS refused {len(response['Failed'])} shard message(s): {codes}")
            self.sent += len(chunk)
