"""ecs.service selection, ecs.scale and ecs.restore against moto, with and without autoscaling targets."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.plan.changes import Change, Skip
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import ActionSpec, CronTrigger, Match, Rule
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.capacity import SAVED_TAG, Capacity

STAMP = "at=2026-12-21T19:00Z rule=batch-off"  # when and by which rule (the plan helper's rule, at NOW)
from shiftwork.handlers.ecs import Restore, Scale, ServiceSelector, scaled_capacity, scaled_count

REGION = "eu-west-1"
NOW = datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)
HERE = Loc("test.yaml", 1, 1)


def make_service(clients: Clients, cluster: str, name: str, desired: int, tags: dict[str, str] | None = None,
                 target: tuple[int, int] | None = None) -> str:
    ecs = clients.client("ecs", REGION)
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "app", "image": "app:1", "memory": 128}])
    arn = ecs.create_service(cluster=cluster, serviceName=name, taskDefinition="app", desiredCount=desired,
                             tags=[{"key": k, "value": v} for k, v in (tags or {}).items()])["service"]["serviceArn"]
    if target:
        clients.client("application-autoscaling", REGION).register_scalable_target(
            ServiceNamespace="ecs", ResourceId=f"service/{cluster}/{name}",
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=target[0], MaxCapacity=target[1])
    return arn


def rule(action: str, match: Match, **options: Any) -> Rule:
    return Rule(name="batch-off", resource="ecs.service", match=match, trigger=CronTrigger("0 19 * * *", HERE),
                actions=(ActionSpec(action, options, HERE),))


def plan(clients: Clients, action: str, match: Match, **options: Any) -> tuple[list[Any], PlanContext]:
    r = rule(action, match, **options)
    ctx = PlanContext(clients=Clients(boto3.Session(region_name=REGION), read_only=True), now=NOW)
    found = ServiceSelector().select(ctx, r, REGION, None)
    cls = {"ecs.scale": Scale, "ecs.restore": Restore}[action]
    return cls(r.actions[0], r).plan(ctx, found), ctx


def apply(clients: Clients, planned: list[Any]) -> None:
    for c in planned:
        if isinstance(c, Change):
            getattr(clients.client(c.service, c.resource.region), c.call)(**c.params)


def state(clients: Clients, cluster: str, name: str) -> tuple[int, dict[str, str], tuple[int, int] | None]:
    svc = clients.client("ecs", REGION).describe_services(cluster=cluster, services=[name], include=["TAGS"])
    svc = svc["services"][0]
    targets = clients.client("application-autoscaling", REGION).describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[f"service/{cluster}/{name}"])["ScalableTargets"]
    bounds = (targets[0]["MinCapacity"], targets[0]["MaxCapacity"]) if targets else None
    return svc["desiredCount"], {t["key"]: t["value"] for t in svc.get("tags") or []}, bounds


def calls(planned: list[Any]) -> list[str]:
    return [c.call if isinstance(c, Change) else f"skip: {c.reason}" for c in planned]


# --- selection ----------------------------------------------------------------------------------------------

def test_select_by_cluster_names_and_tags(clients: Clients) -> None:
    make_service(clients, "batch", "worker-a", 2, {"tier": "worker"})
    make_service(clients, "batch", "worker-b", 1, {"tier": "web"})
    make_service(clients, "batch", "cron", 1, {"tier": "worker"})
    make_service(clients, "web", "worker-c", 1, {"tier": "worker"})
    ctx = PlanContext(clients=clients, now=NOW)
    match = Match(cluster="batch", names=("worker-*",), tags={"tier": ("worker",)})
    found = ServiceSelector().select(ctx, rule("ecs.scale", match, desired=0), REGION, None)
    assert [(r.name, r.data["desiredCount"]) for r in found] == [("worker-a", 2)]
    assert found[0].id == f"arn:aws:ecs:{REGION}:123456789012:service/batch/worker-a"
    assert found[0].data["clusterArn"] == f"arn:aws:ecs:{REGION}:123456789012:cluster/batch"


def test_select_without_cluster_lists_every_cluster(clients: Clients) -> None:
    make_service(clients, "batch", "worker-a", 2)
    make_service(clients, "web", "worker-c", 1)
    ctx = PlanContext(clients=clients, now=NOW)
    found = ServiceSelector().select(ctx, rule("ecs.scale", Match(names=("worker-*",)), desired=0), REGION, None)
    assert sorted(r.name for r in found) == ["worker-a", "worker-c"]


def test_missing_cluster_selects_nothing_and_says_so(clients: Clients) -> None:
    ctx = PlanContext(clients=clients, now=NOW)
    assert ServiceSelector().select(ctx, rule("ecs.scale", Match(cluster="nope"), desired=0), REGION, None) == []
    assert ctx.notes == [f"rule 'batch-off': no ECS cluster 'nope' in {REGION}; nothing selected there"]


# --- scale and restore without an autoscaling target --------------------------------------------------------

def test_scale_to_zero_twice_keeps_the_saved_size_and_restore_is_exact(clients: Clients) -> None:
    make_service(clients, "batch", "worker", 3)
    match = Match(cluster="batch")
    first, _ = plan(clients, "ecs.scale", match, desired=0)
    assert calls(first) == ["tag_resource", "update_service"]
    assert first[1].reason == "scale: desired 3 -> 0"
    apply(clients, first)
    assert state(clients, "batch", "worker") == (0, {SAVED_TAG: f"desired=3 {STAMP}"}, None)

    second, _ = plan(clients, "ecs.scale", match, desired=0)
    assert calls(second) == ["skip: already at desired 0"]
    apply(clients, second)
    assert state(clients, "batch", "worker") == (0, {SAVED_TAG: f"desired=3 {STAMP}"}, None)

    restore, _ = plan(clients, "ecs.restore", match)
    assert calls(restore) == ["update_service", "untag_resource"]
    assert [(c.before, c.after) for c in restore] == [("desired 0", "desired 3"), ("", "")]  # the untag resizes nothing
    apply(clients, restore)
    assert state(clients, "batch", "worker") == (3, {}, None)
    again, _ = plan(clients, "ecs.restore", match)
    assert calls(again) == [f"skip: no {SAVED_TAG} tag: nothing saved to restore"]


def test_a_later_size_never_replaces_the_saved_one(clients: Clients) -> None:
    """Scaled up at night (an alarm, a manual bump): the next scale-down keeps the evening's saved size."""
    make_service(clients, "batch", "worker", 2, {SAVED_TAG: "desired=5"})
    planned, _ = plan(clients, "ecs.scale", Match(cluster="batch"), desired=0)
    assert calls(planned) == ["update_service"]
    apply(clients, planned)
    assert state(clients, "batch", "worker") == (0, {SAVED_TAG: "desired=5"}, None)


