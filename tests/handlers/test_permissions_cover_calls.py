"""Every AWS call the example rules make is allowed by the IAM policy `shiftwork permissions` makes for them.

Each rule runs alone, so its calls are judged against the policy generated for that rule only (a rule
never leans on another's permissions). Calls are recorded with a botocore hook, mapped to the ARNs they
target, and evaluated with the target's tags at call time (tests/deploy/iam_check.py).
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from shiftwork.deploy.policy import Hub, hub_policy
from shiftwork.engine.cli.demo_fleet import ACCOUNT, seed
from shiftwork.engine.dispatch.runner import Trigger, run_rules
from shiftwork.engine.dispatch.dynamo_state import DynamoState
from shiftwork.engine.dispatch.state import RuleState
from shiftwork.engine.events.trigger import At
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.language.registry import ActionType, Registry, registered
from tests.deploy.iam_check import Call, Log, Recording, uncovered
from tests.e2e.helpers import ROOT

HUB = Hub(account=ACCOUNT, region="eu-west-1")
ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
       "AWS_DEFAULT_REGION": "eu-west-1", "MOTO_ACCOUNT_ID": ACCOUNT,  # the examples' SNS topics live here
       "MOTO_EC2_LOAD_DEFAULT_AMIS": "true"}  # the demo fleet launches a public AMI


@dataclasses.dataclass
class Run:
    ruleset: RuleSet
    calls: list[Call]

    def rules(self, name: str) -> RuleSet:
        return dataclasses.replace(self.ruleset, rules=(self.ruleset.rule(name),))

    def uncovered(self, registry: Registry) -> list[str]:
        policies: dict[str, dict[str, Any]] = {}

        def policy_for(rule: str, member: str | None) -> dict[str, Any]:
            assert member is None, "the examples reach no member account"
            if rule not in policies:
                policies[rule] = hub_policy(self.rules(rule), registry, HUB)
            return policies[rule]
        return uncovered(self.calls, policy_for)


@pytest.fixture(scope="module")
def examples_run() -> Iterator[Run]:
    """The example rules over a week of ticks and an alarm, each rule alone, every call recorded."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as mp:
        for name, value in ENV.items():
            mp.setenv(name, value)
        mp.delenv("AWS_PROFILE", raising=False)
        with mock_aws():
            seed(Clients())
            ruleset = load([str(ROOT / "rules" / "examples")])
            log = Log()
            planning = Recording(log, ACCOUNT, read_only=True)
            executor = Executor(Recording(log, ACCOUNT), ruleset.accounts())
            tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT06:15")
            alarm = json.loads((ROOT / "tests/fixtures/events/eventbridge-alarm.json").read_text())
            triggers = [Trigger(at=At.parse(at)) for at in ("2026-12-21T19:00", "2026-12-21T21:00",
                                                              "2026-12-22T07:00", "2026-12-22T09:00", "2026-12-26T19:00",
                                                              tomorrow)]
            for trigger in triggers + [Trigger.from_event(alarm)]:
                for rule in ruleset.rules:
                    log.rule = rule.name
                    alone = dataclasses.replace(ruleset, rules=(rule,))
                    for outcome in run_rules(alone, trigger, planning, "eu-west-1", executor=executor):
                        assert outcome.error is None, outcome.error
            yield Run(ruleset, log.calls)


def test_every_call_of_the_examples_is_allowed_by_the_policy_of_its_rule(examples_run: Run) -> None:
    assert examples_run.uncovered(registered()) == []
    # the run did exercise the writers and the scoped reads, so the check above means something
    made = {c.action for c in examples_run.calls}
    assert {"ec2:StartInstances", "ec2:StopInstances", "ecs:UpdateService", "ecs:TagResource", "ecs:UntagResource",
            "sns:Publish", "rds:StopDBInstance", "rds:StopDBCluster", "autoscaling:UpdateAutoScalingGroup",
            "autoscaling:CreateOrUpdateTags", "ec2:DescribeSnapshots", "rds:DescribeDBInstances",
            "ecs:DescribeServices"} <= made


