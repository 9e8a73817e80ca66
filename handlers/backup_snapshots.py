"""Backups made without AWS Backup: EBS snapshots, RDS (cluster) snapshots, DynamoDB on-demand backups.

EBS snapshots are listed with OwnerIds=["self"] and a volume-id filter (never the public
catalogue), for all the plan's volumes at once (handlers.backup_ebs). An EC2 instance is judged volume by volume: each attached EBS volume is a
target of its own. A cross-region EBS copy is recognised by the source snapshot id in the
copy's description (CopySnapshot writes "[Copied snap-... from <region>]" unless told
otherwise); an RDS copy by its SourceRegion / source snapshot ARN.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.language.model import Account
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.backup_ebs import EbsIndex
from shiftwork.handlers.backup_sources import UNKNOWN, Backup, Evidence, Needs, SourceError, aliases_of, items, region_of_arn

SNAPSHOT_TYPES = ("ec2.instance", "ebs.volume", "rds.instance", "rds.cluster", "dynamodb.table")
EBS_DONE = {"completed": "COMPLETED"}
RDS_DONE = {"available": "COMPLETED"}
DYNAMODB_DONE = {"AVAILABLE": "COMPLETED"}


def snapshots(ctx: PlanContext, resource: Resource, account: Account | None, needs: Needs,
              ebs: EbsIndex | None = None) -> dict[str, Evidence]:
    """Evidence per target: one per attached volume for an instance, else one for the resource."""
    if resource.type in ("ec2.instance", "ebs.volume"):
        return _ebs(ctx, resource, account, needs, ebs)
    if resource.type == "rds.instance":
        return {resource.id: _rds(ctx, resource, account, needs, cluster=False)}
    if resource.type == "rds.cluster":
        return {resource.id: _rds(ctx, resource, account, needs, cluster=True)}
    if resource.type == "dynamodb.table":
        return {resource.id: _dynamodb(ctx, resource, account, needs)}
    raise SourceError(f"{resource.type} has no snapshots outside AWS Backup; use source: aws-backup or any")


def _percent(text: Any) -> float | None:
    try:
        return float(str(text).rstrip("%"))
    except (TypeError, ValueError):
        return None


def known_volumes(resource: Resource) -> list[str] | None:
    """The EBS volumes of a volume or instance as the selector saw them; None when it must be read."""
    if resource.type == "ebs.volume":
        return [resource.id]
    mappings = resource.data.get("BlockDeviceMappings")
    if mappings is None:
        return None
    return [m["Ebs"]["VolumeId"] for m in mappings if m.get("Ebs", {}).get("VolumeId")]


def _volumes(ctx: PlanContext, resource: Resource, account: Account | None) -> list[str]:
    known = known_volumes(resource)
    if known is not None:
        return known
    ec2 = ctx.clients.client("ec2", resource.region, account)
    found = [i for r in items(ec2, "describe_instances", "Reservations", InstanceIds=[resource.id])
             for i in r.get("Instances", [])]
    mappings = found[0].get("BlockDeviceMappings", []) if found else []
    return [m["Ebs"]["VolumeId"] for m in mappings if m.get("Ebs", {}).get("VolumeId")]


def _ebs(ctx: PlanContext, resource: Resource, account: Account | None, needs: Needs,
         index: EbsIndex | None) -> dict[str, Evidence]:
    volumes = _volumes(ctx, resource, account)
    index = index or EbsIndex(ctx, needs)
    by_volume: dict[str, Evidence] = {}
    for volume, snaps in index.of(resource.region, account, volumes).items():
        evidence = by_volume[volume] = Evidence(sources=["snapshots"])
        for snap in snaps:
            state = snap.get("State", "")
            evidence.backups.append(Backup(
                snap["SnapshotId"], "ebs-snapshot", snap["StartTime"], EBS_DONE.get(state, state.upper()),
                done=state != "pending", percent=_percent(snap.get("Progress")),
                encrypted=bool(snap.get("Encrypted")), retention=None,
                aliases=aliases_of(snap["SnapshotId"], text=snap.get("Description"))))
        recent = [b.id for b in sorted(evidence.backups, key=lambda b: b.created, reverse=True)
                  if b.completed and b.created > needs.since]
        for region in needs.copy_regions:
            copies = index.copied(resource.region, account, region, recent[:1])
            if recent and not copies[recent[0]]:
                copies = index.copied(resource.region, account, region, recent[1:])
            evidence.copies[region] = [when for times in copies.values() for when in times]
    return by_volume


def _rds(ctx: PlanContext, resource: Resource, account: Account | None, needs: Needs, *, cluster: bool) -> Evidence:
    if cluster:
        method, key, id_param = "describe_db_cluster_snapshots", "DBClusterSnapshots", "DBClusterIdentifier"
    else:
        method, key, id_param = "describe_db_snapshots", "DBSnapshots", "DBInstanceIdentifier"
    rds = ctx.clients.client("rds", resource.region, account)
    automated_keep = _automated_retention(ctx, resource, account, cluster) if needs.retention else UNKNOWN
    evidence = Evidence(sources=["snapshots"])
    for snap in items(rds, method, key, **{id_param: resource.id}):
        created = snap.get("SnapshotCreateTime")
        if created is None or created > needs.now:
            continue  # still being created (no time yet) or made after the trigger time
        status = snap.get("Status", "")
        kind = snap.get("SnapshotType", "manual")
        arn = snap.get("DBClusterSnapshotArn" if cluster else "DBSnapshotArn", "")
        ident = snap.get("DBClusterSnapshotIdentifier" if cluster else "DBSnapshotIdentifier", arn)
        retention = automated_keep if kind == "automated" else (None if kind == "manual" else UNKNOWN)
        encrypted = snap.get("StorageEncrypted" if cluster else "Encrypted")
        evidence.backups.append(Backup(
            ident, "rds-cluster-snapshot" if cluster else "rds-snapshot", created,
            RDS_DONE.get(status, status.upper()), done=status != "creating",
            percent=_percent(snap.get("PercentProgress")), encrypted=None if encrypted is None else bool(encrypted),
            retention=retention, aliases=aliases_of(arn, ident)))
    for region in needs.copy_regions:
        copies = ctx.clients.client("rds", region, account)
        source_key = "SourceDBClusterSnapshotArn" if cluster else "SourceDBSnapshotIdentifier"
        times = []
        for snap in items(copies, method, key, **{id_param: resource.id}):
            origin = snap.get("SourceRegion") or region_of_arn(snap.get(source_key, ""))
            made = snap.get("OriginalSnapshotCreateTime") or snap.get("SnapshotCreateTime")
            if origin == resource.region and snap.get("Status") == "available" and made \
                    and needs.since < made <= needs.now:
                times.append(made)
        evidence.copies[region] = times
    return evidence


def _automated_retention(ctx: PlanContext, resource: Resource, account: Account | None,
                         cluster: bool) -> timedelta:
    """Automated RDS snapshots are kept for the instance's (cluster's) BackupRetentionPeriod days."""
    days = resource.data.get("BackupRetentionPeriod")
    if days is None:
        rds = ctx.clients.client("rds", resource.region, account)
        if cluster:
            found = items(rds, "describe_db_clusters", "DBClusters", DBClusterIdentifier=resource.id)
        else:
            found = items(rds, "describe_db_instances", "DBInstances", DBInstanceIdentifier=resource.id)
        days = found[0].get("BackupRetentionPeriod", 0) if found else 0
    return timedelta(days=int(days))


def _dynamodb(ctx: PlanContext, resource: Resource, account: Account | None, needs: Needs) -> Evidence:
    """On-demand backups of a table (DynamoDB encrypts every backup at rest)."""
    ddb = ctx.clients.client("dynamodb", resource.region, account)
    evidence = Evidence(sources=["snapshots"])
    for summary in items(ddb, "list_backups", "BackupSummaries", TableName=resource.name or resource.id):
        created = summary["BackupCreationDateTime"]
        if created > needs.now:
            continue
        status = summary.get("BackupStatus", "")
        expiry = summary.get("BackupExpiryDateTime")
        evidence.backups.append(Backup(
            summary["BackupArn"], "dynamodb-backup", created, DYNAMODB_DONE.get(status, status),
            done=status != "CREATING", encrypted=True, retention=None if expiry is None else expiry - created,
            aliases=aliases_of(summary["BackupArn"])))
    if needs.copy_regions:
        evidence.notes.append("DynamoDB backups are copied across regions only by AWS Backup")
        for region in needs.copy_regions:
            evidence.copies[region] = []
    return evidence
