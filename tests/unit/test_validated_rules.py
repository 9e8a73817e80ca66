"""Rules the package validated skip the schema pass in the function, and only those very bytes under that schema."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftwork.deploy.package import rule_files, validated_marker
from shiftwork.deploy.rules_view import RulesView, view
from shiftwork.engine.errors import RuleErrors
from shiftwork.engine.language import loader
from shiftwork.engine.language.loader import VALIDATED_FILE, load, rules_digest, validated_digest

RULES = """version: 1
regions: [eu-west-1]
rules:
  - name: lab-night-stop
    resource: ec2.instance
    match: {tags: {team: lab}}
    on: {cron: "30 20 * * *"}
    actions: [ec2.stop]
"""


def folder(tmp_path: Path, text: str = RULES) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "stop.yaml").write_text(text)
    return rules


def no_schema_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("the schema pass ran")
    monkeypatch.setattr(loader, "schema_validator", refuse)


def test_the_same_bytes_skip_the_schema_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = folder(tmp_path)
    digest = load([str(rules)]).digest
    assert digest == rules_digest([(str(rules / "stop.yaml"), RULES.encode())])
    no_schema_pass(monkeypatch)
    again = load([str(rules)], validated=digest)
    assert [r.name for r in again.rules] == ["lab-night-stop"] and again.digest == digest
    with pytest.raises(AssertionError, match="the schema pass ran"):
        load([str(rules)])  # without the digest it validates


def test_a_changed_file_is_validated_in_full_whatever_the_marker_says(tmp_path: Path) -> None:
    rules = folder(tmp_path)
    digest = load([str(rules)]).digest
    folder(tmp_path, RULES.replace("actions: [ec2.stop]", "actions: [ec2.stop]\n    colour: blue"))
    with pytest.raises(RuleErrors) as caught:
        load([str(rules)], validated=digest)
    assert "colour" in str(caught.value)


def test_the_digest_names_the_files_and_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [("a/stop.yaml", RULES.encode())]
    assert rules_digest(files) == rules_digest([("b/stop.yaml", RULES.encode())])  # the folder is not part of it
    assert rules_digest(files) != rules_digest([("a/start.yaml", RULES.encode())])
    assert rules_digest(files) != rules_digest([("a/sto", b"p.yaml\0" + RULES.encode())])  # names and bytes apart
    before = rules_digest(files)
    real = loader.build_schema
    monkeypatch.setattr(loader, "build_schema", lambda registry: {**real(registry), "title": "another language"})
    assert rules_digest(files) != before  # another engine's schema: validate again


@pytest.mark.parametrize("text", [None, "", "{", json.dumps({"format": 2, "sha256": "ab"}), json.dumps(["ab"])])
def test_a_missing_or_unreadable_marker_trusts_nothing(tmp_path: Path, text: str | None) -> None:
    rules = folder(tmp_path)
    if text is not None:
        (rules / VALIDATED_FILE).write_text(text)
    assert validated_digest(str(rules)) is None


def test_the_package_records_the_digest_only_for_the_bytes_it_validated(tmp_path: Path) -> None:
    rules = folder(tmp_path)
    loaded = view(load([str(rules)]))
    marker = validated_marker(loaded, rule_files(rules))
    assert list(marker) == [f"shiftwork_rules/{VALIDATED_FILE}"]
    (tmp_path / "unpacked").mkdir()
    (tmp_path / "unpacked" / VALIDATED_FILE).write_bytes(next(iter(marker.values())))
    assert validated_digest(str(tmp_path / "unpacked")) == loaded.digest
    (rules / "stop.yaml").write_text(RULES + "\n# edited after loading\n")
    assert validated_marker(loaded, rule_files(rules)) == {}
    assert validated_marker(RulesView(loaded.rules, loaded.calendars), rule_files(rules)) == {}  # made by hand
