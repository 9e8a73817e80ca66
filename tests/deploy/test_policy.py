"""The shape of the generated IAM policies: valid IAM JSON, scoped as the Service Authorization Reference allows."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from shiftwork.deploy.iam_actions import RESOURCE_TYPES
from shiftwork.deploy.policy import Hub, UnknownPermission, hub_policy, member_policy, policy_actions
from shiftwork.engine.cli.main import main
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.language.registry import registered
from tests.deploy.iam_check import allows

ROOT = Path(__file__).resolve().parents[2]
HUB = Hub(account="111122223333", region="eu-west-1")
SID = re.compile(r"^[A-Za-z0-9]+$")
ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")


def rules(tmp_path: Path, body: str) -> RuleSet:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(body))
    return load([str(path)])


def statements_with(policy: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in policy["Statement"] if action in s["Action"]]


def check_shape(policy: dict[str, Any]) -> None:
    """Valid IAM JSON; '*' only for actions AWS documents with no resource type, and the Sid says so."""
    assert set(policy) == {"Version", "Statement"} and policy["Version"] == "2012-10-17"
    assert isinstance(policy["Statement"], list) and policy["Statement"]
    sids = [s["Sid"] for s in policy["Statement"]]
    assert all(SID.match(sid) for sid in sids), sids
    assert len(set(sids)) == len(sids), sids
    for s in policy["Statement"]:
        assert set(s) <= {"Sid", "Effect", "Action", "Resource", "Condition"} and s["Effect"] == "Allow"
        assert s["Action"] and all(ACTION.match(a) for a in s["Action"]), s
        resources = [s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]
        assert resources and all(r == "*" or r.startswith("arn:aws:") for r in resources), s
        if "*" in resources:
            assert resources == ["*"] and "Condition" not in s, s
            assert [a for a in s["Action"] if RESOURCE_TYPES[a]] == [], s
            assert s["Sid"].endswith("NoResourceLevelPermissions"), s
    json.dumps(policy)


EXAMPLES = load([str(ROOT / "rules" / "examples")])


@pytest.mark.parametrize("hub", [HUB, Hub()], ids=["literal", "pseudo-parameters"])
def test_the_examples_policy_is_valid_iam(hub: Hub) -> None:
    check_shape(hub_policy(EXAMPLES, registered(), hub))


def test_without_member_accounts_there_is_no_member_policy(capsys) -> None:
    assert main(["permissions", str(ROOT / "rules" / "examples"), "--member"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("shiftwork: no rule reaches a member account"), err


def test_every_declared_permission_is_described_in_iam_actions() -> None:
    registry = registered()
    declared = {p for a in registry.actions.values() for p in a.permissions}
    declared |= {p for r in registry.resources.values() for p in r.permissions}
    assert sorted(declared - set(RESOURCE_TYPES) - {"sts:GetCallerIdentity"}) == []


RDS_INSTANCE_ONLY = """
    version: 1
    regions: [eu-west-1]
    notify:
      ops: {sns: "arn:aws:sns:eu-west-1:111122223333:ops"}
    rules:
      - name: staging-db
        resource: rds.instance
        match: {tags: {env: staging}}
        during: {days: mon-fri, hours: "07:00-20:00"}
        actions: {inside: [rds.start], outside: [rds.stop]}
      - name: staging-db-backups
        resource: rds.instance
        match: {tags: {env: staging}}
        on: {cron: "0 6 * * *"}
        actions: [{type: backup.validate, max_age: 26h, notify: ops}]
