"""Loader behaviour: YAML 1.2 scalars, locations, multi-file rule sets and the model's defaults."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from shiftwork.engine.errors import Loc, RuleErrors
from shiftwork.engine.language.loader import check_paths, load
from shiftwork.engine.language.model import Account, AlarmTrigger, CronTrigger, EventTrigger, Limits, WindowTrigger
from shiftwork.engine.language.yamldoc import parse

RULE = """\
  - name: {name}
    resource: ec2.instance
    match: {{tags: {{env: dev}}}}
    on: {{cron: "0 19 * * mon-fri"}}
    actions: [ec2.stop]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def rules_file(*names: str, header: str = "") -> str:
    return "version: 1\n" + header + "rules:\n" + "".join(RULE.format(name=n) for n in names)


# -- YAML reading ----------------------------------------------------------------------------------------------
def test_on_stays_a_key_and_yaml_11_booleans_stay_text() -> None:
    doc = parse("on: {cron: x}\nyes: off\nlist: [no, y, n, on]\n", "f.yaml")
    assert doc.data == {"on": {"cron": "x"}, "yes": "off", "list": ["no", "y", "n", "on"]}


def test_dates_times_and_sexagesimals_stay_strings() -> None:
    doc = parse("d: 2026-12-24\nt: 2026-12-24T19:00:00Z\nh: 8:00\nr: 08:00-19:00\nq: '012345678901'\n", "f.yaml")
    assert doc.data == {"d": "2026-12-24", "t": "2026-12-24T19:00:00Z", "h": "8:00", "r": "08:00-19:00",
                        "q": "012345678901"}


def test_unquoted_digits_with_a_leading_zero_are_a_decimal_integer() -> None:
    # YAML 1.2 core: not octal, not a float; an account id like this loses its zero, so the schema asks for quotes
    assert parse("id: 012345678901\n", "f.yaml").data == {"id": 12345678901}


def test_core_schema_numbers_booleans_and_null() -> None:
    doc = parse("a: 12\nb: -3\nc: 1.5\nd: 0x1f\ne: 0o17\nf: true\ng: False\nh: null\ni: ~\nj:\nk: '12'\n"
                "l: 1e3\n", "f.yaml")
    assert doc.data == {"a": 12, "b": -3, "c": 1.5, "d": 31, "e": 15, "f": True, "g": False, "h": None,
                        "i": None, "j": None, "k": "12", "l": 1000.0}


def test_locations_of_values_and_keys() -> None:
    text = "version: 1\nrules:\n  - name: x\n    match: {tags: {env: dev}}\n    actions: [ec2.stop, notify]\n"
    doc = parse(text, "r.yaml")
    assert doc.loc(("version",)) == Loc("r.yaml", 1, 10)
    assert doc.loc(("rules", 0)) == Loc("r.yaml", 3, 5)
    assert doc.loc(("rules", 0, "name")) == Loc("r.yaml", 3, 11)
    assert doc.loc(("rules", 0, "name"), key=True) == Loc("r.yaml", 3, 5)
    assert doc.loc(("rules", 0, "match", "tags", "env")) == Loc("r.yaml", 4, 25)
    assert doc.loc(("rules", 0, "actions", 1)) == Loc("r.yaml", 5, 25)
    # a path that does not exist falls back to its nearest parent
    assert doc.loc(("rules", 0, "match", "ids")) == Loc("r.yaml", 4, 12)


# -- loading files and directories -----------------------------------------------------------------------------
def test_directory_is_loaded_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "c.yaml", rules_file("rule-c"))
    write(tmp_path / "a.yml", rules_file("rule-a"))
    write(tmp_path / "b.yaml", rules_file("rule-b1", "rule-b2"))
    write(tmp_path / "notes.txt", "not a rule file")
    ruleset = load([str(tmp_path)])
    assert ruleset.files == (str(tmp_path / "a.yml"), str(tmp_path / "b.yaml"), str(tmp_path / "c.yaml"))
    assert [r.name for r in ruleset.rules] == ["rule-a", "rule-b1", "rule-b2", "rule-c"]


