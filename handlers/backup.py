"""backup.validate: prove backups are recent, complete, retained, copied and restorable (reads only)."""
from __future__ import annotations

from engine.actions import Action
from engine.durations import PATTERN as DURATION
from engine.registry import action

BACKUP_RESOURCES = ["ec2.instance", "ebs.volume", "rds.instance", "rds.cluster", "dynamodb.table", "efs.filesystem"]


@action("backup.validate", resources=BACKUP_RESOURCES, writes=False,
        permissions=["backup:ListRecoveryPointsByResource", "backup:ListBackupJobs", "backup:ListCopyJobs",
                     "backup:ListRestoreJobs", "backup:DescribeRecoveryPoint", "ec2:DescribeSnapshots",
                     "rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots"],
        options={
            "max_age": {"type": "string", "pattern": DURATION, "description": "Newest backup at most this old."},
            "min_points": {"type": "integer", "minimum": 1, "description": "At least this many backups in `window`."},
            "window": {"type": "string", "pattern": DURATION, "description": "Window for min_points (default 7d)."},
            "status": {"enum": ["COMPLETED"], "description": "Required status of counted backups."},
            "min_retention_days": {"type": "integer", "minimum": 1},
            "copy_regions": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "encrypted": {"type": "boolean"},
            "restore_tested_within": {"type": "string", "pattern": DURATION},
            "source": {"enum": ["aws-backup", "snapshots", "any"], "description": "Where backups are looked for."},
            "notify": {"type": "string", "description": "A notify target for the summary of failures."},
        })
class Validate(Action):
    """Check each resource's backups: age, count, status, retention, copies, encryption, restore tests.

    Example::

        version: 1
        notify:
          ops: {sns: "arn:aws:sns:eu-west-1:111122223333:ops"}
        rules:
          - name: backups-fresh
            resource: rds.instance
            match: {tags: {backup: daily}}
            on: {cron: "0 6 * * *"}
            actions: [{type: backup.validate, max_age: 26h, min_points: 7, notify: ops}]
    """
