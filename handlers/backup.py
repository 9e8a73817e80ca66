"""backup.validate: prove backups are recent, complete, retained, copied and restorable (reads only)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Mapping, Sequence

from shiftwork.engine.plan.actions import Action, PlanContext
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.language.durations import PATTERN as DURATION
from shiftwork.engine.language.registry import action
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.backup_checks import Failure, ago, checked, completed, evaluate, window_of
from shiftwork.handlers.backup_ebs import EbsIndex
from shiftwork.handlers.backup_snapshots import SNAPSHOT_TYPES, known_volumes, snapshots
from shiftwork.handlers.backup_sources import Evidence, Needs, SourceError, account_for, aws_backup

BACKUP_RESOURCES = ["ec2.instance", "ebs.volume", "rds.instance", "rds.cluster", "dynamodb.table", "efs.filesystem"]
AWS_BACKUP_READS = ["backup:ListRecoveryPointsByResource", "backup:ListBackupJobs", "backup:ListCopyJobs",
                    "backup:ListRestoreJobsByProtectedResource", "backup:DescribeRecoveryPoint"]
# The AWS Backup read each check option adds to ListRecoveryPointsByResource.
AWS_BACKUP_CHECK_READS = {"min_retention_days": "backup:DescribeRecoveryPoint", "status": "backup:ListBackupJobs",
                          "copy_regions": "backup:ListCopyJobs",
                          "restore_tested_within": "backup:ListRestoreJobsByProtectedResource"}
# What source `snapshots` reads for each resource type (an instance's volumes may need one DescribeInstances).
SNAPSHOT_READS = {"ec2.instance": ["ec2:DescribeSnapshots", "ec2:DescribeInstances"],
                  "ebs.volume": ["ec2:DescribeSnapshots"],
                  "rds.instance": ["rds:DescribeDBSnapshots", "rds:DescribeDBInstances"],
                  "rds.cluster": ["rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusters"],
                  "dynamodb.table": ["dynamodb:ListBackups"]}


@action("backup.validate", resources=BACKUP_RESOURCES, writes=False,
        permissions={resource: AWS_BACKUP_READS + SNAPSHOT_READS.get(resource, []) for resource in BACKUP_RESOURCES},
        options={
            "max_age": {"type": "string", "pattern": DURATION, "description": "Newest backup at most this old."},
            "min_points": {"type": "integer", "minimum": 1, "description": "At least this many backups in `window`."},
            "window": {"type": "string", "pattern": DURATION, "description": "Window for min_points (default 7d)."},
            "status": {"enum": ["COMPLETED"],
                       "description": "The newest finished backup (and backup job) must be COMPLETED, 100% done."},
            "min_retention_days": {"type": "integer", "minimum": 1,
                                   "description": "The newest completed backup is kept at least this many days."},
            "copy_regions": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                             "description": "A completed copy of a backup from `window` exists in each region."},
            "encrypted": {"type": "boolean", "description": "true: every completed backup in `window` is encrypted."},
            "restore_tested_within": {"type": "string", "pattern": DURATION,
                                      "description": "An AWS Backup restore job validated SUCCESSFUL this recently."},
            "source": {"enum": ["aws-backup", "snapshots", "any"],
                       "description": "Where backups are looked for (default any: both, counted once)."},
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

    @staticmethod
    def permissions_needed(resource: str, options: Mapping[str, Any]) -> set[str]:
        """What these options make plan() read, so that a rule's IAM policy grants nothing more."""
        source = options.get("source", "any")
        needed: set[str] = set()
        if source != "snapshots":
            needed.add("backup:ListRecoveryPointsByResource")
            needed.update(iam for option, iam in AWS_BACKUP_CHECK_READS.items() if option in options)
        if source != "aws-backup":
            needed.update(SNAPSHOT_READS.get(resource, []))
        return needed

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        """One Finding per resource: pass, fail (first failed check, all of them in details) or error."""
        ebs = None
        if self.options.get("source", "any") != "aws-backup":
            ebs = EbsIndex(ctx, self.needs(ctx.now))
            for resource in resources:
                volumes = known_volumes(resource) if resource.type in ("ec2.instance", "ebs.volume") else None
                if volumes:
                    ebs.expect(resource.region, account_for(resource, self.rule.accounts), volumes)
        return [self.judge(ctx, resource, ebs) for resource in resources]

    def needs(self, now: datetime) -> Needs:
        o = self.options
        return Needs(now=now, window=window_of(o), status="status" in o, retention="min_retention_days" in o,
                     copy_regions=tuple(o.get("copy_regions", ())), restore="restore_tested_within" in o)

    def gather(self, ctx: PlanContext, resource: Resource, ebs: EbsIndex | None) -> dict[str, Evidence]:
        """Evidence per target from the configured source; `any` adds AWS Backup's to every snapshot target."""
        source = self.options.get("source", "any")
        account = account_for(resource, self.rule.accounts)
        needs = self.needs(ctx.now)
        if source == "aws-backup":
            return {resource.id: aws_backup(ctx, resource, account, needs)}
        if source == "snapshots":
            # an instance with no EBS volume has nothing to snapshot: judged as one target with no backups
            return snapshots(ctx, resource, account, needs, ebs) or {resource.id: Evidence(sources=["snapshots"])}
        managed = aws_backup(ctx, resource, account, needs)
        if resource.type not in SNAPSHOT_TYPES:
            return {resource.id: managed}
        targets = snapshots(ctx, resource, account, needs, ebs)
        return {target: managed.merge(ev) for target, ev in targets.items()} or {resource.id: managed}

    def judge(self, ctx: PlanContext, resource: Resource, ebs: EbsIndex | None = None) -> Finding:
        source = self.options.get("source", "any")
        base = {"source": source, "loc": str(self.spec.loc), "checks": checked(self.options)}
        if self.options.get("notify"):
            base["notify"] = self.options["notify"]
        try:
            targets = self.gather(ctx, resource, ebs)
        except SourceError as exc:
            return Finding(self.rule.name, self.action_name, resource, "error", check="read",
                           reason=str(exc), details=base)
        except Exception as exc:  # noqa: BLE001 - an unreadable answer is an error for this resource, never a pass
            return Finding(self.rule.name, self.action_name, resource, "error", check="read",
                           reason=f"unexpected answer from AWS: {type(exc).__name__}: {exc}", details=base)
        targets = targets or {resource.id: Evidence()}  # nothing to look at is never a pass
        failures: list[Failure] = []
        summaries = []
        for target, evidence in sorted(targets.items()):
            prefix = f"{target}: " if target != resource.id else ""
            for failure in evaluate(self.options, evidence, ctx.now):
                failures.append(replace(failure, observed=prefix + failure.observed, reason=prefix + failure.reason))
            done = completed(evidence)
            summaries.append(prefix + (f"newest completed backup {ago(ctx.now, done[-1].created)}, "
                                       f"{len(done)} completed" if done else "no completed backup"))
        details = {**base, "targets": sorted(targets), "failures": [f.as_dict() for f in failures]}
        if not failures:
            return Finding(self.rule.name, self.action_name, resource, "pass", check="all",
                           observed="; ".join(summaries), reason=f"{len(base['checks'])} checks passed",
                           details=details)
        first = failures[0]
        return Finding(self.rule.name, self.action_name, resource, "fail", check=first.check,
                       observed=first.observed, required=first.required,
                       reason="; ".join(f"{f.check}: {f.reason}" for f in failures), details=details)
