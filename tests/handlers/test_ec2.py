"""ec2.instance selection and ec2.start/ec2.stop against moto: plan, execute, check the fleet."""
from __future__ import annotations

import dataclasses

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.plan.planner import plan_rule

REGION = "eu-west-1"  # the conftest fixtures' default region
AMI = "ami-12c6146b"


def launch(count: int = 1, tags: dict[str, str] | None = None, **extra: Any) -> list[str]:
    ec2 = boto3.client("ec2", region_name=REGION)
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}]
    reply = ec2.run_instances(ImageId=AMI, MinCount=count, MaxCount=count, InstanceType="t3.micro",
                              **({"TagSpecifications": spec} if tags else {}), **extra)
    return [i["InstanceId"] for i in reply["Instances"]]


def states(ids: list[str]) -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name=REGION)
    found = {}
    for page in ec2.get_paginator("describe_instances").paginate(InstanceIds=ids):
        for reservation in page["Reservations"]:
            for inst in reservation["Instances"]:
                found[inst["InstanceId"]] = inst["State"]["Name"]
    return found


def rule_set(load_rules: Callable[[str], RuleSet], match: str, action: str) -> RuleSet:
    return load_rules(f"""
        version: 1
        regions: [{REGION}]
        rules:
          - name: r
            resource: ec2.instance
            match: {match}
            on: {{cron: "0 19 * * *"}}
            actions: [{action}]
        """)


def plan(ctx: PlanContext, rules: RuleSet) -> Any:
    rule = rules.rules[0]
    return plan_rule(ctx, rule, rule.actions, REGION)


def test_selector_filters_tags_globs_names_ids_and_dead_instances(ctx: PlanContext, load_rules: Any) -> None:
    dev = launch(2, {"env": "dev", "Name": "api-1"})
    launch(1, {"env": "prod", "Name": "api-2"})
    devtest = launch(1, {"env": "dev-test", "Name": "batch-1"})
    gone = launch(1, {"env": "dev", "Name": "api-9"})
    boto3.client("ec2", region_name=REGION).terminate_instances(InstanceIds=gone)

    def selected(match: str) -> list[str]:
        return sorted(r.id for r in plan(ctx, rule_set(load_rules, match, "ec2.stop")).resources)

    assert selected("{tags: {env: dev}}") == sorted(dev)
    assert selected("{tags: {env: ['dev*']}}") == sorted(dev + devtest)
    assert selected("{tags: {env: ['dev-[t]est']}}") == devtest  # [..] globs are matched client-side
    assert selected("{names: ['batch-*']}") == devtest
    assert selected(f"{{ids: [{dev[0]}, i-0123456789abcdef0], tags: {{env: dev}}}}") == [dev[0]]


def test_stop_then_start_changes_the_fleet_and_converges(clients: Clients, ctx: PlanContext,
                                                         load_rules: Any) -> None:
    dev = launch(3, {"env": "dev"})
    prod = launch(1, {"env": "prod"})
    stop = plan(ctx, rule_set(load_rules, "{tags: {env: dev}}", "ec2.stop"))
    assert [c.params for c in stop.changes] == [{"InstanceIds": [i]} for i in sorted(dev)]
    assert stop.changes[0].reason == "running; stopping it"
    results = Executor(clients).execute(stop.changes)
    assert {r.status for r in results} == {"ok"}
    assert states(dev + prod) == {**{i: "stopped" for i in dev}, prod[0]: "running"}

    again = plan(ctx, rule_set(load_rules, "{tags: {env: dev}}", "ec2.stop"))
    # converged: EC2 is asked only for pending/running instances, so the stopped ones are not even read
    assert again.changes == [] and again.resources == [] and again.skips == []
    assert "asked EC2 only for pending/running instances" in ctx.notes[-1]

    start = plan(ctx, rule_set(load_rules, "{tags: {env: dev}}", "ec2.start"))
    assert [c.reason for c in start.changes] == ["stopped; starting it"] * 3
    assert {r.status for r in Executor(clients).execute(start.changes)} == {"ok"}
    assert set(states(dev).values()) == {"running"}
    running = plan(ctx, rule_set(load_rules, "{tags: {env: dev}}", "ec2.start"))
    assert running.changes == [] and running.resources == []  # only stopped instances are asked for


