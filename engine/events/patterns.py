"""EventBridge content filtering: does an event match a rule's pattern."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from shiftwork.engine.events.shapes import BadEvent
_MISSING = object()


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when `event` matches the EventBridge `pattern` (every field; any value in each list)."""
    for key, want in pattern.items():
        if key == "$or":
            if not any(matches(p, event) for p in want):
                return False
            continue
        have = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(want, Mapping):
            if not isinstance(have, Mapping) or not matches(want, have):
                return False
        elif not _match_values(want, have):
            return False
    return True


def _match_values(wanted: list[Any], have: Any) -> bool:
    values = have if isinstance(have, list) else [have]
    for item in wanted:
        if isinstance(item, Mapping) and "exists" in item:
            if (have is not _MISSING) == bool(item["exists"]):
                return True
            continue
        if have is _MISSING:
            continue
        if isinstance(item, Mapping) and "anything-but" in item:
            if all(_anything_but(item["anything-but"], v) for v in values):
                return True
            continue
        if any(_match_one(item, v) for v in values):
            return True
    return False


def _anything_but(rule: Any, value: Any) -> bool:
    if isinstance(rule, Mapping):
        return not any(_match_one({k: v}, value) for k, v in rule.items())
    rules = rule if isinstance(rule, list) else [rule]
    return value not in rules


def _match_one(item: Any, value: Any) -> bool:
    if not isinstance(item, Mapping):
        return item == value and isinstance(item, bool) == isinstance(value, bool)
    (op, arg), = item.items()
    if op == "prefix":
        if isinstance(arg, Mapping):
            return isinstance(value, str) and value.lower().startswith(str(arg["equals-ignore-case"]).lower())
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        if isinstance(arg, Mapping):
            return isinstance(value, str) and value.lower().endswith(str(arg["equals-ignore-case"]).lower())
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(arg).lower()
    if op == "wildcard":
        return isinstance(value, str) and fnmatchcase(value, re.sub(r"[\[\]?]", lambda m: f"[{m.group(0)}]", arg))
    if op == "numeric":
        return _numeric(arg, value)
    if op == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
        except (TypeError, ValueError):
            return False
    raise BadEvent(f"unsupported EventBridge pattern operator {op!r}")


_OPS = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _numeric(conditions: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    pairs = zip(conditions[::2], conditions[1::2])
    return all(_OPS[op](value, bound) for op, bound in pairs)
