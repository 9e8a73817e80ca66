"""Heads-up notices: `notice: 15m` announces the 19:00 stop once, at 18:45, with the override command for each."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

from shiftwork.engine.dispatch.dispatcher import Dispatcher
from shiftwork.engine.dispatch.state import MemoryState, RuleState
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.plan.override_targets import parse_ref, set_changes
from tests.handlers.test_dispatch import tick

TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops"
RULES = f"""
version: 1
timezone: Europe/London
regions: [eu-west-1]
notify:
  ops: {{sns: "{TOPIC}"}}
rules:
  - name: dev-office-hours
    resource: ec2.instance
    match: {{tags: {{env: dev}}}}
    during: {{days: mon-fri, hours: "08:00-19:00"}}
    notice: 15m
    actions:
      inside: [ec2.start]
      outside: [ec2.stop, {{type: notify, target: ops}}]
"""


@pytest.fixture
def fleet(aws: None) -> list[str]:
    boto3.client("sns", region_name="eu-west-1").create_topic(Name="ops")
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "prod"}]}])
    return sorted(i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2, TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"])


class Sent:
    """What the dispatcher's writing clients sent: SNS publishes (subject, message) and every operation."""

    def __init__(self) -> None:
        self.ops: list[str] = []
        self.published: list[dict[str, Any]] = []

    def __call__(self, service: str, operation: str, params: dict[str, Any]) -> None:
        self.ops.append(operation)
        if operation == "Publish":
            self.published.append(params)

    def notices(self) -> list[dict[str, Any]]:
        return [p for p in self.published if " stops " in p["Subject"]]


def make(load_rules, sent: Sent) -> Dispatcher:
    return Dispatcher(ruleset=load_rules(RULES), state=MemoryState(), planning=Clients(read_only=True),
                      executor=Executor(Clients(observer=sent)), default_region="eu-west-1", log=lambda r: None)


def states() -> dict[str, str]:
    res = boto3.client("ec2", region_name="eu-west-1").describe_instances()["Reservations"]
    return {i["InstanceId"]: i["State"]["Name"] for r in res for i in r["Instances"]}


def test_the_1845_tick_announces_the_1900_stop_once_and_an_override_set_after_it_is_honoured(
        load_rules, fleet: list[str]) -> None:
    a, b = fleet
    sent = Sent()
    d = make(load_rules, sent)
    d.handle(tick("2026-12-21T18:40:00Z"))
    assert sent.notices() == []  # 19:00 is 20 minutes away: more than the notice
    d.handle(tick("2026-12-21T18:45:00Z"))
    assert len(sent.notices()) == 1
    notice = sent.notices()[0]
    assert notice["TopicArn"] == TOPIC
    assert notice["Subject"] == "shiftwork: dev-office-hours stops 2 at 2026-12-21 Mon 19:00 GMT"
    body = notice["Message"]
    assert body.startswith("shiftwork rule 'dev-office-hours' will stop or scale down 2 resources at "
                           "2026-12-21 Mon 19:00 GMT (2026-12-21 19:00 UTC) (ec2.stop).")
    for iid in (a, b):  # the next start is Tuesday 08:00: overriding until then skips tonight's stop
        assert f"shiftwork override {iid} --region eu-west-1 --until 2026-12-22T08:00:00Z --keep running" in body
    assert "prod" not in body and len([line for line in body.splitlines() if "shiftwork override i-" in line]) == 2
    assert "StopInstances" not in sent.ops  # a notice announces; it changes nothing
    d.handle(tick("2026-12-21T18:50:00Z"))
    assert len(sent.notices()) == 1  # once per firing
    # someone reads it and keeps one running; the override is honoured at the stop
    Executor(Clients()).execute(set_changes([parse_ref(a, "eu-west-1")], datetime(2026, 12, 22, 8, 0,
                                                                                 tzinfo=timezone.utc),
                                            "running", "arn:aws:iam::123456789012:user/alice", "demo tomorrow"))
    d.handle(tick("2026-12-21T19:00:00Z"))
    assert states()[a] == "running" and states()[b] == "stopped"
    assert len(sent.notices()) == 1


