"""The package's trimmed AWS models, at run time: used on the botocore they were cut from, for every account's
session; on any other botocore, or when unreadable, the complete models are used and the log says why."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest

from shiftwork.deploy.service_models import model_files
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.models import MANIFEST, use_trimmed_models
from shiftwork.engine.language.model import Account

ROLE = Account("111122223333", "arn:aws:iam::111122223333:role/shiftwork-exec", "ops-rules")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    for name, data in model_files().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def copy_with_manifest(models: Path, tmp_path: Path, change: dict[str, Any] | None, text: str | None = None) -> Path:
    folder = tmp_path / "models"
    for path in models.rglob("*"):
        if path.is_file():
            (folder / path.relative_to(models)).parent.mkdir(parents=True, exist_ok=True)
            (folder / path.relative_to(models)).write_bytes(path.read_bytes())
    manifest = json.loads((models / MANIFEST).read_text())
    (folder / MANIFEST).write_text(text if text is not None else json.dumps({**manifest, **(change or {})}))
    return folder


def test_on_the_same_botocore_every_session_uses_the_trimmed_models(aws: None, models: Path) -> None:
    logs: list[dict[str, Any]] = []
    session = boto3.Session(region_name="eu-west-1")
    assert use_trimmed_models(session, str(models), logs.append) is True
    assert logs == []
    clients = Clients(session)
    mine, theirs = clients.client("ec2", "eu-west-1"), clients.client("ec2", "eu-west-1", ROLE)
    for ec2 in (mine, theirs):  # an assumed role's session shares the data path (and the parsed models)
        assert hasattr(ec2, "stop_instances") and not hasattr(ec2, "run_instances")
        assert ec2.describe_instances()["Reservations"] == []  # and calls work through it
    assert clients.session_for(ROLE)._session.get_component("data_loader") is \
        session._session.get_component("data_loader")


def test_on_another_botocore_the_complete_models_are_used_and_the_log_says_why(
        aws: None, models: Path, tmp_path: Path) -> None:
    logs: list[dict[str, Any]] = []
    other = copy_with_manifest(models, tmp_path, {"botocore": "0.0.1"})
    session = boto3.Session(region_name="eu-west-1")
    assert use_trimmed_models(session, str(other), logs.append) is False
    assert hasattr(session.client("ec2"), "run_instances")
    assert [log["level"] for log in logs] == ["WARNING"]
    assert "botocore 0.0.1" in logs[0]["message"] and f"botocore {botocore.__version__}" in logs[0]["message"]
    assert "--bundle-boto3" in logs[0]["message"]


@pytest.mark.parametrize("text", ["", "{not json", json.dumps({"format": 99, "botocore": "x", "services": {}})])
def test_an_unreadable_manifest_falls_back_with_a_warning(aws: None, models: Path, tmp_path: Path, text: str) -> None:
    logs: list[dict[str, Any]] = []
    session = boto3.Session(region_name="eu-west-1")
    assert use_trimmed_models(session, str(copy_with_manifest(models, tmp_path, None, text)), logs.append) is False
    assert hasattr(session.client("ec2"), "run_instances")
    assert len(logs) == 1 and logs[0]["level"] == "WARNING" and MANIFEST in logs[0]["message"]


def test_unset_means_botocores_models_and_no_log(aws: None) -> None:
    logs: list[dict[str, Any]] = []
    session = boto3.Session(region_name="eu-west-1")
    assert use_trimmed_models(session, None, logs.append) is False and logs == []
    assert hasattr(session.client("ec2"), "run_instances")


FLEET_RULES = """version: 1
regions: [eu-west-1, us-east-1]
rules:
  - name: dev-stop
    resource: ec2.instance
    match: {tags: {env: dev}}
    on: {cron: "0 19 * * *"}
    actions: [ec2.stop]
"""


def test_the_function_ticks_fans_out_and_stops_with_only_the_trimmed_models(
        aws: None, models: Path, tmp_path: Path) -> None:
    """State table (journal batches included), fan-out queue (batched sends), EC2 reads and writes: every call the
    function makes on a tick and on its shards goes through the trimmed models."""
    from shiftwork.engine.dispatch.lambda_handler import build

    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "stop.yaml").write_text(FLEET_RULES)
    setup = boto3.Session(region_name="eu-west-1")  # complete models: what the stack and the fleet are made with
    setup.client("dynamodb").create_table(
        TableName="state", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    sqs = setup.client("sqs")
    url = sqs.create_queue(QueueName="fanout", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    for region in ("eu-west-1", "us-east-1"):
        setup.client("ec2", region_name=region).run_instances(
            ImageId="ami-12c6146b", MinCount=3, MaxCount=3,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])
    session = boto3.Session(region_name="eu-west-1")
    d = build({"SHIFTWORK_RULES": str(tmp_path / "rules"), "SHIFTWORK_TABLE": "state", "SHIFTWORK_QUEUE_URL": url,
               "SHIFTWORK_FANOUT_THRESHOLD": "1", "SHIFTWORK_MODELS": str(models), "AWS_REGION": "eu-west-1"},
              session=session)
    assert session._session.get_component("data_loader").search_paths[0] == str(models)
    tick = {"version": "0", "id": "t1", "detail-type": "Scheduled Event", "source": "aws.scheduler",
            "time": "2026-12-21T19:00:00Z", "region": "eu-west-1", "detail": {}}
    assert d.handle(tick)["shards_enqueued"] == 2
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    result = d.handle({"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                                    "body": m["Body"], "eventSource": "aws:sqs", "awsRegion": "eu-west-1"}
                                   for m in messages]})
    assert result["batchItemFailures"] == []
    for region in ("eu-west-1", "us-east-1"):
        reservations = setup.client("ec2", region_name=region).describe_instances()["Reservations"]
        assert {i["State"]["Name"] for r in reservations for i in r["Instances"]} == {"stopped"}
    parsed = [v[1] for k, v in session._session.get_component("data_loader")._cache.items()
              if k[0] == "load_data_with_path" and k[1].endswith("/service-2")]
    assert {Path(p).parts[-3] for p in parsed} == {"dynamodb", "ec2", "sqs"}
    assert all(p.startswith(str(models)) for p in parsed), parsed
