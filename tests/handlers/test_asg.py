"""asg.scale / asg.restore against moto: the saved size survives double runs and comes back exactly."""
from __future__ import annotations

from typing import Any

import boto3
import pytest

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.plan.planner import RulePlan, plan_rule
from shiftwork.handlers.asg import target_size
from shiftwork.handlers.capacity import SAVED_TAG, Capacity

REGION = "eu-west-1"  # the conftest fixtures' default region


def make_group(name: str, lo: int, desired: int, hi: int, tags: dict[str, str] | None = None) -> None:
    asg = boto3.client("autoscaling", region_name=REGION)
    if not asg.describe_launch_configurations(LaunchConfigurationNames=["lc"])["LaunchConfigurations"]:
        asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-12c6146b",
                                        InstanceType="t3.micro")
    asg.create_auto_scaling_group(AutoScalingGroupName=name, LaunchConfigurationName="lc", MinSize=lo,
                                  DesiredCapacity=desired, MaxSize=hi, AvailabilityZones=[f"{REGION}a"],
                                  Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": False}
                                        for k, v in (tags or {}).items()])


def group(name: str) -> tuple[Capacity, dict[str, str]]:
    g = boto3.client("autoscaling", region_name=REGION).describe_auto_scaling_groups(
        AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    return Capacity(g["MinSize"], g["DesiredCapacity"], g["MaxSize"]), {t["Key"]: t["Value"] for t in g["Tags"]}


def run(ctx: PlanContext, clients: Clients, load_rules: Any, action: str, match: str = "{tags: {tier: worker}}"
        ) -> RulePlan:
    rules = load_rules(f"""
        version: 1
        regions: [{REGION}]
        rules:
          - name: workers
            resource: asg.group
            match: {match}
            on: {{cron: "0 20 * * *"}}
            actions: [{action}]
        """)
    plan = plan_rule(ctx, rules.rules[0], rules.rules[0].actions, REGION)
    assert plan.errors == []
    results = Executor(clients).execute(plan.changes)
    assert [r.status for r in results] == ["ok"] * len(plan.changes)
    return plan


ZERO = "{type: asg.scale, min: 0, desired: 0, max: 0}"


def test_scale_to_zero_twice_then_restore_exactly(ctx: PlanContext, clients: Clients, load_rules: Any) -> None:
    make_group("workers-a", 2, 3, 6, {"tier": "worker"})
    make_group("other", 1, 1, 1)

    first = run(ctx, clients, load_rules, ZERO)
    assert [c.call for c in first.changes] == ["create_or_update_tags", "update_auto_scaling_group"]
    assert first.changes[1].reason == "scaling from min 2 / desired 3 / max 6 to min 0 / desired 0 / max 0"
    assert group("workers-a") == (Capacity(0, 0, 0), {"tier": "worker",
                                                      SAVED_TAG: "min=2 desired=3 max=6 at=2026-12-21T19:00Z rule=workers"})
    assert group("other")[0] == Capacity(1, 1, 1)

    second = run(ctx, clients, load_rules, ZERO)
    assert second.changes == []
    assert [s.reason for s in second.skips] == ["already at min 0 / desired 0 / max 0"]
    assert group("workers-a")[1][SAVED_TAG].startswith("min=2 desired=3 max=6 ")

    # someone bumps desired while it is "off"; a zero-ish size must still not replace the real one
    boto3.client("autoscaling", region_name=REGION).update_auto_scaling_group(
        AutoScalingGroupName="workers-a", MaxSize=1)
    third = run(ctx, clients, load_rules, ZERO)
    assert [c.call for c in third.changes] == ["update_auto_scaling_group"]
    assert group("workers-a")[1][SAVED_TAG].startswith("min=2 desired=3 max=6 ")

    restore = run(ctx, clients, load_rules, "asg.restore")
    assert [c.call for c in restore.changes] == ["update_auto_scaling_group", "delete_tags"]
    assert group("workers-a") == (Capacity(2, 3, 6), {"tier": "worker"})

    again = run(ctx, clients, load_rules, "asg.restore")
    assert again.changes == []
    assert [s.reason for s in again.skips] == [f"no {SAVED_TAG} tag: nothing saved to restore"]


def test_restore_refuses_an_unreadable_tag(ctx: PlanContext, clients: Clients, load_rules: Any) -> None:
    make_group("workers-b", 0, 0, 2, {"tier": "worker", SAVED_TAG: "desired=lots"})
    plan = run(ctx, clients, load_rules, "asg.restore")
    assert plan.changes == []
    assert [s.reason for s in plan.skips] == [
        f"unreadable {SAVED_TAG} tag 'desired=lots'; expected e.g. 'min=1 desired=2 max=4'; "
        "not restoring a guessed size"]
    scale = run(ctx, clients, load_rules, ZERO)  # running nothing: the tag may hold the only real size
    assert scale.changes == []
    assert scale.skips[0].reason.endswith("not scaling, so the size it may hold is not overwritten")
    assert group("workers-b") == (Capacity(0, 0, 2), {"tier": "worker", SAVED_TAG: "desired=lots"})


def test_restore_at_saved_size_only_drops_the_tag(ctx: PlanContext, clients: Clients, load_rules: Any) -> None:
    make_group("workers-c", 1, 2, 3, {"tier": "worker", SAVED_TAG: "min=1 desired=2 max=3"})
    plan = run(ctx, clients, load_rules, "asg.restore")
    assert [(c.call, c.reason) for c in plan.changes] == [
        ("delete_tags", "already at the saved size min 1 / desired 2 / max 3; removing the saved tag")]
    assert group("workers-c") == (Capacity(1, 2, 3), {"tier": "worker"})


def test_selection_by_name_glob_and_exact_names(ctx: PlanContext, clients: Clients, load_rules: Any) -> None:
    make_group("batch-1", 1, 1, 2)
    make_group("batch-2", 1, 1, 2)
    make_group("web", 1, 1, 2)
    glob = run(ctx, clients, load_rules, "{type: asg.scale, desired: 2}", "{names: ['batch-*']}")
    assert [r.id for r in glob.resources] == ["batch-1", "batch-2"]
    exact = run(ctx, clients, load_rules, "{type: asg.scale, desired: 2}", "{names: [web, missing]}")
    assert [r.id for r in exact.resources] == ["web"]
    assert group("web")[0] == Capacity(1, 2, 2)


@pytest.mark.parametrize("now,want,goal", [
    (Capacity(2, 3, 6), {"desired": 0}, Capacity(0, 0, 6)),  # min follows desired down, max kept
    (Capacity(2, 3, 6), {"max": 0}, Capacity(0, 0, 0)),  # desired and min follow max down
    (Capacity(1, 2, 4), {"min": 5}, Capacity(5, 5, 5)),  # desired and max follow min up
    (Capacity(1, 2, 4), {"desired": 9}, Capacity(1, 9, 9)),
    (Capacity(1, 2, 4), {"min": 0, "max": 10}, Capacity(0, 2, 10)),  # desired already inside
])
def test_unspecified_fields_move_only_as_far_as_validity_needs(now: Capacity, want: dict[str, int],
                                                               goal: Capacity) -> None:
    assert target_size(now, want) == goal


def test_contradictory_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="desired 5 is outside min - .. max 3"):
        target_size(Capacity(0, 1, 4), {"desired": 5, "max": 3})