@pytest.mark.parametrize("tag", ["desired=\u00b3", "min=5 desired=2 max=8", "lots"])
def test_an_unreadable_tag_skips_that_service_only_and_scales_the_others(clients: Clients, tag: str) -> None:
    make_service(clients, "batch", "worker", 3, {SAVED_TAG: tag})
    make_service(clients, "batch", "other", 4)
    planned, _ = plan(clients, "ecs.scale", Match(cluster="batch"), desired=0)
    skips = [p for p in planned if isinstance(p, Skip)]
    assert [s.resource.name for s in skips] == ["worker"]
    assert f"unreadable {SAVED_TAG}" in skips[0].reason or "inconsistent" in skips[0].reason
    apply(clients, planned)
    assert state(clients, "batch", "worker") == (3, {SAVED_TAG: tag}, None)
    assert state(clients, "batch", "other") == (0, {SAVED_TAG: f"desired=4 {STAMP}"}, None)


def test_scale_up_does_not_touch_the_saved_tag(clients: Clients) -> None:
    make_service(clients, "web", "api", 2)
    planned, _ = plan(clients, "ecs.scale", Match(cluster="web"), add=2, max=3)
    assert calls(planned) == ["update_service"]
    apply(clients, planned)
    assert state(clients, "web", "api") == (3, {}, None)


