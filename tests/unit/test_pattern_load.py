"""Event patterns are checked and compiled when rules load; a YAML typing trap warns without failing."""
from __future__ import annotations

from pathlib import Path

from shiftwork.engine.language.loader import check_paths
from shiftwork.engine.language.model import EventTrigger

RULE = """version: 1
rules:
  - name: ec2-stopped
    resource: ec2.instance
    match: {tags: {env: dev}}
    on:
      event:
        source: [aws.ec2]
        account: [111122223333]
        detail: {state: [stopped]}
    actions: [ec2.start]
"""


def test_a_bare_number_where_aws_sends_a_string_warns_at_its_place(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE)
    checked = check_paths([str(path)])
    assert checked.errors == []
    (warning,) = checked.warnings
    assert (warning.loc.line, warning.loc.col) == (9, 19)
    assert warning.path == "on.event.account[0]"
    assert warning.hint == 'quote it: "111122223333"'
    assert checked.ruleset is not None


def test_the_pattern_is_compiled_once_at_load(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE.replace("[111122223333]", '["111122223333"]'))
    checked = check_paths([str(path)])
    assert checked.diagnostics == []
    trigger = checked.ruleset.rules[0].trigger
    assert isinstance(trigger, EventTrigger)
    assert "compiled" in trigger.__dict__  # filled by the loader, not on first use
    assert trigger.compiled.sources == frozenset({"aws.ec2"})
