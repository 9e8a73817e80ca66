"""The dry-run guarantee: with read-only clients nothing can write, whatever a handler does."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

from shiftwork.engine.plan.actions import Action, PlanContext
from shiftwork.engine.execute.aws import Clients, WriteRefused, is_read_only
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.errors import Loc
from shiftwork.engine.execute.executor import DryRunExecutor
from shiftwork.engine.language.model import ActionSpec
from shiftwork.engine.plan.planner import plan_rule
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.ec2 import Stop

REGION = "eu-west-1"  # the conftest fixtures' default region
NOW = datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)  # the `ctx` fixture's trigger time
OTHER = "us-east-1"


class RogueStop(Action):
    """A deliberately broken action: it writes during planning, which no action may do."""

    action_name = "test.rogue-stop"

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        ec2 = ctx.client_for("ec2", resources[0])
        ec2.stop_instances(InstanceIds=[r.id for r in resources])
        return []


def launch(region: str = REGION, **tags: str) -> str:
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    reply = boto3.client("ec2", region_name=region).run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, **({"TagSpecifications": spec} if tags else {}))
    return reply["Instances"][0]["InstanceId"]


def state(iid: str) -> str:
    reply = boto3.client("ec2", region_name=REGION).describe_instances(InstanceIds=[iid])
    return reply["Reservations"][0]["Instances"][0]["State"]["Name"]


def test_a_rogue_action_cannot_stop_anything_through_read_only_clients(ctx: PlanContext, load_rules: Any) -> None:
    iid = launch(env="dev")
    rule = load_rules("""
        version: 1
        rules:
          - {name: r, resource: ec2.instance, match: {tags: {env: dev}}, on: {cron: "0 19 * * *"}, actions: [ec2.stop]}
        """).rules[0]
    rogue = RogueStop(ActionSpec("test.rogue-stop", {}, Loc("test")), rule)
    target = Resource("ec2.instance", iid, REGION, state="running")
    with pytest.raises(WriteRefused) as refused:
        rogue.plan(ctx, [target])
    assert (refused.value.service, refused.value.operation) == ("ec2", "StopInstances")
    assert str(refused.value) == ("dry run: refused ec2:StopInstances, which is not a read-only operation; "
                                  "plans may read AWS but never write")
    assert state(iid) == "running"


def test_the_planner_reports_a_refused_write_as_an_error(ctx: PlanContext, load_rules: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    iid = launch(env="dev")
    monkeypatch.setattr(Stop, "plan", RogueStop.plan)
    rule = load_rules(f"""
        version: 1
        regions: [{REGION}]
        rules:
          - {{name: r, resource: ec2.instance, match: {{tags: {{env: dev}}}}, on: {{cron: "0 19 * * *"}},
             actions: [ec2.stop]}}
        """).rules[0]
    result = plan_rule(ctx, rule, rule.actions, REGION)
    assert result.changes == []
    assert result.errors == [f"{REGION}: ec2.stop: WriteRefused: dry run: refused ec2:StopInstances, which is not "
                             "a read-only operation; plans may read AWS but never write"]
    assert state(iid) == "running"


FLEET_RULES = f"""
    version: 1
    regions: [{REGION}, {OTHER}]
    rules:
      - name: dev-office-hours
        resource: ec2.instance
        match: {{tags: {{env: dev}}}}
        during: {{days: mon-fri, hours: "08:00-19:00"}}
        actions:
          inside: [ec2.start]
          outside: [{{type: ec2.stop, hibernate: true}}]
      - name: workers-off
        resource: asg.group
        match: {{tags: {{tier: worker}}}}
        on: {{cron: "0 20 * * *"}}
        actions: [{{type: asg.scale, desired: 0}}]
      - name: workers-back
        resource: asg.group
        match: {{names: ["batch-*"]}}
        on: {{cron: "0 7 * * *"}}
        actions: [asg.restore]
    """


def test_planning_a_whole_rule_set_makes_only_reads(aws: None, load_rules: Any) -> None:
    running, stopped = launch(env="dev"), launch(OTHER, env="dev")
    boto3.client("ec2", region_name=OTHER).stop_instances(InstanceIds=[stopped])
    asg = boto3.client("autoscaling", region_name=REGION)
    asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-12c6146b", InstanceType="t3.micro")
    for name, tags in (("workers", {"tier": "worker"}), ("batch-1", {"shiftwork:saved-capacity": "min=1 desired=2 "
                                                                                                  "max=3"})):
        asg.create_auto_scaling_group(AutoScalingGroupName=name, LaunchConfigurationName="lc", MinSize=0,
                                      DesiredCapacity=1, MaxSize=3, AvailabilityZones=[f"{REGION}a"],
                                      Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": False}
                                            for k, v in tags.items()])

    calls: list[tuple[str, str]] = []
    ctx = PlanContext(clients=Clients(read_only=True, observer=lambda s, op, _: calls.append((s, op))), now=NOW)
    changes: list[Change] = []
    for rule in load_rules(FLEET_RULES).rules:
        result = plan_rule(ctx, rule, rule.all_actions(), REGION)
        assert result.errors == []
        changes += result.changes
    assert sorted((c.rule, c.call, c.resource.id) for c in changes) == sorted([
        ("dev-office-hours", "start_instances", stopped), ("dev-office-hours", "stop_instances", running),
        ("workers-off", "create_or_update_tags", "workers"), ("workers-off", "update_auto_scaling_group", "workers"),
        ("workers-back", "update_auto_scaling_group", "batch-1"), ("workers-back", "delete_tags", "batch-1")])
    assert [op for _, op in calls if not is_read_only(op)] == []
    assert sorted(set(calls)) == [("autoscaling", "DescribeAutoScalingGroups"), ("ec2", "DescribeInstances")]

    before = len(calls)
    results = DryRunExecutor().execute(changes)
    assert {r.status for r in results} == {"planned"} and len(calls) == before
    assert state(running) == "running"
