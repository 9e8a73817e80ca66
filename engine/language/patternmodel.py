"""The compiled form of an EventBridge pattern: small frozen records the events stage walks to match."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a pattern, at a path inside it."""

    path: tuple[Any, ...]
    message: str
    hint: str | None = None
    key: bool = False  # point at the key itself (an unknown operator), not its value
    severity: str = "error"


@dataclass(frozen=True)
class Test:
    """One value test of a leaf: `equals` (a plain value) or an operator with its operand compiled."""

    op: str
    value: Any = None
    regex: re.Pattern[str] | None = None  # wildcard
    network: Any = None  # cidr: an ipaddress network
    bounds: tuple[tuple[str, float], ...] = ()  # numeric
    excluded: tuple["Test", ...] = ()  # anything-but: the tests a value must fail
    ignore_case: bool = False  # prefix/suffix with equals-ignore-case


@dataclass(frozen=True)
class Field:
    """A field of a pattern object: a leaf (a list of tests) or a nested object."""

    key: str
    tests: tuple[Test, ...] | None
    node: "Node | None"
    raw: Any = field(default=None, compare=False)  # as written, for explanations
    exact: frozenset[str] | None = field(default=None, compare=False)  # when every test is an exact string

    def __post_init__(self) -> None:
        if self.tests and all(t.op == "equals" and isinstance(t.value, str) for t in self.tests):
            object.__setattr__(self, "exact", frozenset(t.value for t in self.tests))


@dataclass(frozen=True)
class Node:
    """A pattern object: every field must match, and for each `$or` one of its branches."""

    fields: tuple[Field, ...]
    ors: tuple[tuple["Node", ...], ...] = ()


@dataclass(frozen=True)
class CompiledPattern:
    root: Node
    sources: frozenset[str] | None = None  # the exact `source` values it can match; None = any
    detail_types: frozenset[str] | None = None


def wildcard_regex(text: str) -> re.Pattern[str] | str:
    """The regex of a wildcard pattern, or what is wrong with it (`**`, a stray backslash)."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            following = text[i + 1:i + 2]
            if following not in ("*", "\\"):
                return (f"wildcard '{text}': '\\' escapes only '*' or '\\'" if following
                        else f"wildcard '{text}' ends with an unescaped '\\'")
            out.append(re.escape(following))
            i += 2
            continue
        if char == "*":
            if text[i + 1:i + 2] == "*":
                return f"wildcard '{text}' has consecutive '*' characters, which EventBridge rejects"
            out.append(".*")
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _merge(outer: Field, inner: Field) -> Field:
    """A branch's field over the same outer field: objects merge field by field, otherwise the branch's wins."""
    if outer.node is None or inner.node is None:
        return inner
    keys = {f.key for f in inner.node.fields}
    merged = [f for f in outer.node.fields if f.key not in keys] + [
        next((_merge(o, f) for o in outer.node.fields if o.key == f.key), f) for f in inner.node.fields]
    return Field(inner.key, None, Node(tuple(merged), outer.node.ors + inner.node.ors), inner.raw)


def with_branches(fields: tuple[Field, ...], ors: tuple[tuple[Node, ...], ...]) -> Node:
    """A `$or` branch that names an outer field replaces it in that branch (event-ruler expands each branch into
    its own rule, the branch's key written last): such outer fields move into the branches that keep them."""
    named = {f.key for branches in ors for b in branches for f in b.fields}
    stays = tuple(f for f in fields if f.key not in named)
    moves = [f for f in fields if f.key in named]
    if not moves:
        return Node(fields, ors)
    rebuilt = []
    for branches in ors:
        group = []
        for b in branches:
            own = {f.key: f for f in b.fields}
            merged = [_merge(f, own[f.key]) if f.key in own else f for f in moves]
            group.append(Node(tuple(merged) + tuple(f for f in b.fields if f.key not in {m.key for m in moves}),
                              b.ors))
        rebuilt.append(tuple(group))
    return Node(stays, tuple(rebuilt))


def exact_strings(node: Node, key: str) -> frozenset[str] | None:
    """The exact strings a top-level leaf allows, when every test of it is one (what the index uses)."""
    for f in node.fields:
        if f.key == key and f.tests is not None:
            if all(t.op == "equals" and isinstance(t.value, str) for t in f.tests):
                return frozenset(t.value for t in f.tests)
    return None
