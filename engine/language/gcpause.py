"""Python's cyclic GC paused while a rule set is loaded: its passes over a growing heap made loading superlinear.

Loading 5,000 rules builds millions of small objects that all stay alive; each GC pass re-scans them,
which cost ~30% of a 5,000-rule validate (6.5x the CPU of 1,000 rules instead of 4.9x). The work is
bounded by the input, and its few cycles are collected once the GC runs again.

When the pause ends, what was built during it is moved straight to the oldest generation (gc.freeze
then gc.unfreeze): left in the youngest, the first collections after the pause would walk all of it
again only to find it alive, a pass that grows faster than the rule set (7-8x from 1,000 to 5,000
rules). Cycles among those objects are found by the next full collection instead.
"""
from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def _promote_young() -> None:
    """Move every tracked object to the oldest generation, unless a caller froze objects of its own."""
    if gc.get_freeze_count() == 0:  # unfreeze would release a caller's frozen objects too
        gc.freeze()
        gc.unfreeze()


def gc_paused(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def run(*args, **kwargs) -> T:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                _promote_young()
                gc.enable()
    return run
