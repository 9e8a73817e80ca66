"""Selectors for EBS volumes, DynamoDB tables and EFS file systems against moto."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import Account, CronTrigger, Match, Rule
from shiftwork.handlers.storage import FileSystemSelector, TableSelector, VolumeSelector, ec2_filters, partition_of

REGION = "eu-west-1"
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def rule(resource: str, **match: Any) -> Rule:
    return Rule("t", resource, Match(**match), CronTrigger("0 6 * * *", Loc("t.yaml", 1, 1)))


def context(calls: list[tuple[str, str, dict[str, Any]]] | None = None) -> PlanContext:
    """Read-only clients; `calls` collects (service, operation, api params) of every call made."""
    session = boto3.Session(region_name=REGION)
    if calls is not None:
        session.events.register("provide-client-params", lambda params, model, **_: calls.append(
            (model.service_model.service_name, model.name, dict(params))))
    return PlanContext(Clients(session, read_only=True), NOW)


def make_volume(ec2: Any, tags: dict[str, str]) -> str:
    spec = [{"ResourceType": "volume", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []
    return ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8, TagSpecifications=spec)["VolumeId"]


def test_partition_follows_the_region() -> None:
    assert partition_of("eu-west-1") == "aws"
    assert partition_of("cn-north-1") == "aws-cn"
    assert partition_of("us-gov-west-1") == "aws-us-gov"


def test_ec2_filters_carry_tags_globs_and_names() -> None:
    match = Match(tags={"backup": ("daily", "hourly*"), "team": ()}, names=("db-*",))
    assert ec2_filters(match) == [{"Name": "tag:backup", "Values": ["daily", "hourly*"]},
                                  {"Name": "tag-key", "Values": ["team"]},
                                  {"Name": "tag:Name", "Values": ["db-*"]}]


def test_volumes_by_tag_with_arn_filtered_server_side(aws: None) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    keep = make_volume(ec2, {"backup": "daily", "Name": "db-data"})
    make_volume(ec2, {"backup": "never"})
    make_volume(ec2, {})
    calls: list[tuple[str, str, dict[str, Any]]] = []
    found = VolumeSelector().select(context(calls), rule("ebs.volume", tags={"backup": ("daily",)}), REGION, None)
    assert [(r.id, r.name, r.state) for r in found] == [(keep, "db-data", "available")]
    assert found[0].arn == f"arn:aws:ec2:{REGION}:123456789012:volume/{keep}"
    assert found[0].account == "123456789012"
    describe = [p for s, o, p in calls if o == "DescribeVolumes"]
    assert describe == [{"Filters": [{"Name": "tag:backup", "Values": ["daily"]}]}]


def test_volumes_by_id_use_the_given_account_without_asking_sts(aws: None) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    wanted = make_volume(ec2, {"Name": "a"})
    make_volume(ec2, {"Name": "b"})
    calls: list[tuple[str, str, dict[str, Any]]] = []
    found = VolumeSelector().select(context(calls), rule("ebs.volume", ids=(wanted,)), REGION, Account("111122223333"))
    assert [r.id for r in found] == [wanted]
    assert found[0].arn == f"arn:aws:ec2:{REGION}:111122223333:volume/{wanted}"
    assert "GetCallerIdentity" not in [o for _, o, _ in calls]


def test_volumes_paginate() -> None:
    ctx = PlanContext(Clients(boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"),
                              read_only=True), NOW)
    account = Account("111122223333")
    ec2 = ctx.clients.client("ec2", REGION, account)
    filters = [{"Name": "tag-key", "Values": ["tier"]}]
    with Stubber(ec2) as stub:
        stub.add_response("describe_volumes", {"Volumes": [{"VolumeId": "vol-1", "State": "in-use",
                                                            "Tags": [{"Key": "tier", "Value": "db"}]}],
                                               "NextToken": "page-2"}, {"Filters": filters})
        stub.add_response("describe_volumes", {"Volumes": [{"VolumeId": "vol-2", "State": "deleting",
                                                            "Tags": [{"Key": "tier", "Value": "db"}]},
                                                           {"VolumeId": "vol-3", "State": "available",
                                                            "Tags": [{"Key": "tier", "Value": "db"}]}]},
                          {"Filters": filters, "NextToken": "page-2"})
        found = VolumeSelector().select(ctx, rule("ebs.volume", tags={"tier": ()}), REGION, account)
        stub.assert_no_pending_responses()
    assert [(r.id, r.state) for r in found] == [("vol-1", "in-use"), ("vol-3", "available")]


def test_tables_by_name_glob_and_tag(aws: None) -> None:
    ddb = boto3.client("dynamodb", region_name=REGION)
    for name, tags in [("orders", {"backup": "daily"}), ("orders-archive", {"backup": "weekly"}),
                       ("sessions", {"backup": "daily"})]:
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST", Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    found = TableSelector().select(context(), rule("dynamodb.table", names=("orders*",), tags={"backup": ("daily",)}),
                                   REGION, None)
    assert [(r.id, r.arn, r.state, dict(r.tags)) for r in found] == [
        ("orders", f"arn:aws:dynamodb:{REGION}:123456789012:table/orders", "ACTIVE", {"backup": "daily"})]


def test_tables_without_tag_match_skip_the_tag_reads(aws: None) -> None:
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    calls: list[tuple[str, str, dict[str, Any]]] = []
    found = TableSelector().select(context(calls), rule("dynamodb.table", names=("orders",)), REGION, None)
    assert [r.id for r in found] == ["orders"]
    assert [o for _, o, _ in calls] == ["ListTables", "DescribeTable"]


def test_file_systems_by_tag_and_name(aws: None) -> None:
    efs = boto3.client("efs", region_name=REGION)
    home = efs.create_file_system(CreationToken="home", Tags=[{"Key": "Name", "Value": "home"},
                                                              {"Key": "backup", "Value": "daily"}])
    efs.create_file_system(CreationToken="scratch", Tags=[{"Key": "Name", "Value": "scratch"}])
    found = FileSystemSelector().select(context(), rule("efs.filesystem", tags={"backup": ()}), REGION, None)
    assert [(r.id, r.name, r.arn, r.account) for r in found] == [
        (home["FileSystemId"], "home", home["FileSystemArn"], "123456789012")]
    by_name = FileSystemSelector().select(context(), rule("efs.filesystem", names=("scr*",)), REGION, None)
    assert [r.name for r in by_name] == ["scratch"]
