"""Auto Scaling groups: scale min/desired/max and restore the saved size exactly."""
from __future__ import annotations

from engine.actions import Action, Selector
from engine.registry import action, resource

SIZE = {"type": "integer", "minimum": 0}


@resource("asg.group", service="autoscaling", summary="Auto Scaling groups, selected by tags or names.",
          match=("tags", "names"), permissions=("autoscaling:DescribeAutoScalingGroups",))
class GroupSelector(Selector):
    resource_type = "asg.group"


@action("asg.scale", resources=["asg.group"],
        permissions=["autoscaling:DescribeAutoScalingGroups", "autoscaling:UpdateAutoScalingGroup",
                     "autoscaling:CreateOrUpdateTags"],
        options={"min": SIZE, "max": SIZE, "desired": SIZE})
class Scale(Action):
    """Set a group's min/desired/max, saving the previous size in a tag for asg.restore.

    Example::

        version: 1
        rules:
          - name: workers-off-at-night
            resource: asg.group
            match: {tags: {tier: worker}}
            during: {days: mon-fri, hours: "20:00-07:00"}
            actions:
              inside: [{type: asg.scale, min: 0, desired: 0, max: 0}]
              outside: [asg.restore]
    """


@action("asg.restore", resources=["asg.group"],
        permissions=["autoscaling:DescribeAutoScalingGroups", "autoscaling:UpdateAutoScalingGroup",
                     "autoscaling:DeleteTags"])
class Restore(Action):
    """Restore the min/desired/max that asg.scale saved; groups with nothing saved are left alone.

    Example::

        version: 1
        rules:
          - name: workers-back-in-the-morning
            resource: asg.group
            match: {names: [batch-*]}
            on: {cron: "0 7 * * mon-fri"}
            actions: [asg.restore]
    """
