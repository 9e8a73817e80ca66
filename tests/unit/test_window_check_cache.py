"""Window checks are remembered by the window's JSON text: every answer equals a fresh check's."""
from __future__ import annotations

import random

from shiftwork.engine.language.timecheck import _check_window, check_window

PARTS = {
    "days": ["mon-fri", "sat", ["sat", "sun"], "fri-mon", "funday", [], 5, True, ["mon", "mon-wed"]],
    "hours": ["08:00-19:00", "20:00-07:00", "8-19", "25:00-26:00", "08:00-08:00", 800],
    "monthdays": [[1, 2], "L", ["L", "1-2"], 31, 1, True, "1", [30, 31], "0"],
    "months": ["feb", ["feb"], "jan-dec", "13", ["apr", "jun"], 2, ["February"]],
    "except": ["england", ["a", "b"]],
}


def test_remembered_answers_equal_fresh_checks() -> None:
    rng = random.Random(14)
    windows = [{}, {"days": "mon"}, {"days": ["mon"]}, {"monthdays": 1}, {"monthdays": True},
               {"monthdays": 31, "months": "feb"}, {"monthdays": [30, 31], "months": ["feb"]}]
    for _ in range(400):
        keys = rng.sample(sorted(PARTS), rng.randint(1, 4))
        windows.append({k: rng.choice(PARTS[k]) for k in keys})
    for _ in range(2):  # the second pass answers from what the first remembered
        for window in windows:
            assert check_window(window) == _check_window(window), window
    assert check_window({"monthdays": 31, "months": "feb"})  # never opens: the problem is remembered too
    found = check_window({"days": "funday"})
    found.append("caller's own")  # a caller's list is its own
    assert check_window({"days": "funday"}) == _check_window({"days": "funday"})
