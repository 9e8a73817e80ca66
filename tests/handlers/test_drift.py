"""`shiftwork drift`: on the demo fleet, converged at Monday 21:00, a hand-started instance is the only drift."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from moto import mock_aws

from shiftwork.engine.cli import demo_fleet
from shiftwork.engine.cli.demo_fleet import ACCOUNT, seed
from shiftwork.engine.cli.main import main
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.language.registry import registered
from shiftwork.engine.plan.drift import aws_since
from shiftwork.engine.plan.resources import Resource

EXAMPLES = str(Path(__file__).resolve().parents[2] / "rules" / "examples")


@pytest.fixture
def demo(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Clients, dict[str, str]]]:
    """The demo's fleet in the demo's account (its example rules name topics there), with AMIs to launch from."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "true")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    # the EBS volumes and snapshots are for the backup rules (cron, never drift): not seeded, to save ~6 s
    monkeypatch.setattr(demo_fleet, "_volumes", lambda clients: None)
    registered()
    with mock_aws():
        clients = Clients()
        yield clients, seed(clients).instances


def drift_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    assert main(["drift", EXAMPLES, "--region", "eu-west-1", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_drift_on_the_demo_fleet_after_a_hand_start_lists_that_instance_and_nothing_else(
        demo, capsys: pytest.CaptureFixture[str]) -> None:
    clients, instances = demo
    before = drift_json(capsys, "--at", "2026-12-21T21:00")  # nothing has run yet: the dev fleet and batch drift
    assert before["totals"]["drifted"] > 1
    assert main(["run", EXAMPLES, "--at", "2026-12-21T21:00", "--region", "eu-west-1", "--no-state"]) == 0  # the ticks
    assert drift_json(capsys, "--at", "2026-12-21T21:00")["totals"] == {"drifted": 0, "instance_hours": 0}
    hand = instances["dev-web-1"]
    clients.client("ec2", "eu-west-1").start_instances(InstanceIds=[hand])  # someone starts it at 21:00
    report = drift_json(capsys, "--at", "2026-12-21T21:30")
    drifted = [(r["rule"], res["id"]) for r in report["rules"] for res in r["resources"]]
    assert drifted == [("dev-office-hours", hand)]
    (rule,) = [r for r in report["rules"] if r["rule"] == "dev-office-hours"]
    (res,) = rule["resources"]
    assert (rule["phase"], rule["phase_since"], rule["wants"]) == ("outside", "2026-12-21T19:00:00Z", ["ec2.stop"])
    assert res["fix"] == ["ec2:StopInstances"] and res["state"] == "running"
    # moto keeps the first launch time on a start (AWS moves LaunchTime): so "since" is the phase start, said so
    assert (res["since"], res["since_source"]) == ("2026-12-21T19:00:00Z", "the start of the 'outside' phase")
    assert res["instance_hours"] == 2.5 and report["totals"] == {"drifted": 1, "instance_hours": 2.5}
    assert main(["drift", EXAMPLES, "--region", "eu-west-1", "--at", "2026-12-21T21:30"]) == 0
    table = capsys.readouterr().out
    assert f"{hand} (dev-web-1) (eu-west-1) is running: fix ec2:StopInstances; out of state 2h30m" in table
    assert table.rstrip().endswith("1 resource drifted across 6 window rules, ~2.5 instance-hours")


def test_how_long_comes_from_what_ec2_says() -> None:
    """EC2 moves LaunchTime on every start; a stop writes 'User initiated (YYYY-MM-DD hh:mm:ss GMT)'."""
    started = Resource("ec2.instance", "i-1", "eu-west-1", state="running",
                       data={"LaunchTime": datetime(2026, 12, 21, 21, 0, tzinfo=timezone.utc)})
    assert aws_since(started) == (datetime(2026, 12, 21, 21, 0, tzinfo=timezone.utc), "EC2 LaunchTime")
    stopped = Resource("ec2.instance", "i-2", "eu-west-1", state="stopped",
                       data={"StateTransitionReason": "User initiated (2026-12-21 09:12:30 GMT)"})
    assert aws_since(stopped) == (datetime(2026, 12, 21, 9, 12, 30, tzinfo=timezone.utc),
                                  "EC2 StateTransitionReason")
    assert aws_since(Resource("ec2.instance", "i-3", "eu-west-1", state="stopped",
                              data={"StateTransitionReason": ""})) == (None, "")
