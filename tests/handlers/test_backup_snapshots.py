"""backup.validate on EBS, RDS and DynamoDB backups in moto, with moto's clock frozen at each create call."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import boto3
import moto.dynamodb.models.table as moto_dynamodb
import moto.ec2.models.elastic_block_store as moto_ebs
import moto.rds.models as moto_rds
import pytest
from moto import mock_aws

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import ActionSpec, CronTrigger, Match, Rule
from shiftwork.engine.language.registry import REGISTRY
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.backup import Validate

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)


class Clock:
    """moto stamps creation times with its own utcnow(); this makes it say whatever the test sets."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.now = NOW
        for module in (moto_ebs, moto_rds, moto_dynamodb):
            monkeypatch.setattr(module, "utcnow", lambda: self.now.replace(tzinfo=None))

    def hours_ago(self, hours: float) -> Clock:
        self.now = NOW - timedelta(hours=hours)
        return self


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                       "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():  # the AMI catalogue costs ~1 s per test
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield Clock(monkeypatch)


def plan(resource: Resource, now: datetime = NOW, **options: Any) -> Any:
    spec = ActionSpec("backup.validate", {"source": "snapshots", **options}, Loc("rules/backups.yaml", 9, 7))
    rule = Rule("nightly", resource.type, Match(), CronTrigger("0 6 * * *", Loc("rules/backups.yaml", 3, 5)),
                actions=(spec,))
    session = boto3.Session(region_name=REGION)
    operations: set[str] = set()
    session.events.register("provide-client-params", lambda model, **_: operations.add(
        f"{model.service_model.signing_name}:{model.name}"))
    ctx = PlanContext(Clients(session, read_only=True), now)
    [finding] = Validate(spec, rule).plan(ctx, [resource])
    # IAM covers every call, with the permissions `shiftwork permissions` grants for these options
    assert operations <= set(REGISTRY.actions["backup.validate"].permissions_for(resource.type, spec.options))
    return finding


