"""Dispatcher state: per-rule watermark and phase, cooldowns, leases and idempotency keys, work records.

Three stores with one interface: memory (tests), a JSON file under a file lock (the CLI), DynamoDB (the
Lambda, `dynamo_state`). Rule state carries a version and is written conditionally on it, so a stale or
overlapping invocation can never roll a watermark or a phase back. Keys (the tick lock, rule leases,
event keys) are conditional writes too. Work records remember each intended change and its outcome.
"""
from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shiftwork.engine.errors import ShiftworkError


class BadState(ShiftworkError):
    """A stored state item that cannot be read; that rule is reported as an error, the others run."""


@dataclass
class RuleState:
    last_evaluated: datetime | None = None  # the watermark: the last tick time evaluated
    last_phase: str | None = None  # window rules
    last_fired: datetime | None = None  # for cooldowns
    held_until: datetime | None = None  # the earliest end of an override the last firing honoured: reconcile then
    version: int = field(default=0, compare=False)  # the stored version this copy was read at

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in
                (("last_evaluated", self.last_evaluated), ("last_phase", self.last_phase),
                 ("last_fired", self.last_fired), ("held_until", self.held_until))}

    @classmethod
    def from_json(cls, data: Any, version: int = 0, rule: str = "?") -> "RuleState":
        try:
            def when(key: str) -> datetime | None:
                value = datetime.fromisoformat(data[key]) if data.get(key) else None
                if value is not None and value.tzinfo is None:
                    raise ValueError(f"{key} {data[key]!r} has no time zone")
                return value
            phase = data.get("last_phase")
            if phase not in (None, "inside", "outside"):
                raise ValueError(f"last_phase {phase!r} is neither 'inside' nor 'outside'")
            return cls(when("last_evaluated"), phase, when("last_fired"), when("held_until"), version)
        except (AttributeError, TypeError, ValueError, OverflowError) as exc:
            raise BadState(f"rule '{rule}': unreadable state item ({exc}); fix or delete it, "
                           "the rule then reconciles from scratch") from None


