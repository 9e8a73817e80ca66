"""Warn when two rules may select the same resources and drive them opposite ways at the same time.

Checked by probing: each scheduled rule becomes a list of time segments with the state it drives
(power on/off, a capacity); two rules on the same resource type whose matches are not provably
disjoint conflict where their segments overlap with different targets. Cron firings are one-minute
segments; a window rule holds its inside actions while inside and its outside actions while outside.
Event-driven and disabled rules are not probed.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from shiftwork.engine.schedule.cron import occurrences
from shiftwork.engine.errors import Diagnostic
from shiftwork.engine.language.gcpause import gc_paused
from shiftwork.engine.language.model import ActionSpec, CronTrigger, Match, Rule, RuleSet, WindowTrigger
from shiftwork.engine.schedule.overlap import Keys, leaf_pairs, leaves
from shiftwork.engine.schedule.walltime import wall_label
from shiftwork.engine.schedule.windows import intervals

PROBE_DAYS = 14
MESSAGE_START = "may conflict with rule"
Segment = tuple[datetime, datetime, dict[str, Any], str]  # start, end, targets, what drives them


def targets(actions: tuple[ActionSpec, ...]) -> dict[str, Any]:
    """The level an action list drives a resource to: {"power": "on"/"off", "capacity": N or "restore"}.

    Verbs, not services: any `*.start`/`*.stop` is power, any `*.scale` with `desired`/`*.restore` capacity.
    Relative scaling (add, multiply) and read-only actions set no level.
    """
    out: dict[str, Any] = {}
    for spec in actions:
        verb = spec.type.rpartition(".")[2]
        if verb == "start":
            out["power"] = "on"
        elif verb == "stop":
            out["power"] = "off"
        elif verb == "scale" and "desired" in spec.options:
            out["capacity"] = spec.options["desired"]
        elif verb == "restore":
            out["capacity"] = "restore"
    return out


def _literal(pattern: str) -> bool:
    return not any(c in pattern for c in "*?[")


def _values_disjoint(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when no value can match both lists of globs (empty = any value)."""
    if not a or not b:
        return False
    for x in a:
        for y in b:
            if _literal(x) and _literal(y):
                if x == y:
                    return False
            elif _literal(x):
                if fnmatch.fnmatchcase(x, y):
                    return False
            elif _literal(y):
                if fnmatch.fnmatchcase(y, x):
                    return False
            else:
                return False  # two globs: not provable without more work
    return True


def _cluster(name: str | None) -> str | None:
    return name.rsplit("/", 1)[-1] if name else None


def matches_disjoint(a: Match, b: Match) -> bool:
    """True only when no resource can be selected by both matches."""
    for key in set(a.tags) & set(b.tags):
        if _values_disjoint(a.tags[key], b.tags[key]):
            return True
    if a.ids and b.ids and not set(a.ids) & set(b.ids):
        return True
    if a.names and b.names and _values_disjoint(a.names, b.names):
        return True
    ca, cb = _cluster(a.cluster), _cluster(b.cluster)
    return bool(ca and cb and ca != cb)


def rules_disjoint(a: Rule, b: Rule) -> bool:
    if a.resource != b.resource:
        return True
    if a.regions and b.regions and not set(a.regions) & set(b.regions):
        return True
    ids_a, ids_b = {x.id for x in a.accounts}, {x.id for x in b.accounts}
    if ids_a and ids_b and not ids_a & ids_b:
        return True
    return matches_disjoint(a.match, b.match)


def _literals(globs: tuple[str, ...]) -> frozenset[str] | None:
    return frozenset(globs) if globs and all(map(_literal, globs)) else None


def overlap_keys(rule: Rule) -> Keys:
    """What a rule can select, per dimension, as rules_disjoint reads it: disjoint keys mean disjoint rules."""
    m = rule.match
    keys = {"resource": frozenset({rule.resource}), "region": frozenset(rule.regions) or None,
            "account": frozenset(a.id for a in rule.accounts) or None, "ids": frozenset(m.ids) or None,
            "names": _literals(m.names), "cluster": frozenset({_cluster(m.cluster) or ""}) if m.cluster else None}
    keys.update({f"tag:{k}": _literals(v) for k, v in m.tags.items()})
    return keys


