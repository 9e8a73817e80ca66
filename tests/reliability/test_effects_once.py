"""Fault scenarios on the dispatcher: each runs a few ticks and checks the fleet converges with every
change applied once and no saved capacity or state lost (faults injected at the botocore level)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

from shiftwork.engine.dispatch.dispatcher import Dispatcher
from shiftwork.handlers.capacity import SAVED_TAG, saved
from tests.reliability.harness import Clock, Fault, Ledger, alarm, dispatcher, handle, tick

REGIONS = ("eu-west-1", "us-east-1")


def make_service(region: str, name: str = "api", desired: int = 2, cluster: str = "web") -> str:
    ecs = boto3.client("ecs", region_name=region)
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    return ecs.create_service(cluster=cluster, serviceName=name, taskDefinition="app",
                              desiredCount=desired)["service"]["serviceArn"]


def service(region: str, name: str = "api", cluster: str = "web") -> dict[str, Any]:
    return boto3.client("ecs", region_name=region).describe_services(
        cluster=cluster, services=[name], include=["TAGS"])["services"][0]


def desired(region: str, name: str = "api", cluster: str = "web") -> int:
    return service(region, name, cluster)["desiredCount"]


def converge(d: Dispatcher, events: Sequence[dict[str, Any]], done: Callable[[], bool],
             clock: Clock | None = None) -> int:
    """Handle events in order until `done`; then one more, which must change nothing. Returns how many ran."""
    for n, event in enumerate(events, 1):
        handle(d, event)
        if clock is not None:
            clock.advance(minutes=5)
        if done():
            return n
    raise AssertionError(f"not converged after {len(events)} invocations")


TICKS = [tick(f"2026-12-21T07:{m:02d}:00Z") for m in range(0, 30, 5)]

SCALE_TWO_REGIONS = """
    version: 1
    regions: [eu-west-1, us-east-1]
    notify:
      ops: {sns: "arn:aws:sns:eu-west-1:123456789012:ops"}
    rules:
      - name: morning-boost
        resource: ecs.service
        match: {cluster: web}
        on: {cron: "0 7 * * *"}
        actions: [{type: ecs.scale, add: 1}, {type: notify, target: ops}]
    """


@pytest.fixture
def topic(aws: None) -> str:
    return boto3.client("sns", region_name="eu-west-1").create_topic(Name="ops")["TopicArn"]


def test_access_denied_in_one_region_retries_only_that_region(table, rules, report, topic) -> None:
    for region in REGIONS:
        make_service(region)
    faults = [Fault("UpdateService", "AccessDeniedException", region="us-east-1", times=2)]
    ledger = Ledger()
    d = dispatcher(rules(SCALE_TWO_REGIONS), table, faults, ledger)
    ticks = converge(d, TICKS, lambda: desired("us-east-1") == 3)
    handle(d, TICKS[ticks])  # one more tick: nothing left to do
    assert (desired("eu-west-1"), desired("us-east-1")) == (3, 3)  # was 15 and 3 before work records
    assert ledger.count("UpdateService") == 2 and ledger.duplicates(ignore=("Publish",)) == 0
    report("AccessDenied in one region", sum(f.fired for f in faults), ticks, ledger.duplicates(("Publish",)), 0)


def test_a_failed_notify_never_repeats_the_changes(table, rules, report, topic) -> None:
    make_service("eu-west-1")
    make_service("us-east-1")
    faults = [Fault("Publish", "InternalError", status=500)]  # every attempt botocore and the executor make
    ledger = Ledger()
    d = dispatcher(rules(SCALE_TWO_REGIONS), table, faults, ledger)
    first = handle(d, TICKS[0])
    assert first["failed_rules"] == ["morning-boost"]
    faults[0].times = 0  # SNS recovers
    ticks = 1 + converge(d, TICKS[1:], lambda: ledger.count("Publish") == 1)
    handle(d, TICKS[ticks])
    assert (desired("eu-west-1"), desired("us-east-1")) == (3, 3)
    assert ledger.count("UpdateService") == 2 and ledger.count("Publish") == 1 and ledger.duplicates() == 0
    report("notify (SNS 5xx) fails", sum(f.fired for f in faults), ticks, ledger.duplicates(), 0)


def test_a_read_timeout_after_a_successful_write_is_verified_not_repeated(table, rules, report) -> None:
    rds = boto3.client("rds", region_name="eu-west-1")
    rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="u", MasterUserPassword="password-1", AllocatedStorage=20,
                           Tags=[{"Key": "env", "Value": "staging"}])
    faults = [Fault("StopDBInstance", stage="after", times=1)]
    ledger = Ledger()
    d = dispatcher(rules("""
        version: 1
        regions: [eu-west-1]
        rules:
          - name: db-evening-stop
            resource: rds.instance
            match: {tags: {env: staging}}
            on: {cron: "0 7 * * *"}
            actions: [rds.stop]
        """), table, faults, ledger)
    summary = handle(d, TICKS[0])
    assert summary["failed_rules"] == [] and summary["changes_ok"] == 1  # re-read: stopped is ok, not failed
    status = rds.describe_db_instances()["DBInstances"][0]["DBInstanceStatus"]
    assert status == "stopped" and faults[0].fired == 1
    handle(d, TICKS[1])
    assert ledger.count("StopDBInstance") == 1
    report("read timeout after a successful write", 1, 1, ledger.duplicates(), 0)


ALARM_RULES = """
    version: 1
    regions: [eu-west-1]
    rules:
      - name: api-scale-out
        resource: ecs.service
        match: {cluster: web}
        on: {alarm: api-cpu-high}
        cooldown: 10m
        actions: [{type: ecs.scale, add: 2, max: 20}]
    """


def test_duplicate_deliveries_and_a_second_alarm_in_the_cooldown_scale_once(table, rules, report) -> None:
    make_service("eu-west-1", desired=3)
    ledger = Ledger()
    d = dispatcher(rules(ALARM_RULES), table, [], ledger)
    for _ in range(3):  # EventBridge at-least-once: the same event three times
        handle(d, alarm("e-1", "2026-12-21T10:00:00Z"))
    summary = handle(d, alarm("e-2", "2026-12-21T10:04:00Z"))  # a new alarm inside the 10m cooldown
    assert desired("eu-west-1") == 5 and summary["rules_fired"] == 0
    assert ledger.count("UpdateService") == 1
    report("duplicate deliveries + cooldown", 0, 1, ledger.duplicates(), 0)


def test_an_event_whose_work_did_not_complete_is_retried_and_finishes_only_what_is_missing(
        table, rules, report) -> None:
    make_service("eu-west-1", "api", 3)
    make_service("eu-west-1", "web", 3)
    faults = [Fault("UpdateService", "ServiceUnavailableException", status=503,
                    body_contains=service("eu-west-1", "web")["serviceArn"])]
    ledger = Ledger()
    clock = Clock(datetime(2026, 12, 21, 10, 0, tzinfo=timezone.utc))
    d = dispatcher(rules(ALARM_RULES), table, faults, ledger, clock)
    event = alarm("e-9", "2026-12-21T10:00:00Z")
    first = handle(d, event)
    assert first["failed_rules"] == ["api-scale-out"] and desired("eu-west-1", "api") == 5
    faults[0].times = 0
    second = handle(d, event)  # the Lambda/SQS retry of the same event: its key was released
    assert second["failed_rules"] == [] and desired("eu-west-1", "web") == 5
    assert desired("eu-west-1", "api") == 5 and ledger.count("UpdateService") == 2
    handle(d, event)
    assert ledger.count("UpdateService") == 2
    report("timeout/failure mid-rule (event retry)", faults[0].fired, 2, ledger.duplicates(), 0)


def test_a_half_done_scale_down_keeps_the_saved_size_and_restores_it(table, rules, report) -> None:
    arn = make_service("eu-west-1", "worker", 4, cluster="batch")
    aas = boto3.client("application-autoscaling", region_name="eu-west-1")
    aas.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/batch/worker",
                                 ScalableDimension="ecs:service:DesiredCount", MinCapacity=2, MaxCapacity=8)
    faults = [Fault("UpdateService", "ServiceUnavailableException", status=503)]
    ledger = Ledger()
    d = dispatcher(rules("""
        version: 1
        regions: [eu-west-1]
        rules:
          - name: batch-nights
            resource: ecs.service
            match: {cluster: batch}
            during: {days: mon-sun, hours: "20:00-07:00"}
            actions:
              inside: [{type: ecs.scale, desired: 0}]
              outside: [ecs.restore]
        """), table, faults, ledger)
    assert handle(d, tick("2026-12-21T20:00:00Z"))["failed_rules"] == ["batch-nights"]
    tags = {t["key"]: t["value"] for t in service("eu-west-1", "worker", "batch")["tags"]}
    assert desired("eu-west-1", "worker", "batch") == 4 and saved(tags).desired == 4  # tag and bounds done
    faults[0].times = 0
    ticks = 1 + converge(d, [tick(f"2026-12-21T20:{m:02d}:00Z") for m in range(5, 30, 5)],
                         lambda: desired("eu-west-1", "worker", "batch") == 0)
    tags = {t["key"]: t["value"] for t in service("eu-west-1", "worker", "batch")["tags"]}
    kept = saved(tags)
    assert (kept.min, kept.desired, kept.max) == (2, 4, 8) and kept.rule == "batch-nights"  # not 0/4/0
    handle(d, tick("2026-12-22T07:00:00Z"))
    target = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert (target["MinCapacity"], desired("eu-west-1", "worker", "batch"), target["MaxCapacity"]) == (2, 4, 8)
    assert SAVED_TAG not in {t["key"] for t in service("eu-west-1", "worker", "batch").get("tags") or []}
    assert arn and ledger.count("TagResource") == 1 and ledger.duplicates(ignore=("UpdateService",
                                                                                  "RegisterScalableTarget")) == 0
    report("half-done ECS scale-down", faults[0].fired, ticks, 0, 0)
