"""RDS instances and Aurora clusters: start and stop.

RDS starts a stopped database again by itself after seven days. A `during` rule with
`enforce: true` stops it again on the next tick, so "off outside office hours" holds for good.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shiftwork.engine.plan.actions import Action, PlanContext, Selector
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.language.model import Account, Rule
from shiftwork.engine.language.registry import action, resource
from shiftwork.engine.plan.resources import Resource, name_matches, opt_out, tags_match

# Engines whose clusters describe_db_clusters also lists but that are not RDS databases to stop here.
OTHER_ENGINES = ("docdb", "neptune")
FILTER_VALUES = 100  # describe_* Filters accept at most 100 values


def _tags(client: Any, record: Mapping[str, Any], arn_key: str) -> dict[str, str]:
    """Tags from the describe record (TagList), or one list_tags_for_resource call when it has none."""
    tag_list = record.get("TagList")
    if tag_list is None:
        tag_list = client.list_tags_for_resource(ResourceName=record[arn_key])["TagList"]
    return {t["Key"]: t.get("Value", "") for t in tag_list}


def _describe(client: Any, call: str, key: str, filter_name: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every record of a paginated describe call, filtered server-side by identifier when ids are given."""
    paginator = client.get_paginator(call)
    if not ids:
        return [r for page in paginator.paginate() for r in page[key]]
    found = []
    for start in range(0, len(ids), FILTER_VALUES):
        chunk = list(ids[start:start + FILTER_VALUES])
        found += [r for page in paginator.paginate(Filters=[{"Name": filter_name, "Values": chunk}]) for r in page[key]]
    return found


@resource("rds.instance", service="rds", summary="RDS DB instances (not Aurora members), by tags, ids or names.",
          match=("tags", "ids", "names"), permissions=("rds:DescribeDBInstances", "rds:ListTagsForResource"))
class InstanceSelector(Selector):
    """DB instances; members of a cluster are stopped through rds.cluster, so only an explicit id selects one."""

    resource_type = "rds.instance"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        client = ctx.clients.client("rds", region, account)
        match = rule.match
        found, members = [], []
        for db in _describe(client, "describe_db_instances", "DBInstances", "db-instance-id", match.ids):
            ident = db["DBInstanceIdentifier"]
            if not name_matches(ident, match.names):
                continue
            tags = _tags(client, db, "DBInstanceArn")
            if not tags_match(tags, match.tags):
                continue
            if db.get("DBClusterIdentifier") and not {ident, db.get("DBInstanceArn")} & set(match.ids):
                members.append(ident)
                continue
            found.append(Resource(
                type="rds.instance", id=ident, region=region, account=account.id if account else None, name=ident,
                arn=db.get("DBInstanceArn"), state=db.get("DBInstanceStatus"), tags=tags, data=db))
        if members:
            ctx.notes.append(f"rule '{rule.name}': {len(members)} cluster member instance(s) not selected in {region} "
                             f"({', '.join(sorted(members))}); they are started and stopped through rds.cluster")
        return found


@resource("rds.cluster", service="rds", summary="Aurora DB clusters, by tags, ids or names.",
          match=("tags", "ids", "names"), permissions=("rds:DescribeDBClusters", "rds:ListTagsForResource"))
class ClusterSelector(Selector):
    """Aurora (and Multi-AZ) DB clusters; DocumentDB and Neptune clusters listed by the same API are left out."""

    resource_type = "rds.cluster"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        client = ctx.clients.client("rds", region, account)
        match = rule.match
        found = []
        for db in _describe(client, "describe_db_clusters", "DBClusters", "db-cluster-id", match.ids):
            ident = db["DBClusterIdentifier"]
            if db.get("Engine", "") in OTHER_ENGINES or not name_matches(ident, match.names):
                continue
            tags = _tags(client, db, "DBClusterArn")
            if not tags_match(tags, match.tags):
                continue
            found.append(Resource(
                type="rds.cluster", id=ident, region=region, account=account.id if account else None, name=ident,
                arn=db.get("DBClusterArn"), state=db.get("Status"), tags=tags, data=db))
        return found


