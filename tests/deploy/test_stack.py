"""The AWS side of `shiftwork deploy`: bucket, template source, change sets, and CloudFormation's failure reason.

moto (mock_aws) plays S3 and CloudFormation; a failed stack update, which moto cannot produce, comes from
botocore's Stubber with the events CloudFormation reports (newest first).
"""
from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from shiftwork.deploy import changes, stack
from shiftwork.deploy.stack import DeployError, Stack
from shiftwork.engine.cli.main import main

from .test_template import lint

REGION = "eu-west-1"
QUEUE_TEMPLATE = {"AWSTemplateFormatVersion": "2010-09-09",
                  "Metadata": {"shiftwork": {"rules": {"on-incident": ["EventOnIncidentRule"]}}},
                  "Parameters": {"Retention": {"Type": "String", "Default": "3600"}},
                  "Resources": {"Queue": {"Type": "AWS::SQS::Queue",
                                          "Properties": {"MessageRetentionPeriod": {"Ref": "Retention"}}}}}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def test_summary_lists_each_change_with_its_rule() -> None:
    owned = changes.owners({"Metadata": {"shiftwork": {"rules": {"db-1": ["EventDb1aRule"], "old": ["EventOldRule"]}}}})
    found = changes.resource_changes([
        {"ResourceChange": {"Action": "Remove", "LogicalResourceId": "EventOldRule", "ResourceType": "AWS::Events::Rule"}},
        {"ResourceChange": {"Action": "Modify", "LogicalResourceId": "Function", "ResourceType": "AWS::Lambda::Function",
                            "Replacement": "False"}},
        {"ResourceChange": {"Action": "Add", "LogicalResourceId": "EventDb1aRule", "ResourceType": "AWS::Events::Rule"}},
        {"ResourceChange": {"Action": "Modify", "LogicalResourceId": "StateTable", "ResourceType": "AWS::DynamoDB::Table",
                            "Replacement": "True"}},
    ], owned)
    assert changes.summary("ops", "UPDATE", found) == textwrap.dedent("""\
        change set to update stack ops: 1 to add, 2 to modify, 1 to remove
          Add     EventDb1aRule  AWS::Events::Rule      rule db-1
          Modify  Function       AWS::Lambda::Function  dispatcher
          Modify  StateTable     AWS::DynamoDB::Table   dispatcher, replaced
          Remove  EventOldRule   AWS::Events::Rule      rule old""")


def test_bucket_is_created_private_once(aws: boto3.Session) -> None:
    s3 = aws.client("s3")
    assert stack.ensure_bucket(s3, "code", REGION) is True
    assert stack.ensure_bucket(s3, "code", REGION) is False
    assert s3.get_bucket_location(Bucket="code")["LocationConstraint"] == REGION
    assert all(s3.get_public_access_block(Bucket="code")["PublicAccessBlockConfiguration"].values())


def test_upload_skips_a_key_that_is_there(aws: boto3.Session, tmp_path: Path) -> None:
    s3 = aws.client("s3")
    stack.ensure_bucket(s3, "code", REGION)
    (tmp_path / "p.zip").write_bytes(b"zip")
    assert stack.upload(s3, "code", "shiftwork/abc.zip", tmp_path / "p.zip") is True
    assert stack.upload(s3, "code", "shiftwork/abc.zip", tmp_path / "p.zip") is False
    assert s3.get_object(Bucket="code", Key="shiftwork/abc.zip")["Body"].read() == b"zip"


