"""What loading keeps on the heap: locations packed per node, and the GC pause's hand-over to the oldest generation."""
from __future__ import annotations

import gc
import weakref
from typing import Any

import yaml

from shiftwork.engine.errors import Loc
from shiftwork.engine.language.gcpause import gc_paused
from shiftwork.engine.language.yamldoc import parse

SHAPE = """\
  - name: rule-{n}
    resource: ec2.instance
    match: {{tags: {{env: dev, team: "team-{n}"}}, names: [web-{n}-*, "api-{n}"]}}
    during: {{days: mon-fri, hours: "08:00-19:00"}}
    actions:
      inside: [ec2.start]
      outside:
        - {{type: ec2.stop, hibernate: true}}
        - type: notify
          target: ops
"""


def _marks(node: yaml.Node, path: tuple[Any, ...], values: dict, keys: dict) -> None:
    """Every value's and key's position as PyYAML's own (pure-Python) composer reports it, 1-based."""
    values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _marks(child, path + (i,), values, keys)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            keys[path + (key_node.value,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _marks(value_node, path + (key_node.value,), values, keys)


def test_every_location_is_the_composers_mark_past_line_256_and_long_columns() -> None:
    # 60 rules of 10 lines: lines well past 256; a long first line puts columns in the thousands
    text = f"version: 1\nx: [{', '.join(['a'] * 900)}, last]\nrules:\n" + "".join(
        SHAPE.format(n=n) for n in range(60))
    values: dict = {}
    keys: dict = {}
    _marks(yaml.compose(text, Loader=yaml.SafeLoader), (), values, keys)
    doc = parse(text, "f.yaml")
    assert max(line for line, _ in values.values()) > 600 and max(col for _, col in values.values()) > 2700
    for path, (line, col) in values.items():
        assert doc.loc(path) == Loc("f.yaml", line, col), path
    for path, (line, col) in keys.items():
        assert doc.loc(path, key=True) == Loc("f.yaml", line, col), path
    # a path below a scalar falls back to the closest node above it; an unknown path to the top
    assert doc.loc(("rules", 59, "name", "deeper")) == Loc("f.yaml", *values[("rules", 59, "name")])
    assert doc.loc(("nowhere",)) == Loc("f.yaml", *values[()])


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_objects_built_in_a_pause_move_to_the_oldest_generation_and_cycles_are_still_collected() -> None:
    cycles = []

    @gc_paused
    def build(n: int) -> list[list[int]]:
        cycles.append(weakref.ref(_Cycle()))  # garbage: a cycle only the collector can free
        return [[i] for i in range(n)]  # lists are always tracked (a dict of ints is not)

    gc.collect()
    before = len(gc.get_objects(generation=2))
    kept = build(5_000)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert len(gc.get_objects(generation=0)) < 100  # not walked again by the next young collections
    assert len(gc.get_objects(generation=2)) >= before + 5_000
    assert cycles[0]() is not None
    gc.collect()
    assert cycles[0]() is None
    assert len(kept) == 5_000


def test_a_callers_frozen_objects_stay_frozen() -> None:
    @gc_paused
    def build() -> list[int]:
        return [1]

    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
