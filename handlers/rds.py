"""RDS instances and Aurora clusters: start and stop."""
from __future__ import annotations

from engine.actions import Action, Selector
from engine.registry import action, resource


@resource("rds.instance", service="rds", summary="RDS DB instances (not Aurora members), by tags, ids or names.",
          match=("tags", "ids", "names"), permissions=("rds:DescribeDBInstances", "rds:ListTagsForResource"))
class InstanceSelector(Selector):
    resource_type = "rds.instance"


@resource("rds.cluster", service="rds", summary="Aurora DB clusters, by tags, ids or names.",
          match=("tags", "ids", "names"), permissions=("rds:DescribeDBClusters", "rds:ListTagsForResource"))
class ClusterSelector(Selector):
    resource_type = "rds.cluster"


@action("rds.start", resources=["rds.instance", "rds.cluster"],
        permissions=["rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:StartDBInstance",
                     "rds:StartDBCluster"])
class Start(Action):
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


@action("rds.stop", resources=["rds.instance", "rds.cluster"],
        permissions=["rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:StopDBInstance",
                     "rds:StopDBCluster"])
class Stop(Action):
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
