"""`shiftwork run` keeps the Lambda's state in a local file: a replayed alarm scales once, a second alarm
inside the cooldown changes nothing, and a repeated --at is already done (CLI against moto_server)."""
from __future__ import annotations

import json

import pytest

from shiftwork.engine.cli.demo_fleet import seed
from shiftwork.engine.execute.aws import Clients
from tests.e2e.helpers import ROOT, shiftwork, shiftwork_json

pytestmark = pytest.mark.e2e


def api_desired(writer: Clients) -> int:
    return writer.client("ecs", "eu-west-1").describe_services(cluster="web", services=["api"])["services"][0][
        "desiredCount"]


def alarm_file(tmp_path, name: str, event_id: str, when: str) -> str:
    event = json.loads((ROOT / "tests/fixtures/events/eventbridge-alarm.json").read_text())
    event.update(id=event_id, time=when, account="123456789012")
    path = tmp_path / name
    path.write_text(json.dumps(event))
    return str(path)


def test_replayed_alarm_scales_once_and_a_second_alarm_in_the_cooldown_changes_nothing(
        aws: str, writer: Clients, tmp_path) -> None:
    seed(writer)
    before = api_desired(writer)
    state = str(tmp_path / "state.json")
    alarm = alarm_file(tmp_path, "alarm.json", "e-1", "2026-12-21T19:00:41Z")
    args = ("rules/examples", "--endpoint-url", aws, "--state", state, "--rule", "api-scale-out")
    first = shiftwork_json("run", *args, "--event", alarm)
    assert api_desired(writer) == before + 2 and first["totals"]["failed"] == 0
    again = shiftwork_json("run", *args, "--event", alarm)  # the same file replayed
    assert api_desired(writer) == before + 2
    assert again["rules"][0]["reason"] == "event already handled (event id:e-1)"
    later = alarm_file(tmp_path, "later.json", "e-2", "2026-12-21T19:03:00Z")  # inside the 5m cooldown
    cooled = shiftwork_json("run", *args, "--event", later)
    assert api_desired(writer) == before + 2
    assert cooled["rules"][0]["reason"].startswith("in cooldown until 2026-12-21 19:05Z")
    after = alarm_file(tmp_path, "after.json", "e-3", "2026-12-21T19:06:00Z")
    shiftwork_json("run", *args, "--event", after)
    assert api_desired(writer) == before + 4


def test_plan_reads_the_state_file_and_never_writes_it(aws: str, writer: Clients, tmp_path) -> None:
    seed(writer)
    state = tmp_path / "state.json"
    alarm = alarm_file(tmp_path, "alarm.json", "e-1", "2026-12-21T19:00:41Z")
    args = ("rules/examples", "--endpoint-url", aws, "--rule", "api-scale-out", "--event", alarm)
    shiftwork_json("run", *args, "--state", str(state))
    saved = state.read_text()
    planned = shiftwork_json("plan", *args, "--state", str(state))
    assert planned["rules"][0]["reason"] == "event already handled (event id:e-1)"
    assert state.read_text() == saved
    fresh = shiftwork_json("plan", *args)  # no --state: from scratch
    assert fresh["rules"][0]["fires"] is True


def test_run_at_a_far_time_warns_and_a_repeated_tick_is_already_done(aws: str, writer: Clients, tmp_path) -> None:
    seed(writer)
    state = str(tmp_path / "state.json")
    args = ("run", "rules/examples", "--at", "2026-12-21T19:00", "--endpoint-url", aws, "--state", state,
            "--rule", "dev-office-hours", "--format", "json")
    first = shiftwork(*args)
    assert "shiftwork: warning: --at is" in first.stderr and "records that time in its state" in first.stderr
    second = json.loads(shiftwork(*args).stdout)
    assert second["rules"][0]["reason"] == "tick already done" and second["rules"][0]["changes"] == []
    now = shiftwork("run", "rules/examples", "--at", "now", "--endpoint-url", aws, "--no-state",
                    "--rule", "dev-office-hours")
    assert now.returncode in (0, 1) and "warning: --at" not in now.stderr
