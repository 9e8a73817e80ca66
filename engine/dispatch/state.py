"""Dispatcher state: per-rule watermark and phase, cooldowns, idempotency keys, the tick lock.

Three stores with one interface: memory (tests), a JSON file (the CLI), DynamoDB (the Lambda).
The tick lock is a conditional write, so two overlapping invocations never both act on a tick.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any


@dataclass
class RuleState:
    last_evaluated: datetime | None = None  # the watermark: the last tick time evaluated
    last_phase: str | None = None  # window rules
    last_fired: datetime | None = None  # for cooldowns
    held_until: datetime | None = None  # the earliest end of an override the last firing honoured: reconcile then

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RuleState":
        def when(key: str) -> datetime | None:
            return datetime.fromisoformat(data[key]) if data.get(key) else None
        return cls(when("last_evaluated"), data.get("last_phase"), when("last_fired"), when("held_until"))


class State:
    """The interface; MemoryState is the reference implementation."""

    def get(self, rule: str) -> RuleState:
        raise NotImplementedError

    def put(self, rule: str, state: RuleState) -> None:
        raise NotImplementedError

    def claim(self, key: str, now: datetime, ttl: timedelta) -> bool:
        """Record `key` (a tick lock or an idempotency key) unless held and unexpired; True if we got it."""
        raise NotImplementedError

    def release(self, key: str) -> None:
        """Give a claimed key back (a failed tick releases its lock so the retry can run)."""
        raise NotImplementedError


class MemoryState(State):
    def __init__(self) -> None:
        self.rules: dict[str, RuleState] = {}
        self.keys: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def get(self, rule: str) -> RuleState:
        return RuleState(**asdict(self.rules.get(rule, RuleState())))

    def put(self, rule: str, state: RuleState) -> None:
        self.rules[rule] = RuleState(**asdict(state))

    def claim(self, key: str, now: datetime, ttl: timedelta) -> bool:
        with self._lock:
            expires = self.keys.get(key)
            if expires is not None and expires > now:
                return False
            self.keys[key] = now + ttl
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self.keys.pop(key, None)


class FileState(MemoryState):
    """A JSON file for the CLI's `run --state FILE`; written atomically after every change."""

    def __init__(self, path: str | os.PathLike[str]):
        super().__init__()
        self.path = Path(path)
        if self.path.exists():
            data = json.loads(self.path.read_text() or "{}")
            self.rules = {k: RuleState.from_json(v) for k, v in data.get("rules", {}).items()}
            self.keys = {k: datetime.fromisoformat(v) for k, v in data.get("keys", {}).items()}

    def _save(self) -> None:
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps({"rules": {k: v.to_json() for k, v in self.rules.items()},
                                   "keys": {k: v.isoformat() for k, v in self.keys.items()}}, indent=2))
        tmp.replace(self.path)

    def put(self, rule: str, state: RuleState) -> None:
        super().put(rule, state)
        self._save()

    def claim(self, key: str, now: datetime, ttl: timedelta) -> bool:
        got = super().claim(key, now, ttl)
        if got:
            self._save()
        return got

    def release(self, key: str) -> None:
        super().release(key)
        self._save()


class DynamoState(State):
    """DynamoDB table with a string partition key `pk` and a TTL attribute `expires` (epoch seconds)."""

    def __init__(self, client: Any, table: str):
        self.client = client
        self.table = table

    def get(self, rule: str) -> RuleState:
        item = self.client.get_item(TableName=self.table, Key={"pk": {"S": f"rule#{rule}"}},
                                    ConsistentRead=True).get("Item")
        return RuleState.from_json(json.loads(item["state"]["S"])) if item else RuleState()

    def put(self, rule: str, state: RuleState) -> None:
        self.client.put_item(TableName=self.table, Item={"pk": {"S": f"rule#{rule}"},
                                                         "state": {"S": json.dumps(state.to_json())}})

    def claim(self, key: str, now: datetime, ttl: timedelta) -> bool:
        expires = int((now + ttl).timestamp())
        try:
            self.client.put_item(
                TableName=self.table, Item={"pk": {"S": f"key#{key}"}, "expires": {"N": str(expires)}},
                ConditionExpression="attribute_not_exists(pk) OR expires < :now",
                ExpressionAttributeValues={":now": {"N": str(int(now.timestamp()))}})
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, key: str) -> None:
        self.client.delete_item(TableName=self.table, Key={"pk": {"S": f"key#{key}"}})
