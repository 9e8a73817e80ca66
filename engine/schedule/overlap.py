"""Which pairs of items may overlap, found by splitting on their keys instead of comparing every pair.

Each item says, per dimension (resource type, region, a tag key...), the values it can take there, or
None for any value. Two items may overlap when their values intersect in every dimension. The items are
split on the dimension that separates them best, recursively: items with values go into one group per
value, items that take any value are paired with every group. Rule sets are mostly disjoint (other
tag values, other clusters), so this costs about n log n where all pairs cost n².
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import combinations, product

Keys = Mapping[str, "frozenset[str] | None"]  # dimension -> the values an item can take there (None: any)
SMALL = 12  # groups this small are compared pair by pair


def may_overlap(a: Keys, b: Keys) -> bool:
    """True unless some dimension gives both items values and no value is shared."""
    for dim, va in a.items():
        vb = b.get(dim)
        if va is not None and vb is not None and va.isdisjoint(vb):
            return False
    return True


Leaf = tuple[list[int], "list[int] | None"]  # a group whose pairs may overlap, or two groups whose cross pairs may


def leaves(items: Sequence[Keys]) -> list[Leaf]:
    """Groups covering every pair that may overlap (and some that do not); an item may be in several."""
    dims = sorted({d for keys in items for d, v in keys.items() if v is not None})
    found: list[Leaf] = []
    _within(items, list(range(len(items))), dims, found)
    return found


def leaf_pairs(leaf: Leaf) -> Iterator[tuple[int, int]]:
    """The pairs (i < j) a leaf covers."""
    left, right = leaf
    pairs = combinations(left, 2) if right is None else product(left, right)
    return ((a, b) if a < b else (b, a) for a, b in pairs if a != b)


def candidate_pairs(items: Sequence[Keys]) -> list[tuple[int, int]]:
    """Every (i, j), i < j, with may_overlap(items[i], items[j]), in that order."""
    found = {p for leaf in leaves(items) for p in leaf_pairs(leaf)}
    return sorted(p for p in found if may_overlap(items[p[0]], items[p[1]]))


def _split(items: Sequence[Keys], group: Sequence[int], dim: str) -> tuple[dict[str, list[int]], list[int], list[int]]:
    """(value -> items with it, items taking any value, items with values)."""
    buckets: dict[str, list[int]] = {}
    wild: list[int] = []
    valued: list[int] = []
    for i in group:
        values = items[i].get(dim)
        if values is None:
            wild.append(i)
            continue
        valued.append(i)
        for v in values:
            buckets.setdefault(v, []).append(i)
    return buckets, wild, valued


def _within(items: Sequence[Keys], group: list[int], dims: list[str], found: list[Leaf]) -> None:
    """Add the pairs inside `group` that may overlap (and possibly some that do not)."""
    n = len(group)
    if n < 2:
        return
    best = None
    if n > SMALL:
        for dim in dims:
            buckets, wild, valued = _split(items, group, dim)
            cost = sum(len(b) ** 2 for b in buckets.values()) / 2 + len(wild) ** 2 / 2 + len(valued) * len(wild)
            if buckets and (best is None or cost < best[0]):
                best = (cost, dim, buckets, wild, valued)
    if best is None or best[0] >= n * n / 2:  # split only when it leaves fewer pairs
        found.append((group, None))
        return
    _, dim, buckets, wild, valued = best
    rest = [d for d in dims if d != dim]
    for bucket in buckets.values():
        _within(items, bucket, rest, found)
    _within(items, wild, rest, found)
    _across(items, valued, wild, rest, found)


def _across(items: Sequence[Keys], left: list[int], right: list[int], dims: list[str],
            found: list[Leaf]) -> None:
    """Add the pairs (one of `left`, one of `right`) that may overlap (and possibly some that do not)."""
    if not left or not right:
        return
    total = len(left) * len(right)
    best = None
    if total > SMALL * SMALL:
        for dim in dims:
            lb, lw, lv = _split(items, left, dim)
            rb, rw, _ = _split(items, right, dim)
            cost = sum(len(b) * len(rb.get(v, ())) for v, b in lb.items()) + len(lw) * len(right) + len(lv) * len(rw)
            if (lb or rb) and (best is None or cost < best[0]):
                best = (cost, dim, lb, lw, lv, rb, rw)
    if best is None or best[0] >= total:
        found.append((left, right))
        return
    _, dim, lb, lw, lv, rb, rw = best
    rest = [d for d in dims if d != dim]
    for value, bucket in lb.items():
        _across(items, bucket, rb.get(value, []), rest, found)
    _across(items, lw, right, rest, found)
    _across(items, lv, rw, rest, found)