@pytest.mark.parametrize("action,start,expected", [
    ("{type: asg.scale, add: 2, max: 5}", (1, 2, 4), (1, 4, 4)),  # +2 within the group's max
    ("{type: asg.scale, add: 4, max: 5}", (1, 2, 4), (1, 5, 5)),  # capped by the option's max; the group widens
    ("{type: asg.scale, add: -3, min: 1}", (0, 3, 6), (0, 1, 6)),  # -3 stopped at the option's min
    ("{type: asg.scale, multiply: 1.5}", (1, 3, 10), (1, 5, 10)),  # 4.5 rounds away from 3
    ("{type: asg.scale, multiply: 0.5, min: 2}", (2, 3, 6), (2, 2, 6)),  # 1.5 rounds down, held at min 2
])
def test_add_and_multiply_move_desired_within_the_bounds_and_never_touch_the_saved_size(
        ctx: PlanContext, clients: Clients, load_rules: Any, action: str, start: tuple[int, int, int],
        expected: tuple[int, int, int]) -> None:
    make_group("workers-a", *start, {"tier": "worker", SAVED_TAG: "min=1 desired=2 max=3"})
    run(ctx, clients, load_rules, action)
    size, tags = group("workers-a")
    assert (size.min, size.desired, size.max) == expected
    assert tags[SAVED_TAG] == "min=1 desired=2 max=3"


def test_a_corrupt_tag_skips_that_group_and_scales_the_rest(ctx: PlanContext, clients: Clients,
                                                             load_rules: Any) -> None:
    make_group("workers-c", 2, 3, 6, {"tier": "worker", SAVED_TAG: "desired=\u00b3"})
    make_group("workers-d", 2, 3, 6, {"tier": "worker"})
    plan = run(ctx, clients, load_rules, ZERO)
    assert [s.resource.id for s in plan.skips] == ["workers-c"]
    assert "unreadable" in plan.skips[0].reason
    assert group("workers-c") == (Capacity(2, 3, 6), {"tier": "worker", SAVED_TAG: "desired=\u00b3"})
    assert group("workers-d")[0] == Capacity(0, 0, 0)


def test_a_manual_bump_while_scaled_down_never_replaces_the_saved_size(ctx: PlanContext, clients: Clients,
                                                                       load_rules: Any) -> None:
    make_group("workers-e", 2, 3, 6, {"tier": "worker"})
    run(ctx, clients, load_rules, "{type: asg.scale, desired: 1, min: 0}")
    assert group("workers-e")[1][SAVED_TAG].startswith("min=2 desired=3 max=6 ")
    boto3.client("autoscaling", region_name=REGION).update_auto_scaling_group(
        AutoScalingGroupName="workers-e", MinSize=2, DesiredCapacity=5)  # a manual bump overnight
    run(ctx, clients, load_rules, ZERO)
    assert group("workers-e")[1][SAVED_TAG].startswith("min=2 desired=3 max=6 ")
    run(ctx, clients, load_rules, "asg.restore")
    assert group("workers-e") == (Capacity(2, 3, 6), {"tier": "worker"})