def test_unreadable_saved_tag_is_an_error_never_a_guess(clients: Clients) -> None:
    make_service(clients, "batch", "worker", 0, {SAVED_TAG: "lots"})
    planned, _ = plan(clients, "ecs.restore", Match(cluster="batch"))
    assert len(planned) == 1 and isinstance(planned[0], Skip)
    assert planned[0].reason.startswith(f"error: cannot restore: unreadable {SAVED_TAG} tag 'lots'")
    assert state(clients, "batch", "worker") == (0, {SAVED_TAG: "lots"}, None)


def test_opt_out_tag_is_skipped(clients: Clients) -> None:
    make_service(clients, "batch", "worker", 2, {"shiftwork:skip": "true"})
    planned, _ = plan(clients, "ecs.scale", Match(cluster="batch"), desired=0)
    assert calls(planned) == ["skip: tagged shiftwork:skip=true"]


def test_old_arn_format_cannot_save_so_it_is_not_scaled_down(clients: Clients) -> None:
    clients.client("ecs", REGION).put_account_setting(name="serviceLongArnFormat", value="disabled")
    make_service(clients, "batch", "worker", 2)
    planned, _ = plan(clients, "ecs.scale", Match(cluster="batch"), desired=0)
    assert len(planned) == 1 and isinstance(planned[0], Skip)
    assert "old-format ARN" in planned[0].reason
    assert state(clients, "batch", "worker")[0] == 2


# --- with an Application Auto Scaling target -----------------------------------------------------------------

def test_target_is_scaled_through_min_max_and_restored_exactly(clients: Clients) -> None:
    make_service(clients, "batch", "worker", 3, target=(1, 6))
    match = Match(cluster="batch")
    down, _ = plan(clients, "ecs.scale", match, desired=0)
    assert calls(down) == ["tag_resource", "register_scalable_target", "update_service"]
    assert down[1].params == {"ServiceNamespace": "ecs", "ResourceId": "service/batch/worker",
                              "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 0, "MaxCapacity": 0}
    apply(clients, down)
    assert state(clients, "batch", "worker") == (0, {SAVED_TAG: f"min=1 desired=3 max=6 {STAMP}"}, (0, 0))

    twice, _ = plan(clients, "ecs.scale", match, desired=0)
    assert calls(twice) == ["skip: already at min 0 / desired 0 / max 0"]

    restore, _ = plan(clients, "ecs.restore", match)
    assert calls(restore) == ["register_scalable_target", "update_service", "untag_resource"]
    apply(clients, restore)
    assert state(clients, "batch", "worker") == (3, {}, (1, 6))


def test_scale_out_through_a_target_raises_min_so_autoscaling_keeps_it(clients: Clients) -> None:
    make_service(clients, "web", "api", 2, target=(1, 4))
    planned, _ = plan(clients, "ecs.scale", Match(cluster="web"), multiply=2.5, max=10)
    assert calls(planned) == ["register_scalable_target", "update_service"]
    apply(clients, planned)
    assert state(clients, "web", "api") == (5, {}, (5, 5))


def test_scale_in_through_a_target_lowers_max_and_saves(clients: Clients) -> None:
    make_service(clients, "web", "api", 4, target=(2, 8))
    planned, _ = plan(clients, "ecs.scale", Match(cluster="web"), add=-3, min=1)
    apply(clients, planned)
    assert state(clients, "web", "api") == (1, {SAVED_TAG: f"min=2 desired=4 max=8 {STAMP}"}, (1, 1))


def test_restore_when_already_at_the_saved_size_only_clears_the_tag(clients: Clients) -> None:
    make_service(clients, "batch", "worker", 3, {SAVED_TAG: "min=1 desired=3 max=6"}, target=(1, 6))
    planned, _ = plan(clients, "ecs.restore", Match(cluster="batch"))
    assert calls(planned) == ["untag_resource"]
    assert planned[0].reason == f"already at the saved min 1 / desired 3 / max 6: remove tag {SAVED_TAG}"


# --- arithmetic ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "current", "expected"), [
    ({"desired": 0}, 5, 0),
    ({"add": 2}, 3, 5),
    ({"add": 2, "max": 4}, 3, 4),
    ({"add": 2, "max": 4}, 6, 6),  # already above max: a bound never reverses a step
    ({"add": -5}, 3, 0),  # never negative
    ({"add": -5, "min": 1}, 3, 1),
    ({"add": -2, "min": 4}, 3, 3),  # already below min: no further scale-in, and no scale-out either
    ({"multiply": 1.5}, 3, 5),  # 4.5 rounds away from 3
    ({"multiply": 0.5}, 3, 1),  # 1.5 rounds away from 3
    ({"multiply": 1.1}, 10, 11),  # exact decimal arithmetic: not 12
    ({"multiply": 0.5}, 1, 0),
    ({"multiply": 0.5, "min": 1}, 1, 1),
    ({"multiply": 3}, 0, 0),  # multiply cannot start a stopped service
])
def test_scaled_count(options: dict[str, Any], current: int, expected: int) -> None:
    assert scaled_count(options, current) == expected


