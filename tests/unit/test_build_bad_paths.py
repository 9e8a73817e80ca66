"""The builder's schema-error lookups and error count, against their definitions on generated inputs."""
from __future__ import annotations

import random

from shiftwork.engine.errors import Diagnostic, Loc
from shiftwork.engine.language.build import Builder

PARTS = ["rules", "actions", "match", "on", 0, 1, 2]


def _path(rng: random.Random) -> tuple:
    return tuple(rng.choice(PARTS) for _ in range(rng.randint(0, 5)))


def test_hit_and_dirty_match_their_definitions() -> None:
    rng = random.Random(14)
    for _ in range(300):
        bad = {_path(rng) for _ in range(rng.randint(0, 6))}
        builder = Builder()
        builder.set_bad(bad)
        for _ in range(40):
            path = _path(rng)
            # hit: a bad path is path itself or one of its parents; dirty: path is a bad path or one of its parents
            assert builder.hit(path) == any(len(p) <= len(path) and path[:len(p)] == p for p in bad), (bad, path)
            assert builder.dirty(path) == any(len(p) >= len(path) and p[:len(path)] == path for p in bad), (bad, path)


def test_everything_is_hit_and_dirty_under_a_bad_root_and_nothing_without_bad_paths() -> None:
    builder = Builder()
    builder.set_bad({()})
    assert builder.hit(("rules", 3, "on")) and builder.dirty(()) and not builder.dirty(("rules",))
    builder.set_bad(set())
    assert not builder.hit(()) and not builder.dirty(())


def test_error_count_counts_errors_only_however_often_it_is_asked() -> None:
    rng = random.Random(7)
    builder = Builder()
    for i in range(500):
        severity = rng.choice(["error", "warning", "warning"])
        builder.problems.append(Diagnostic(Loc("f.yaml", i + 1, 1), "x", severity=severity))
        if rng.random() < 0.3:
            assert builder.error_count() == sum(d.severity == "error" for d in builder.problems)
    assert builder.error_count() == sum(d.severity == "error" for d in builder.problems)