"""


def test_rds_instance_rules_get_no_cluster_actions_and_no_dynamodb_backups(tmp_path: Path) -> None:
    policy = hub_policy(rules(tmp_path, RDS_INSTANCE_ONLY), registered(), HUB)
    check_shape(policy)
    actions = policy_actions(policy)
    assert [a for a in actions if re.fullmatch(r"rds:.*DBCluster.*", a)] == []
    assert "dynamodb:ListBackups" not in actions
    assert {"rds:StartDBInstance", "rds:StopDBInstance", "rds:DescribeDBSnapshots"} <= set(actions)
    resources = json.dumps(policy)
    assert ":cluster:" not in resources and ":cluster-snapshot:" not in resources


def test_acting_on_selected_resources_is_scoped_by_arn_and_tags(tmp_path: Path) -> None:
    policy = hub_policy(rules(tmp_path, RDS_INSTANCE_ONLY), registered(), HUB)
    [stop] = statements_with(policy, "rds:StopDBInstance")
    assert stop["Resource"] == "arn:aws:rds:eu-west-1:111122223333:db:*"  # ARN format: the reference's `db`
    assert stop["Condition"] == {"StringEquals": {"aws:ResourceTag/env": "staging"}}
    [describe] = statements_with(policy, "rds:DescribeDBInstances")
    assert describe["Resource"] == "arn:aws:rds:eu-west-1:111122223333:db:*" and "Condition" not in describe
    [publish] = statements_with(policy, "sns:Publish")
    assert publish["Resource"] == ["arn:aws:sns:eu-west-1:111122223333:ops"]


def test_tag_globs_lists_and_bare_keys_become_like_equals_and_null(tmp_path: Path) -> None:
    policy = hub_policy(rules(tmp_path, """
        version: 1
        regions: [eu-west-1, us-east-1]
        rules:
          - name: dev-off
            resource: ec2.instance
            match: {tags: {env: [dev, test], team: "data-*", owner: null, cost: "[ab]*"}, names: ["web-?"]}
            on: {cron: "0 19 * * *"}
            actions: [ec2.stop]
    """), registered(), HUB)
    [stop] = statements_with(policy, "ec2:StopInstances")
    assert stop["Resource"] == ["arn:aws:ec2:eu-west-1:111122223333:instance/*",
                                "arn:aws:ec2:us-east-1:111122223333:instance/*"]
    assert stop["Condition"] == {
        "StringEquals": {"aws:ResourceTag/env": ["dev", "test"]},
        "StringLike": {"aws:ResourceTag/Name": "web-?", "aws:ResourceTag/team": "data-*"},
        "Null": {"aws:ResourceTag/cost": "false", "aws:ResourceTag/owner": "false"}}  # [ab]*: IAM has no [..]
    arn = "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"
    tags = {"env": "test", "team": "data-eng", "owner": "x", "cost": "b1", "Name": "web-1"}
    assert allows(policy, "ec2:StopInstances", arn, tags)
    assert not allows(policy, "ec2:StopInstances", arn, {**tags, "env": "prod"})
    assert not allows(policy, "ec2:StopInstances", arn, {k: v for k, v in tags.items() if k != "owner"})
    assert not allows(policy, "ec2:StopInstances", arn.replace("us-east-1", "eu-central-1"), tags)
    assert not allows(policy, "ec2:StartInstances", arn, tags)


def test_ecs_names_and_cluster_narrow_the_service_arn(tmp_path: Path) -> None:
    policy = hub_policy(rules(tmp_path, """
        version: 1
        regions: [eu-west-1]
        rules:
          - name: api-up
            resource: ecs.service
            match: {cluster: "arn:aws:ecs:eu-west-1:111122223333:cluster/web", names: [api, "api-*"]}
            on: {cron: "0 7 * * *"}
            actions: [{type: ecs.scale, desired: 4}]
    """), registered(), HUB)
    [update] = statements_with(policy, "ecs:UpdateService")
    assert update["Resource"] == ["arn:aws:ecs:eu-west-1:111122223333:service/web/api",
                                  "arn:aws:ecs:eu-west-1:111122223333:service/web/api-*"]
    [describe] = statements_with(policy, "ecs:DescribeServices")
    assert describe["Resource"] == "arn:aws:ecs:eu-west-1:111122223333:service/web/*"


ACCOUNTS = """
    version: 1
    regions: [eu-west-1]
    accounts:
      - {id: "444455556666", role: "arn:aws:iam::444455556666:role/shiftwork-exec", external_id: ops}
      - {id: "777788889999", role: "arn:aws:iam::777788889999:role/shiftwork-exec"}
    rules:
      - name: dev-off
        resource: ec2.instance
        match: {tags: {env: dev}}
        on: {cron: "0 19 * * *"}
        actions: [ec2.stop]
