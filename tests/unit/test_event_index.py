"""The source/detail-type index never hides a rule that matches: it only skips rules that cannot."""
from __future__ import annotations

from pathlib import Path

from shiftwork.engine.errors import Loc
from shiftwork.engine.events.patterns import matches
from shiftwork.engine.events.trigger import EventIndex, event_index, rule_compiled
from shiftwork.engine.language.model import EventTrigger, Match, Rule, RuleSet
from shiftwork.engine.language.yamldoc import parse

TABLE = Path(__file__).resolve().parents[1] / "fixtures" / "patterns" / "conformance.yaml"
HERE = Loc("x")


def test_the_index_finds_every_match_of_every_conformance_pattern_against_every_conformance_event() -> None:
    cases = parse(TABLE.read_text(), "conformance.yaml").data
    rules = tuple(Rule(name=f"r{i}", resource="ec2.instance", match=Match(), trigger=EventTrigger(c["pattern"], HERE))
                  for i, c in enumerate(cases))
    ruleset = RuleSet(rules, ("x",))
    index = EventIndex(ruleset)
    events = [c["event"] for c in cases]
    skipped = 0
    for event in events:
        everything = {i for i, r in enumerate(rules) if matches(rule_compiled(r), event)}
        candidates = index.candidates(event)
        assert everything <= candidates
        skipped += len(rules) - len(candidates)
    assert skipped > 0  # the index does leave rules out
    assert event_index(ruleset) is event_index(ruleset)  # built once per rule set
