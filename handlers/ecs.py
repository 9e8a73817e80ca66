"""ECS services: scale (through Application Auto Scaling when a target exists) and restore."""
from __future__ import annotations

from engine.actions import Action, Selector
from engine.registry import action, resource


@resource("ecs.service", service="ecs", summary="ECS services in a cluster, selected by tags or names.",
          match=("cluster", "tags", "names"),
          permissions=("ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices", "ecs:ListTagsForResource"))
class ServiceSelector(Selector):
    resource_type = "ecs.service"


@action("ecs.scale", resources=["ecs.service"],
        permissions=["ecs:DescribeServices", "ecs:UpdateService", "ecs:TagResource",
                     "application-autoscaling:DescribeScalableTargets",
                     "application-autoscaling:RegisterScalableTarget"],
        options={"desired": {"type": "integer", "minimum": 0, "description": "Set this many tasks."},
                 "add": {"type": "integer", "description": "Add (or with a negative number remove) tasks."},
                 "multiply": {"type": "number", "exclusiveMinimum": 0, "description": "Multiply the task count."},
                 "min": {"type": "integer", "minimum": 0, "description": "Lower bound after add/multiply."},
                 "max": {"type": "integer", "minimum": 0, "description": "Upper bound after add/multiply."}})
class Scale(Action):
    """Set, add to or multiply a service's task count; the previous size is saved for ecs.restore.

    Example::

        version: 1
        rules:
          - name: api-scale-out
            resource: ecs.service
            match: {cluster: web, names: [api]}
            on: {alarm: api-cpu-high, state: ALARM}
            cooldown: 5m
            actions: [{type: ecs.scale, add: 2, max: 20}]
    """


@action("ecs.restore", resources=["ecs.service"],
        permissions=["ecs:DescribeServices", "ecs:UpdateService", "ecs:UntagResource",
                     "application-autoscaling:DescribeScalableTargets",
                     "application-autoscaling:RegisterScalableTarget"])
class Restore(Action):
    """Restore the task count (and autoscaling min/max) that ecs.scale saved.

    Example::

        version: 1
        rules:
          - name: batch-back-in-the-morning
            resource: ecs.service
            match: {cluster: batch}
            on: {cron: "0 7 * * mon-fri"}
            actions: [ecs.restore]
    """
