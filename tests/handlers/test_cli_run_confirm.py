"""`shiftwork run` on a terminal shows what it will change and asks first; `--yes` and a non-terminal never ask."""
from __future__ import annotations

import io
from typing import Any

import boto3
import pytest

from shiftwork.engine.cli.main import main

RULES = """version: 1
timezone: UTC
regions: [eu-west-1]
rules:
  - name: dev-stop
    resource: ec2.instance
    match: {tags: {env: dev}}
    on: {cron: "0 19 * * *"}
    actions: [ec2.stop]
"""


@pytest.fixture
def fleet(aws: None, tmp_path) -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])
    (tmp_path / "rules.yaml").write_text(RULES)
    return {"ec2": ec2, "args": ["run", str(tmp_path / "rules.yaml"), "--at", "2026-12-21T19:00Z", "--region",
                                 "eu-west-1", "--state", str(tmp_path / "state.json")]}


def states(ec2: Any) -> set[str]:
    return {i["State"]["Name"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_is_asked_and_no_means_nothing_changes(fleet, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(fleet["args"]) == 1
    err = capsys.readouterr().err
    assert "Apply 2 changes to AWS? [y/N]" in err and "shiftwork: nothing was changed" in err
    assert states(fleet["ec2"]) == {"running"}
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(fleet["args"]) == 0
    assert states(fleet["ec2"]) == {"stopped"}


def test_yes_skips_the_question(fleet, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", Terminal(""))
    assert main(fleet["args"] + ["--yes"]) == 0
    assert "Apply" not in capsys.readouterr().err and states(fleet["ec2"]) == {"stopped"}


def test_without_a_terminal_it_never_asks(fleet, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(fleet["args"]) == 0
    assert "Apply" not in capsys.readouterr().err and states(fleet["ec2"]) == {"stopped"}
