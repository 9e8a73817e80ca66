"""EC2 instances: selection, start, stop (with hibernate)."""
from __future__ import annotations

from engine.actions import Action, Selector
from engine.registry import action, resource


@resource("ec2.instance", service="ec2", summary="EC2 instances, selected by tags, ids or Name tag.",
          match=("tags", "ids", "names"), permissions=("ec2:DescribeInstances",))
class InstanceSelector(Selector):
    resource_type = "ec2.instance"


@action("ec2.start", resources=["ec2.instance"], permissions=["ec2:DescribeInstances", "ec2:StartInstances"])
class Start(Action):
    """Start stopped instances; running ones are left alone.

    Example::

        version: 1
        rules:
          - name: dev-morning-start
            resource: ec2.instance
            match: {tags: {env: dev}}
            on: {cron: "0 8 * * mon-fri"}
            actions: [ec2.start]
    """


@action("ec2.stop", resources=["ec2.instance"],
        permissions=["ec2:DescribeInstances", "ec2:StopInstances", "autoscaling:DescribeAutoScalingInstances"],
        options={"hibernate": {"type": "boolean", "description": "Hibernate where the instance supports it, "
                                                                  "else stop."},
                 "force": {"type": "boolean", "description": "Force the stop (no clean OS shutdown)."}})
class Stop(Action):
    """Stop running instances, optionally hibernating; Auto Scaling group members are reported, not stopped.

    Example::

        version: 1
        rules:
          - name: dev-evening-stop
            resource: ec2.instance
            match: {tags: {env: dev}}
            on: {cron: "0 19 * * mon-fri"}
            actions: [{type: ec2.stop, hibernate: true}]
    """
