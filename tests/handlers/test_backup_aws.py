"""backup.validate against AWS Backup, with botocore Stubber (moto has no recovery points by resource)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import boto3
import pytest
from botocore.stub import Stubber

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import ActionSpec, CronTrigger, Match, Rule
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.backup import Validate

REGION = "eu-west-1"
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
ARN = "arn:aws:rds:eu-west-1:111122223333:db:orders"
VAULT = "arn:aws:backup:{}:111122223333:backup-vault:nightly"
DB = Resource("rds.instance", "orders", REGION, "111122223333", "orders", ARN, "available")


def validator(**options: Any) -> Validate:
    spec = ActionSpec("backup.validate", {"source": "aws-backup", **options}, Loc("rules/backups.yaml", 9, 7))
    rule = Rule("orders-backups", "rds.instance", Match(), CronTrigger("0 6 * * *", Loc("rules/backups.yaml", 3, 5)),
                actions=(spec,))
    return Validate(spec, rule)


@pytest.fixture
def ctx() -> PlanContext:
    session = boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return PlanContext(Clients(session, read_only=True), NOW)


@pytest.fixture
def stub(ctx: PlanContext) -> Iterator[Stubber]:
    with Stubber(ctx.clients.client("backup", REGION)) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def at(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def point(hours: float, status: str = "COMPLETED", encrypted: bool = True, n: int = 0) -> dict[str, Any]:
    rp = {"RecoveryPointArn": f"arn:aws:rds:eu-west-1:111122223333:snapshot:awsbackup:job-{hours:g}-{n}",
          "CreationDate": at(hours), "Status": status, "BackupVaultName": "nightly"}
    if encrypted:
        rp["EncryptionKeyArn"] = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
    return rp


def points(stub: Stubber, *pages: list[dict[str, Any]]) -> None:
    """Recovery points by resource, one response per page, chained with NextToken."""
    for i, page in enumerate(pages):
        response: dict[str, Any] = {"RecoveryPoints": page}
        if i + 1 < len(pages):
            response["NextToken"] = f"t{i + 1}"
        params = {"ResourceArn": ARN, **({"NextToken": f"t{i}"} if i else {})}
        stub.add_response("list_recovery_points_by_resource", response, params)


def daily(stub: Stubber, n: int = 3, **kw: Any) -> None:
    points(stub, [point(2 + 24 * i, **kw) for i in range(n)])


def test_recent_complete_backups_pass(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)
    [finding] = validator(max_age="26h", min_points=3, window="3d").plan(ctx, [DB])
    assert finding.status == "pass"
    assert (finding.check, finding.reason) == ("all", "3 checks passed")
    assert finding.details["checks"] == ["exists", "max_age", "min_points"]
    assert finding.observed == "newest completed backup 2 h 0 m ago (2026-11-23T04:00Z), 3 completed"
    assert finding.details["loc"] == "rules/backups.yaml:9:7"


def test_recovery_points_are_read_across_pages(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(2)], [point(26)], [point(50)])
    [finding] = validator(min_points=3, window="3d").plan(ctx, [DB])
    assert finding.status == "pass", finding.reason


def test_no_backups_at_all_fails_with_that_reason(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [])
    [finding] = validator().plan(ctx, [DB])
    assert (finding.status, finding.check, finding.observed) == ("fail", "exists", "no backups")
    assert finding.reason == "exists: no backups found (aws-backup)"


def test_max_age_alone_fails_a_stale_newest_backup(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(30), point(54)])
    [finding] = validator(max_age="26h", min_points=2, window="3d").plan(ctx, [DB])
    assert (finding.status, finding.check) == ("fail", "max_age")
    assert finding.observed == "newest completed backup 1 d 6 h 0 m ago (2026-11-22T00:00Z)"
    assert finding.required == "at most 26h old"
    assert [f["check"] for f in finding.details["failures"]] == ["max_age"]


def test_min_points_alone_fails_too_few_in_the_window(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(2), point(26), point(24 * 8)])
    [finding] = validator(max_age="26h", min_points=3).plan(ctx, [DB])
    assert (finding.status, finding.check, finding.observed, finding.required) == (
        "fail", "min_points", "2 completed in 7d", "at least 3 in 7d")


def test_backups_after_the_trigger_time_do_not_count(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(-3), point(30)])  # one made 3h after the trigger time
    [finding] = validator(max_age="26h").plan(ctx, [DB])
    assert (finding.status, finding.check) == ("fail", "max_age")


def jobs(stub: Stubber, *pages: list[dict[str, Any]]) -> None:
    for i, page in enumerate(pages):
        response: dict[str, Any] = {"BackupJobs": page}
        if i + 1 < len(pages):
            response["NextToken"] = f"j{i + 1}"
        params = {"ByResourceArn": ARN, "ByCreatedAfter": NOW - timedelta(days=3),
                  **({"NextToken": f"j{i}"} if i else {})}
        stub.add_response("list_backup_jobs", response, params)


def job(hours: float, state: str, percent: str = "100.0") -> dict[str, Any]:
    return {"BackupJobId": f"job-{hours:g}", "CreationDate": at(hours), "State": state, "PercentDone": percent}


def test_partial_newest_fails_status_only(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(2, status="PARTIAL"), point(20), point(44)])
    jobs(stub, [job(44, "COMPLETED"), job(20, "COMPLETED")])
    [finding] = validator(max_age="26h", min_points=2, status="COMPLETED", window="3d").plan(ctx, [DB])
    assert (finding.status, finding.check, finding.observed) == ("fail", "status", "PARTIAL")


def test_failed_newest_backup_job_fails_status_across_job_pages(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(20), point(44)])
    jobs(stub, [job(44, "COMPLETED"), job(20, "COMPLETED")], [job(1, "RUNNING", "40.0"), job(2, "FAILED", "12.5")])
    [finding] = validator(max_age="26h", min_points=2, status="COMPLETED", window="3d").plan(ctx, [DB])
    assert (finding.status, finding.check, finding.observed) == ("fail", "status", "FAILED, 12.5% done")
    assert finding.reason == "status: newest backup job-2 (2026-11-23T04:00Z) is FAILED, 12.5% done"


def test_completed_newest_job_passes_status(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(2), point(26)])
    jobs(stub, [job(26, "COMPLETED"), job(2, "COMPLETED"), job(0.5, "RUNNING", "10.0")])
    [finding] = validator(status="COMPLETED", window="3d").plan(ctx, [DB])
    assert finding.status == "pass", finding.reason


def describe_point(stub: Stubber, hours: float, lifecycle: dict[str, Any]) -> None:
    rp = point(hours)
    stub.add_response("describe_recovery_point", {"RecoveryPointArn": rp["RecoveryPointArn"],
                                                  "CreationDate": rp["CreationDate"], "IsEncrypted": True,
                                                  **lifecycle},
                      {"BackupVaultName": "nightly", "RecoveryPointArn": rp["RecoveryPointArn"]})


def test_short_retention_fails_min_retention_days_only(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)
    describe_point(stub, 2, {"CalculatedLifecycle": {"DeleteAt": at(2) + timedelta(days=7)}})
    [finding] = validator(max_age="26h", min_points=3, min_retention_days=30).plan(ctx, [DB])
    assert (finding.status, finding.check, finding.observed, finding.required) == (
        "fail", "min_retention_days", "kept 7d", "kept at least 30d")


@pytest.mark.parametrize("lifecycle", [{"CalculatedLifecycle": {"DeleteAt": at(2) + timedelta(days=35)}},
                                       {"Lifecycle": {"DeleteAfterDays": 35}}, {}])
def test_long_or_no_expiry_passes_retention(ctx: PlanContext, stub: Stubber, lifecycle: dict[str, Any]) -> None:
    daily(stub)
    describe_point(stub, 2, lifecycle)
    [finding] = validator(min_retention_days=30).plan(ctx, [DB])
    assert finding.status == "pass", finding.reason


def test_unencrypted_backup_in_window_fails_encrypted_only(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(2), point(26, encrypted=False), point(24 * 10, encrypted=False)])
    [finding] = validator(max_age="26h", min_points=2, encrypted=True).plan(ctx, [DB])
    assert (finding.status, finding.check, finding.observed) == ("fail", "encrypted", "1 of 2 unencrypted")


def test_encrypted_false_checks_nothing(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [point(2, encrypted=False)])
    [finding] = validator(encrypted=False).plan(ctx, [DB])
    assert finding.status == "pass"


def copy_jobs(stub: Stubber, *pages: list[dict[str, Any]]) -> None:
    for i, page in enumerate(pages):
        response: dict[str, Any] = {"CopyJobs": page}
        if i + 1 < len(pages):
            response["NextToken"] = f"c{i + 1}"
        params = {"ByResourceArn": ARN, "ByCreatedAfter": NOW - timedelta(days=7), "ByState": "COMPLETED",
                  **({"NextToken": f"c{i}"} if i else {})}
        stub.add_response("list_copy_jobs", response, params)


def copy(hours: float, region: str) -> dict[str, Any]:
    return {"CopyJobId": f"copy-{region}", "CreationDate": at(hours), "CompletionDate": at(hours - 1),
            "State": "COMPLETED", "DestinationBackupVaultArn": VAULT.format(region)}


def test_missing_copy_region_fails_copy_regions_only(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)
    copy_jobs(stub, [copy(20, "eu-central-1")], [copy(30, "eu-west-2")])
    [finding] = validator(max_age="26h", copy_regions=["eu-central-1", "us-east-1"]).plan(ctx, [DB])
    assert (finding.status, finding.check, finding.observed) == ("fail", "copy_regions",
                                                                 "no completed copy in us-east-1")


def test_copies_found_on_a_later_page_pass(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)
    copy_jobs(stub, [copy(20, "eu-central-1")], [copy(30, "us-east-1")])
    [finding] = validator(copy_regions=["eu-central-1", "us-east-1"]).plan(ctx, [DB])
    assert finding.status == "pass", finding.reason


def restores(stub: Stubber, page: list[dict[str, Any]]) -> None:
    stub.add_response("list_restore_jobs_by_protected_resource", {"RestoreJobs": page},
                      {"ResourceArn": ARN, "ByStatus": "COMPLETED"})


def restore(days: float, validation: str | None) -> dict[str, Any]:
    job = {"RestoreJobId": f"r-{days:g}", "CreationDate": NOW - timedelta(days=days, hours=1),
           "CompletionDate": NOW - timedelta(days=days), "Status": "COMPLETED"}
    if validation:
        job["ValidationStatus"] = validation
    return job


def test_only_validated_restores_count(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)
    restores(stub, [restore(1, None), restore(3, "FAILED"), restore(40, "SUCCESSFUL")])
    [finding] = validator(max_age="26h", restore_tested_within="30d").plan(ctx, [DB])
    assert (finding.status, finding.check) == ("fail", "restore_tested_within")
    assert finding.observed == "last validated restore 40 d 0 h 0 m ago (2026-10-14T06:00Z)"


def test_recent_validated_restore_passes(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)
    restores(stub, [restore(40, "SUCCESSFUL"), restore(6, "SUCCESSFUL")])
    [finding] = validator(restore_tested_within="30d").plan(ctx, [DB])
    assert finding.status == "pass", finding.reason


def test_access_denied_is_an_error_not_a_pass(ctx: PlanContext, stub: Stubber) -> None:
    stub.add_client_error("list_recovery_points_by_resource", "AccessDeniedException",
                          "User is not authorized to perform: backup:ListRecoveryPointsByResource", 400)
    [finding] = validator(max_age="26h").plan(ctx, [DB])
    assert finding.status == "error"
    assert finding.reason == ("backup:ListRecoveryPointsByResource failed: AccessDeniedException: "
                              "User is not authorized to perform: backup:ListRecoveryPointsByResource")


def test_throttled_copy_listing_is_an_error_even_with_good_backups(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)
    stub.add_client_error("list_copy_jobs", "ThrottlingException", "Rate exceeded", 400)
    [finding] = validator(max_age="26h", copy_regions=["us-east-1"]).plan(ctx, [DB])
    assert (finding.status, finding.reason) == (
        "error", "backup:ListCopyJobs failed: ThrottlingException: Rate exceeded")


def test_an_arn_is_built_when_the_selector_gave_none(ctx: PlanContext, stub: Stubber) -> None:
    daily(stub)  # expects ResourceArn=arn:aws:rds:eu-west-1:111122223333:db:orders
    bare = Resource("rds.instance", "orders", REGION, "111122223333")
    [finding] = validator(max_age="26h").plan(ctx, [bare])
    assert finding.status == "pass", finding.reason


def test_resource_type_without_a_known_arn_is_an_error(ctx: PlanContext) -> None:
    odd = Resource("fsx.filesystem", "fs-1", REGION, "111122223333")
    [finding] = validator().plan(ctx, [odd])
    assert (finding.status, finding.reason) == (
        "error", "fsx.filesystem fs-1 has no ARN; AWS Backup lists recovery points by ARN")


def test_a_malformed_answer_is_an_error_for_that_resource_only(ctx: PlanContext, stub: Stubber) -> None:
    points(stub, [{"RecoveryPointArn": "arn:aws:rds:eu-west-1:111122223333:snapshot:awsbackup:job-x",
                   "Status": "COMPLETED"}])  # no CreationDate
    [finding] = validator(max_age="26h").plan(ctx, [DB])
    assert (finding.status, finding.reason) == ("error", "unexpected answer from AWS: KeyError: 'CreationDate'")