def without(registry: Registry, action: str, resource: str, permission: str) -> Registry:
    """A copy of the registry where one action no longer declares one permission for one resource type."""
    spec: ActionType = registry.actions[action]
    by_resource = {r: tuple(p for p in perms if not (r == resource and p == permission))
                   for r, perms in spec.by_resource.items()}
    changed = dataclasses.replace(spec, by_resource=by_resource)
    copy = Registry()
    copy.resources = dict(registry.resources)
    copy.actions = {**registry.actions, action: changed}
    return copy


@pytest.mark.parametrize("action, resource, permission, rules", [
    ("ec2.stop", "ec2.instance", "ec2:StopInstances", {"dev-office-hours"}),
    ("rds.stop", "rds.cluster", "rds:StopDBCluster", {"staging-aurora-weekdays"}),
    ("ecs.scale", "ecs.service", "ecs:TagResource", {"batch-off-overnight"}),
    ("asg.scale", "asg.group", "autoscaling:CreateOrUpdateTags", {"etl-asg-overnight"}),
    ("backup.validate", "ebs.volume", "ec2:DescribeSnapshots", {"prod-volumes-snapshotted"}),
])
def test_dropping_one_permission_from_one_action_reports_exactly_its_calls(
        examples_run: Run, action: str, resource: str, permission: str, rules: set[str]) -> None:
    report = examples_run.uncovered(without(registered(), action, resource, permission))
    assert report, f"dropping {permission} from {action} went unnoticed"
    assert {line.split(": ")[1].split(" on ")[0] for line in report} == {permission}
    assert {line.split(": ")[0] for line in report} == rules


