"""The Lambda entry point over real HTTP: moto_server as AWS, DynamoDB as the state table."""
from __future__ import annotations

import json

import pytest

import shiftwork.engine.dispatch.lambda_handler as entry
from shiftwork.engine.execute.aws import Clients
from tests.e2e.helpers import ROOT

pytestmark = pytest.mark.e2e

RULES = """version: 1
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
"""


class Context:
    def get_remaining_time_in_millis(self) -> int:
        return 600_000


def test_handler_ticks_with_dynamodb_state(aws: str, writer: Clients, tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "rules.yaml").write_text(RULES)
    ddb = writer.client("dynamodb", "eu-west-1")
    ddb.create_table(TableName="shiftwork-state", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ec2 = writer.client("ec2", "eu-west-1")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, MinCount=3, MaxCount=3, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])
    monkeypatch.setenv("SHIFTWORK_RULES", str(tmp_path))
    monkeypatch.setenv("SHIFTWORK_TABLE", "shiftwork-state")
    monkeypatch.setenv("SHIFTWORK_ENDPOINT_URL", aws)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setattr(entry, "_dispatcher", None)
    tick = json.loads((ROOT / "tests/fixtures/events/scheduler-tick.json").read_text())  # Mon 19:00:07Z

    summary = entry.handler(tick, Context())
    assert summary["changes_ok"] == 3 and summary["failed_rules"] == []
    states = {i["State"]["Name"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
    assert states == {"stopped"}
    item = ddb.get_item(TableName="shiftwork-state", Key={"pk": {"S": "rule#dev-office-hours"}})["Item"]
    saved = json.loads(item["state"]["S"])
    assert saved["last_phase"] == "outside" and saved["last_evaluated"].startswith("2026-12-21T19:00")
    lock = ddb.get_item(TableName="shiftwork-state", Key={"pk": {"S": "key#tick#2026-12-21T19:00:00+00:00"}})
    assert "Item" in lock

    again = entry.handler(tick, Context())  # EventBridge delivered the tick twice
    assert again["rules_evaluated"] == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(line.get("outcome") == "ok" and line.get("rule") == "dev-office-hours" for line in lines)
    assert any("_aws" in line for line in lines)


def test_without_a_state_table_the_handler_says_state_is_memory_only(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "rules.yaml").write_text(RULES)
    monkeypatch.setenv("SHIFTWORK_RULES", str(tmp_path))
    monkeypatch.delenv("SHIFTWORK_TABLE", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    dispatcher = entry.build()
    assert type(dispatcher.state).__name__ == "MemoryState"
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["level"] == "WARNING" and "SHIFTWORK_TABLE is not set" in line["message"]
