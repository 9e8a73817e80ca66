"""Every delivery shape through the dispatcher on moto: one alarm however it arrives, identities, batches."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from shiftwork.engine.dispatch.dispatcher import Dispatcher
from shiftwork.engine.dispatch.state import MemoryState
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
RULES = """
version: 1
regions: [eu-west-1]
rules:
  - name: scale-the-alarmed-service
    resource: ecs.service
    match: {cluster: web}
    target: event
    on: {alarm: "web-*-cpu-high", state: ALARM}
    cooldown: 10m
    actions: [{type: ecs.scale, add: 1, max: 10}]
  - name: worker-scale-out
    resource: ecs.service
    match: {cluster: web, names: [worker]}
    on: {alarm: api-cpu-high, state: ALARM}
    actions: [{type: ecs.scale, add: 1, max: 10}]
  - name: restart-stopped
    resource: ec2.instance
    match: {all: true}
    on:
      event:
        source: [aws.ec2]
        detail-type: [EC2 Instance State-change Notification]
        detail: {state: [stopped]}
    actions: [ec2.start]
"""
# One transition of one alarm on ECS service web/api, in four delivery shapes (tests/fixtures/events/SOURCES.md).
SHAPES = ["eventbridge-alarm-ecs.json", "sns-alarm-ecs.json", "sqs-sns-alarm-ecs.json", "direct-alarm-action-ecs.json"]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Recorder:
    def __init__(self) -> None:
        self.writes: list[tuple[str, str, str]] = []
        self.logs: list[dict[str, Any]] = []

    def observe(self, service: str, operation: str, params: dict[str, Any]) -> None:
        self.writes.append((service, operation, str(params.get("service", ""))))


@pytest.fixture
def make(aws: None, load_rules, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")  # the fixtures' account is the Lambda's own
    ecs = boto3.client("ecs", region_name="eu-west-1")
    ecs.create_cluster(clusterName="web")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    for name in ("api", "worker"):
        ecs.create_service(cluster="web", serviceName=name, taskDefinition="app", desiredCount=2)
    ruleset = load_rules(RULES)

    def build(state: MemoryState | None = None) -> tuple[Dispatcher, Recorder]:
        rec = Recorder()
        dispatcher = Dispatcher(ruleset=ruleset, state=state or MemoryState(), planning=Clients(read_only=True),
                                executor=Executor(Clients(observer=rec.observe)), default_region="eu-west-1",
                                log=rec.logs.append)
        return dispatcher, rec
    return build


def desired(name: str) -> int:
    ecs = boto3.client("ecs", region_name="eu-west-1")
    return ecs.describe_services(cluster="web", services=[name])["services"][0]["desiredCount"]


def test_one_alarm_through_every_delivery_shape_fires_the_same_rule_on_the_same_service(make) -> None:
    seen = []
    for name in SHAPES:
        dispatcher, rec = make()  # a fresh state each: these are four separate deliveries
        before = desired("api")
        summary = dispatcher.handle(fixture(name))
        fired = [o.rule.name for o in dispatcher.outcomes if o.decision.fires]
        seen.append((name, fired, rec.writes, summary["rejected_records"]))
        assert desired("api") == before + 1, name
    assert desired("worker") == 2  # the other rule never fired
    for name, fired, writes, rejected in seen:
        assert fired == ["scale-the-alarmed-service"], name
        assert [w[:2] for w in writes] == [("ecs", "UpdateService")], name
        assert writes[0][2].endswith(":service/web/api"), name
        assert rejected == [], name


def test_one_delivery_repeated_acts_once_and_two_transitions_without_an_id_both_act(make) -> None:
    dispatcher, rec = make()
    first = fixture("direct-alarm-action-ecs.json")  # a direct alarm action has no id
    assert "id" not in first
    dispatcher.handle(first)
    dispatcher.handle(fixture("direct-alarm-action-ecs.json"))  # Lambda retries the same invocation
    assert desired("api") == 3
    assert len([log for log in rec.logs if log.get("message") == "event already handled"]) == 1
    dispatcher.handle(fixture("direct-alarm-action-later.json"))  # the next transition, 5.5 hours later
    assert desired("api") == 4


def test_a_second_alarm_inside_the_cooldown_makes_no_change_and_says_so(make) -> None:
    dispatcher, rec = make()
    dispatcher.handle(fixture("eventbridge-alarm-ecs.json"))
    later = fixture("direct-alarm-action-ecs.json")  # the same transition by another route, a new identity
    later["alarmData"]["state"]["timestamp"] = "2026-12-22T09:20:03.212+0000"
    later["time"] = "2026-12-22T09:20:03.212+0000"
    summary = dispatcher.handle(later)
    assert desired("api") == 3 and summary["changes_ok"] == 0
    skipped = [log for log in rec.logs if log.get("outcome") == "skipped"]
    assert [log["resource"].rsplit("/", 1)[-1] for log in skipped] == ["api"]
    assert skipped[0]["reason"] == ("in cooldown: the rule acted on this resource less than 10m ago; no change")
    dispatcher.handle(fixture("direct-alarm-action-later.json"))  # 5.5 hours later: the cooldown is over
    assert desired("api") == 4


def test_the_same_sns_delivery_through_sns_and_through_sqs_acts_once(make) -> None:
    dispatcher, _ = make()
    dispatcher.handle(fixture("sns-alarm-ecs.json"))
    dispatcher.handle(fixture("sqs-sns-alarm-ecs.json"))  # the same SNS MessageId, fanned out to a queue
    assert desired("api") == 3


def test_an_sqs_batch_with_an_unrecognised_and_a_poison_record_acts_on_the_others(make) -> None:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    (instance,) = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"]
    ec2.stop_instances(InstanceIds=[instance["InstanceId"]])
    batch = fixture("sqs-batch-with-unknown.json")  # alarm api-cpu-high, an order message, an EC2 stop
    batch["Records"] += fixture("sqs-shard-poison.json")["Records"]  # truncated JSON
    dispatcher, rec = make()
    summary = dispatcher.handle(batch)
    fired = sorted(o.rule.name for o in dispatcher.outcomes if o.decision.fires)
    assert fired == ["restart-stopped", "worker-scale-out"]
    assert desired("worker") == 3
    state = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]["State"]
    assert state["Name"] in ("pending", "running")
    assert summary["failed_rules"] == []
    unknown, poison = summary["rejected_records"]
    assert unknown.startswith("record 2 (messageId ") and "unrecognised event" in unknown
    assert poison.startswith("record 4 (messageId bc57cb3b-") and "event is not JSON" in poison
    assert [log["record"][:8] for log in rec.logs if log.get("level") == "ERROR"] == ["record 2", "record 4"]


def test_one_rule_failing_to_decide_never_stops_the_others(make, monkeypatch: pytest.MonkeyPatch) -> None:
    import shiftwork.engine.dispatch.dispatcher as dispatcher_module

    real = dispatcher_module.decide_event

    def broken(rule, event):
        if rule.name == "worker-scale-out":
            raise RecursionError("maximum recursion depth exceeded")
        return real(rule, event)

    monkeypatch.setattr(dispatcher_module, "decide_event", broken)
    dispatcher, _ = make()
    with pytest.raises(Exception, match="1 rule\\(s\\) failed: worker-scale-out"):
        dispatcher.handle(fixture("eventbridge-alarm-ecs.json"))
    assert desired("api") == 3  # the other rule still got the event and acted


def test_a_retried_delivery_acts_only_where_the_first_attempt_failed(aws: None, load_rules,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    ecs = boto3.client("ecs", region_name="eu-west-1")
    ecs.create_cluster(clusterName="web")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    for name in ("api", "worker"):
        ecs.create_service(cluster="web", serviceName=name, taskDefinition="app", desiredCount=2)
    ruleset = load_rules("""
        version: 1
        regions: [eu-west-1]
        rules:
          - name: web-scale-out
            resource: ecs.service
            match: {cluster: web}
            on: {alarm: api-cpu-high}
            actions: [{type: ecs.scale, add: 2, max: 10}]
        """)
    failing = {"worker"}

    def observe(service: str, operation: str, params: dict[str, Any]) -> None:
        if operation == "UpdateService" and str(params.get("service", "")).endswith(tuple(failing)):
            raise RuntimeError("injected: the write had no effect")

    state = MemoryState()
    dispatcher = Dispatcher(ruleset=ruleset, state=state, planning=Clients(read_only=True),
                            executor=Executor(Clients(observer=observe)), default_region="eu-west-1", log=lambda r: None)
    with pytest.raises(Exception, match="1 rule\\(s\\) failed: web-scale-out"):
        dispatcher.handle(fixture("eventbridge-alarm.json"))
    assert (desired("api"), desired("worker")) == (4, 2)
    failing.clear()
    dispatcher.handle(fixture("eventbridge-alarm.json"))  # Lambda's retry of the same delivery
    assert (desired("api"), desired("worker")) == (4, 4)  # api was not given +2 twice


def test_the_cooldown_is_per_resource_another_service_still_acts(make) -> None:
    dispatcher, _ = make()
    dispatcher.handle(fixture("eventbridge-alarm-ecs.json"))
    other = fixture("eventbridge-alarm-ecs.json")  # a minute later, the worker service's own alarm
    other["id"] = "5f0e7a52-3b8d-4c61-9e2a-7d14c0b8a9f3"
    other["time"] = "2026-12-22T09:15:03Z"
    other["detail"]["alarmName"] = "web-worker-cpu-high"
    for metric in other["detail"]["configuration"]["metrics"]:
        metric["metricStat"]["metric"]["dimensions"]["ServiceName"] = "worker"
    dispatcher.handle(other)
    assert (desired("api"), desired("worker")) == (3, 3)


def test_limits_apply_to_event_rules(aws: None, load_rules, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    ecs = boto3.client("ecs", region_name="eu-west-1")
    ecs.create_cluster(clusterName="web")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    for name in ("api", "worker"):
        ecs.create_service(cluster="web", serviceName=name, taskDefinition="app", desiredCount=2)
    ruleset = load_rules("""
        version: 1
        regions: [eu-west-1]
        rules:
          - name: web-scale-out
            resource: ecs.service
            match: {cluster: web}
            on: {alarm: api-cpu-high}
            limits: {max_resources: 1}
            actions: [{type: ecs.scale, add: 2, max: 10}]
        """)
    logs: list[dict[str, Any]] = []
    dispatcher = Dispatcher(ruleset=ruleset, state=MemoryState(), planning=Clients(read_only=True),
                            executor=Executor(Clients()), default_region="eu-west-1", log=logs.append)
    dispatcher.handle(fixture("eventbridge-alarm.json"))
    assert (desired("api"), desired("worker")) == (2, 2)
    (limited,) = [log for log in logs if log.get("outcome") == "limited"]
    assert limited["reason"] == "selected 2 resources, limit max_resources=1: did nothing"


def test_an_alarm_from_another_region_acts_on_nothing_and_the_log_says_why(make) -> None:
    dispatcher, rec = make()
    event = fixture("eventbridge-alarm-ecs.json")
    event["region"] = "us-east-1"
    dispatcher.handle(event)
    assert desired("api") == 2
    notes = [log["reason"] for log in rec.logs if log.get("outcome") == "note"]
    assert notes == ["rule 'scale-the-alarmed-service': the event is from us-east-1, outside the rule's regions "
                     "(eu-west-1)"]


def test_when_the_executor_itself_fails_the_retry_acts(make, monkeypatch: pytest.MonkeyPatch) -> None:
    import shiftwork.engine.dispatch.dispatcher as dispatcher_module

    real, calls = dispatcher_module.execute_plan, []

    def crash_once(*args: Any, **kwargs: Any):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("executor crashed before any write")
        return real(*args, **kwargs)

    monkeypatch.setattr(dispatcher_module, "execute_plan", crash_once)
    dispatcher, _ = make()
    with pytest.raises(Exception, match="failed: scale-the-alarmed-service"):
        dispatcher.handle(fixture("eventbridge-alarm-ecs.json"))
    assert desired("api") == 2
    dispatcher.handle(fixture("eventbridge-alarm-ecs.json"))  # the retry: neither done nor in cooldown
    assert desired("api") == 3
