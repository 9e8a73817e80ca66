"""The saved-capacity tag, as the ECS and ASG handlers use it (the format lives in the engine: `shiftwork saved`
reads it too), and the scaling arithmetic both handlers share."""
from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from shiftwork.engine.plan.capacity import (  # noqa: F401
    FIELDS, NOTES, SAVED_TAG, BadSavedCapacity, Capacity, decode, saved, should_save,
)


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