"""


def test_assume_role_only_on_the_listed_roles_and_fleet_actions_only_in_members(tmp_path: Path) -> None:
    ruleset = rules(tmp_path, ACCOUNTS)
    hub = hub_policy(ruleset, registered(), HUB)
    check_shape(hub)
    assume = statements_with(hub, "sts:AssumeRole")
    assert assume == [{"Sid": "AssumeMemberRoles", "Effect": "Allow", "Action": ["sts:AssumeRole"],
                       "Resource": ["arn:aws:iam::444455556666:role/shiftwork-exec",
                                    "arn:aws:iam::777788889999:role/shiftwork-exec"]}]
    assert "ec2:StopInstances" not in policy_actions(hub)  # the hub acts through the member roles
    member = member_policy(ruleset, registered(), "444455556666")
    check_shape(member)
    assert policy_actions(member) == ["ec2:DescribeInstances", "ec2:StopInstances"]
    [stop] = statements_with(member, "ec2:StopInstances")
    assert stop["Resource"] == "arn:aws:ec2:eu-west-1:444455556666:instance/*"


def test_the_cli_prints_the_member_policy(capsys, tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(textwrap.dedent(ACCOUNTS))
    assert main(["permissions", str(path), "--member", "--account", "777788889999"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == member_policy(load([str(path)]), registered(), "777788889999") and err == ""
    assert main(["permissions", str(path), "--member", "--format", "list"]) == 0
    assert capsys.readouterr().out == "ec2:DescribeInstances\nec2:StopInstances\n"


def test_ids_and_names_narrow_the_arns_of_the_calls_that_act(tmp_path: Path) -> None:
    policy = hub_policy(rules(tmp_path, """
        version: 1
        regions: [eu-west-1]
        rules:
          - name: two-dbs
            resource: rds.instance
            match: {ids: [reporting, "arn:aws:rds:eu-west-1:111122223333:db:billing"]}
            on: {cron: "0 19 * * *"}
            actions: [rds.stop]
          - name: etl
            resource: asg.group
            match: {names: ["etl-*"]}
            on: {cron: "0 19 * * *"}
            actions: [{type: asg.scale, desired: 0}]
    """), registered(), HUB)
    [stop] = statements_with(policy, "rds:StopDBInstance")
    assert stop["Resource"] == ["arn:aws:rds:eu-west-1:111122223333:db:billing",
                                "arn:aws:rds:eu-west-1:111122223333:db:reporting"] and "Condition" not in stop
    [scale] = statements_with(policy, "autoscaling:UpdateAutoScalingGroup")
    assert scale["Resource"] == \
        "arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/etl-*"
    [describe] = statements_with(policy, "rds:DescribeDBInstances")  # a listing names no database
    assert describe["Resource"] == "arn:aws:rds:eu-west-1:111122223333:db:*"


def test_the_hub_resources_follow_the_options(tmp_path: Path) -> None:
    hub = Hub.for_rules(rules(tmp_path, RDS_INSTANCE_ONLY), account="123456789012", table="t", queue="q", dlq="q-dlq",
                        function="fn")
    assert (hub.region, hub.account) == ("eu-west-1", "123456789012")
    policy = hub_policy(rules(tmp_path, RDS_INSTANCE_ONLY), registered(), hub)
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["StateTable"]["Resource"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/t"
    assert by_sid["FanOutQueueAndDeadLetterQueue"]["Resource"] == ["arn:aws:sqs:eu-west-1:123456789012:q",
                                                                   "arn:aws:sqs:eu-west-1:123456789012:q-dlq"]
    assert by_sid["FunctionLogStreams"]["Resource"] == \
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn:log-stream:*"


def test_an_undescribed_permission_is_an_error_not_a_star(tmp_path: Path, monkeypatch) -> None:
    import dataclasses
    registry = registered()
    spec = registry.actions["ec2.stop"]
    monkeypatch.setitem(registry.actions, "ec2.stop", dataclasses.replace(
        spec, by_resource={"ec2.instance": ("ec2:StopInstances", "ec2:ModifyInstanceAttribute")}))
    with pytest.raises(UnknownPermission, match="ec2:ModifyInstanceAttribute"):
        member_policy(rules(tmp_path, ACCOUNTS), registry, "444455556666")


def test_the_cli_prints_the_policy_or_the_list(capsys, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(textwrap.dedent(RDS_INSTANCE_ONLY))
    assert main(["permissions", str(path), "--account", "111122223333"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == hub_policy(load([str(path)]), registered(), HUB) and err == ""
    assert main(["permissions", str(path), "--format", "list"]) == 0
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines == sorted(lines) and "rds:StopDBInstance" in lines and "sqs:SendMessage" in lines
    assert main(["permissions", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "${AWS::AccountId}" in out and "note: the policy names ${AWS::AccountId}" in err


def test_the_operations_guide_shows_the_policy_the_cli_prints(capsys) -> None:
    """docs/operations.md: the example rule file and the policy printed for it stay in step."""
    text = (ROOT / "docs" / "operations.md").read_text()
    rule_file = re.search(r"<!-- permissions-example -->\n```yaml\n(.*?)```", text, re.S)
    printed = re.search(r"<!-- permissions-output -->\n```json\n(.*?)```", text, re.S)
    command = re.search(r"<!-- permissions-command -->\n```sh\n\$ shiftwork permissions (.*?)\n```", text, re.S)
    assert rule_file and printed and command
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "office-hours.yaml"
        path.write_text(rule_file.group(1))
        args = command.group(1).split()
        assert main(["permissions", str(path), *args[1:]]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == json.loads(printed.group(1))


def test_a_policy_too_big_for_a_managed_policy_is_a_warning(capsys, tmp_path: Path) -> None:
    """IAM counts characters without white space: 6,144 for a managed policy, 10,240 inline per role."""
    many = "".join(f"""
      - name: stop-{i:03d}
        resource: ec2.instance
        match: {{tags: {{team: team-{i:03d}}}}}
        on: {{cron: "0 19 * * *"}}
        actions: [ec2.stop]""" for i in range(40))
    path = tmp_path / "many.yaml"
    path.write_text("version: 1\nregions: [eu-west-1]\nrules:" + many + "\n")
    assert main(["permissions", str(path), "--account", "111122223333"]) == 0
    out, err = capsys.readouterr()
    chars = len(json.dumps(json.loads(out), separators=(",", ":")))
    assert chars > 6144
    assert err == (f"warning: the policy has {chars:,} characters without white space: more than a managed policy "
                   "holds (6,144); as a role's inline policy it fits up to 10,240\n")


def test_a_shadow_rule_gets_only_reads_and_a_disabled_rule_nothing(tmp_path: Path) -> None:
    """A shadow rule plans and never executes (no writes, no message); a disabled rule never plans."""
    policy = hub_policy(rules(tmp_path, """
        version: 1
        regions: [eu-west-1]
        notify:
          ops: {sns: "arn:aws:sns:eu-west-1:111122223333:ops"}
        rules:
          - name: trial
            resource: ec2.instance
            match: {tags: {env: dev}}
            on: {cron: "0 19 * * *"}
            shadow: true
            actions: [ec2.stop, {type: notify, target: ops}]
          - name: retired
            resource: rds.instance
            accounts: [{id: "444455556666", role: "arn:aws:iam::444455556666:role/off"}]
            on: {cron: "0 19 * * *"}
            enabled: false
            actions: [rds.stop]
    """), registered(), HUB)
    assert [a for a in policy_actions(policy) if a.split(":")[0] in ("ec2", "rds", "sns", "sts")] == \
        ["ec2:DescribeInstances"]


def test_for_a_template_the_pseudo_parameters_are_substituted_by_fn_sub() -> None:
    from shiftwork.deploy.policy import for_template

    policy = for_template(hub_policy(EXAMPLES, registered(), Hub()))
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["StateTable"]["Resource"] == {
        "Fn::Sub": "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/shiftwork-state"}
    assert by_sid["Ec2NoResourceLevelPermissions"]["Resource"] == "*"
    assert by_sid["NotifyTopics"]["Resource"][0] == "arn:aws:sns:eu-west-1:111122223333:backups-oncall"
