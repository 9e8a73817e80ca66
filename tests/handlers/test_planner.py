"""plan_rule against moto: opt-out tags, limits, regions, and errors isolated per region."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.errors import NotSupportedYet
from shiftwork.engine.plan.planner import RulePlan, plan_rule
from shiftwork.handlers.ec2 import InstanceSelector, Stop

REGION = "eu-west-1"  # the conftest fixtures' default region
NOW = datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)  # the `ctx` fixture's trigger time
OTHER = "us-east-1"


def launch(count: int, tags: dict[str, str], region: str = REGION) -> list[str]:
    reply = boto3.client("ec2", region_name=region).run_instances(
        ImageId="ami-12c6146b", MinCount=count, MaxCount=count,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}])
    return sorted(i["InstanceId"] for i in reply["Instances"])


def plan(ctx: PlanContext, load_rules: Any, extra: str = "", regions: str = REGION) -> RulePlan:
    rules = load_rules(f"""
        version: 1
        regions: [{regions}]
        rules:
          - name: dev-stop
            resource: ec2.instance
            match: {{tags: {{env: dev}}}}
            on: {{cron: "0 19 * * *"}}
            actions: [ec2.stop]
            {extra}
        """)
    rule = rules.rules[0]
    return plan_rule(ctx, rule, rule.actions, REGION)


def test_opt_out_tags_are_reported_and_honoured_until_their_time(ctx: PlanContext, load_rules: Any) -> None:
    plain = launch(1, {"env": "dev"})
    skip = launch(1, {"env": "dev", "shiftwork:skip": "true"})
    later = launch(1, {"env": "dev", "shiftwork:skip-until": "2026-12-22T08:00:00+00:00"})  # after NOW
    earlier = launch(1, {"env": "dev", "shiftwork:skip-until": "2026-12-21T18:59:00Z"})  # before NOW
    result = plan(ctx, load_rules)
    assert NOW.isoformat() == "2026-12-21T19:00:00+00:00"
    assert sorted(c.resource.id for c in result.changes) == sorted(plain + earlier)
    assert sorted((s.resource.id, s.reason) for s in result.skips) == sorted([
        (skip[0], "tagged shiftwork:skip=true"),
        (later[0], "tagged shiftwork:skip-until=2026-12-22T08:00:00+00:00")])
    assert result.selected == 4 and len(result.resources) == 2


def test_max_resources_over_the_limit_does_nothing_and_says_so(ctx: PlanContext, load_rules: Any) -> None:
    launch(12, {"env": "dev"})
    result = plan(ctx, load_rules, "limits: {max_resources: 5}")
    assert result.limited == "selected 12 resources, limit max_resources=5: did nothing"
    assert result.changes == []
    assert len(result.skips) == 12 and {s.reason for s in result.skips} == {result.limited}


def test_max_resources_counts_after_opt_outs(ctx: PlanContext, load_rules: Any) -> None:
    launch(5, {"env": "dev"})
    launch(2, {"env": "dev", "shiftwork:skip": "true"})
    result = plan(ctx, load_rules, "limits: {max_resources: 5}")
    assert result.limited is None and len(result.changes) == 5


def test_max_percent_counts_changes_against_all_selected(ctx: PlanContext, load_rules: Any) -> None:
    running = launch(4, {"env": "dev"})
    stopped = launch(6, {"env": "dev"})
    boto3.client("ec2", region_name=REGION).stop_instances(InstanceIds=stopped)
    assert plan(ctx, load_rules, "limits: {max_percent: 40}").limited is None  # 4 of 10 = 40%: allowed
    over = plan(ctx, load_rules, "limits: {max_percent: 30}")
    assert over.limited == "would change 4 of 10 selected resources (40%), limit max_percent=30: did nothing"
    assert over.changes == []
    assert sorted(s.resource.id for s in over.skips if s.reason == over.limited) == sorted(running + stopped)


def test_every_region_is_planned_and_a_failing_one_is_isolated(ctx: PlanContext, load_rules: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    here = launch(2, {"env": "dev"})
    there = launch(1, {"env": "dev"}, OTHER)
    both = plan(ctx, load_rules, regions=f"{REGION}, {OTHER}")
    assert [c.resource.id for c in both.changes] == here + there  # stable: by region, then id

    real = InstanceSelector.select

    def broken(self: Any, ctx: PlanContext, rule: Any, region: str, account: Any) -> Any:
        if region == OTHER:
            raise RuntimeError("simulated outage")
        return real(self, ctx, rule, region, account)
    monkeypatch.setattr(InstanceSelector, "select", broken)
    result = plan(ctx, load_rules, regions=f"{REGION}, {OTHER}")
    assert [c.resource.id for c in result.changes] == here
    assert result.errors == [f"{OTHER}: selecting ec2.instance: RuntimeError: simulated outage"]


def test_an_unimplemented_action_is_an_error_not_a_silent_pass(ctx: PlanContext, load_rules: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    launch(1, {"env": "dev"})

    def unimplemented(self: Any, ctx: PlanContext, resources: Any) -> Any:
        raise NotSupportedYet("action 'ec2.stop' is registered but not implemented yet; it made no change")
    monkeypatch.setattr(Stop, "plan", unimplemented)
    result = plan(ctx, load_rules)
    assert result.changes == []
    assert result.errors == [f"{REGION}: ec2.stop: action 'ec2.stop' is registered but not implemented yet; "
                             "it made no change"]


def test_accounts_are_selected_through_their_role_and_executed_there(aws: None, load_rules: Any) -> None:
    from shiftwork.engine.execute.aws import Clients
    from shiftwork.engine.execute.executor import Executor
    from shiftwork.engine.language.model import Account
    role = "arn:aws:iam::111122223333:role/shiftwork-exec"
    remote = Clients().client("ec2", REGION, Account("111122223333", role))
    iid = remote.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"][0]["InstanceId"]
    local = launch(1, {"env": "dev"})
    ctx = PlanContext(clients=Clients(read_only=True), now=NOW)
    result = plan(ctx, load_rules, f"accounts: [{{id: '111122223333', role: '{role}'}}]")
    assert [(c.resource.id, c.resource.account) for c in result.changes] == [(iid, "111122223333")]
    assert result.changes[0].resource.arn == f"arn:aws:ec2:{REGION}:111122223333:instance/{iid}"
    results = Executor(Clients(), result.accounts).execute(result.changes)
    assert [r.status for r in results] == ["ok"]
    state = remote.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert state == "stopped"
    assert boto3.client("ec2", region_name=REGION).describe_instances(InstanceIds=local)[
        "Reservations"][0]["Instances"][0]["State"]["Name"] == "running"