def test_several_paths_and_the_same_file_twice(tmp_path: Path) -> None:
    one = write(tmp_path / "one.yaml", rules_file("first"))
    two = write(tmp_path / "sub" / "two.yaml", rules_file("second"))
    ruleset = load([str(one), str(tmp_path / "sub"), str(one)])
    assert ruleset.files == (str(one), str(two))
    assert [r.name for r in ruleset.rules] == ["first", "second"]


def test_calendars_and_notify_targets_are_shared_across_files(tmp_path: Path) -> None:
    write(tmp_path / "a-shared.yaml", "version: 1\ncalendars:\n  freeze: {dates: ['2026-12-24..2027-01-02']}\n"
                                      "notify:\n  ops: {sns: 'arn:aws:sns:eu-west-1:111122223333:ops'}\nrules: []\n")
    write(tmp_path / "b-rules.yaml", """\
version: 1
calendars:
  freeze: {dates: ['2026-12-24..2027-01-02']}   # the same definition again is fine
rules:
  - name: office
    resource: ec2.instance
    match: {tags: {env: dev}}
    during: {days: mon-fri, hours: "08:00-19:00", except: [freeze]}
    actions:
      inside: [ec2.start]
      outside: [ec2.stop, {type: notify, target: ops}]
""")
    ruleset = load([str(tmp_path)])
    window = ruleset.rule("office").trigger.windows[0]
    assert [c.name for c in window.except_] == ["freeze"]
    assert window.except_[0].dates == ("2026-12-24..2027-01-02",)
    assert window.except_[0].loc == Loc(str(tmp_path / "a-shared.yaml"), 3, 3)
    assert ruleset.notify["ops"].sns == "arn:aws:sns:eu-west-1:111122223333:ops"
    assert set(ruleset.calendars) == {"freeze"}


def test_calendar_defined_differently_in_two_files(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "version: 1\ncalendars:\n  uk: {holidays: GB}\nrules: []\n")
    write(tmp_path / "b.yaml", "version: 1\ncalendars:\n  uk: {holidays: GB, subdiv: ENG}\nrules: []\n")
    checked = check_paths([str(tmp_path)])
    assert checked.ruleset is None
    assert [str(d) for d in checked.errors] == [
        f"{tmp_path / 'b.yaml'}:3:3: calendars.uk: calendar 'uk' is defined differently at "
        f"{tmp_path / 'a.yaml'}:3:3; names are shared by all rule files"]