def _once(memo: dict[tuple, list] | None, key: tuple, compute: Callable[[], list]) -> list:
    """compute(), remembered under key when there is a memo (a trigger's equality ignores its location)."""
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def segments(rule: Rule, start: datetime, end: datetime, memo: dict[tuple, list] | None = None) -> list[Segment]:
    """`memo`, shared by the rules of one probe, computes each distinct schedule's times once."""
    trigger = rule.trigger
    if not rule.enabled:
        return []
    if isinstance(trigger, CronTrigger):
        want = targets(rule.actions)
        names = ", ".join(a.type for a in rule.actions)
        times = lambda: occurrences(trigger.cron, rule.timezone, start, end)  # noqa: E731
        return [(t, t + timedelta(minutes=1), want, names)
                for t in _once(memo, (trigger, rule.timezone), times)] if want else []
    if not isinstance(trigger, WindowTrigger):
        return []
    inside, outside = targets(rule.inside), targets(rule.outside)
    in_names = ", ".join(a.type for a in rule.inside) + " (inside)"
    out_names = ", ".join(a.type for a in rule.outside) + " (outside)"
    out: list[Segment] = []
    cursor = start
    for s, e in _once(memo, (trigger, rule.timezone), lambda: intervals(trigger, rule.timezone, start, end)):
        s, e = max(s, start), min(e, end)
        if outside and cursor < s:
            out.append((cursor, s, outside, out_names))
        if inside and s < e:
            out.append((s, e, inside, in_names))
        cursor = max(cursor, e)
    if outside and cursor < end:
        out.append((cursor, end, outside, out_names))
    return out


def _clash(a: list[Segment], b: list[Segment]) -> tuple[datetime, int, int] | None:
    """The first instant where two sorted, disjoint segment lists overlap with different targets,
    with the indexes of the two segments."""
    i = j = 0
    while i < len(a) and j < len(b):
        sa, ea, ta, _ = a[i]
        sb, eb, tb, _ = b[j]
        if sa < eb and sb < ea and any(k in tb and tb[k] != v for k, v in ta.items()):
            return max(sa, sb), i, j
        if ea <= eb:
            i += 1
        else:
            j += 1
    return None


def _by_schedule(probed: list, members: list[int]) -> dict[int, list[int]]:
    """Members grouped by their schedule id (rules with the same segments and targets)."""
    out: dict[int, list[int]] = {}
    for i in members:
        out.setdefault(probed[i][2], []).append(i)
    return out


@gc_paused  # probing keeps every rule's segments alive: GC passes over them only cost time
def find_conflicts(ruleset: RuleSet, start: datetime | None = None, days: int = PROBE_DAYS) -> list[Diagnostic]:
    """Warnings for pairs of rules that may fight over the same resources in [start, start + days)."""
    if start is None:  # validation has no trigger time: probe the coming days
        start = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=days)
    # Rules whose segments have the same times and targets share a schedule id: two such rules never
    # drive a resource opposite ways, and a clash between two schedules is computed once (1,000 rules).
    schedules: dict[tuple, int] = {}
    probed = []
    times: dict[tuple, list] = {}  # each distinct schedule's occurrences or intervals, computed once
    for rule in ruleset.rules:
        segs = segments(rule, start, end, times)
        if segs:
            shape = tuple((s, e, tuple(sorted(t.items(), key=str))) for s, e, t, _ in segs)
            probed.append((rule, segs, schedules.setdefault(shape, len(schedules))))
    clashes: dict[tuple[int, int], tuple[datetime, int, int] | None] = {}

    def clash(a: tuple, b: tuple) -> tuple[datetime, int, int] | None:  # (rule, segments, schedule id) each
        if (a[2], b[2]) not in clashes:
            clashes[(a[2], b[2])] = _clash(a[1], b[1])
        return clashes[(a[2], b[2])]

    # Only rules that may select the same resources are compared (overlap.py), and within such a group
    # only rules whose schedules clash: a group's cost is its number of schedules squared, not of rules.
    pairs: set[tuple[int, int]] = set()
    for leaf in leaves([overlap_keys(rule) for rule, _, _ in probed]):
        left, right = leaf
        by_left = _by_schedule(probed, left)
        by_right = by_left if right is None else _by_schedule(probed, right)
        for p, ps in by_left.items():
            for q, qs in by_right.items():
                if p != q and (right is not None or p < q) and clash(probed[ps[0]], probed[qs[0]]) is not None:
                    pairs.update(leaf_pairs((ps, qs)))
    found: list[Diagnostic] = []
    for i, j in sorted(pairs):  # the order of the all-pairs loop this replaces
        (a, sa, ida), (b, sb, idb) = probed[i], probed[j]
        if ida == idb or rules_disjoint(a, b):
            continue
        clash_at = clash(probed[i], probed[j])
        if clash_at is None:
            continue
        at, what_a, what_b = clash_at[0], sa[clash_at[1]][3], sb[clash_at[2]][3]
        found.append(Diagnostic(
            b.loc, f"{MESSAGE_START} '{a.name}' ({a.loc}): both may select the same {b.resource} resources "
                   f"and drive them opposite ways: {what_b} here, {what_a} there, first at "
                   f"{wall_label(at, b.timezone)}",
            rule=b.name, hint="make the matches disjoint (e.g. different tag values) or the times",
            severity="warning"))
    return found
