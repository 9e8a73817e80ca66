"""The CLI against moto_server over HTTP: plan reads only, run executes, a second run is converged."""
from __future__ import annotations

import json
import os

import pytest

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.cli.demo_fleet import seed
from tests.e2e.helpers import ROOT, shiftwork, shiftwork_json

pytestmark = pytest.mark.e2e


def states(writer: Clients, region: str = "eu-west-1") -> dict[str, str]:
    out = {}
    for page in writer.client("ec2", region).get_paginator("describe_instances").paginate():
        for res in page["Reservations"]:
            for inst in res["Instances"]:
                names = [t["Value"] for t in inst.get("Tags", []) if t["Key"] == "Name"]
                if names:  # the Auto Scaling group's instances have no Name
                    out[names[0]] = inst["State"]["Name"]
    return out


def rule(report: dict, name: str) -> dict:
    return next(r for r in report["rules"] if r["rule"] == name)


def test_plan_at_office_hours_end_selects_stops_and_writes_nothing(aws: str, writer: Clients) -> None:
    seed(writer)
    before = states(writer)
    report = shiftwork_json("plan", "rules/examples", "--at", "2026-12-21T19:00", "--endpoint-url", aws,
                            "--rule", "dev-office-hours")
    office = rule(report, "dev-office-hours")
    assert office["fires"] and office["phase"] == "outside"
    assert office["at"] == "2026-12-21T19:00:00Z"  # London is on GMT in December
    stopped = sorted(c["resource"]["name"] for c in office["changes"])
    assert stopped == ["dev-web-1", "dev-web-2"]
    assert {c["call"] for c in office["changes"]} == {"ec2:StopInstances"}
    skipped = {s["resource"]["name"]: s["reason"] for s in office["skips"]}
    assert "shiftwork:skip=true" in skipped["dev-long-job"]
    # the dry-run executor batches as the live one would: both stops are one call
    assert {r["reason"] for r in office["results"]} == {"would call ec2:StopInstances with 2 ids: running; stopping it"}
    assert report["dry_run"] is True and report["totals"]["write_calls"] == 1
    assert states(writer) == before  # a plan never writes


def test_run_executes_then_a_second_run_makes_no_writes(aws: str, writer: Clients, tmp_path) -> None:
    seed(writer)
    first = shiftwork_json("run", "rules/examples", "--at", "2026-12-21T19:00", "--endpoint-url", aws,
                           "--rule", "dev-office-hours", "--no-state")
    results = rule(first, "dev-office-hours")["results"]
    assert sorted(r["status"] for r in results) == ["ok", "ok"]
    after = states(writer)
    assert after["dev-web-1"] == after["dev-web-2"] == "stopped"
    assert after["dev-long-job"] == "running" and after["prod-web-1"] == "running"
    second = shiftwork_json("run", "rules/examples", "--at", "2026-12-21T19:00", "--endpoint-url", aws,
                            "--rule", "dev-office-hours", "--no-state")
    assert rule(second, "dev-office-hours")["changes"] == []  # converged: reconciling from scratch writes nothing


def test_plan_for_an_alarm_event_file(aws: str, writer: Clients, tmp_path) -> None:
    seed(writer)
    event = json.loads((ROOT / "tests/fixtures/events/eventbridge-alarm.json").read_text())
    event["account"] = "123456789012"
    path = tmp_path / "alarm.json"
    path.write_text(json.dumps(event))
    report = shiftwork_json("plan", "rules/examples", "--event", str(path), "--endpoint-url", aws)
    fired = sorted(r["rule"] for r in report["rules"] if r["fires"])
    assert fired == ["api-scale-out"]
    assert rule(report, "api-scale-in")["reason"] == 'no match: detail.state.value: wanted ["OK"], event has "ALARM"'


def test_plan_without_credentials_says_how_to_provide_them(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                "AWS_EC2_METADATA_DISABLED": "true", "PYTHONPATH": str(ROOT)})
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "shiftwork.engine", "plan", "rules/examples", "--at", "2026-12-21T19:00"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "no AWS credentials found" in proc.stderr
    assert "--endpoint-url" in proc.stderr and "shiftwork demo" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_plan_rejects_a_bad_time_and_an_unknown_rule() -> None:
    proc = shiftwork("plan", "rules/examples", "--at", "monday evening")
    assert proc.returncode == 2 and "--at 'monday evening' is not an ISO time" in proc.stderr
    proc = shiftwork("plan", "rules/examples", "--at", "2026-12-21T19:00", "--rule", "dev-office-hour",
                     env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"})
    assert proc.returncode == 2
    assert "--rule: no rule named 'dev-office-hour'; did you mean 'dev-office-hours'?" in proc.stderr
