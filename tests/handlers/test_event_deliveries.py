"""Every delivery shape through the dispatcher on moto: one alarm however it arrives, identities, batches."""
from __future__ import annotations

import copy
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
  - name: api-scale-out
    resource: ecs.service
    match: {cluster: web, names: [api]}
    on: {alarm: api-cpu-high, state: ALARM}
    actions: [{type: ecs.scale, add: 1, max: 10}]
  - name: worker-scale-out
    resource: ecs.service
    match: {cluster: web, names: [worker]}
    on: {alarm: worker-queue-deep, state: ALARM}
    actions: [{type: ecs.scale, add: 1, max: 10}]
"""
SHAPES = ["eventbridge-alarm.json", "sns-alarm.json", "sqs-sns-alarm.json", "direct-alarm-action.json"]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Recorder:
    def __init__(self) -> None:
        self.writes: list[tuple[str, str, str]] = []
        self.logs: list[dict[str, Any]] = []

    def observe(self, service: str, operation: str, params: dict[str, Any]) -> None:
        self.writes.append((service, operation, str(params.get("service", ""))))


@pytest.fixture
def make(aws: None, load_rules):
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
        assert fired == ["api-scale-out"], name
        assert [w[:2] for w in writes] == [("ecs", "UpdateService")], name
        assert writes[0][2].endswith(":service/web/api"), name
        assert rejected == [], name


def test_one_delivery_repeated_acts_once_and_two_transitions_without_an_id_both_act(make) -> None:
    dispatcher, rec = make()
    first = fixture("direct-alarm-action.json")  # a direct alarm action has no id
    assert "id" not in first
    dispatcher.handle(first)
    dispatcher.handle(copy.deepcopy(first))  # Lambda retries the same invocation
    assert desired("api") == 3
    later = copy.deepcopy(first)  # the alarm went OK and back to ALARM three hours later
    later["time"] = "2026-12-21T22:00:41.000+0000"
    later["alarmData"]["state"]["timestamp"] = "2026-12-21T22:00:41.000+0000"
    dispatcher.handle(later)
    assert desired("api") == 4
    repeats = [log for log in rec.logs if log.get("message") == "event already handled"]
    assert len(repeats) == 1


def test_the_same_sns_delivery_through_sns_and_through_sqs_acts_once(make) -> None:
    dispatcher, _ = make()
    dispatcher.handle(fixture("sns-alarm.json"))
    dispatcher.handle(fixture("sqs-sns-alarm.json"))  # the same SNS MessageId, fanned out to a queue
    assert desired("api") == 3


def sqs_record(body: Any, message_id: str) -> dict[str, Any]:
    return {"messageId": message_id, "eventSource": "aws:sqs", "awsRegion": "eu-west-1",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:111122223333:shiftwork-events",
            "body": body if isinstance(body, str) else json.dumps(body)}


def test_an_sqs_batch_with_an_unrecognised_and_a_malformed_record_acts_on_the_others(make) -> None:
    dispatcher, rec = make()
    alarm = fixture("eventbridge-alarm.json")
    poison = copy.deepcopy(fixture("direct-alarm-action.json"))
    poison["alarmData"] = "x"
    batch = {"Records": [sqs_record({"hello": "world"}, "m-1"), sqs_record(poison, "m-2"),
                         sqs_record(alarm, "m-3"), sqs_record("not json {", "m-4")]}
    summary = dispatcher.handle(batch)
    assert desired("api") == 3
    assert summary["failed_rules"] == []
    rejected = summary["rejected_records"]
    assert [r.split(":")[0] for r in rejected] == ["record 1 (messageId m-1)", "record 2 (messageId m-2)",
                                                   "record 4 (messageId m-4)"]
    assert "unrecognised event" in rejected[0]
    assert "alarmData must be a JSON object, not str 'x'" in rejected[1]
    assert "event is not JSON" in rejected[2]
    errors = [log for log in rec.logs if log.get("level") == "ERROR"]
    assert [e["record"] for e in errors] == ["record 1 (messageId m-1)", "record 2 (messageId m-2)",
                                             "record 4 (messageId m-4)"]
