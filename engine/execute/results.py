"""Results looked up by their change in constant time, so a report of n changes reads n results, not n²."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shiftwork.engine.plan.changes import Change, Result


def change_key(change: Change) -> tuple[Any, ...]:
    """What names a change whatever its params: a summary (notify) is rewritten with the results before it runs."""
    r = change.resource
    return change.rule, change.action, change.call, r.type, r.id, r.region, r.account


class ResultIndex:
    """The result of each change: the first result whose change is the same write on the same resource."""

    def __init__(self, results: Iterable[Result]):
        self._by_key: dict[tuple[Any, ...], list[Result]] = {}
        for result in results:
            self._by_key.setdefault(change_key(result.change), []).append(result)

    def get(self, change: Change) -> Result | None:
        for result in self._by_key.get(change_key(change), ()):
            done = result.change  # Resource holds dicts (unhashable): the key narrows, equality decides
            if done is change or (done.resource, done.call, done.rule, done.action) == (
                    change.resource, change.call, change.rule, change.action):
                return result
        return None
