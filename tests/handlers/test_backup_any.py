"""source: any (AWS Backup and snapshots together) and cross-region RDS copies, with botocore Stubber."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import boto3
import pytest
from botocore.stub import Stubber

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.plan.changes import Finding
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import ActionSpec, CronTrigger, Match, Rule
from shiftwork.engine.language.registry import REGISTRY
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.backup import Validate

REGION = "eu-west-1"
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
VOLUME = Resource("ebs.volume", "vol-1", REGION, "111122223333", "db-data",
                  f"arn:aws:ec2:{REGION}:111122223333:volume/vol-1")
DB = Resource("rds.instance", "orders", REGION, "111122223333", "orders",
              f"arn:aws:rds:{REGION}:111122223333:db:orders", data={"BackupRetentionPeriod": 7})


class Env:
    """Read-only clients with Stubbers, recording every operation so we can check IAM coverage."""

    def __init__(self) -> None:
        session = boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        self.operations: set[str] = set()
        session.events.register("provide-client-params", lambda model, **_: self.operations.add(
            f"{model.service_model.signing_name}:{model.name}"))
        self.ctx = PlanContext(Clients(session, read_only=True), NOW)
        self.stubs: dict[tuple[str, str], Stubber] = {}

    def stub(self, service: str, region: str = REGION) -> Stubber:
        if (service, region) not in self.stubs:
            stubber = Stubber(self.ctx.clients.client(service, region))
            stubber.activate()
            self.stubs[(service, region)] = stubber
        return self.stubs[(service, region)]

    def plan(self, resource: Resource, **options: Any) -> Finding:
        spec = ActionSpec("backup.validate", options, Loc("rules/backups.yaml", 9, 7))
        rule = Rule("nightly", resource.type, Match(), CronTrigger("0 6 * * *", Loc("rules/backups.yaml", 3, 5)),
                    actions=(spec,))
        [finding] = Validate(spec, rule).plan(self.ctx, [resource])
        for stubber in self.stubs.values():
            stubber.assert_no_pending_responses()
        no_permission_needed = {"sts:GetCallerIdentity"}
        granted = REGISTRY.actions["backup.validate"].permissions_for(resource.type, options)  # as `permissions`
        assert self.operations - no_permission_needed <= set(granted)
        return finding


@pytest.fixture
def env() -> Iterator[Env]:
    e = Env()
    yield e
    for stubber in e.stubs.values():
        stubber.deactivate()


def at(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def ebs_snapshot(sid: str, hours: float, description: str = "", state: str = "completed") -> dict[str, Any]:
    return {"SnapshotId": sid, "VolumeId": "vol-1", "StartTime": at(hours), "State": state, "Progress": "100%",
            "Encrypted": True, "Description": description}


def test_any_counts_a_snapshot_listed_by_both_sources_once(env: Env) -> None:
    env.stub("backup").add_response("list_recovery_points_by_resource", {"RecoveryPoints": [
        {"RecoveryPointArn": f"arn:aws:ec2:{REGION}::snapshot/snap-1", "CreationDate": at(2),
         "Status": "COMPLETED", "BackupVaultName": "nightly", "EncryptionKeyArn": "arn:aws:kms:k"}]},
        {"ResourceArn": VOLUME.arn})
    env.stub("ec2").add_response("describe_snapshots", {"Snapshots": [
        ebs_snapshot("snap-1", 2, "This snapshot is created by the AWS Backup service."),
        ebs_snapshot("snap-2", 26)]},
        {"OwnerIds": ["self"], "Filters": [{"Name": "volume-id", "Values": ["vol-1"]}]})
    finding = env.plan(VOLUME, min_points=3)
    assert (finding.status, finding.observed) == ("fail", "2 completed in 7d")
    assert finding.details["source"] == "any"


def test_any_takes_restore_tests_from_aws_backup(env: Env) -> None:
    backup = env.stub("backup")
    backup.add_response("list_recovery_points_by_resource", {"RecoveryPoints": []}, {"ResourceArn": VOLUME.arn})
    backup.add_response("list_restore_jobs_by_protected_resource", {"RestoreJobs": [
        {"RestoreJobId": "r-1", "CreationDate": at(30), "CompletionDate": at(29), "Status": "COMPLETED",
         "ValidationStatus": "SUCCESSFUL"}]}, {"ResourceArn": VOLUME.arn, "ByStatus": "COMPLETED"})
    env.stub("ec2").add_response("describe_snapshots", {"Snapshots": [ebs_snapshot("snap-2", 5)]},
                                 {"OwnerIds": ["self"], "Filters": [{"Name": "volume-id", "Values": ["vol-1"]}]})
    finding = env.plan(VOLUME, max_age="26h", restore_tested_within="7d")
    assert finding.status == "pass", finding.reason


def test_any_reports_an_error_from_either_source(env: Env) -> None:
    env.stub("backup").add_response("list_recovery_points_by_resource", {"RecoveryPoints": []},
                                    {"ResourceArn": VOLUME.arn})
    env.stub("ec2").add_client_error("describe_snapshots", "UnauthorizedOperation", "You are not authorized", 403)
    finding = env.plan(VOLUME, max_age="26h")
    assert (finding.status, finding.reason) == ("error", "ec2:DescribeSnapshots failed: UnauthorizedOperation: "
                                                         "You are not authorized")


def test_pending_snapshot_has_no_verdict_but_error_state_fails_status(env: Env) -> None:
    env.stub("ec2").add_response("describe_snapshots", {"Snapshots": [
        ebs_snapshot("snap-3", 0.5, state="pending"), ebs_snapshot("snap-2", 3, state="error"),
        ebs_snapshot("snap-1", 20)]},
        {"OwnerIds": ["self"], "Filters": [{"Name": "volume-id", "Values": ["vol-1"]}]})
    finding = env.plan(VOLUME, source="snapshots", max_age="26h", status="COMPLETED")
    assert (finding.status, finding.check, finding.observed) == ("fail", "status", "ERROR")


def rds_snapshot(name: str, hours: float, **extra: Any) -> dict[str, Any]:
    return {"DBSnapshotIdentifier": name, "DBInstanceIdentifier": "orders", "SnapshotCreateTime": at(hours),
            "Status": "available", "PercentProgress": 100, "Encrypted": True, "SnapshotType": "automated",
            "DBSnapshotArn": f"arn:aws:rds:{REGION}:111122223333:snapshot:{name}", **extra}


def test_rds_copy_in_another_region_is_recognised_by_its_source_region(env: Env) -> None:
    env.stub("rds").add_response("describe_db_snapshots", {"DBSnapshots": [rds_snapshot("rds:orders-1", 4)]},
                                 {"DBInstanceIdentifier": "orders"})
    env.stub("rds", "eu-central-1").add_response("describe_db_snapshots", {"DBSnapshots": [
        rds_snapshot("orders-copy", 3, SourceRegion=REGION, OriginalSnapshotCreateTime=at(4),
                     SnapshotType="manual")]}, {"DBInstanceIdentifier": "orders"})
    env.stub("rds", "us-east-1").add_response("describe_db_snapshots", {"DBSnapshots": [
        rds_snapshot("orders-other", 3, SourceRegion="us-west-2", SnapshotType="manual"),
        rds_snapshot("orders-old", 24 * 9, SourceRegion=REGION, SnapshotType="manual")]},
        {"DBInstanceIdentifier": "orders"})
    finding = env.plan(DB, source="snapshots", copy_regions=["eu-central-1", "us-east-1"])
    assert (finding.status, finding.check, finding.observed) == ("fail", "copy_regions",
                                                                 "no completed copy in us-east-1")


def test_rds_automated_retention_comes_from_the_instance(env: Env) -> None:
    env.stub("rds").add_response("describe_db_snapshots", {"DBSnapshots": [rds_snapshot("rds:orders-1", 4)]},
                                 {"DBInstanceIdentifier": "orders"})
    finding = env.plan(DB, source="snapshots", min_retention_days=14)
    assert (finding.status, finding.observed, finding.required) == ("fail", "kept 7d", "kept at least 14d")


def test_rds_snapshot_taken_by_aws_backup_has_unknown_retention_from_snapshots(env: Env) -> None:
    env.stub("rds").add_response("describe_db_snapshots", {"DBSnapshots": [
        rds_snapshot("awsbackup:job-1", 4, SnapshotType="awsbackup")]}, {"DBInstanceIdentifier": "orders"})
    finding = env.plan(DB, source="snapshots", min_retention_days=14)
    assert (finding.status, finding.observed) == ("fail", "unknown")


def test_one_denied_listing_is_an_error_for_every_volume_it_covered(env: Env) -> None:
    env.stub("ec2").add_client_error("describe_snapshots", "UnauthorizedOperation", "You are not authorized", 403)
    other = Resource("ebs.volume", "vol-2", REGION, "111122223333", "logs",
                     f"arn:aws:ec2:{REGION}:111122223333:volume/vol-2")
    spec = ActionSpec("backup.validate", {"source": "snapshots", "max_age": "26h"}, Loc("rules/backups.yaml", 9, 7))
    rule = Rule("nightly", "ebs.volume", Match(), CronTrigger("0 6 * * *", Loc("rules/backups.yaml", 3, 5)),
                actions=(spec,))
    findings = Validate(spec, rule).plan(env.ctx, [VOLUME, other])
    assert [(f.resource.id, f.status, f.reason) for f in findings] == [
        ("vol-1", "error", "ec2:DescribeSnapshots failed: UnauthorizedOperation: You are not authorized"),
        ("vol-2", "error", "ec2:DescribeSnapshots failed: UnauthorizedOperation: You are not authorized")]


def test_the_account_for_a_built_arn_comes_from_sts_when_unknown(env: Env) -> None:
    env.stub("sts").add_response("get_caller_identity", {"Account": "444455556666", "Arn": "arn:aws:iam::444455556666:user/ops",
                                                         "UserId": "x"}, {})
    env.stub("backup").add_response("list_recovery_points_by_resource", {"RecoveryPoints": [
        {"RecoveryPointArn": f"arn:aws:ec2:{REGION}::image/ami-1", "CreationDate": at(3), "Status": "COMPLETED",
         "BackupVaultName": "nightly"}]},
        {"ResourceArn": f"arn:aws:ec2:{REGION}:444455556666:instance/i-1"})
    instance = Resource("ec2.instance", "i-1", REGION)
    finding = env.plan(instance, source="aws-backup", max_age="26h")
    assert finding.status == "pass", finding.reason


def test_an_ami_recovery_point_and_its_snapshot_count_once_per_volume(env: Env) -> None:
    instance = Resource("ec2.instance", "i-1", REGION, "111122223333", "web",
                        f"arn:aws:ec2:{REGION}:111122223333:instance/i-1",
                        data={"BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-1"}}]})
    env.stub("backup").add_response("list_recovery_points_by_resource", {"RecoveryPoints": [
        {"RecoveryPointArn": f"arn:aws:ec2:{REGION}::image/ami-0a1", "CreationDate": at(2), "Status": "COMPLETED",
         "BackupVaultName": "nightly"}]}, {"ResourceArn": instance.arn})
    env.stub("ec2").add_response("describe_snapshots", {"Snapshots": [
        ebs_snapshot("snap-9", 2, "Created by CreateImage(i-1) for ami-0a1"), ebs_snapshot("snap-8", 26)]},
        {"OwnerIds": ["self"], "Filters": [{"Name": "volume-id", "Values": ["vol-1"]}]})
    finding = env.plan(instance, min_points=3)
    assert (finding.status, finding.observed) == ("fail", "vol-1: 2 completed in 7d")
