"""EventBridge pattern conformance: tables of (pattern, event, expected) with the source of each expectation.

The tables live in tests/fixtures/patterns/ and are read as rule files are (YAML 1.2 core), so a
pattern here means what it means in a rule. Expected values cite the AWS documentation or
event-ruler's README/tests; none is taken from shiftwork's output.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shiftwork.engine.events.patterns import matches
from shiftwork.engine.language.patterns import compile_pattern
from shiftwork.engine.language.yamldoc import parse

TABLES = Path(__file__).resolve().parents[1] / "fixtures" / "patterns"


def table(name: str) -> list[dict[str, Any]]:
    data = parse((TABLES / name).read_text(), name).data
    cases = data.get("cases", data) if isinstance(data, dict) else data
    assert isinstance(cases, list)
    return cases


def case_id(case: dict[str, Any], i: int) -> str:
    return str(case.get("name") or case.get("id") or f"case-{i}")


def cases(name: str) -> list[Any]:
    return [pytest.param(c, id=case_id(c, i)) for i, c in enumerate(table(name))]


def test_the_conformance_table_is_big_enough_and_cites_sources() -> None:
    conformance = table("conformance.yaml")
    assert len(conformance) >= 150
    assert all(c.get("source") for c in conformance)


@pytest.mark.parametrize("case", cases("conformance.yaml"))
def test_conformance(case: dict[str, Any]) -> None:
    compiled, problems = compile_pattern(case["pattern"])
    errors = [p for p in problems if p.severity == "error"]
    assert compiled is not None, f"a valid pattern was rejected: {errors[0].message} ({case['source']})"
    assert matches(compiled, case["event"]) is case["match"], case["source"]
