"""Fault scenarios on shared state: overlapping and late ticks, a lost conditional write, a missed gap,
corrupt state, starvation under a time budget. Two dispatchers share one DynamoDB table in moto."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

import boto3

from shiftwork.engine.dispatch.dynamo_state import DynamoState
from tests.reliability.harness import Clock, Ledger, dispatcher, handle, tick
from tests.reliability.test_effects_once import desired, make_service

CRON_ADD = """
    version: 1
    regions: [eu-west-1]
    rules:
      - name: morning-boost
        resource: ecs.service
        match: {cluster: web}
        on: {cron: "0 7 * * *"}
        actions: [{type: ecs.scale, add: 1}]
    """

OFFICE = """
    version: 1
    timezone: UTC
    regions: [eu-west-1]
    rules:
      - name: dev-office-hours
        resource: ec2.instance
        match: {tags: {env: dev}}
        during: {days: mon-sun, hours: "08:00-19:00"}
        enforce: true
        actions:
          inside: [ec2.start]
          outside: [ec2.stop]
    """


def instances(count: int, env: str = "dev") -> list[str]:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    return [i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=count, MaxCount=count,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": env}]}])["Instances"]]


def states() -> dict[str, str]:
    res = boto3.client("ec2", region_name="eu-west-1").describe_instances()["Reservations"]
    return {i["InstanceId"]: i["State"]["Name"] for r in res for i in r["Instances"]}


def test_overlapping_ticks_on_two_dispatchers_fire_a_cron_once(table, rules, report) -> None:
    make_service("eu-west-1")
    ruleset, ledger = rules(CRON_ADD), Ledger()
    first, second = dispatcher(ruleset, table, [], ledger), dispatcher(ruleset, table, [], ledger)
    inside, go_on = threading.Event(), threading.Event()

    def hold(**_: Any) -> None:  # the 07:05 invocation is mid-write when the 07:00 one starts
        inside.set()
        go_on.wait(timeout=20)

    first.executor.clients.client("ecs", "eu-west-1").meta.events.register_first(
        "before-send.ecs.UpdateService", hold)
    worker = threading.Thread(target=handle, args=(first, tick("2026-12-21T07:05:00Z")))
    worker.start()
    assert inside.wait(timeout=20)
    overlapping = handle(second, tick("2026-12-21T07:00:00Z"))
    go_on.set()
    worker.join(timeout=20)
    late = handle(second, tick("2026-12-21T07:00:00Z"))  # Lambda's late retry of the older tick
    assert desired("eu-west-1") == 3 and ledger.count("UpdateService") == 1
    assert overlapping["busy_rules"] == ["morning-boost"] and overlapping["rules_fired"] == 0
    assert late["rules_evaluated"] == 0
    watermark = table.get("morning-boost").last_evaluated
    assert watermark == datetime(2026, 12, 21, 7, 5, tzinfo=timezone.utc)  # not moved back to 07:00
    report("two overlapping ticks + late retry (2 dispatchers)", 1, 1, ledger.duplicates(), 0)


def test_a_late_retry_of_an_older_tick_never_moves_the_phase_back(table, rules, report) -> None:
    ids = instances(2)
    ledger = Ledger()
    d = dispatcher(rules(OFFICE), table, [], ledger)
    handle(d, tick("2026-12-21T19:00:00Z"))  # outside: stopped
    assert set(states().values()) == {"stopped"}
    handle(d, tick("2026-12-21T18:55:00Z"))  # the retried 18:55 tick (inside) arrives late
    assert set(states().values()) == {"stopped"} and ledger.count("StartInstances") == 0
    assert table.get("dev-office-hours").last_phase == "outside"
    report("late retry of an older tick (phase)", 0, 1, ledger.duplicates(), 0)
    assert len(ids) == 2


def test_a_lost_conditional_write_race_is_logged_and_never_rolls_state_back(table, rules, report) -> None:
    make_service("eu-west-1")
    ruleset, ledger, logs = rules(CRON_ADD), Ledger(), []
    clock = Clock(datetime(2026, 12, 21, 7, 0, tzinfo=timezone.utc))
    slow_client = boto3.client("dynamodb", region_name="eu-west-1")
    slow = dispatcher(ruleset, DynamoState(slow_client, table.table), [], ledger, clock, logs)
    fast = dispatcher(ruleset, table, [], ledger, clock)
    raced = []

    def overtaken(params: Any = None, **_: Any) -> None:  # the slow run outlives its lease; another run wins
        if not raced and str(params.get("Item", {}).get("pk", {}).get("S", "")).startswith("rule#"):
            raced.append(True)
            clock.advance(minutes=16)
            handle(fast, tick("2026-12-21T07:10:00Z"))

    slow_client.meta.events.register("before-parameter-build.dynamodb.PutItem", overtaken)
    summary = handle(slow, tick("2026-12-21T07:05:00Z"))
    assert summary["state_conflicts"] == ["morning-boost"]
    assert any("lost a conditional-write race" in str(line.get("message")) for line in logs)
    assert table.get("morning-boost").last_evaluated == datetime(2026, 12, 21, 7, 10, tzinfo=timezone.utc)
    assert desired("eu-west-1") == 3 and ledger.count("UpdateService") == 1
    report("lost conditional-write race", 1, 1, ledger.duplicates(), 0)


def test_a_missed_two_hour_gap_applies_the_phase_change_once_and_reports_missed_crons(table, rules, report) -> None:
    instances(2)
    ledger, logs = Ledger(), []
    d = dispatcher(rules(OFFICE.replace("        enforce: true\n", "") + """
      - name: evening-report
        resource: ec2.instance
        match: {tags: {env: none}}
        on: {cron: "0 19 * * *"}
        actions: [ec2.stop]
    """), table, [], ledger, logs=logs)
    handle(d, tick("2026-12-21T18:50:00Z"))
    assert set(states().values()) == {"running"}
    handle(d, tick("2026-12-21T21:00:00Z"))  # two hours of ticks lost
    assert set(states().values()) == {"stopped"} and ledger.count("StopInstances") == 1
    missed = [line for line in logs if line.get("rule") == "evening-report" and line.get("missed")]
    assert missed and "missed" in missed[0]["reason"]
    report("missed two-hour gap", 0, 1, ledger.duplicates(), 0)


def test_a_corrupt_state_item_fails_that_rule_only(table, rules, report) -> None:
    instances(1)
    make_service("eu-west-1")
    table.client.put_item(TableName=table.table, Item={"pk": {"S": "rule#morning-boost"},
                                                       "state": {"S": '{"last_evaluated": "9999-99-99"}'}})
    ledger, logs = Ledger(), []
    both = OFFICE.rstrip() + "\n" + CRON_ADD.split("rules:\n", 1)[1]
    d = dispatcher(rules(both), table, [], ledger, logs=logs)
    summary = handle(d, tick("2026-12-21T07:00:00Z"))
    assert summary["failed_rules"] == ["morning-boost"]
    assert set(states().values()) == {"stopped"}  # the other rule ran
    errors = [line for line in logs if line.get("outcome") == "error"]
    assert "unreadable state item" in errors[0]["reason"] and errors[0]["rule"] == "morning-boost"
    report("corrupt state item", 1, 1, ledger.duplicates(), 0)


def test_a_time_budget_rotates_so_no_rule_starves_and_deferral_is_reported(table, rules, report) -> None:
    for env in ("a", "b", "c"):
        instances(1, env)
    text = "version: 1\ntimezone: UTC\nregions: [eu-west-1]\nrules:\n" + "".join(f"""
      - name: stop-{env}
        resource: ec2.instance
        match: {{tags: {{env: {env}}}}}
        during: {{days: mon-sun, hours: "08:00-19:00"}}
        actions: {{inside: [ec2.start], outside: [ec2.stop]}}
    """ for env in "abc")
    ledger = Ledger()
    d = dispatcher(rules(text), table, [], ledger)
    deferred = []
    for n in range(3):  # a slow head: each invocation has time for one rule only
        budget = iter([60_000] + [1_000] * 5)
        d.remaining_ms = lambda: next(budget)
        summary = handle(d, tick("2026-12-21T19:30:00Z"))
        deferred.append(len(summary["deferred_rules"]))
    assert set(states().values()) == {"stopped"} and ledger.count("StopInstances") == 3
    assert deferred == [2, 1, 0]
    report("timeout mid-tick (deferral rotates)", 2, 3, ledger.duplicates(), 0)


def test_a_failed_state_write_leaves_the_tick_retryable_without_repeating_changes(table, rules, report) -> None:
    from botocore.exceptions import ClientError

    make_service("eu-west-1")
    ledger = Ledger()
    failures = []

    def throttled(params: Any = None, **_: Any) -> None:
        if not failures and str(params.get("Item", {}).get("pk", {}).get("S", "")).startswith("rule#"):
            failures.append(True)
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                              "PutItem")

    table.client.meta.events.register("before-parameter-build.dynamodb.PutItem", throttled)
    d = dispatcher(rules(CRON_ADD), table, [], ledger)
    handle(d, tick("2026-12-21T07:00:00Z"))
    assert failures and desired("eu-west-1") == 3
    handle(d, tick("2026-12-21T07:00:00Z"))  # the tick lock was released: the retry re-evaluates
    assert table.get("morning-boost").last_evaluated == datetime(2026, 12, 21, 7, 0, tzinfo=timezone.utc)
    assert desired("eu-west-1") == 3 and ledger.count("UpdateService") == 1
    report("state table write fails after the work", 1, 2, ledger.duplicates(), 0)