def test_nothing_is_sent_when_nothing_would_change(load_rules, fleet: list[str]) -> None:
    boto3.client("ec2", region_name="eu-west-1").stop_instances(InstanceIds=fleet)
    sent = Sent()
    d = make(load_rules, sent)  # already evaluated inside office hours: the ticks below are no phase change
    d.state.put("dev-office-hours", RuleState(datetime(2026, 12, 21, 18, 40, tzinfo=timezone.utc), "inside"))
    for when in ("2026-12-21T18:45:00Z", "2026-12-21T18:50:00Z"):
        d.handle(tick(when))
    assert sent.published == []
    # a hand start at 18:52 is announced by the next tick that sees it, still before the stop
    boto3.client("ec2", region_name="eu-west-1").start_instances(InstanceIds=fleet[:1])
    d.handle(tick("2026-12-21T18:55:00Z"))
    assert len(sent.notices()) == 1 and fleet[0] in sent.notices()[0]["Message"]


def test_a_failed_publish_is_retried_by_the_next_tick(load_rules, fleet: list[str]) -> None:
    from botocore.exceptions import ClientError

    sent = Sent()
    logs: list[dict[str, Any]] = []
    d = make(load_rules, sent)
    d.log = logs.append
    failing = {"on": True}

    def refuse(**_: Any) -> None:  # registered for sns.Publish only: "no effect", the message is not sent
        if failing["on"]:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "try later"}}, "Publish")

    d.executor.clients.client("sns", "eu-west-1").meta.events.register_first("before-send.sns.Publish", refuse)
    d.handle(tick("2026-12-21T18:45:00Z"))
    failing["on"] = False
    d.handle(tick("2026-12-21T18:50:00Z"))
    delivered = sent.notices()
    outcomes = [log["outcome"] for log in logs if log.get("action") == "notice"]
    assert outcomes == ["failed", "sent"]
    # the observer sees every attempt: the first tick's two (a server error is resent once, then given up)
    # raised before anything was sent; the next tick's one is delivered
    assert len(delivered) == 3
    assert delivered[0]["Message"] == delivered[-1]["Message"]


def test_on_drift_tells_the_notify_target_once_per_drifted_set(load_rules, fleet: list[str]) -> None:
    a, b = fleet
    sent = Sent()
    rules = RULES.replace("    notice: 15m\n", "    on_drift: notify\n")
    d = Dispatcher(ruleset=load_rules(rules), state=MemoryState(), planning=Clients(read_only=True),
                   executor=Executor(Clients(observer=sent)), default_region="eu-west-1", log=lambda r: None)
    d.handle(tick("2026-12-21T19:00:00Z"))  # the rule acts (and its own notify summarises): no drift report
    assert (states()[a], states()[b]) == ("stopped", "stopped")
    assert [p["Subject"] for p in sent.published] == ["shiftwork: dev-office-hours"]
    d.handle(tick("2026-12-21T19:05:00Z"))
    assert len(sent.published) == 1  # converged: nothing to say
    boto3.client("ec2", region_name="eu-west-1").start_instances(InstanceIds=[a])  # by hand
    d.handle(tick("2026-12-21T19:35:00Z"))
    report = sent.published[-1]
    assert report["Subject"] == "shiftwork: dev-office-hours: 1 drifted"
    assert report["Message"].startswith("shiftwork rule 'dev-office-hours': 1 resource(s) not in the state the rule "
                                        "wants at 2026-12-21 Mon 19:35 GMT (2026-12-21 19:35 UTC) (phase 'outside': "
                                        "ec2.stop).")
    assert f"  {a} (eu-west-1) is running: out of state 35m" in report["Message"] and b not in report["Message"]
    d.handle(tick("2026-12-21T19:40:00Z"))
    assert len(sent.published) == 2  # the same drift is not repeated every tick
    boto3.client("ec2", region_name="eu-west-1").start_instances(InstanceIds=[b])
    d.handle(tick("2026-12-21T19:45:00Z"))
    assert len(sent.published) == 3 and b in sent.published[-1]["Message"]  # a new drifted resource is news
    assert "StopInstances" not in sent.ops[1:]  # reporting changes nothing
