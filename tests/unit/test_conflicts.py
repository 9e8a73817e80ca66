"""Conflict warnings: overlapping matches with opposite targets at the same time, and what is disjoint."""
from __future__ import annotations

from shiftwork.engine.schedule.conflicts import find_conflicts, matches_disjoint, targets
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import Match, RuleSet
from tests.unit.ruletools import act, cron_rule, utc, window_rule

START = utc("2027-03-22 00:00")  # a Monday


def conflicts(*rules) -> list[str]:
    return [f"{d.rule}: {d.message}" for d in find_conflicts(RuleSet(tuple(rules), ("t.yaml",)), START, 7)]


def test_targets_are_read_from_verbs() -> None:
    assert targets((act("ec2.start"),)) == {"power": "on"}
    assert targets((act("rds.stop"),)) == {"power": "off"}
    assert targets((act("ecs.scale", desired=0), act("notify", target="ops"))) == {"capacity": 0}
    assert targets((act("asg.restore"),)) == {"capacity": "restore"}
    assert targets((act("ecs.scale", add=2),)) == {}


def test_disjoint_matches() -> None:
    assert matches_disjoint(Match(tags={"env": ("dev",)}), Match(tags={"env": ("prod",)}))
    assert matches_disjoint(Match(tags={"env": ("dev", "test")}), Match(tags={"env": ("prod*",)}))
    assert not matches_disjoint(Match(tags={"env": ("dev",)}), Match(tags={"env": ("d*",)}))
    assert not matches_disjoint(Match(tags={"env": ("dev",)}), Match(tags={"team": ("web",)}))
    assert not matches_disjoint(Match(tags={"env": ("dev",)}), Match())
    assert not matches_disjoint(Match(tags={"env": ()}), Match(tags={"env": ("dev",)}))  # any value
    assert matches_disjoint(Match(ids=("i-1",)), Match(ids=("i-2",)))
    assert matches_disjoint(Match(cluster="batch"), Match(cluster="arn:aws:ecs:eu-west-1:1:cluster/web"))
    assert not matches_disjoint(Match(cluster="web"), Match(cluster="arn:aws:ecs:eu-west-1:1:cluster/web"))


def test_cron_against_cron_at_the_same_instant() -> None:
    stop = cron_rule("0 19 * * mon-fri", name="stop", tags={"env": ["dev"]}, actions=(act("ec2.stop"),))
    start = cron_rule("0 19 * * fri", name="start", tags={"team": ["web"]}, actions=(act("ec2.start"),))
    found = conflicts(stop, start)
    assert found == ["start: may conflict with rule 'stop' (test.yaml:1:1): both may select the same "
                     "ec2.instance resources and drive them opposite ways: ec2.start here, ec2.stop there, "
                     "first at 2027-03-26 Fri 19:00 UTC"]
    later = cron_rule("5 19 * * fri", name="later", tags={"team": ["web"]}, actions=(act("ec2.start"),))
    assert conflicts(stop, later) == []


def test_windows_that_overlap_with_opposite_actions() -> None:
    office = window_rule("mon-fri", "08:00-19:00", name="office", tags={"env": ["dev"]})
    demo = window_rule("wed", "18:00-22:00", name="demo", outside=(), tags={"env": ["dev"]})
    # demo keeps instances on until 22:00; office's outside phase stops them from 19:00
    assert conflicts(office, demo) == [
        "demo: may conflict with rule 'office' (test.yaml:1:1): both may select the same ec2.instance "
        "resources and drive them opposite ways: ec2.start (inside) here, ec2.stop (outside) there, "
        "first at 2027-03-24 Wed 19:00 UTC"]


def test_no_conflict_when_disjoint_or_agreeing_or_other_resource() -> None:
    office = window_rule("mon-fri", "08:00-19:00", name="office", tags={"env": ["dev"]})
    prod = window_rule("sat-sun", None, name="prod", inside=(act("ec2.start"),), outside=(),
                       tags={"env": ["prod"]})
    weekend = window_rule("sat-sun", None, name="weekend", inside=(act("ec2.stop"),), outside=(),
                          tags={"env": ["dev"]})
    dbs = window_rule("mon-fri", "08:00-19:00", name="dbs", inside=(act("rds.stop"),), outside=(),
                      resource="rds.instance")
    assert conflicts(office, prod, weekend, dbs) == []


def test_capacity_targets_conflict_by_value() -> None:
    night = window_rule("mon-fri", "20:00-07:00", name="night", inside=(act("ecs.scale", desired=0),),
                        outside=(act("ecs.restore"),), resource="ecs.service")
    late = cron_rule("0 22 * * *", name="late", actions=(act("ecs.scale", desired=4),), resource="ecs.service")
    assert [c.split(":")[0] for c in conflicts(night, late)] == ["late"]


def test_event_and_disabled_rules_are_not_probed() -> None:
    office = window_rule("mon-fri", "08:00-19:00", name="office")
    off = cron_rule("0 12 * * *", name="off", enabled=False)
    assert conflicts(office, off) == []


def test_warnings_have_the_later_rules_location() -> None:
    a = window_rule("mon-fri", "08:00-19:00", name="a")
    b = window_rule("mon-fri", "12:00-13:00", name="b", inside=(act("ec2.stop"),), outside=(),
                    loc=Loc("b.yaml", 7, 5))
    (d,) = find_conflicts(RuleSet((a, b), ("t.yaml",)), START, 7)
    assert d.severity == "warning" and d.loc == Loc("b.yaml", 7, 5) and d.rule == "b"
    assert str(d).startswith("b.yaml:7:5: warning: rule 'b': may conflict with rule 'a' (test.yaml:1:1)")


def test_validate_prints_conflicts_as_warnings_and_exits_0(tmp_path, capsys) -> None:
    from shiftwork.engine.cli.main import main

    path = tmp_path / "r.yaml"
    path.write_text("version: 1\nrules:\n"
                    "  - {name: stop-noon, resource: ec2.instance, match: {tags: {env: dev}},"
                    " on: {cron: '0 12 * * *'}, actions: [ec2.stop]}\n"
                    "  - {name: start-noon, resource: ec2.instance, match: {all: true}, on: {cron: '0 12 * * *'}, actions: [ec2.start]}\n"
                    "  - {name: prod-noon, resource: ec2.instance, match: {tags: {env: prod}},"
                    " on: {cron: '0 12 * * *'}, actions: [ec2.stop]}\n")
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "ok: 3 rules in 1 file, 2 warnings"
    lines = err.splitlines()
    assert [line.split(": may conflict")[0] for line in lines] == [
        f"{path}:4:5: warning: rule 'start-noon'", f"{path}:5:5: warning: rule 'prod-noon'"]
    assert "may conflict with rule 'stop-noon'" in lines[0] and "may conflict with rule 'start-noon'" in lines[1]