def test_a_template_over_51200_bytes_goes_through_s3(aws: boto3.Session) -> None:
    s3 = aws.client("s3")
    stack.ensure_bucket(s3, "code", REGION)
    assert set(stack.template_source(s3, QUEUE_TEMPLATE, "code", REGION)) == {"TemplateBody"}
    big = {**QUEUE_TEMPLATE, "Description": "x" * 1024,
           "Metadata": {"padding": ["y" * 1000] * 51}}  # 51 KB and a bit: over the inline limit
    source = stack.template_source(s3, big, "code", REGION)
    url = source["TemplateURL"]
    assert url.startswith("https://code.s3.eu-west-1.amazonaws.com/shiftwork/templates/") and url.endswith(".json")
    key = url.split(".amazonaws.com/", 1)[1]
    assert json.loads(s3.get_object(Bucket="code", Key=key)["Body"].read()) == big
    cfn = Stack(aws.client("cloudformation"), "big")  # CloudFormation reads it from there
    created = cfn.create_change_set(source, {}, big)
    assert created is not None and created.kind == "CREATE"


def test_create_then_no_changes_then_update_keeps_an_operators_parameter(aws: boto3.Session) -> None:
    cfn = aws.client("cloudformation")
    target = Stack(cfn, "ops")
    body = {"TemplateBody": json.dumps(QUEUE_TEMPLATE)}
    created = target.create_change_set(body, {"Retention": "7200"}, QUEUE_TEMPLATE)
    assert created.kind == "CREATE" and [(c.action, c.logical_id) for c in created.changes] == [("Add", "Queue")]
    target.execute(created)
    assert target.describe()["StackStatus"] == "CREATE_COMPLETE"
    assert target.create_change_set(body, {"Retention": "7200"}, QUEUE_TEMPLATE) is None  # nothing to do
    assert [c for c in cfn.list_change_sets(StackName="ops")["Summaries"] if c["ExecutionStatus"] == "AVAILABLE"] == []
    changed = {**QUEUE_TEMPLATE, "Resources": {**QUEUE_TEMPLATE["Resources"],
                                               "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {}}}}
    update = target.create_change_set({"TemplateBody": json.dumps(changed)}, {}, changed)
    assert update.kind == "UPDATE" and [(c.action, c.logical_id) for c in update.changes] == [("Add", "Dlq")]
    asked = cfn.describe_change_set(StackName="ops", ChangeSetName=update.name)["Parameters"]
    assert asked == [{"ParameterKey": "Retention", "ParameterValue": "7200"}]  # UsePreviousValue, not the default


def test_a_dry_run_create_leaves_no_stack(aws: boto3.Session) -> None:
    cfn = aws.client("cloudformation")
    target = Stack(cfn, "ops")
    target.discard(target.create_change_set({"TemplateBody": json.dumps(QUEUE_TEMPLATE)}, {}, QUEUE_TEMPLATE))
    assert target.describe() is None or target.describe()["StackStatus"] == "DELETE_COMPLETE"


def _event(logical: str, status: str, at: datetime, reason: str = "", kind: str = "AWS::SQS::Queue") -> dict:
    return {"StackId": "arn:aws:cloudformation:eu-west-1:111122223333:stack/ops/1", "EventId": f"{logical}-{at}",
            "StackName": "ops", "LogicalResourceId": logical, "ResourceType": kind, "Timestamp": at,
            "ResourceStatus": status, "ResourceStatusReason": reason}


def test_a_failed_update_reports_the_first_failed_resource_of_this_deploy() -> None:
    cfn = boto3.client("cloudformation", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    t0 = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    stack_row = {"StackName": "ops", "CreationTime": t0, "StackStatus": "UPDATE_ROLLBACK_COMPLETE"}
    events = [  # newest first, as DescribeStackEvents returns them
        _event("ops", "UPDATE_ROLLBACK_COMPLETE", t0 + timedelta(minutes=9), kind="AWS::CloudFormation::Stack"),
        _event("Function", "UPDATE_FAILED", t0 + timedelta(minutes=8), "Resource update cancelled",
               "AWS::Lambda::Function"),
        _event("StateTable", "UPDATE_FAILED", t0 + timedelta(minutes=7), "Table already exists: shiftwork-state",
               "AWS::DynamoDB::Table"),
        _event("ops", "UPDATE_IN_PROGRESS", t0 + timedelta(minutes=6), "User Initiated", "AWS::CloudFormation::Stack"),
        _event("Queue", "UPDATE_FAILED", t0 + timedelta(minutes=1), "an earlier deploy's failure"),
    ]
    with Stubber(cfn) as stub:
        stub.add_response("execute_change_set", {}, {"StackName": "ops", "ChangeSetName": "cs"})
        stub.add_response("describe_stacks", {"Stacks": [stack_row]}, {"StackName": "ops"})  # the waiter
        stub.add_response("describe_stacks", {"Stacks": [stack_row]}, {"StackName": "ops"})
        stub.add_response("describe_stack_events", {"StackEvents": events}, {"StackName": "ops"})
        with pytest.raises(DeployError) as failed:
            Stack(cfn, "ops").execute(stack.ChangeSet("cs", "UPDATE", [], t0))
    assert str(failed.value) == ("stack ops is UPDATE_ROLLBACK_COMPLETE: StateTable (AWS::DynamoDB::Table) "
                                 "UPDATE_FAILED: Table already exists: shiftwork-state")


def test_a_stack_whose_first_create_failed_must_be_deleted_first() -> None:
    cfn = boto3.client("cloudformation", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    row = {"StackName": "ops", "CreationTime": datetime(2026, 12, 1, tzinfo=timezone.utc),
           "StackStatus": "ROLLBACK_COMPLETE"}
    with Stubber(cfn) as stub, pytest.raises(DeployError, match=r"ROLLBACK_COMPLETE: its first create failed .* "
                                                                 r"\(aws cloudformation delete-stack --stack-name ops"):
        stub.add_response("describe_stacks", {"Stacks": [row]}, {"StackName": "ops"})
        Stack(cfn, "ops").create_change_set({"TemplateBody": "{}"}, {}, {})


MEMBER_RULES = """\
version: 1
regions: [eu-west-1]
accounts:
  - {id: "444455556666", role: "arn:aws:iam::444455556666:role/shiftwork-exec", external_id: ops-rules}
  - {id: "777788889999", role: "arn:aws:iam::777788889999:role/shiftwork-exec", external_id: ops-rules}
rules:
  - name: dev-nights
    resource: ec2.instance
    match: {tags: {env: dev}}
    during: {days: mon-fri, hours: "08:00-19:00"}
    actions: {inside: [ec2.start], outside: [ec2.stop]}
"""


def test_member_template_for_a_stackset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules.yaml").write_text(MEMBER_RULES)
    assert main(["deploy", str(tmp_path), "--print-member-template"]) == 0
    member = json.loads(capsys.readouterr().out)
    assert lint(member) == []
    role = member["Resources"]["MemberRole"]["Properties"]
    assert role["RoleName"] == "shiftwork-exec"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == \
        {"StringEquals": {"sts:ExternalId": "ops-rules"}}
    actions = {a for s in role["Policies"][0]["PolicyDocument"]["Statement"] for a in s["Action"]}
    assert {"ec2:StartInstances", "ec2:StopInstances"} <= actions
    (tmp_path / "rules.yaml").write_text(MEMBER_RULES.replace("external_id: ops-rules}\n  - {id: \"7777",
                                                              "external_id: other}\n  - {id: \"7777"))
    assert main(["deploy", str(tmp_path), "--print-member-template"]) == 2
    assert "external ids ['ops-rules', 'other']" in capsys.readouterr().err


def test_deploy_warns_when_the_role_policies_outgrow_iams_limit(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from shiftwork.engine.cli.commands import deploy as command

    examples = str(Path(__file__).resolve().parents[2] / "rules" / "examples")
    assert main(["deploy", examples, "--print-template"]) == 0
    assert "warning" not in capsys.readouterr().err
    monkeypatch.setattr(command, "INLINE_ROLE_POLICY_CHARS", 1000)
    assert main(["deploy", examples, "--print-template"]) == 0
    assert re.search(r"warning: the function role's policies have about [\d,]+ characters; IAM allows 1,000 per "
                     "role", capsys.readouterr().err)