def test_the_dispatchers_state_calls_are_allowed_by_the_hub_policy(aws_env, monkeypatch) -> None:
    """The Lambda's DynamoDB state (tick lock, watermarks) uses only what the StateTable statement grants."""
    from moto import mock_aws

    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    with mock_aws():
        Clients().client("dynamodb", "eu-west-1").create_table(
            TableName=HUB.table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        log = Log("dispatcher")
        state = DynamoState(Recording(log, ACCOUNT).client("dynamodb", "eu-west-1"), HUB.table)
        now = datetime(2026, 12, 21, 19, tzinfo=timezone.utc)
        assert state.claim("tick", now, timedelta(minutes=5))
        state.put("a", RuleState())
        state.get("a")
        state.release("tick")
    assert {c.action for c in log.calls} == {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"}
    policy = hub_policy(load([str(ROOT / "rules" / "examples")]), registered(), HUB)
    assert uncovered(log.calls, lambda rule, member: policy) == []


MEMBER = "444455556666"
MEMBER_RULES = f"""
version: 1
regions: [eu-west-1]
accounts:
  - {{id: "{MEMBER}", role: "arn:aws:iam::{MEMBER}:role/shiftwork-exec", external_id: ops}}
notify:
  ops: {{sns: "arn:aws:sns:eu-west-1:{ACCOUNT}:ops"}}
rules:
  - name: member-dev-stop
    resource: ec2.instance
    match: {{tags: {{env: dev}}}}
    on: {{cron: "0 19 * * *"}}
    actions: [ec2.stop, {{type: notify, target: ops}}]
"""


def test_a_member_rule_is_covered_by_the_hub_and_member_policies_together(aws_env, monkeypatch, tmp_path) -> None:
    """The hub assumes the member role and publishes; the member role describes and stops, in its account."""
    from moto import mock_aws

    from shiftwork.deploy.policy import member_policy

    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    (tmp_path / "member.yaml").write_text(MEMBER_RULES)
    ruleset = load([str(tmp_path / "member.yaml")])
    with mock_aws():
        Clients().client("sns", "eu-west-1").create_topic(Name="ops")
        member = Clients().session_for(ruleset.rules[0].accounts[0])
        ec2 = member.client("ec2", region_name="eu-west-1")
        tags = [{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}]
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, TagSpecifications=tags)
        log = Log("member-dev-stop")
        executor = Executor(Recording(log, ACCOUNT), ruleset.accounts())
        planning = Recording(log, ACCOUNT, read_only=True)
        [outcome] = run_rules(ruleset, Trigger(at=At.parse("2026-12-21T19:00")), planning, "eu-west-1",
                              executor=executor)
        assert outcome.error is None, outcome.error
    by_caller = {(c.member, c.action) for c in log.calls}
    assert {(None, "sts:AssumeRole"), (None, "sns:Publish"), (MEMBER, "ec2:DescribeInstances"),
            (MEMBER, "ec2:StopInstances")} <= by_caller
    hub = hub_policy(ruleset, registered(), HUB)
    policies = {None: hub, MEMBER: member_policy(ruleset, registered(), MEMBER)}
    assert uncovered(log.calls, lambda rule, caller: policies[caller]) == []
    # scoped: the member policy of another account, or the hub's policy alone, does not allow the stops
    others = {None: hub, MEMBER: member_policy(ruleset, registered(), "777788889999")}
    assert {line.split(" on ")[0] for line in uncovered(log.calls, lambda rule, caller: others[caller])} == \
        {"member-dev-stop: ec2:StopInstances"}
    assert "member-dev-stop: ec2:StopInstances" in \
        {line.split(" on ")[0] for line in uncovered(log.calls, lambda rule, caller: hub)}


STORAGE_RULES = """
version: 1
regions: [eu-west-1]
rules:
  - name: tables-backed-up
    resource: dynamodb.table
    match: {tags: {backup: daily}}
    on: {cron: "0 6 * * *"}
    actions: [{type: backup.validate, max_age: 26h, status: COMPLETED}]
  - name: file-systems-backed-up
    resource: efs.filesystem
    match: {names: ["home*"]}
    on: {cron: "0 6 * * *"}
    actions: [{type: backup.validate, max_age: 26h, min_retention_days: 7}]
  - name: volumes-snapshotted
    resource: ebs.volume
    match: {tags: {backup: daily}}
    on: {cron: "0 6 * * *"}
    actions: [{type: backup.validate, source: snapshots, max_age: 26h, copy_regions: [eu-central-1]}]
"""


def test_the_storage_rules_calls_are_allowed_by_their_policies(aws_env, monkeypatch, tmp_path) -> None:
    """Tables, file systems and volumes: the resource-scoped reads (DescribeTable, DescribeFileSystems...)."""
    from moto import mock_aws

    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    (tmp_path / "storage.yaml").write_text(STORAGE_RULES)
    ruleset = load([str(tmp_path / "storage.yaml")])
    with mock_aws():
        raw = Clients()
        raw.client("dynamodb", "eu-west-1").create_table(
            TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
            Tags=[{"Key": "backup", "Value": "daily"}])
        raw.client("efs", "eu-west-1").create_file_system(CreationToken="home",
                                                          Tags=[{"Key": "Name", "Value": "home"}])
        ec2 = raw.client("ec2", "eu-west-1")
        ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8, TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "backup", "Value": "daily"}]}])
        log = Log()
        planning = Recording(log, ACCOUNT, read_only=True)
        for rule in ruleset.rules:
            log.rule = rule.name
            alone = dataclasses.replace(ruleset, rules=(rule,))
            [outcome] = run_rules(alone, Trigger(at=At.parse("2026-12-21T06:00")), planning, "eu-west-1")
            assert outcome.error is None and len(outcome.plan.findings) == 1, (outcome.error, outcome.plan)
    made = {(c.rule, c.action) for c in log.calls}
    assert {("tables-backed-up", "dynamodb:DescribeTable"), ("tables-backed-up", "dynamodb:ListTagsOfResource"),
            ("tables-backed-up", "backup:ListRecoveryPointsByResource"),
            ("file-systems-backed-up", "elasticfilesystem:DescribeFileSystems"),
            ("volumes-snapshotted", "ec2:DescribeSnapshots")} <= made
    assert not {a for r, a in made if r == "volumes-snapshotted" and a.startswith("backup:")}
    run = Run(ruleset, log.calls)
    assert run.uncovered(registered()) == []
