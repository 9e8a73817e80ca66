"""The saved-capacity tag shared by asg.scale/asg.restore and ecs.scale/ecs.restore.

Before scaling a resource down, the previous size is written to a tag on the resource, so a
restore is exact even across Lambda invocations. A saved non-zero capacity is never replaced
by a zero one: running a scale-to-zero twice must not forget the real size.

Tag values use only characters every service accepts in tags (letters, digits, space, = . _ : / @ + -).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SAVED_TAG = "shiftwork:saved-capacity"
FIELDS = ("min", "desired", "max")


@dataclass(frozen=True)
class Capacity:
    min: int | None
    desired: int
    max: int | None

    def encode(self) -> str:
        return " ".join(f"{k}={getattr(self, k)}" for k in FIELDS if getattr(self, k) is not None)

    @property
    def is_zero(self) -> bool:
        return self.desired == 0

    def __str__(self) -> str:
        if self.min is None and self.max is None:
            return f"desired {self.desired}"
        return f"min {self.min} / desired {self.desired} / max {self.max}"


class BadSavedCapacity(ValueError):
    """The saved-capacity tag exists but cannot be read; never guess a size from it."""


def decode(text: str) -> Capacity:
    values: dict[str, int] = {}
    for part in text.split():
        key, sep, raw = part.partition("=")
        if not sep or key not in FIELDS or key in values or not raw.isdigit():
            raise BadSavedCapacity(f"unreadable {SAVED_TAG} tag {text!r}; expected e.g. 'min=1 desired=2 max=4'")
        values[key] = int(raw)
    if "desired" not in values:
        raise BadSavedCapacity(f"{SAVED_TAG} tag {text!r} has no desired count")
    return Capacity(values.get("min"), values["desired"], values.get("max"))


def saved(tags: dict[str, str]) -> Capacity | None:
    """The capacity saved on a resource, None when there is none; raises BadSavedCapacity when unreadable."""
    text = tags.get(SAVED_TAG)
    return None if text is None else decode(text)


def should_save(current: Capacity, already: Capacity | None) -> bool:
    """Save `current` before scaling unless that would overwrite a real (non-zero) size with a zero one."""
    if already is None:
        return True
    if current.is_zero and not already.is_zero:
        return False
    return current != already


def scaled_count(options: Mapping[str, Any], current: int) -> int:
    """The new count (tasks, instances). multiply rounds away from the current count (3 x 1.5 = 5, 3 x 0.5 = 1), so a
    multiply always moves when it can; min/max stop a step but never reverse it."""
    if "desired" in options:
        return int(options["desired"])
    if "add" in options:
        count = current + int(options["add"])
    else:
        factor = Decimal(str(options["multiply"]))
        exact = factor * current
        count = math.ceil(exact) if factor >= 1 else math.floor(exact)
    if count < current and "min" in options:
        count = max(count, min(int(options["min"]), current))
    if count > current and "max" in options:
        count = min(count, max(int(options["max"]), current))
    return max(count, 0)