class State:
    """The interface; MemoryState is the reference implementation."""

    def get(self, rule: str) -> RuleState:
        """The rule's state (a fresh one when none is stored); raises BadState when the item is unreadable."""
        raise NotImplementedError

    def put(self, rule: str, state: RuleState) -> bool:
        """Store `state` if nobody wrote since it was read (its version); False when another writer won."""
        raise NotImplementedError

    def claim(self, key: str, now: datetime, ttl: timedelta, value: str = "busy") -> bool:
        """Record `key` (a lock, a lease, an idempotency key) unless held and unexpired; True if we got it."""
        raise NotImplementedError

    def mark(self, key: str, now: datetime, ttl: timedelta, value: str) -> None:
        """Overwrite a key we hold (e.g. 'done' with a longer TTL), or store a small value (a cursor)."""
        raise NotImplementedError

    def holder(self, key: str, now: datetime) -> str | None:
        """The value of an unexpired key, None when free."""
        raise NotImplementedError

    def release(self, key: str) -> None:
        """Give a claimed key back (work that did not complete releases it so a retry can run)."""
        raise NotImplementedError

    def get_records(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The work records stored under `keys` (missing keys are absent from the result)."""
        raise NotImplementedError

    def put_records(self, records: Mapping[str, dict[str, Any]], now: datetime, ttl: timedelta) -> None:
        raise NotImplementedError


class MemoryState(State):
    def __init__(self) -> None:
        self.rules: dict[str, Any] = {}  # rule -> {"state": json, "version": n}
        self.keys: dict[str, tuple[datetime, str]] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()

    @contextmanager
    def _atomic(self, writes: bool) -> Iterator[None]:
        with self._lock:
            yield

    def get(self, rule: str) -> RuleState:
        with self._atomic(False):
            item = self.rules.get(rule)
        if item is None:
            return RuleState()
        return RuleState.from_json(item.get("state"), int(item.get("version", 0)), rule)

    def put(self, rule: str, state: RuleState) -> bool:
        with self._atomic(True):
            current = int((self.rules.get(rule) or {}).get("version", 0))
            if current != state.version:
                return False
            self.rules[rule] = {"state": state.to_json(), "version": current + 1}
            state.version = current + 1
            return True

    def claim(self, key: str, now: datetime, ttl: timedelta, value: str = "busy") -> bool:
        with self._atomic(True):
            held = self.keys.get(key)
            if held is not None and held[0] > now:
                return False
            self.keys[key] = (now + ttl, value)
            return True

    def mark(self, key: str, now: datetime, ttl: timedelta, value: str) -> None:
        with self._atomic(True):
            self.keys[key] = (now + ttl, value)

    def holder(self, key: str, now: datetime) -> str | None:
        with self._atomic(False):
            held = self.keys.get(key)
        return held[1] if held is not None and held[0] > now else None

    def release(self, key: str) -> None:
        with self._atomic(True):
            self.keys.pop(key, None)

    def get_records(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        with self._atomic(False):  # copies, as a store hands back (one JSON round trip for the batch)
            return json.loads(json.dumps({k: self.records[k] for k in keys if k in self.records}))

    def put_records(self, records: Mapping[str, dict[str, Any]], now: datetime, ttl: timedelta) -> None:
        if not records:
            return
        expires = (now + ttl).isoformat()
        stored = json.loads(json.dumps({k: {**r, "expires": expires} for k, r in records.items()}, default=str))
        with self._atomic(True):
            self.records.update(stored)


class FileState(MemoryState):
    """A JSON file for the CLI's `run --state FILE`: every operation reads, changes and rewrites it under an
    exclusive lock on FILE.lock, so two concurrent `shiftwork run`s never lose each other's state."""

    def __init__(self, path: str | os.PathLike[str]):
        super().__init__()
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def _atomic(self, writes: bool) -> Iterator[None]:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.lock_path, "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX if writes else fcntl.LOCK_SH)
                try:
                    self._load()
                    yield
                    if writes:
                        self._save()
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text() or "{}") if self.path.exists() else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadState(f"{self.path}: the state file is not JSON ({exc}); move it aside to start afresh") \
                from None
        rules = data.get("rules", {})
        self.rules = {k: (v if isinstance(v, dict) and "state" in v else {"state": v, "version": 0})
                      for k, v in rules.items()}
        self.keys = {}
        for key, held in data.get("keys", {}).items():
            expires, value = (held, "busy") if isinstance(held, str) else (held[0], held[1])
            self.keys[key] = (datetime.fromisoformat(expires), value)
        self.records = data.get("work", {})

    def _save(self) -> None:
        """Compact JSON: with an indent, json falls back from its C encoder to the pure-Python one (~10x slower
        on the journal of a tick that changes thousands of resources)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"rules": self.rules,
                                   "keys": {k: [v[0].isoformat(), v[1]] for k, v in self.keys.items()},
                                   "work": self.records}, separators=(",", ":"), default=str))
        tmp.replace(self.path)

    def expire(self, now: datetime) -> None:
        """Drop expired keys and work records so the file does not grow without bound."""
        with self._atomic(True):
            self.keys = {k: v for k, v in self.keys.items() if v[0] > now}
            self.records = {k: v for k, v in self.records.items()
                            if datetime.fromisoformat(v.get("expires", now.isoformat())) > now}


class ReadOnlyState(State):
    """A plan's view: reads the store (or nothing), answers claims as the store would, writes nothing."""

    def __init__(self, inner: State | None = None):
        self.inner = inner or MemoryState()

    def get(self, rule: str) -> RuleState:
        return self.inner.get(rule)

    def put(self, rule: str, state: RuleState) -> bool:
        return True

    def claim(self, key: str, now: datetime, ttl: timedelta, value: str = "busy") -> bool:
        return self.inner.holder(key, now) is None  # as the real store would answer, without taking it

    def mark(self, key: str, now: datetime, ttl: timedelta, value: str) -> None:
        return None

    def holder(self, key: str, now: datetime) -> str | None:
        return self.inner.holder(key, now)

    def release(self, key: str) -> None:
        return None

    def get_records(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self.inner.get_records(keys)

    def put_records(self, records: Mapping[str, dict[str, Any]], now: datetime, ttl: timedelta) -> None:
        return None
