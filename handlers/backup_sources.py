"""What backup.validate judges: backups, finished attempts, copies and restore tests, read from AWS Backup.

Every source turns its API records into the same small records (`Backup`, `Evidence`), so the
checks in handlers.backup do not care where a backup came from. Any failed read raises
`SourceError` naming the IAM operation, and becomes an *error* finding, never a pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.language.model import Account
from shiftwork.engine.errors import aws_error_text
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.storage import MAX_PAGES, partition_of

UNKNOWN = timedelta(-1)  # Backup.retention when the source could not say (never a pass)
_SHORT_ID = re.compile(r"\b(?:snap|ami)-[0-9a-f]+\b")


class SourceError(Exception):
    """A read failed: the message names the operation, e.g. backup:ListBackupJobs failed: AccessDenied..."""


@dataclass(frozen=True)
class Needs:
    """What the configured checks require, so that a check not asked for costs no call."""

    now: datetime
    window: timedelta
    status: bool = False
    retention: bool = False
    copy_regions: tuple[str, ...] = ()
    restore: bool = False

    @property
    def since(self) -> datetime:
        return self.now - self.window


@dataclass(frozen=True)
class Backup:
    """One backup of one resource (a recovery point, a snapshot, a DynamoDB backup)."""

    id: str
    origin: str  # aws-backup, ebs-snapshot, rds-snapshot, rds-cluster-snapshot, dynamodb-backup
    created: datetime
    status: str  # COMPLETED when usable; else the service's own state in upper case (PARTIAL, FAILED...)
    done: bool = True  # False while still being made: no verdict on it yet
    percent: float | None = None
    encrypted: bool | None = None  # None: the source does not say
    retention: timedelta | None = UNKNOWN  # None: no expiry (kept until someone deletes it)
    aliases: frozenset[str] = frozenset()  # other ids of the same backup, to merge sources
    vault: str = ""  # AWS Backup vault holding a recovery point

    @property
    def completed(self) -> bool:
        return self.done and self.status == "COMPLETED" and (self.percent is None or self.percent >= 100)


@dataclass
class Evidence:
    """Everything known about one resource's (or one volume's) backups at the trigger time."""

    backups: list[Backup] = field(default_factory=list)
    attempts: list[Backup] = field(default_factory=list)  # finished backup jobs (AWS Backup)
    copies: dict[str, list[datetime]] = field(default_factory=dict)  # region -> completed copies in the window
    restores: list[datetime] | None = None  # validated restore tests; None: the source cannot tell
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def merge(self, other: Evidence) -> Evidence:
        """The union of two sources; a snapshot that AWS Backup also lists counts once, as a recovery point."""
        known = {alias for b in self.backups for alias in b.aliases | {b.id}}
        extra = [b for b in other.backups if not (b.aliases | {b.id}) & known]
        copies = {r: list(t) for r, t in self.copies.items()}
        for region, times in other.copies.items():
            copies.setdefault(region, []).extend(times)
        restores = None if self.restores is None and other.restores is None else \
            (self.restores or []) + (other.restores or [])
        return Evidence(self.backups + extra, self.attempts + other.attempts, copies, restores,
                        self.sources + other.sources, self.notes + other.notes)


def iam_name(client: Any, method: str) -> str:
    """service:Operation as in IAM policies and CloudTrail, e.g. backup:ListRecoveryPointsByResource."""
    return f"{client.meta.service_model.signing_name}:{client.meta.method_to_api_mapping[method]}"


def describe_error(exc: Exception) -> str:
    return aws_error_text(exc)


def read(client: Any, method: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of one read call; any failure (denied, throttled after retries, not implemented) raises."""
    try:
        if not client.can_paginate(method):
            return [getattr(client, method)(**params)]
        out: list[dict[str, Any]] = []
        for page in client.get_paginator(method).paginate(**params):
            if len(out) >= MAX_PAGES:
                raise SourceError(f"{iam_name(client, method)} returned more than {MAX_PAGES} pages")
            out.append(page)
        return out
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure must become an error finding, never a pass
        raise SourceError(f"{iam_name(client, method)} failed: {describe_error(exc)}") from exc


def items(client: Any, method: str, key: str, **params: Any) -> list[dict[str, Any]]:
    return [item for page in read(client, method, **params) for item in page.get(key, [])]


def aliases_of(*ids: str | None, text: str | None = None) -> frozenset[str]:
    """Ids a backup is also known by: each id, an ARN's last part, snapshot/AMI ids named in `text`."""
    out: set[str] = set(_SHORT_ID.findall(text or ""))
    for id_ in ids:
        if id_:
            out.add(id_)
            out.add(re.split(r"[/:]", id_)[-1])
            out.update(_SHORT_ID.findall(id_))
    return frozenset(out)


def account_for(resource: Resource, accounts: tuple[Account, ...]) -> Account | None:
    """The configured account (with its role) that a resource lives in; None for the default account."""
    return next((a for a in accounts if a.id == resource.account), None)


