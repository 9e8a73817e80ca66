"""simulate computes each distinct schedule once: every timeline equals the one computed for its rule alone."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from shiftwork.engine.language.loader import check_paths
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.schedule.simulate import rule_timeline, simulate

ROOT = Path(__file__).resolve().parents[2]

# Same schedules with other action names or another timezone must not share a timeline.
EXTRA = """\
version: 1
calendars:
  england: {holidays: GB, subdiv: ENG}
rules:
  - {name: a, resource: ec2.instance, match: {tags: {e: a}}, during: {days: mon-fri, hours: "08:00-19:00"},
     actions: {inside: [ec2.start], outside: [ec2.stop]}}
  - {name: b, resource: ec2.instance, match: {tags: {e: b}}, during: {days: mon-fri, hours: "08:00-19:00"},
     actions: {inside: [ec2.start]}}
  - {name: c, resource: ec2.instance, match: {tags: {e: c}}, during: {days: mon-fri, hours: "08:00-19:00"},
     timezone: Europe/London, actions: {inside: [ec2.start], outside: [ec2.stop]}}
  - {name: d, resource: ec2.instance, match: {tags: {e: d}}, during: {days: mon-fri, hours: "08:00-19:00",
     except: [england]}, actions: {inside: [ec2.start], outside: [ec2.stop]}}
  - {name: e, resource: ec2.instance, match: {tags: {e: e}}, on: {cron: "30 1 * * *"}, timezone: Europe/London,
     actions: [ec2.stop]}
  - {name: f, resource: ec2.instance, match: {tags: {e: f}}, on: {cron: "30 1 * * *"}, timezone: Europe/London,
     actions: [ec2.start]}
  - {name: g, resource: ec2.instance, match: {tags: {e: g}}, on: {cron: "30 1 * * *"}, actions: [ec2.stop]}
  - {name: h, resource: ec2.instance, match: {tags: {e: h}}, on: {cron: "30 1 * * *"}, enabled: false,
     actions: [ec2.stop]}
"""


def shared_schedule_rules(tmp_path: Path) -> RuleSet:
    """200 rules of the scaling bench's ten shapes (many share a schedule), EXTRA and the examples."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_load import generate

    (tmp_path / "gen").mkdir()
    generate(tmp_path / "gen", 200, 2)
    (tmp_path / "extra.yaml").write_text(EXTRA)
    found = check_paths([str(tmp_path / "gen"), str(tmp_path / "extra.yaml"), str(ROOT / "rules" / "examples")])
    assert found.ruleset is not None
    return found.ruleset


def test_every_timeline_equals_its_rule_computed_alone(tmp_path: Path) -> None:
    ruleset = shared_schedule_rules(tmp_path)
    for first, last in [(date(2027, 3, 22), date(2027, 3, 31)), (date(2026, 12, 20), date(2027, 1, 3))]:
        sim = simulate(ruleset, first, last)  # DST (Europe 28 March), Christmas and the freeze dates
        alone = [rule_timeline(rule, first, last) for rule in ruleset.rules]
        assert sim.timelines == alone
        assert [tl.rule for tl in sim.timelines] == list(ruleset.rules)
        by_name = {tl.rule.name: tl for tl in sim.timelines}
        assert by_name["a"].events != by_name["b"].events != by_name["c"].events  # actions, timezone differ
        assert by_name["a"].events != by_name["d"].events and by_name["e"].events != by_name["f"].events
        assert sum(tl.events != () for tl in sim.timelines) > 150
    # a whole year: UTC and Europe/London start and end at the same instants, with DST between
    first, last = date(2027, 1, 1), date(2027, 12, 31)
    sim = simulate(ruleset, first, last, list("abcdefgh"))
    assert sim.timelines == [rule_timeline(r, first, last) for r in ruleset.rules if r.name in "abcdefgh"]
    by_name = {tl.rule.name: tl for tl in sim.timelines}
    assert (by_name["a"].start, by_name["a"].end) == (by_name["c"].start, by_name["c"].end)
    assert by_name["a"].events != by_name["c"].events and by_name["e"].events != by_name["g"].events
