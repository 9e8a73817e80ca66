"""Fan-out through SQS in moto: 3 accounts x 2 regions become 6 shard messages, all processed by the same
handler; a poison message goes to the DLQ after the queue's maxReceiveCount without blocking the others."""
from __future__ import annotations

import json
from typing import Any

import boto3

from shiftwork.engine.dispatch.fanout import Queue
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.language.model import Account
from tests.reliability.harness import Ledger, dispatcher, handle, tick

ACCOUNTS = ("111111111111", "222222222222", "333333333333")
REGIONS = ("eu-west-1", "us-east-1")
RULES = """
    version: 1
    regions: [eu-west-1, us-east-1]
    accounts:
""" + "".join(f'      - {{id: "{a}", role: "arn:aws:iam::{a}:role/shiftwork"}}\n' for a in ACCOUNTS) + """
    rules:
      - name: dev-stop
        resource: ec2.instance
        match: {tags: {env: dev}}
        on: {cron: "0 19 * * *"}
        actions: [ec2.stop]
    """


def ec2(account: str, region: str) -> Any:
    return Clients().client("ec2", region, Account(account, f"arn:aws:iam::{account}:role/shiftwork"))


def queues() -> tuple[Any, str, str]:
    sqs = boto3.client("sqs", region_name="eu-west-1")
    dlq = sqs.create_queue(QueueName="shiftwork-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="shiftwork-fanout", Attributes={
        "VisibilityTimeout": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
    return sqs, url, dlq


def lambda_sqs_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """What Lambda's SQS event source hands the function."""
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                         "eventSource": "aws:sqs", "awsRegion": "eu-west-1", "attributes": {}}
                        for m in messages]}


def drain(d: Any, sqs: Any, url: str, rounds: int = 10) -> tuple[int, int]:
    """Poll and invoke as Lambda's event source would: delete what succeeded. Returns (invocations, processed)."""
    invocations = processed = 0
    for _ in range(rounds):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        invocations += 1
        result = handle(d, lambda_sqs_event(messages))
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                processed += 1
    return invocations, processed


def test_three_accounts_by_two_regions_fan_out_to_six_shards_and_a_poison_message_lands_in_the_dlq(
        table, rules, report) -> None:
    for account in ACCOUNTS:
        for region in REGIONS:
            ec2(account, region).run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])
    sqs, url, dlq = queues()
    ledger = Ledger()
    d = dispatcher(rules(RULES), table, [], ledger)
    d.queue = Queue(boto3.client("sqs", region_name="eu-west-1"), url)
    summary = handle(d, tick("2026-12-21T19:00:00Z"))
    assert summary["shards_enqueued"] == 6 and summary["changes_ok"] == 0  # the tick only decides and enqueues
    assert ledger.count("StopInstances") == 0
    sqs.send_message(QueueUrl=url, MessageBody="{not json")  # a poison record among the shards
    invocations, processed = drain(d, sqs, url)
    assert processed == 6
    for account in ACCOUNTS:
        for region in REGIONS:
            states = {i["State"]["Name"] for r in ec2(account, region).describe_instances()["Reservations"]
                      for i in r["Instances"]}
            assert states == {"stopped"}, (account, region)
    assert ledger.count("StopInstances") == 6 and ledger.duplicates() == 0
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["{not json"]
    again = handle(d, tick("2026-12-21T19:00:00Z"))  # a duplicate tick delivery enqueues nothing
    assert again["shards_enqueued"] == 0
    report("SQS batch with a poison record (fan-out 3x2)", 1, 1 + invocations, ledger.duplicates(), 0)


def test_a_redelivered_shard_repeats_no_change(table, rules, report) -> None:
    for account in ACCOUNTS:
        for region in REGIONS:
            ec2(account, region).run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])
    sqs, url, _ = queues()
    ledger = Ledger()
    d = dispatcher(rules(RULES), table, [], ledger)
    d.queue = Queue(boto3.client("sqs", region_name="eu-west-1"), url)
    handle(d, tick("2026-12-21T19:00:00Z"))
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 6
    handle(d, lambda_sqs_event(messages))
    handle(d, lambda_sqs_event(messages))  # SQS at-least-once: the whole batch again
    assert ledger.count("StopInstances") == 6 and ledger.duplicates() == 0
    report("duplicate shard delivery", 0, 2, ledger.duplicates(), 0)
