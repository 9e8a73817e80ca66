"""The dispatcher on moto: state between ticks, the tick lock, isolation and retry, events, cooldowns, logs."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

import shiftwork.handlers.rds
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.dispatch.dispatcher import DispatchFailed, Dispatcher
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.dispatch.state import MemoryState

RULES = """
version: 1
timezone: Europe/London
regions: [eu-west-1]
rules:
  - name: dev-office-hours
    resource: ec2.instance
    match: {tags: {env: dev}}
    during: {days: mon-fri, hours: "08:00-19:00"}
    actions:
      inside: [ec2.start]
      outside: [ec2.stop]
  - name: staging-db-nights
    resource: rds.instance
    match: {tags: {env: staging}}
    during: {days: mon-fri, hours: "08:00-19:00"}
    actions:
      inside: [rds.start]
      outside: [rds.stop]
  - name: api-scale-out
    resource: ecs.service
    match: {cluster: web}
    on: {alarm: api-cpu-high}
    cooldown: 10m
    actions: [{type: ecs.scale, add: 1, max: 10}]
"""


def tick(when: str) -> dict[str, Any]:
    return {"source": "aws.events", "detail-type": "Scheduled Event", "time": when, "detail": {}}


def alarm(event_id: str, when: str) -> dict[str, Any]:
    return {"id": event_id, "source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
            "time": when, "region": "eu-west-1",
            "detail": {"alarmName": "api-cpu-high", "state": {"value": "ALARM"}}}


class Recorder:
    def __init__(self) -> None:
        self.writes: list[str] = []
        self.logs: list[dict[str, Any]] = []

    def observe(self, service: str, operation: str, params: dict[str, Any]) -> None:
        self.writes.append(f"{service}:{operation}")


@pytest.fixture
def fleet(aws: None) -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"]]
    boto3.client("rds", region_name="eu-west-1").create_db_instance(
        DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="u",
        MasterUserPassword="password-1", AllocatedStorage=20, Tags=[{"Key": "env", "Value": "staging"}])
    ecs = boto3.client("ecs", region_name="eu-west-1")
    ecs.create_cluster(clusterName="web")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    ecs.create_service(cluster="web", serviceName="api", taskDefinition="app", desiredCount=2)
    return {"a": ids[0], "b": ids[1]}


@pytest.fixture
def make(load_rules, fleet):
    def build(state: MemoryState | None = None) -> tuple[Dispatcher, Recorder]:
        rec = Recorder()
        writing = Clients(observer=rec.observe)
        dispatcher = Dispatcher(ruleset=load_rules(RULES), state=state or MemoryState(),
                                planning=Clients(read_only=True), executor=Executor(writing),
                                default_region="eu-west-1", log=rec.logs.append)
        return dispatcher, rec
    return build


def ec2_states() -> set[str]:
    res = boto3.client("ec2", region_name="eu-west-1").describe_instances()["Reservations"]
    return {i["State"]["Name"] for r in res for i in r["Instances"]}


def test_ticks_follow_phase_changes_and_a_converged_fleet_costs_no_writes(make) -> None:
    dispatcher, rec = make()
    dispatcher.handle(tick("2026-12-21T07:59:30Z"))  # Monday, before office hours: reconcile to outside
    assert ec2_states() == {"stopped"}
    assert "ec2:StopInstances" in rec.writes
    rec.writes.clear()
    dispatcher.handle(tick("2026-12-21T08:05:00Z"))  # the phase changed at 08:00 during a missed tick
    assert ec2_states() == {"running"}
    assert rec.writes.count("ec2:StartInstances") == 1  # both instances in one batch
    rec.writes.clear()
    summary = dispatcher.handle(tick("2026-12-21T08:10:00Z"))
    assert rec.writes == [] and summary["rules_fired"] == 0


def test_the_same_tick_is_handled_once(make) -> None:
    dispatcher, rec = make()
    first = dispatcher.handle(tick("2026-12-21T07:59:00Z"))
    again = dispatcher.handle(tick("2026-12-21T07:59:40Z"))  # floored to the same minute: an overlapping run
    assert first["rules_evaluated"] == 2
    assert again["rules_evaluated"] == 0
    assert any(log.get("message") == "tick already done" for log in rec.logs)


def test_a_failing_rule_does_not_stop_the_others_raises_at_the_end_and_is_retried(make, monkeypatch) -> None:
    state = MemoryState()
    dispatcher, rec = make(state)

    def broken(self, ctx, resources):
        raise RuntimeError("simulated RDS outage")

    monkeypatch.setattr(shiftwork.handlers.rds.Stop, "plan", broken)
    with pytest.raises(DispatchFailed, match="staging-db-nights") as failure:
        dispatcher.handle(tick("2026-12-21T19:30:00Z"))
    assert failure.value.summary["failed_rules"] == ["staging-db-nights"]
    assert ec2_states() == {"stopped"}  # the other rule ran
    assert state.get("dev-office-hours").last_evaluated == datetime(2026, 12, 21, 19, 30, tzinfo=timezone.utc)
    assert state.get("staging-db-nights").last_evaluated is None  # not advanced: it will be retried
    errors = [log for log in rec.logs if log.get("outcome") == "error"]
    assert errors and "simulated RDS outage" in errors[0]["reason"] and errors[0]["location"].endswith(":13:5")

    monkeypatch.undo()
    rec.writes.clear()
    retry = dispatcher.handle(tick("2026-12-21T19:30:00Z"))  # Lambda's retry of the same event
    assert retry["failed_rules"] == []
    assert rec.writes == ["rds:StopDBInstance"]  # only the failed rule ran again
    status = boto3.client("rds", region_name="eu-west-1").describe_db_instances()["DBInstances"][0]["DBInstanceStatus"]
    assert status == "stopped"


def test_events_are_idempotent_per_id_and_respect_the_cooldown(make) -> None:
    dispatcher, rec = make()
    ecs = boto3.client("ecs", region_name="eu-west-1")

    def desired() -> int:
        return ecs.describe_services(cluster="web", services=["api"])["services"][0]["desiredCount"]

    dispatcher.handle(alarm("e-1", "2026-12-21T10:00:00Z"))
    assert desired() == 3
    dispatcher.handle(alarm("e-1", "2026-12-21T10:00:00Z"))  # the same event delivered twice
    assert desired() == 3
    summary = dispatcher.handle(alarm("e-2", "2026-12-21T10:05:00Z"))  # a new alarm inside the 10m cooldown
    assert desired() == 3 and summary["rules_fired"] == 0
    cooled = [log for log in rec.logs if "in cooldown until 2026-12-21 10:10Z" in str(log.get("reason"))]
    assert cooled
    dispatcher.handle(alarm("e-3", "2026-12-21T10:11:00Z"))
    assert desired() == 4


def test_sns_wrapped_alarms_reach_event_rules(make) -> None:
    dispatcher, _ = make()
    message = {"AlarmName": "api-cpu-high", "NewStateValue": "ALARM", "OldStateValue": "OK",
               "StateChangeTime": "2026-12-21T10:00:00.000+0000", "Region": "EU (Ireland)",
               "AlarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-cpu-high"}
    summary = dispatcher.handle({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(message)}}]})
    assert summary["rules_fired"] == 1 and summary["changes_ok"] == 1


def test_every_invocation_logs_a_summary_and_an_emf_record(make) -> None:
    dispatcher, rec = make()
    dispatcher.handle(tick("2026-12-21T07:59:00Z"))
    emf = [log for log in rec.logs if "_aws" in log]
    assert len(emf) == 1
    directive = emf[0]["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "shiftwork"
    assert {m["Name"] for m in directive["Metrics"]} >= {"rules_fired", "changes_ok", "changes_failed"}
    assert emf[0]["changes_ok"] == 3  # two instances stopped, one database stopped
    per_resource = [log for log in rec.logs if log.get("outcome") == "ok"]
    assert {log["rule"] for log in per_resource} == {"dev-office-hours", "staging-db-nights"}


def test_backup_findings_are_logged_one_per_resource_with_emf_counts(aws, load_rules) -> None:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    for name in ("kept", "forgotten"):
        vol = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=10, TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}, {"Key": "env", "Value": "prod"}]}])
        if name == "kept":
            ec2.create_snapshot(VolumeId=vol["VolumeId"])
    rules = load_rules("""
        version: 1
        regions: [eu-west-1]
        rules:
          - name: volumes-snapshotted
            resource: ebs.volume
            match: {tags: {env: prod}}
            on: {cron: "*/5 * * * *"}
            actions: [{type: backup.validate, source: snapshots, max_age: 30d}]
        """)
    rec = Recorder()
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)  # moto stamps snapshots with its clock
    dispatcher = Dispatcher(ruleset=rules, state=MemoryState(), planning=Clients(read_only=True),
                            executor=Executor(Clients()), default_region="eu-west-1", log=rec.logs.append)
    when = (now + timedelta(minutes=5 - now.minute % 5)).isoformat()  # the next */5 tick, after the snapshot
    dispatcher.handle(tick(when))
    findings = {log["resource"]: log["outcome"] for log in rec.logs if log.get("action") == "backup.validate"}
    assert sorted(findings.values()) == ["fail", "pass"]
    (doc,) = [log for log in rec.logs if "_aws" in log and log.get("rule") == "volumes-snapshotted"]
    assert doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["rule"]]
    assert (doc["checked"], doc["passed"], doc["failed"], doc["errored"]) == (2, 1, 1, 0)


def test_out_of_time_rules_are_deferred_and_picked_up_by_the_next_invocation(make) -> None:
    state = MemoryState()
    dispatcher, rec = make(state)
    budget = iter([60_000, 5_000, 5_000])  # enough for the first rule, then under the 15 s floor
    dispatcher.remaining_ms = lambda: next(budget)
    summary = dispatcher.handle(tick("2026-12-21T19:30:00Z"))
    assert summary["deferred_rules"] == ["staging-db-nights"]
    assert state.get("staging-db-nights").last_evaluated is None  # untouched: evaluated next time
    assert state.get("dev-office-hours").last_evaluated is not None
    dispatcher.remaining_ms = lambda: 600_000
    again = dispatcher.handle(tick("2026-12-21T19:30:00Z"))  # the lock was released for the deferred rule
    assert again["rules_evaluated"] == 1 and again["deferred_rules"] == []
    status = boto3.client("rds", region_name="eu-west-1").describe_db_instances()["DBInstances"][0]["DBInstanceStatus"]
    assert status == "stopped"
