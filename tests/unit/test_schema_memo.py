"""A rule's match, on, during and actions are validated once per distinct value: errors stay exactly the schema's."""
from __future__ import annotations

import sys
from pathlib import Path

from jsonschema import Draft202012Validator

from shiftwork.engine.language.loader import check_paths, schema_validator
from shiftwork.engine.language.registry import registered
from shiftwork.engine.language.schema import build_schema
from shiftwork.engine.language.schemaerrors import schema_diagnostics
from shiftwork.engine.language.yamldoc import parse

ROOT = Path(__file__).resolve().parents[2]

RULE = """\
  - name: r-{i}
    resource: {resource}
    match: {match}
    {trigger}
    actions: {actions}
"""

# (resource, match, trigger, actions): valid values and invalid ones, each used by several rules below
VARIANTS = [
    ("ec2.instance", "{tags: {env: dev}}", 'on: {cron: "0 19 * * mon-fri"}', "[ec2.stop]"),
    ("ec2.instance", "{tags: {env: dev}, colour: red}", 'on: {cron: "0 19 * * mon-fri"}', "[ec2.stop]"),
    ("ec2.instance", "{tags: {env: dev}}", 'on: {cron: 19, alarm: x}', "[ec2.stop]"),
    ("ec2.instance", "{}", 'during: {days: mon-fri, hours: "08:00-19:00"}', "{inside: [ec2.start], outside: [ec2.stop]}"),
    ("ec2.instance", "{ids: i-1}", 'during: {days: 5, hourz: "08:00-19:00"}', "{inside: [ec2.start], beside: [ec2.stop]}"),
    ("ecs.service", "{cluster: batch}", "during: [{days: [sat, sun]}, {months: 13}]", "{inside: [{type: ecs.scale, desired: -1}]}"),
    ("ecs.service", "{cluster: batch}", "during: [{days: [sat, sun]}]", "[{type: ecs.scale, desired: 0}, {type: nope}]"),
    ("asg.group", "{tags: {tier: [etl, 3]}}", 'on: {event: {source: [aws.health]}}', "{type: asg.scale}"),
]


def _text(order: list[int]) -> str:
    return "version: 1\nrules:\n" + "".join(
        RULE.format(i=i, resource=VARIANTS[v][0], match=VARIANTS[v][1], trigger=VARIANTS[v][2], actions=VARIANTS[v][3])
        for i, v in enumerate(order))


def test_repeated_valid_and_invalid_values_give_the_published_schemas_errors_in_order() -> None:
    plain = Draft202012Validator(build_schema(registered()))
    # every variant three times, interleaved, so cached valid values sit next to invalid ones
    order = [v for _ in range(3) for v in range(len(VARIANTS))] + list(reversed(range(len(VARIANTS))))
    doc = parse(_text(order), "f.yaml")
    for _ in range(2):  # the second pass starts with every valid value cached
        found, bad = schema_diagnostics(doc, schema_validator())
        expected, expected_bad = schema_diagnostics(doc, plain)
        assert found == expected and bad == expected_bad
        assert len(found) >= 3 * 6  # the invalid variants are reported every time they appear


def test_generated_rule_sets_validate_as_before(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_load import generate  # the scaling bench's ten rule shapes

    generate(tmp_path, 300, 3)
    assert check_paths([str(tmp_path)]).ruleset is not None
    plain = Draft202012Validator(build_schema(registered()))
    for path in sorted(tmp_path.iterdir()):
        doc = parse(path.read_text(), str(path))
        assert schema_diagnostics(doc, schema_validator()) == schema_diagnostics(doc, plain) == ([], set())
