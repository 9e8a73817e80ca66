"""rds.instance / rds.cluster selection and rds.start / rds.stop against moto."""
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
from shiftwork.handlers.rds import ClusterSelector, InstanceSelector, Start, Stop

REGION = "eu-west-1"
NOW = datetime(2026, 12, 21, 20, 0, tzinfo=timezone.utc)
HERE = Loc("test.yaml", 1, 1)
SECRET = {"MasterUsername": "admin", "MasterUserPassword": "not-a-real-password"}


def make_instance(clients: Clients, ident: str, tags: dict[str, str] | None = None, **extra: Any) -> None:
    clients.client("rds", REGION).create_db_instance(
        DBInstanceIdentifier=ident, DBInstanceClass="db.t3.micro", Engine=extra.pop("Engine", "postgres"),
        AllocatedStorage=20, Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()], **SECRET, **extra)


def make_cluster(clients: Clients, ident: str, members: int = 1, tags: dict[str, str] | None = None) -> None:
    rds = clients.client("rds", REGION)
    rds.create_db_cluster(DBClusterIdentifier=ident, Engine="aurora-postgresql", **SECRET,
                          Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    for n in range(members):
        rds.create_db_instance(DBInstanceIdentifier=f"{ident}-{n + 1}", DBClusterIdentifier=ident,
                               DBInstanceClass="db.r6g.large", Engine="aurora-postgresql",
                               Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])


def rule(resource_type: str, action: str, match: Match) -> Rule:
    return Rule(name="staging-db", resource=resource_type, match=match, trigger=CronTrigger("0 20 * * *", HERE),
                actions=(ActionSpec(action, {}, HERE),))


def plan(resource_type: str, action: str, match: Match) -> tuple[list[Any], PlanContext]:
    """Select and plan through a read-only client factory: planning never writes."""
    r = rule(resource_type, action, match)
    ctx = PlanContext(clients=Clients(boto3.Session(region_name=REGION), read_only=True), now=NOW)
    selector = InstanceSelector() if resource_type == "rds.instance" else ClusterSelector()
    found = selector.select(ctx, r, REGION, None)
    return {"rds.start": Start, "rds.stop": Stop}[action](r.actions[0], r).plan(ctx, found), ctx


def apply(clients: Clients, planned: list[Any]) -> None:
    for c in planned:
        if isinstance(c, Change):
            getattr(clients.client(c.service, c.resource.region), c.call)(**c.params)


def outcome(planned: list[Any]) -> list[tuple[str, str]]:
    return [(c.resource.id, c.call if isinstance(c, Change) else f"skip: {c.reason}") for c in planned]


def instance_status(clients: Clients, ident: str) -> str:
    return clients.client("rds", REGION).describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0][
        "DBInstanceStatus"]


def cluster_status(clients: Clients, ident: str) -> str:
    return clients.client("rds", REGION).describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"][0]["Status"]


def test_instance_available_stop_stopped_start_available(clients: Clients) -> None:
    make_instance(clients, "reports", {"env": "staging"})
    make_instance(clients, "orders", {"env": "prod"})
    match = Match(tags={"env": ("staging",)})
    stop, _ = plan("rds.instance", "rds.stop", match)
    assert outcome(stop) == [("reports", "stop_db_instance")]
    assert stop[0].params == {"DBInstanceIdentifier": "reports"}
    assert stop[0].reason == "stop instance: available -> stopped"
    apply(clients, stop)
    assert instance_status(clients, "reports") == "stopped"
    assert instance_status(clients, "orders") == "available"

    again, _ = plan("rds.instance", "rds.stop", match)
    assert outcome(again) == [("reports", "skip: already stopped")]

    start, _ = plan("rds.instance", "rds.start", match)
    assert outcome(start) == [("reports", "start_db_instance")]
    apply(clients, start)
    assert instance_status(clients, "reports") == "available"


def test_select_by_ids_and_name_globs(clients: Clients) -> None:
    for ident in ("reports-a", "reports-b", "orders"):
        make_instance(clients, ident)
    ctx = PlanContext(clients=clients, now=NOW)
    by_name = InstanceSelector().select(ctx, rule("rds.instance", "rds.stop", Match(names=("reports-*",))), REGION,
                                        None)
    assert sorted(r.id for r in by_name) == ["reports-a", "reports-b"]
    by_id = InstanceSelector().select(ctx, rule("rds.instance", "rds.stop", Match(ids=("orders",))), REGION, None)
    assert [(r.id, r.state, r.arn) for r in by_id] == [
        ("orders", "available", f"arn:aws:rds:{REGION}:123456789012:db:orders")]