def test_load_raises_rule_errors_with_exit_code_2(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", rules_file("x").replace("ec2.stop", "ec2.stp"))
    with pytest.raises(RuleErrors) as caught:
        load([str(path)])
    assert caught.value.exit_code == 2
    assert [d.message for d in caught.value.diagnostics] == ["unknown action 'ec2.stp'"]


def test_check_paths_reports_but_never_raises(tmp_path: Path) -> None:
    checked = check_paths([str(tmp_path / "missing"), str(tmp_path)])
    assert [(d.loc.file, d.message) for d in checked.errors] == [  # sorted by place
        (str(tmp_path), "no rule files (*.yaml, *.yml) in this directory"),
        (str(tmp_path / "missing"), "no such file or directory")]
    assert checked.ruleset is None


# -- the model -------------------------------------------------------------------------------------------------
def test_defaults(tmp_path: Path) -> None:
    rule = load([str(write(tmp_path / "r.yaml", rules_file("plain")))]).rule("plain")
    assert rule.timezone == "UTC"
    assert rule.catch_up == timedelta(hours=1)
    assert rule.cooldown is None
    assert rule.regions == () and rule.accounts == ()
    assert rule.limits == Limits(None, None)
    assert (rule.enforce, rule.shadow, rule.enabled, rule.description) == (False, False, True, "")
    assert rule.trigger == CronTrigger("0 19 * * mon-fri", rule.trigger.loc)
    assert [a.type for a in rule.actions] == ["ec2.stop"] and rule.inside == rule.outside == ()
    assert rule.match.tags == {"env": ("dev",)}


def test_file_defaults_and_per_rule_overrides(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", """\
version: 1
timezone: Europe/London
regions: [eu-west-1]
accounts:
  - {id: "111122223333", role: "arn:aws:iam::111122223333:role/shiftwork-exec", external_id: ops}
rules:
  - name: inherits
    resource: ec2.instance
    match: {tags: {env: dev}}
    on: {cron: "0 19 * * *"}
    actions: [ec2.stop]
  - name: overrides
    description: US team's batch hosts
    resource: ec2.instance
    match: {tags: {env: [dev, "test-*"], team: null}, names: ["batch-*"]}
    on: {cron: "0 19 * * *"}
    timezone: America/New_York
    regions: [us-east-1, us-west-2]
    accounts: [{id: "444455556666"}]
    catch_up: 3h
    cooldown: 10m
    limits: {max_resources: 5, max_percent: 50}
    shadow: true
    enabled: false
    actions: [{type: ec2.stop, hibernate: true}]
""")
    ruleset = load([str(path)])
    inherits, overrides = ruleset.rule("inherits"), ruleset.rule("overrides")
    assert inherits.timezone == "Europe/London"
    assert inherits.regions == ("eu-west-1",)
    assert inherits.accounts == (Account("111122223333", "arn:aws:iam::111122223333:role/shiftwork-exec", "ops"),)
    assert overrides.timezone == "America/New_York"
    assert overrides.regions == ("us-east-1", "us-west-2")
    assert overrides.accounts == (Account("444455556666"),)
    assert overrides.catch_up == timedelta(hours=3)
    assert overrides.cooldown == timedelta(minutes=10)
    assert overrides.limits == Limits(5, 50)
    assert (overrides.shadow, overrides.enabled) == (True, False)
    assert overrides.description == "US team's batch hosts"
    assert overrides.match.tags == {"env": ("dev", "test-*"), "team": ()}
    assert overrides.match.names == ("batch-*",)
    assert dict(overrides.actions[0].options) == {"hibernate": True}


def test_triggers(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", """\
version: 1
calendars:
  england: {holidays: GB, subdiv: ENG}
rules:
  - name: on-event
    resource: ec2.instance
    match: {tags: {env: dev}}
    on: {event: {source: [aws.health], detail-type: [AWS Health Event]}}
    actions: [ec2.stop]
  - name: on-alarm
    resource: ecs.service
    match: {cluster: web}
    on: {alarm: api-cpu-high}
    actions: [{type: ecs.scale, add: 2, max: 20}]
  - name: nights
    resource: asg.group
    match: {tags: {tier: etl}}
    during:
      - {days: mon-fri, hours: "20:00-07:00", except: england}
      - {days: [sat, sun]}
      - {monthdays: [1, L], months: jan-mar}
    enforce: true
    actions:
      inside: [{type: asg.scale, min: 0, desired: 0, max: 0}]
      outside: [asg.restore]
""")
    ruleset = load([str(path)])
    event = ruleset.rule("on-event").trigger
    assert isinstance(event, EventTrigger)
    assert dict(event.pattern) == {"source": ["aws.health"], "detail-type": ["AWS Health Event"]}
    alarm = ruleset.rule("on-alarm").trigger
    assert isinstance(alarm, AlarmTrigger) and (alarm.alarm, alarm.state) == ("api-cpu-high", "ALARM")
    assert alarm.pattern()["detail"] == {"alarmName": ["api-cpu-high"], "state": {"value": ["ALARM"]}}
    nights = ruleset.rule("nights")
    assert isinstance(nights.trigger, WindowTrigger) and nights.enforce
    first, weekend, monthly = nights.trigger.windows
    assert (first.days, first.hours, first.monthdays, first.months) == (("mon-fri",), "20:00-07:00", None, None)
    assert [c.name for c in first.except_] == ["england"] and first.except_[0].subdiv == "ENG"
    assert (weekend.days, weekend.hours) == (("sat", "sun"), None)
    assert (monthly.monthdays, monthly.months) == (("1", "L"), ("jan-mar",))
    assert [a.type for a in nights.inside] == ["asg.scale"] and [a.type for a in nights.outside] == ["asg.restore"]
    assert nights.actions == ()
    assert first.loc.line == 19 and monthly.loc.line == 21


def test_every_rule_and_action_knows_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", rules_file("one", "two", "three"))
    ruleset = load([str(path)])
    assert [(r.name, r.loc) for r in ruleset.rules] == [
        ("one", Loc(str(path), 3, 5)), ("two", Loc(str(path), 8, 5)), ("three", Loc(str(path), 13, 5))]
    assert [r.actions[0].loc.line for r in ruleset.rules] == [7, 12, 17]
    assert [r.trigger.loc.line for r in ruleset.rules] == [6, 11, 16]


# -- the validator's fast path ---------------------------------------------------------------------------------
def _readable_invalid_files() -> list[Path]:
    """The golden files that are valid YAML, so the schema step runs on them."""
    from shiftwork.engine.language.loader import read_document
    from shiftwork.engine.language.yamldoc import YamlError

    found = []
    for path in sorted((Path(__file__).resolve().parents[1] / "invalid").rglob("*.yaml")):
        try:
            read_document(str(path))
        except YamlError:
            continue
        found.append(path)
    return found


INVALID = _readable_invalid_files()


def _schema_messages(doc, validator) -> list[str]:  # type: ignore[no-untyped-def]
    from shiftwork.engine.language.schemaerrors import schema_diagnostics

    found, bad = schema_diagnostics(doc, validator)
    return sorted(str(d) for d in found) + sorted(map(repr, bad))


def test_most_golden_files_reach_the_schema_step() -> None:
    assert len(INVALID) >= 30


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_dispatching_validator_reports_exactly_what_the_published_schema_does(path: Path) -> None:
    from jsonschema import Draft202012Validator

    from shiftwork.engine.language.loader import read_document, schema_validator
    from shiftwork.engine.language.registry import registered
    from shiftwork.engine.language.schema import build_schema
    doc = read_document(str(path))
    plain = Draft202012Validator(build_schema(registered()))
    assert _schema_messages(doc, schema_validator()) == _schema_messages(doc, plain)


def test_a_cached_valid_action_does_not_hide_an_invalid_one(tmp_path: Path) -> None:
    good = rules_file("a").replace("[ec2.stop]", "[{type: ec2.stop, hibernate: true}]")
    bad = rules_file("b").replace("[ec2.stop]", "[{type: ec2.stop, hibernate: 1}, {type: ec2.stop, hibernate: true}]")
    write(tmp_path / "a.yaml", good)
    write(tmp_path / "b.yaml", bad)
    checked = check_paths([str(tmp_path)])
    assert [f"{d.path}: {d.message}" for d in checked.errors] == ["actions[0].hibernate: must be true or false, "
                                                                   "not an integer"]


SHAPES = [
    "version: 1\naccounts: [5]\nrules: []\n",
    "version: 1\ncalendars: {x: 5}\nnotify: {ops: {}}\nrules: []\n",
    "version: 1\nrules: {a: 1}\n",
    "version: 1\nrules:\n  - {name: x, resource: ec2.instance, on: {cron: 5}, actions: [ec2.stop]}\n",
    "version: 1\nrules:\n  - {name: x, resource: ec2.instance, during: [1, {days: 2}], actions: {inside: [ec2.stop]}}\n",
    "version: 1\nrules:\n  - {name: x, resource: ec2.instance, on: {alarm: a}, match: {tags: {env: 5}}, actions: 7}\n",
    "version: 1\nrules:\n  - {name: x, resource: 5, during: {hours: 8}, actions: {inside: [ec2.stop], outside: 5}}\n",
    "version: 1\nrules:\n  - {name: 5, resource: ec2.instance, on: null, actions: [{type: 5}, {}, [ec2.stop]]}\n",
    "version: 1\ntimezone: 5\nregions: eu-west-1\nrules:\n  - {name: x, resource: ecs.service, on: {}, actions: []}\n",
]


@pytest.mark.parametrize("text", SHAPES)
def test_schema_invalid_shapes_are_reported_not_crashed_on(text: str, tmp_path: Path) -> None:
    checked = check_paths([str(write(tmp_path / "r.yaml", text))])
    assert checked.ruleset is None
    assert checked.errors and all(d.loc.line >= 1 for d in checked.errors)