def blocked(res: Resource, verb: str) -> str | None:
    """Why RDS refuses to `verb` this database whatever its status, or None."""
    data = res.data
    if res.type == "rds.cluster":
        if data.get("EngineMode") == "serverless":
            return "an Aurora Serverless v1 cluster: it pauses by itself and cannot be started or stopped"
        return None
    if data.get("DBClusterIdentifier"):
        return f"a member of DB cluster '{data['DBClusterIdentifier']}': start and stop it through rds.cluster"
    if verb != "stop":
        return None
    if data.get("ReadReplicaSourceDBInstanceIdentifier"):
        return f"a read replica of '{data['ReadReplicaSourceDBInstanceIdentifier']}': RDS cannot stop read replicas"
    if data.get("ReadReplicaDBInstanceIdentifiers"):
        replicas = ", ".join(data["ReadReplicaDBInstanceIdentifiers"])
        return f"has read replicas ({replicas}): RDS cannot stop an instance that has replicas"
    if data.get("MultiAZ") and str(data.get("Engine", "")).startswith("sqlserver"):
        return "a Multi-AZ SQL Server instance: RDS cannot stop it"
    return None


class _Switch(Action):
    """Start or stop: one call per database, only from the one status the API accepts."""

    verb: str
    from_status: str  # the only status the call accepts
    done: tuple[str, ...]  # statuses that mean the work is done or under way

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        return [self.plan_one(ctx, res) for res in resources]

    def plan_one(self, ctx: PlanContext, res: Resource) -> Change | Skip:
        reason = opt_out(res, ctx.now) or blocked(res, self.verb)
        if reason is None and res.state in self.done:
            reason = f"already {res.state}"
        elif reason is None and res.state != self.from_status:
            reason = f"status is '{res.state}'; {self.action_name} acts only on {self.from_status} databases"
        if reason:
            return Skip(self.rule.name, self.action_name, res, reason)
        if res.type == "rds.cluster":
            call, params = f"{self.verb}_db_cluster", {"DBClusterIdentifier": res.id}
        else:
            call, params = f"{self.verb}_db_instance", {"DBInstanceIdentifier": res.id}
        after = "available" if self.verb == "start" else "stopped"
        return Change(self.rule.name, self.action_name, res, "rds", call, params,
                      f"{self.verb} {res.type.split('.')[1]}: {res.state} -> {after}", before=res.state or "",
                      after=after)


@action("rds.start", resources=["rds.instance", "rds.cluster"],
        permissions={"rds.instance": ["rds:DescribeDBInstances", "rds:StartDBInstance"],
                     "rds.cluster": ["rds:DescribeDBClusters", "rds:StartDBCluster"]})
class Start(_Switch):
    """Start stopped DB instances or Aurora clusters.

    Example::

        version: 1
        rules:
          - name: reporting-db-morning
            resource: rds.instance
            match: {tags: {env: staging}}
            on: {cron: "0 7 * * mon-fri"}
            actions: [rds.start]
    """

    verb = "start"
    from_status = "stopped"
    done = ("available", "starting")


@action("rds.stop", resources=["rds.instance", "rds.cluster"],
        permissions={"rds.instance": ["rds:DescribeDBInstances", "rds:StopDBInstance"],
                     "rds.cluster": ["rds:DescribeDBClusters", "rds:StopDBCluster"]})
class Stop(_Switch):
    """Stop available DB instances or Aurora clusters (RDS restarts them after 7 days: use enforce).

    Example::

        version: 1
        rules:
          - name: staging-db-off-hours
            resource: rds.cluster
            match: {tags: {env: staging}}
            during: {days: mon-fri, hours: "07:00-20:00"}
            enforce: true
            actions:
              inside: [rds.start]
              outside: [rds.stop]
    """

    verb = "stop"
    from_status = "available"
    done = ("stopped", "stopping")