def region_of_arn(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


ARN_FORMATS = {  # for a selector that gave no ARN: how AWS Backup names each resource type
    "ec2.instance": "arn:{p}:ec2:{r}:{a}:instance/{id}",
    "ebs.volume": "arn:{p}:ec2:{r}:{a}:volume/{id}",
    "rds.instance": "arn:{p}:rds:{r}:{a}:db:{id}",
    "rds.cluster": "arn:{p}:rds:{r}:{a}:cluster:{id}",
    "dynamodb.table": "arn:{p}:dynamodb:{r}:{a}:table/{id}",
    "efs.filesystem": "arn:{p}:elasticfilesystem:{r}:{a}:file-system/{id}",
}


def resource_arn(ctx: PlanContext, resource: Resource, account: Account | None) -> str:
    """The resource's ARN as its selector gave it, else built from its type, region and account."""
    if resource.arn:
        return resource.arn
    fmt = ARN_FORMATS.get(resource.type)
    if fmt is None:
        raise SourceError(f"{resource.type} {resource.id} has no ARN; AWS Backup lists recovery points by ARN")
    owner = resource.account or (account.id if account else None)
    if not owner:
        sts = ctx.clients.client("sts", resource.region, account)
        owner = read(sts, "get_caller_identity")[0]["Account"]
    return fmt.format(p=partition_of(resource.region), r=resource.region, a=owner, id=resource.id)


RECOVERY_POINT_DONE = {"COMPLETED": "COMPLETED", "AVAILABLE": "COMPLETED"}
FINISHED_JOB_STATES = frozenset({"COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL"})


def aws_backup(ctx: PlanContext, resource: Resource, account: Account | None, needs: Needs) -> Evidence:
    """Recovery points by resource ARN, plus backup/copy/restore jobs when a check needs them."""
    arn = resource_arn(ctx, resource, account)
    client = ctx.clients.client("backup", resource.region, account)
    backups = []
    for point in items(client, "list_recovery_points_by_resource", "RecoveryPoints", ResourceArn=arn):
        if point["CreationDate"] > needs.now:
            continue  # made after the trigger time: it did not exist yet
        status = point.get("Status", "")
        backups.append(Backup(point["RecoveryPointArn"], "aws-backup", point["CreationDate"],
                              RECOVERY_POINT_DONE.get(status, status), done=status != "CREATING",
                              encrypted=bool(point.get("EncryptionKeyArn")),
                              aliases=aliases_of(point["RecoveryPointArn"]), vault=point.get("BackupVaultName", "")))
    evidence = Evidence(backups=backups, restores=[] if needs.restore else None, sources=["aws-backup"])
    if needs.retention:
        evidence.backups = _with_retention(client, backups)
    if needs.status:
        for job in items(client, "list_backup_jobs", "BackupJobs", ByResourceArn=arn,
                         ByCreatedAfter=needs.since):
            if job.get("State") in FINISHED_JOB_STATES and job["CreationDate"] <= needs.now:
                evidence.attempts.append(Backup(job.get("BackupJobId", ""), "aws-backup-job", job["CreationDate"],
                                                job["State"], percent=_percent(job.get("PercentDone"))))
    if needs.copy_regions:
        for job in items(client, "list_copy_jobs", "CopyJobs", ByResourceArn=arn,
                         ByCreatedAfter=needs.since, ByState="COMPLETED"):
            when = job.get("CompletionDate") or job["CreationDate"]
            if job.get("State") == "COMPLETED" and when <= needs.now:
                region = region_of_arn(job.get("DestinationBackupVaultArn", ""))
                evidence.copies.setdefault(region, []).append(when)
    if needs.restore:
        for job in items(client, "list_restore_jobs_by_protected_resource", "RestoreJobs",
                         ResourceArn=arn, ByStatus="COMPLETED"):
            when = job.get("CompletionDate") or job["CreationDate"]
            if job.get("Status") == "COMPLETED" and job.get("ValidationStatus") == "SUCCESSFUL" and when <= needs.now:
                evidence.restores.append(when)  # type: ignore[union-attr]
    return evidence


def _percent(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _with_retention(client: Any, backups: list[Backup]) -> list[Backup]:
    """Read the lifecycle of the newest completed recovery point (one call): how long it will be kept."""
    done = [b for b in backups if b.completed]
    if not done:
        return backups
    newest = max(done, key=lambda b: b.created)
    point = read(client, "describe_recovery_point", BackupVaultName=newest.vault, RecoveryPointArn=newest.id)[0]
    delete_at = (point.get("CalculatedLifecycle") or {}).get("DeleteAt")
    days = (point.get("Lifecycle") or {}).get("DeleteAfterDays")
    if delete_at is not None:
        retention: timedelta | None = delete_at - point.get("CreationDate", newest.created)
    elif days is not None:
        retention = timedelta(days=int(days))
    else:
        retention = None
    encrypted = point.get("IsEncrypted", newest.encrypted)
    return [replace(b, retention=retention, encrypted=encrypted) if b is newest else b for b in backups]
