"""jsontext.indented must give json.dumps(indent=2)'s exact text, for the values simulate emits and any others."""
from __future__ import annotations

import gc
import json
import random
from typing import Any

import pytest

from shiftwork.engine.schedule.jsontext import indented

VALUES: list[Any] = [
    None, True, False, 0, -7, 2**70, "", "plain", 'quote " backslash \\ newline \n tab \t', "é ✓ 😀 \u2028",
    [], {}, [[]], [{}], {"a": []}, {"a": {}}, {"k": [1, "x", None, True, [False, {"n": {"m": []}}]]},
    {'odd "key"\n': "v", "é": 1},
    1.5, float("nan"), float("-inf"), (1, 2), {"t": (1, [2])}, {1: "int key", "s": 2}, {"f": [0.1, 1e300]},
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_same_text_as_json_dumps(value: Any) -> None:
    assert indented(value) == json.dumps(value, indent=2)


def test_nested_inside_an_indented_document() -> None:
    value = {"a": [{"b": "c", "d": [1, 2.5, None]}], "e": {}}
    assert "{\n  \"x\": " + indented(value, "  ") + "\n}" == json.dumps({"x": value}, indent=2)


def _random(rng: random.Random, depth: int) -> Any:
    pick = rng.randrange(9 if depth < 4 else 5)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.randint(-10**6, 10**6)
    if pick in (3, 4):
        return "".join(rng.choice('ab"\\\n é✓') for _ in range(rng.randrange(5)))
    if pick in (5, 6):
        return [_random(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {"".join(rng.choice("kx\"é") for _ in range(rng.randrange(1, 4))): _random(rng, depth + 1)
            for _ in range(rng.randrange(4))}


def test_random_documents() -> None:
    rng = random.Random(14)
    for _ in range(500):
        value = _random(rng, 0)
        assert indented(value) == json.dumps(value, indent=2)


def test_leaves_nothing_for_the_cycle_collector() -> None:
    value = {"rules": [{"events": [{"kind": "fire", "actions": ["ec2.stop"]}]}] * 50}
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            indented(value)
        assert gc.collect(0) == 0  # no garbage cycles
        for _ in range(20):
            json.dumps(value, indent=2)
        assert gc.collect(0) > 0  # what the stdlib leaves (the reason this module exists)
    finally:
        gc.enable()
