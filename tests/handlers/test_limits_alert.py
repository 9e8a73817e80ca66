"""A rule stopped by `limits` alerts: a plan warning, `run` exits 3, a WARNING log line, an EMF count, and a
message to the rule's notify target (which is the only thing the limited rule still does)."""
from __future__ import annotations

from typing import Any

import boto3
import pytest

from shiftwork.engine.cli.main import main
from shiftwork.engine.dispatch.dispatcher import Dispatcher
from shiftwork.engine.dispatch.state import MemoryState
from shiftwork.engine.errors import EXIT_LIMITED
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor

REGION = "eu-west-1"
WHY = "selected 3 resources, limit max_resources=2: did nothing"
RULES = """
version: 1
regions: [eu-west-1]
notify:
  ops: {{sns: "{topic}"}}
rules:
  - name: dev-stop
    resource: ec2.instance
    match: {{tags: {{env: dev}}}}
    on: {{cron: "0 19 * * *"}}
    limits: {{max_resources: 2}}
    actions: [ec2.stop, {{type: notify, target: ops}}]
"""


@pytest.fixture
def inbox(aws: None) -> tuple[str, str]:
    """Three running dev instances (one over the limit) and an SNS topic with an SQS subscriber."""
    boto3.client("ec2", region_name=REGION).run_instances(
        ImageId="ami-12c6146b", MinCount=3, MaxCount=3,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])
    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return topic, queue


def received(queue: str) -> list[str]:
    reply = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    return [m["Body"] for m in reply.get("Messages", [])]


def running() -> int:
    res = boto3.client("ec2", region_name=REGION).describe_instances()["Reservations"]
    return sum(i["State"]["Name"] == "running" for r in res for i in r["Instances"])


def test_the_dispatcher_logs_counts_and_notifies(inbox: tuple[str, str], load_rules: Any) -> None:
    topic, queue = inbox
    logs: list[dict[str, Any]] = []
    dispatcher = Dispatcher(ruleset=load_rules(RULES.format(topic=topic)), state=MemoryState(),
                            planning=Clients(read_only=True), executor=Executor(Clients()),
                            default_region=REGION, log=logs.append)
    summary = dispatcher.handle({"source": "aws.events", "detail-type": "Scheduled Event",
                                 "time": "2026-12-21T19:00:00Z", "detail": {}})
    assert running() == 3  # nothing stopped
    assert (summary["rules_limited"], summary["limited_rules"], summary["failed_rules"]) == (1, ["dev-stop"], [])
    warning, = [log for log in logs if log.get("outcome") == "limited"]
    assert (warning["level"], warning["rule"], warning["reason"]) == ("WARNING", "dev-stop", WHY)
    emf, = [log for log in logs if "_aws" in log]
    assert "rules_limited" in {m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert emf["rules_limited"] == 1
    message, = received(queue)
    assert message.startswith(f"STOPPED BY LIMITS, nothing was changed: {WHY}\n")
    assert "shiftwork rule 'dev-stop'" in message and "skipped" in message


def test_run_exits_3_and_plan_warns(inbox: tuple[str, str], tmp_path, capsys, monkeypatch) -> None:
    topic, queue = inbox
    rules = tmp_path / "r.yaml"
    rules.write_text(RULES.format(topic=topic))
    monkeypatch.setattr("shiftwork.engine.cli.commands.plan.make_clients",
                        lambda read_only, **_: (Clients(read_only=read_only), REGION))
    code = main(["plan", str(rules), "--at", "2026-12-21T19:00Z"])
    out, err = capsys.readouterr()
    assert code == 0
    assert f"  WARNING: stopped by limits: {WHY}" in out.splitlines()
    assert "; 1 rule stopped by limits; dry run: nothing was changed" in out.splitlines()[-1]
    assert err == f"shiftwork: warning: rule 'dev-stop' stopped by limits: {WHY}\n"
    assert received(queue) == []  # a plan sends nothing

    code = main(["run", str(rules), "--at", "2026-12-21T19:00Z", "--no-state"])
    out, err = capsys.readouterr()
    assert code == EXIT_LIMITED == 3
    assert running() == 3
    assert received(queue)[0].startswith(f"STOPPED BY LIMITS, nothing was changed: {WHY}\n")