def test_backup_validate_on_instances_still_sees_every_state(ctx: PlanContext, load_rules: Any) -> None:
    from shiftwork.engine.plan.actions import Selector
    from shiftwork.engine.language.registry import registered

    stop_rule = rule_set(load_rules, "{tags: {env: dev}}", "ec2.stop").rules[0]
    stop_only = dataclasses.replace(ctx, actions=stop_rule.actions)
    assert Selector.states_to_change(stop_only, stop_rule, registered()) == ("pending", "running")
    capped = dataclasses.replace(stop_rule, limits=dataclasses.replace(stop_rule.limits, max_percent=50))
    assert Selector.states_to_change(stop_only, capped, registered()) is None  # max_percent counts them all
    rule = rule_set(load_rules, "{tags: {env: dev}}", "{type: backup.validate, max_age: 1d}").rules[0]
    mixed = dataclasses.replace(ctx, actions=rule.actions)
    assert Selector.states_to_change(mixed, rule, registered()) is None  # backup.validate looks at every state


def test_hibernate_only_where_configured_else_plain_stop(ctx: PlanContext, load_rules: Any) -> None:
    able = launch(1, {"env": "dev"}, HibernationOptions={"Configured": True})
    plain = launch(1, {"env": "dev"})
    result = plan(ctx, rule_set(load_rules, "{tags: {env: dev}}", "{type: ec2.stop, hibernate: true, force: true}"))
    by_id = {c.resource.id: c for c in result.changes}
    assert by_id[able[0]].params == {"InstanceIds": able, "Hibernate": True, "Force": True}
    assert by_id[able[0]].reason == "running; hibernating it (forced)"
    assert by_id[plain[0]].params == {"InstanceIds": plain, "Force": True}
    assert by_id[plain[0]].reason == ("running; hibernation is not configured on this instance, so a plain stop "
                                      "(forced)")


def test_auto_scaling_members_are_reported_not_stopped(ctx: PlanContext, load_rules: Any) -> None:
    member = launch(1, {"env": "dev", "aws:autoscaling:groupName": "web-asg"})
    loose = launch(1, {"env": "dev"})
    result = plan(ctx, rule_set(load_rules, "{tags: {env: dev}}", "ec2.stop"))
    assert [c.resource.id for c in result.changes] == loose
    assert [(s.resource.id, s.reason) for s in result.skips] == [
        (member[0], "member of Auto Scaling group web-asg; scale the group with asg.* instead")]


class OneInstanceCannotStop(Clients):
    """moto stops anything; AWS refuses some instances. Make one id fail the whole call, as AWS does."""

    def __init__(self, bad: str) -> None:
        super().__init__()
        self.bad = bad
        self.stop_calls: list[int] = []

    def client(self, service: str, region: str, account: Any = None) -> Any:
        real = super().client(service, region, account)
        outer = self

        class Proxy:
            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

            def stop_instances(self, **params: Any) -> Any:
                outer.stop_calls.append(len(params["InstanceIds"]))
                if outer.bad in params["InstanceIds"]:
                    raise ClientError({"Error": {"Code": "IncorrectInstanceState", "Message": (
                        f"The instance '{outer.bad}' is not in a state from which it can be stopped.")}},
                        "StopInstances")
                return real.stop_instances(**params)
        return Proxy()


def test_one_unstoppable_instance_in_100_fails_alone(aws: None, ctx: PlanContext, load_rules: Any) -> None:
    ids = launch(100, {"env": "dev"})
    result = plan(ctx, rule_set(load_rules, "{tags: {env: dev}}", "ec2.stop"))
    assert len(result.changes) == 100
    bad = sorted(ids)[0]
    clients = OneInstanceCannotStop(bad)
    results = Executor(clients).execute(result.changes)
    failed = [(r.change.resource.id, r.error_code, r.reason) for r in results if r.status == "failed"]
    assert failed == [(bad, "IncorrectInstanceState",
                       f"The instance '{bad}' is not in a state from which it can be stopped.")]
    after = states(ids)
    assert sum(1 for s in after.values() if s == "stopped") == 99 and after[bad] == "running"
    # one batch of 100; the bad id is first: 100, 50, 25, 12, 6, 3, 1 fail (depth first), then the good
    # sibling halves 2, 3, 6, 13, 25, 50 stop: 13 calls, not 100
    assert clients.stop_calls == [100, 50, 25, 12, 6, 3, 1, 2, 3, 6, 13, 25, 50]


@pytest.mark.parametrize("state,reason", [("stopping", "stopping: cannot start until it has stopped"),
                                          ("pending", "already running (pending)")])
def test_start_leaves_moving_instances_with_a_reason(ctx: PlanContext, load_rules: Any,
                                                      state: str, reason: str) -> None:
    from shiftwork.engine.plan.changes import Skip
    from shiftwork.engine.plan.resources import Resource
    from shiftwork.handlers.ec2 import Start
    rule = rule_set(load_rules, "{tags: {env: dev}}", "ec2.start").rules[0]
    out = Start(rule.actions[0], rule).plan(ctx, [Resource("ec2.instance", "i-1", REGION, state=state)])
    assert out == [Skip("r", "ec2.start", Resource("ec2.instance", "i-1", REGION, state=state), reason)]
