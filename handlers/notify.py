"""notify: one SNS message per rule run summarising what changed."""
from __future__ import annotations

from engine.actions import Action
from engine.registry import ANY_RESOURCE, action


@action("notify", resources=[ANY_RESOURCE], permissions=["sns:Publish"], required=("target",),
        options={"target": {"type": "string", "description": "A name from the file's `notify` section."},
                 "subject": {"type": "string", "maxLength": 99}})
class Notify(Action):
    """Publish one summary of the rule's run (what changed, skipped or failed) to an SNS topic.

    Example::

        version: 1
        notify:
          ops: {sns: "arn:aws:sns:eu-west-1:111122223333:ops"}
        rules:
          - name: dev-evening-stop
            resource: ec2.instance
            match: {tags: {env: dev}}
            on: {cron: "0 19 * * mon-fri"}
            actions: [ec2.stop, {type: notify, target: ops}]
    """