def volume(encrypted: bool = False) -> tuple[Any, Resource]:
    ec2 = boto3.client("ec2", region_name=REGION)
    vol = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8, Encrypted=encrypted)["VolumeId"]
    return ec2, Resource("ebs.volume", vol, REGION, ACCOUNT, None, f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{vol}")


def snapshot(ec2: Any, clock: Clock, volume_id: str, hours: float) -> str:
    clock.hours_ago(hours)
    return ec2.create_snapshot(VolumeId=volume_id, Description="nightly")["SnapshotId"]


def test_ebs_snapshots_pass_and_other_volumes_do_not_count(clock: Clock) -> None:
    ec2, vol = volume()
    _, other = volume()
    for hours in (50, 26, 2):
        snapshot(ec2, clock, vol.id, hours)
    snapshot(ec2, clock, other.id, 1)
    finding = plan(vol, max_age="26h", min_points=3, window="3d", min_retention_days=30)
    assert finding.status == "pass", finding.reason
    assert finding.observed == "newest completed backup 2h ago (2026-11-23T04:00Z), 3 completed"


def test_ebs_snapshots_made_after_the_trigger_time_are_ignored(clock: Clock) -> None:
    ec2, vol = volume()
    for hours in (50, 26, 2):
        snapshot(ec2, clock, vol.id, hours)
    finding = plan(vol, now=NOW - timedelta(hours=20), max_age="26h", min_points=2, window="3d")
    assert (finding.status, finding.check) == ("pass", "all")
    finding = plan(vol, now=NOW - timedelta(hours=30), max_age="12h")
    assert (finding.status, finding.observed) == ("fail", "newest completed backup 20h ago (2026-11-21T04:00Z)")


def test_unencrypted_snapshot_fails_encrypted(clock: Clock) -> None:
    ec2, vol = volume(encrypted=False)
    snapshot(ec2, clock, vol.id, 2)
    finding = plan(vol, max_age="26h", encrypted=True)
    assert (finding.status, finding.check, finding.observed) == ("fail", "encrypted", "1 of 1 unencrypted")
    ec2, secret = volume(encrypted=True)
    snapshot(ec2, clock, secret.id, 2)
    assert plan(secret, max_age="26h", encrypted=True).status == "pass"


def test_ebs_copy_is_found_by_source_id_in_the_other_region(clock: Clock) -> None:
    ec2, vol = volume()
    source = snapshot(ec2, clock, vol.id, 3)
    clock.hours_ago(2)
    boto3.client("ec2", region_name="us-east-1").copy_snapshot(
        SourceRegion=REGION, SourceSnapshotId=source, Description=f"[Copied {source} from {REGION}]")
    assert plan(vol, copy_regions=["us-east-1"]).status == "pass"
    finding = plan(vol, copy_regions=["us-east-1", "eu-central-1"])
    assert (finding.status, finding.check, finding.observed) == ("fail", "copy_regions",
                                                                 "no completed copy in eu-central-1")


def test_an_older_copy_counts_when_the_newest_is_not_copied_yet(clock: Clock) -> None:
    ec2, vol = volume()
    older = snapshot(ec2, clock, vol.id, 27)
    boto3.client("ec2", region_name="us-east-1").copy_snapshot(
        SourceRegion=REGION, SourceSnapshotId=older, Description=f"nightly copy of {older}")
    snapshot(ec2, clock, vol.id, 3)
    assert plan(vol, copy_regions=["us-east-1"]).status == "pass"
    stale = plan(vol, copy_regions=["us-east-1"], min_points=1, window="1d")
    assert (stale.status, stale.check) == ("fail", "copy_regions")


def test_many_volumes_cost_one_snapshot_listing_per_region(clock: Clock) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    frankfurt = boto3.client("ec2", region_name="eu-central-1")
    volumes = [volume()[1] for _ in range(3)]
    for vol in volumes:
        source = snapshot(ec2, clock, vol.id, 3)
        if vol is not volumes[-1]:
            frankfurt.copy_snapshot(SourceRegion=REGION, SourceSnapshotId=source,
                                    Description=f"[Copied {source} from {REGION}]")
    session = boto3.Session(region_name=REGION)
    calls: list[tuple[str, str]] = []
    session.events.register("provide-client-params", lambda model, context, **_: calls.append(
        (model.name, context.get("client_region", ""))))
    spec = ActionSpec("backup.validate", {"source": "snapshots", "max_age": "26h", "copy_regions": ["eu-central-1"]},
                      Loc("rules/backups.yaml", 9, 7))
    rule = Rule("nightly", "ebs.volume", Match(), CronTrigger("0 6 * * *", Loc("rules/backups.yaml", 3, 5)),
                actions=(spec,))
    findings = Validate(spec, rule).plan(PlanContext(Clients(session, read_only=True), NOW), volumes)
    assert [f.status for f in findings] == ["pass", "pass", "fail"]
    assert findings[2].observed == "no completed copy in eu-central-1"
    assert sorted(calls) == [("DescribeSnapshots", "eu-central-1"), ("DescribeSnapshots", REGION)]


def test_instance_is_judged_volume_by_volume(clock: Clock) -> None:
    ec2, root = volume()
    _, data = volume()
    snapshot(ec2, clock, root.id, 2)
    mappings = [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": root.id}},
                {"DeviceName": "/dev/xvdb", "Ebs": {"VolumeId": data.id}}]
    instance = Resource("ec2.instance", "i-0123456789abcdef0", REGION, ACCOUNT, "web",
                        f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0123456789abcdef0",
                        data={"BlockDeviceMappings": mappings})
    finding = plan(instance, max_age="26h")
    assert (finding.status, finding.check, finding.observed) == ("fail", "exists", f"{data.id}: no backups")
    assert finding.details["targets"] == sorted([root.id, data.id])


def test_instance_without_ebs_volumes_never_passes(clock: Clock) -> None:
    instance = Resource("ec2.instance", "i-0123456789abcdef0", REGION, ACCOUNT, data={"BlockDeviceMappings": []})
    finding = plan(instance, max_age="26h")
    assert (finding.status, finding.check, finding.reason) == (
        "fail", "exists", "exists: no backups found (snapshots); max_age: no completed backup")


def test_instance_volumes_are_read_when_the_selector_gave_none(clock: Clock) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    made = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
    root = ec2.describe_instances(InstanceIds=[made["InstanceId"]])["Reservations"][0]["Instances"][0][
        "BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    snapshot(ec2, clock, root, 5)
    instance = Resource("ec2.instance", made["InstanceId"], REGION, ACCOUNT)
    finding = plan(instance, max_age="26h")
    assert (finding.status, finding.details["targets"]) == ("pass", [root])


def database(clock: Clock, retention: int = 7) -> tuple[Any, Resource]:
    """A DB instance created 40h ago: moto, like RDS, takes its first automated snapshot then."""
    clock.hours_ago(40)
    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="postgres",
                           AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="secret-secret",
                           BackupRetentionPeriod=retention)
    return rds, Resource("rds.instance", "orders", REGION, ACCOUNT, "orders",
                         f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders")


def test_rds_snapshots_by_instance(clock: Clock) -> None:
    rds, db = database(clock)
    for name, hours in (("orders-old", 30), ("orders-new", 3)):
        clock.hours_ago(hours)
        rds.create_db_snapshot(DBInstanceIdentifier="orders", DBSnapshotIdentifier=name)
    finding = plan(db, max_age="26h", min_points=2, window="2d", min_retention_days=30)
    assert finding.status == "pass", finding.reason
    stale = plan(db, now=NOW - timedelta(hours=10), max_age="12h")
    assert (stale.status, stale.check, stale.observed) == ("fail", "max_age",
                                                           "newest completed backup 20h ago (2026-11-22T00:00Z)")


def test_automated_rds_snapshots_are_kept_for_the_backup_retention_period(clock: Clock) -> None:
    _, db = database(clock, retention=7)
    finding = plan(db, max_age="2d", min_retention_days=30)
    assert (finding.status, finding.check, finding.observed) == ("fail", "min_retention_days", "kept 7d")
    assert plan(db, max_age="2d", min_retention_days=7).status == "pass"


def test_restore_tests_cannot_be_proven_by_snapshots(clock: Clock) -> None:
    rds, db = database(clock)
    clock.hours_ago(3)
    rds.create_db_snapshot(DBInstanceIdentifier="orders", DBSnapshotIdentifier="orders-new")
    finding = plan(db, max_age="26h", restore_tested_within="30d")
    assert (finding.status, finding.check, finding.observed) == ("fail", "restore_tested_within",
                                                                 "not recorded by snapshots")


def test_rds_cluster_snapshot_encryption(clock: Clock) -> None:
    clock.hours_ago(1)
    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_cluster(DBClusterIdentifier="ledger", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="secret-secret", StorageEncrypted=False)
    clock.hours_ago(4)
    rds.create_db_cluster_snapshot(DBClusterIdentifier="ledger", DBClusterSnapshotIdentifier="ledger-1")
    cluster = Resource("rds.cluster", "ledger", REGION, ACCOUNT, "ledger",
                       f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:ledger")
    assert plan(cluster, max_age="26h").status == "pass"
    finding = plan(cluster, max_age="26h", encrypted=True)
    assert (finding.status, finding.check, finding.observed) == ("fail", "encrypted", "2 of 2 unencrypted")


def test_dynamodb_on_demand_backups(clock: Clock) -> None:
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    clock.hours_ago(6)
    ddb.create_backup(TableName="orders", BackupName="orders-nightly")
    table = Resource("dynamodb.table", "orders", REGION, ACCOUNT, "orders",
                     f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders")
    assert plan(table, max_age="26h", encrypted=True, min_retention_days=35).status == "pass"
    finding = plan(table, max_age="2h")
    assert (finding.status, finding.check) == ("fail", "max_age")


def test_source_any_in_moto_is_an_error_because_aws_backup_is_not_implemented(clock: Clock) -> None:
    ec2, vol = volume()
    snapshot(ec2, clock, vol.id, 2)
    finding = plan(vol, source="any", max_age="26h")
    assert finding.status == "error"
    assert finding.reason == "backup:ListRecoveryPointsByResource failed: 404: Not yet implemented"


def test_snapshots_of_a_file_system_is_an_error(clock: Clock) -> None:
    fs = Resource("efs.filesystem", "fs-12345678", REGION, ACCOUNT,
                  arn=f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-12345678")
    finding = plan(fs, max_age="26h")
    assert (finding.status, finding.reason) == (
        "error", "efs.filesystem has no snapshots outside AWS Backup; use source: aws-backup or any")
