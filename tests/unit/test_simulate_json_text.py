"""`simulate --format json` encodes rule by rule: the text must be exactly what json.dumps(indent=2) makes."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

from shiftwork.engine.errors import Diagnostic, Loc
from shiftwork.engine.language.loader import check_paths
from shiftwork.engine.schedule.simulate import simulate, to_json, to_json_text

ROOT = Path(__file__).resolve().parents[2]

# Values a JSON encoder must escape: quotes, backslashes, a newline, non-ASCII, and text shaped like the
# document's own `"rules": [],` line.
TRICKY = 'say "hi" \\ back\nslash é ✓ \n  "rules": [],\n'


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_load import generate  # the scaling bench's ten rule shapes: crons, windows, calendars, events

    out = tmp_path_factory.mktemp("rules")
    generate(out, 60, 3)
    return out


@pytest.mark.parametrize("paths", [["rules/examples"], ["generated"]])
def test_text_equals_json_dumps_of_the_whole_document(paths: list[str], generated: Path) -> None:
    found = check_paths([str(generated) if p == "generated" else str(ROOT / p) for p in paths])
    assert found.ruleset is not None
    warnings = [Diagnostic(Loc("f.yaml", 3, 5), TRICKY, rule="r", severity="warning")]
    sim = simulate(found.ruleset, date(2027, 3, 22), date(2027, 4, 4), None, warnings)  # a DST change in Europe
    assert len(sim.timelines) > 10 and any(tl.events for tl in sim.timelines)
    assert to_json_text(sim) == json.dumps(to_json(sim), indent=2)


def test_no_rules_and_no_warnings(generated: Path) -> None:
    found = check_paths([str(generated)])
    sim = simulate(found.ruleset, date(2027, 3, 22), date(2027, 3, 22), ["no-such-rule"], [])
    assert sim.timelines == []
    assert to_json_text(sim) == json.dumps(to_json(sim), indent=2)
