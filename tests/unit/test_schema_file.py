"""The committed rules/schema.json (what editors validate against) must be exactly what the registry builds."""
from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from shiftwork.engine.language.registry import registered
from shiftwork.engine.language.schema import schema_json

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "rules" / "schema.json"


def test_committed_schema_is_current() -> None:
    committed = SCHEMA_FILE.read_text()
    assert committed == schema_json(registered()), (
        "rules/schema.json is stale: run `shiftwork schema > rules/schema.json` and commit it")


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_names_every_action_and_resource() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    registry = registered()
    assert schema["$defs"]["rule"]["properties"]["resource"]["enum"] == sorted(registry.resources)
    first_branch = schema["$defs"]["action"]["allOf"][0]
    assert first_branch["then"]["enum"] == sorted(registry.actions)


def test_schema_accepts_a_rule_file_and_rejects_a_typo() -> None:
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    good = {"version": 1, "rules": [{"name": "dev-stop", "resource": "ec2.instance",
                                     "on": {"cron": "0 19 * * mon-fri"}, "actions": ["ec2.stop"]}]}
    assert list(validator.iter_errors(good)) == []
    bad = {"version": 1, "rules": [{"name": "dev-stop", "resource": "ec2.instance",
                                    "on": {"cron": "0 19 * * mon-fri"}, "actions": ["ec2.stp"]}]}
    assert [e.validator for e in validator.iter_errors(bad)] == ["enum"]
