"""EventBridge content filtering: does an event match a compiled pattern, and if not, where it fails.

Semantics (AWS docs "Content filtering in Amazon EventBridge event patterns", event-ruler's README):
every field of a pattern object must match; a leaf matches when any of the event's values there
passes any of the leaf's tests; an event array is a set of values; the fields of a pattern object
matched against an array of objects must all hold in one element; `exists` looks at leaf values only,
so a missing field, a null parent, an object or an empty array have none.
"""
from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator, Mapping
from typing import Any

from shiftwork.engine.language.patterns import CompiledPattern, Node, Test, compiled

_MISSING = object()
_EMPTY: Mapping[str, Any] = {}


def matches(pattern: CompiledPattern | Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when `event` matches `pattern` (compiled, or a raw pattern compiled here)."""
    if not isinstance(pattern, CompiledPattern):
        pattern = compiled(pattern)
    return _node(pattern.root, event)


def _elements(value: Any) -> Iterator[Any]:
    """An event array's members, nested arrays flattened."""
    for item in value:
        if isinstance(item, list):
            yield from _elements(item)
        else:
            yield item


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects a pattern object is matched against: one, each of an array's, or none (= empty)."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        found = [v for v in _elements(value) if isinstance(v, Mapping)]
        return found or [_EMPTY]
    return [_EMPTY]


def _node(node: Node, value: Any) -> bool:
    if type(value) is dict:  # the common case, without the ABC check
        return _object(node, value)
    for obj in _objects(value):
        if _object(node, obj):
            return True
    return False


def _object(node: Node, obj: Mapping[str, Any]) -> bool:
    for f in node.fields:
        have = obj.get(f.key, _MISSING)
        if f.tests is not None:
            if f.exact is not None and type(have) is str:  # exact strings only: one set lookup
                if have not in f.exact:
                    return False
            elif not _leaf(f.tests, have):
                return False
        elif not _node(f.node, have):  # type: ignore[arg-type]
            return False
    for branches in node.ors:
        for branch in branches:
            if _object(branch, obj):
                break
        else:
            return False
    return True


def leaf_values(have: Any) -> list[Any]:
    """The leaf values at a field: none when missing or an object; an array's scalar members."""
    if have is _MISSING or isinstance(have, Mapping):
        return []
    if isinstance(have, list):
        return [v for v in _elements(have) if not isinstance(v, Mapping)]
    return [have]


def _leaf(tests: tuple[Test, ...], have: Any) -> bool:
    values = leaf_values(have)
    for test in tests:
        if test.op == "exists":
            if bool(values) == test.value:
                return True
            continue
        for v in values:
            if _passes(test, v):
                return True
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(want: Any, value: Any) -> bool:
    """JSON equality as EventBridge reads it: "5" != 5, true != 1, null only null, 300 != 300.0."""
    if isinstance(want, bool) or isinstance(value, bool):
        return isinstance(want, bool) and isinstance(value, bool) and want == value
    if _is_number(want):  # the AWS docs: 300 and 300.0 are not equal; `numeric` compares values
        return _is_number(value) and isinstance(value, float) == isinstance(want, float) and want == value
    if want is None:
        return value is None
    return isinstance(value, str) and want == value


def _passes(test: Test, value: Any) -> bool:
    op = test.op
    if op == "equals":
        return _equal(test.value, value)
    if op == "anything-but":
        return not any(_passes(t, value) for t in test.excluded)
    if op == "numeric":
        return _is_number(value) and all(_compare(o, value, bound) for o, bound in test.bounds)
    if not isinstance(value, str):
        return False
    if op == "prefix":
        return (value.lower() if test.ignore_case else value).startswith(test.value)
    if op == "suffix":
        return (value.lower() if test.ignore_case else value).endswith(test.value)
    if op == "equals-ignore-case":
        return value.lower() == test.value
    if op == "wildcard":
        return test.regex is not None and test.regex.fullmatch(value) is not None
    if op == "cidr":
        try:
            return ipaddress.ip_address(value) in test.network
        except ValueError:
            return False
    return False


def _compare(op: str, value: float, bound: float) -> bool:
    if op == "=":
        return value == bound
    if op == "<":
        return value < bound
    if op == "<=":
        return value <= bound
    if op == ">":
        return value > bound
    return value >= bound


# -- explaining a miss (plan --event) -------------------------------------------------------------------------
def explain(pattern: CompiledPattern, event: Mapping[str, Any]) -> str | None:
    """None when the event matches; else the first failing path, what it wanted and what the event holds."""
    if _node(pattern.root, event):
        return None
    return _why_node(pattern.root, event, "") or "the event does not match the pattern"


def _show(value: Any) -> str:
    if value is _MISSING:
        return "no such field"
    return json.dumps(value, default=str, sort_keys=True)


def _why_node(node: Node, value: Any, path: str) -> str | None:
    objects = _objects(value)
    if len(objects) == 1:
        return _why_object(node, objects[0], path)
    first = _why_object(node, objects[0], f"{path}[0]")
    return f"{path}: none of its {len(objects)} elements matches (the first: {first})"


def _why_object(node: Node, obj: Mapping[str, Any], path: str) -> str | None:
    for f in node.fields:
        here = f"{path}.{f.key}" if path else f.key
        have = obj.get(f.key, _MISSING)
        if f.tests is not None:
            if not _leaf(f.tests, have):
                return f"{here}: wanted {_show(f.raw)}, event has {_show(have)}"
        elif not _node(f.node, have):  # type: ignore[arg-type]
            return _why_node(f.node, have, here)  # type: ignore[arg-type]
    for branches in node.ors:
        if not any(_object(b, obj) for b in branches):
            reasons = [_why_object(b, obj, path) for b in branches]
            return f"{path + '.' if path else ''}$or: no branch matches (" + "; ".join(r for r in reasons if r) + ")"
    return None
