"""Work records: each change of a firing is recorded before it is written and its outcome after.

The unit of work is (rule, occurrence, account, region, resource, action, call). A retry of the same
occurrence (a failed region, a Lambda retry, a timeout) plans again, then: a unit recorded `ok` is not
repeated; a unit recorded but not completed is retried with the *recorded* parameters (the absolute
target computed the first time, e.g. desired 5 for `add: 2` from 3), never re-planned from what a
half-done attempt left behind. A summarising change (notify) whose send may have happened (no outcome,
or a timeout) is not sent again: at most once.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from shiftwork.engine.dispatch.state import RuleState, State
from shiftwork.engine.language.registry import registered
from shiftwork.engine.plan.changes import Change, Result
from shiftwork.engine.schedule.evaluate import Decision

RECORD_TTL = timedelta(days=7)
# Errors after which a request may have reached AWS and been acted on: the outcome is unknown.
UNKNOWN_OUTCOME = frozenset({"ReadTimeoutError", "ConnectionClosedError", "ResponseParserError"})


def unit_keys(rule: str, occurrence: str, changes: Sequence[Change]) -> list[str]:
    """One key per change; a second change with the same unit in one plan gets a counter."""
    seen: dict[str, int] = {}
    keys = []
    for c in changes:
        r = c.resource
        base = f"{rule}#{occurrence}#{r.account or '-'}#{r.region}#{r.id}#{c.action}#{c.call}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        keys.append(base if n == 0 else f"{base}#{n}")
    return keys


def _summarises(change: Change) -> bool:
    kind = registered().actions.get(change.action)
    return kind is not None and kind.cls.summarises


class Journal:
    """An executor wrapper for one rule firing: skips completed units, records intent and outcome."""

    live = True

    def __init__(self, executor: Any, state: State, rule: str, occurrence: str, clock: Callable[[], datetime]):
        self.executor = executor
        self.state = state
        self.rule = rule
        self.occurrence = occurrence
        self.clock = clock
        self.repeated = 0  # units an earlier attempt had completed, not written again

    @property
    def calls(self) -> int:
        return int(getattr(self.executor, "calls", 0))

    def execute(self, changes: Sequence[Change]) -> list[Result]:
        keys = unit_keys(self.rule, self.occurrence, changes)
        prior = self.state.get_records(keys)
        results: dict[int, Result] = {}
        todo: list[tuple[int, Change]] = []
        for i, (key, change) in enumerate(zip(keys, changes)):
            record = prior.get(key)
            status = record.get("status") if record else None
            if status == "ok":
                self.repeated += 1
                results[i] = Result(change, "skipped", f"already done by an earlier attempt: {record.get('reason')}")
            elif record and _summarises(change):
                if status == "intended" or record.get("error_code") in UNKNOWN_OUTCOME:
                    results[i] = Result(change, "skipped", "an earlier attempt may have sent it; not sending twice")
                else:
                    todo.append((i, change))  # a definite failure: AWS refused it, so send (the new summary)
            elif record:
                todo.append((i, replace(change, params=record["params"], reason=record.get("reason", change.reason))))
            else:
                todo.append((i, change))
        now = self.clock()
        self.state.put_records({keys[i]: {"status": "intended", "params": dict(c.params), "reason": c.reason}
                                for i, c in todo}, now, RECORD_TTL)
        done = self.executor.execute([c for _, c in todo]) if todo else []
        outcomes = {}
        for (i, change), result in zip(todo, done):
            results[i] = result
            status = "ok" if result.status == "ok" else "failed"
            outcomes[keys[i]] = {"status": status, "params": dict(change.params), "reason": change.reason,
                                 "error_code": result.error_code}
        self.state.put_records(outcomes, self.clock(), RECORD_TTL)
        return [results[i] for i in range(len(changes))]


def occurrence_of(decision: Decision, st: RuleState, t: datetime) -> str:
    """What a retry of this firing shares with the first attempt: the cron occurrence, or the phase
    entered since the watermark (neither moves until the firing completes)."""
    if decision.occurrences:
        return decision.occurrences[-1].isoformat()
    if decision.phase is not None:
        return f"{decision.phase}@{st.last_evaluated.isoformat() if st.last_evaluated else 'start'}"
    return t.isoformat()