def test_read_replica_and_its_source_are_skipped_with_the_reason(clients: Clients) -> None:
    make_instance(clients, "main", {"env": "staging"})
    clients.client("rds", REGION).create_db_instance_read_replica(
        DBInstanceIdentifier="main-replica", SourceDBInstanceIdentifier="main", DBInstanceClass="db.t3.micro",
        Tags=[{"Key": "env", "Value": "staging"}])
    stop, _ = plan("rds.instance", "rds.stop", Match(tags={"env": ("staging",)}))
    assert sorted(outcome(stop)) == [
        ("main", "skip: has read replicas (main-replica): RDS cannot stop an instance that has replicas"),
        ("main-replica", "skip: a read replica of 'main': RDS cannot stop read replicas"),
    ]


def test_cluster_members_are_left_to_rds_cluster(clients: Clients) -> None:
    make_cluster(clients, "aurora", members=2, tags={"env": "staging"})
    make_instance(clients, "plain", {"env": "staging"})
    planned, ctx = plan("rds.instance", "rds.stop", Match(tags={"env": ("staging",)}))
    assert outcome(planned) == [("plain", "stop_db_instance")]
    assert ctx.notes == [f"rule 'staging-db': 2 cluster member instance(s) not selected in {REGION} "
                         "(aurora-1, aurora-2); they are started and stopped through rds.cluster"]
    by_id, _ = plan("rds.instance", "rds.stop", Match(ids=("aurora-1",)))
    assert outcome(by_id) == [
        ("aurora-1", "skip: a member of DB cluster 'aurora': start and stop it through rds.cluster")]


def test_aurora_cluster_stop_and_start(clients: Clients) -> None:
    make_cluster(clients, "aurora", tags={"env": "staging"})
    make_cluster(clients, "other", tags={"env": "prod"})
    match = Match(tags={"env": ("staging",)})
    stop, _ = plan("rds.cluster", "rds.stop", match)
    assert outcome(stop) == [("aurora", "stop_db_cluster")]
    assert stop[0].params == {"DBClusterIdentifier": "aurora"}
    assert [m["DBInstanceIdentifier"] for m in stop[0].resource.data["DBClusterMembers"]] == ["aurora-1"]
    apply(clients, stop)
    assert cluster_status(clients, "aurora") == "stopped"
    assert cluster_status(clients, "other") == "available"
    assert outcome(plan("rds.cluster", "rds.stop", match)[0]) == [("aurora", "skip: already stopped")]

    start, _ = plan("rds.cluster", "rds.start", match)
    assert outcome(start) == [("aurora", "start_db_cluster")]
    apply(clients, start)
    assert cluster_status(clients, "aurora") == "available"


def test_start_of_an_available_cluster_makes_no_call(clients: Clients) -> None:
    make_cluster(clients, "aurora")
    assert outcome(plan("rds.cluster", "rds.start", Match(ids=("aurora",)))[0]) == [
        ("aurora", "skip: already available")]


@pytest.mark.parametrize(("action", "status", "expected"), [
    ("rds.stop", "backing-up", "status is 'backing-up'; rds.stop acts only on available databases"),
    ("rds.stop", "stopping", "already stopping"),
    ("rds.start", "starting", "already starting"),
    ("rds.start", "modifying", "status is 'modifying'; rds.start acts only on stopped databases"),
])
def test_other_statuses_are_skipped_with_the_reason(action: str, status: str, expected: str) -> None:
    res = Resource(type="rds.instance", id="db1", region=REGION, state=status, data={"Engine": "postgres"})
    r = rule("rds.instance", action, Match())
    cls = {"rds.start": Start, "rds.stop": Stop}[action]
    planned = cls(r.actions[0], r).plan(PlanContext(clients=None, now=NOW), [res])  # type: ignore[arg-type]
    assert planned == [Skip("staging-db", action, res, expected)]


def test_serverless_v1_and_opt_out_are_skipped() -> None:
    r = rule("rds.cluster", "rds.stop", Match())
    serverless = Resource(type="rds.cluster", id="sls", region=REGION, state="available",
                          data={"EngineMode": "serverless"})
    opted = Resource(type="rds.cluster", id="keep", region=REGION, state="available",
                     tags={"shiftwork:skip-until": "2027-01-01T00:00:00Z"})
    ctx = PlanContext(clients=None, now=NOW)  # type: ignore[arg-type]  # no AWS read needed
    planned = Stop(r.actions[0], r).plan(ctx, [serverless, opted])
    assert [p.reason for p in planned] == [
        "an Aurora Serverless v1 cluster: it pauses by itself and cannot be started or stopped",
        "tagged shiftwork:skip-until=2027-01-01T00:00:00Z"]