def test_scaled_capacity_pins_the_side_it_moves() -> None:
    now = Capacity(2, 4, 8)
    assert scaled_capacity(now, 0) == Capacity(0, 0, 0)
    assert scaled_capacity(now, 3) == Capacity(2, 3, 3)
    assert scaled_capacity(now, 1) == Capacity(1, 1, 1)
    assert scaled_capacity(now, 6) == Capacity(6, 6, 8)
    assert scaled_capacity(now, 10) == Capacity(10, 10, 10)
    assert scaled_capacity(Capacity(None, 4, None), 6) == Capacity(None, 6, None)



def test_reads_are_batched_ten_services_per_describe_and_fifty_per_target_lookup(clients: Clients) -> None:
    for n in range(12):
        make_service(clients, "batch", f"worker-{n:02d}", 1)
    seen: list[str] = []
    session = boto3.Session(region_name=REGION)
    # A plain botocore hook: Clients(observer=...) fails on JSON-protocol services (bytes body) for now.
    session.events.register("before-call", lambda model, **_: seen.append(model.name))
    reads = Clients(session, read_only=True)
    r = rule("ecs.scale", Match(cluster="batch"), desired=0)
    ctx = PlanContext(clients=reads, now=NOW)
    planned = Scale(r.actions[0], r).plan(ctx, ServiceSelector().select(ctx, r, REGION, None))
    assert len([c for c in planned if isinstance(c, Change)]) == 24  # tag + update per service
    assert seen == ["ListServices", "DescribeServices", "DescribeServices", "DescribeScalableTargets"]


def test_daemon_services_are_not_scaled() -> None:
    svc = Resource(type="ecs.service", id="arn:aws:ecs:eu-west-1:123456789012:service/c/agent", region=REGION,
                   name="agent", data={"schedulingStrategy": "DAEMON", "desiredCount": 3, "clusterArn": "c"})
    r = rule("ecs.scale", Match(), desired=0)
    planned = Scale(r.actions[0], r).plan(PlanContext(clients=None, now=NOW), [svc])  # type: ignore[arg-type]
    assert planned == [Skip("batch-off", "ecs.scale", svc,
                            "a DAEMON service runs one task per container instance; its count cannot be scaled")]
