"""`shiftwork override`: the tags round-trip through every service's own tag API on moto, in allowed characters."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

import pytest

from shiftwork.engine.cli.commands.override import parse_until
from shiftwork.engine.cli.main import main
from shiftwork.engine.errors import UsageError
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.plan.override_targets import clear_changes, parse_ref, set_changes
from shiftwork.engine.plan.overrides import OVERRIDE_TAGS, UNTIL_TAG, read_override, tag_safe
from tests.handlers.test_override_expiry import RULES

REGION = "eu-west-1"
UNTIL = datetime(2026, 12, 21, 22, 0, tzinfo=timezone.utc)
# The reason a user types, with characters RDS (and ECS) refuse in tag values: , ; ' " ! # ( ) & newline
REASON = "release 4.2: QA, Bob's run (INC-77) & 'load' test!\nsee #ops"
BY = "arn:aws:sts::111122223333:assumed-role/Dev,Ops/alice@example.com"


def rds_allows(value: str) -> bool:
    """RDS's documented rule for tag values: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$, 0..256 characters."""
    return len(value) <= 256 and all(ch.isalpha() or ch.isdigit() or unicodedata.category(ch).startswith(("N", "Z"))
                                     or ch in "_.:/=+-@" for ch in value)


def test_tag_safe_keeps_to_the_strictest_service_set() -> None:
    assert rds_allows(tag_safe(REASON))
    assert tag_safe(REASON) == "release 4.2: QA- Bob-s run -INC-77- - -load- test- see -ops"
    assert tag_safe("Größe naïve 東京 ok") == "Größe naïve 東京 ok"  # Unicode letters are allowed everywhere
    assert len(tag_safe("x" * 300)) == 256
    assert not rds_allows("a,b")  # the checker itself can fail


def test_parse_ref_forms() -> None:
    assert parse_ref("i-0123456789abcdef0", REGION).type == "ec2.instance"
    ec2 = parse_ref("arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0", REGION)
    assert (ec2.id, ec2.region, ec2.account) == ("i-0123456789abcdef0", "us-east-1", "111122223333")
    asg = parse_ref("arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:1a2b-3c:"
                    "autoScalingGroupName/etl-workers", REGION)
    assert (asg.type, asg.id) == ("asg.group", "etl-workers")
    svc = parse_ref("arn:aws:ecs:eu-west-1:111122223333:service/batch/worker", REGION)
    assert (svc.type, svc.id, svc.name) == ("ecs.service", "arn:aws:ecs:eu-west-1:111122223333:service/batch/worker",
                                            "worker")
    assert parse_ref("arn:aws:rds:us-east-1:111122223333:db:orders", REGION).type == "rds.instance"
    assert parse_ref("arn:aws:rds:us-east-1:111122223333:cluster:ledger", REGION).id == "ledger"
    for bad in ("etl-workers", "arn:aws:ecs:eu-west-1:111122223333:service/worker", "arn:aws:s3:::bucket"):
        with pytest.raises(UsageError, match="is not a resource shiftwork can override"):
            parse_ref(bad, REGION)


def test_parse_until() -> None:
    now = datetime(2026, 12, 21, 18, 30, tzinfo=timezone.utc)
    assert parse_until("22:00", now, "Europe/London") == UNTIL
    assert parse_until("08:00", now, "Europe/London") == datetime(2026, 12, 22, 8, 0, tzinfo=timezone.utc)
    assert parse_until("22:00", now, "Europe/Berlin") == datetime(2026, 12, 21, 21, 0, tzinfo=timezone.utc)
    assert parse_until("2026-12-21T22:00", now, "America/New_York") == datetime(2026, 12, 22, 3, 0,
                                                                                tzinfo=timezone.utc)
    assert parse_until("2026-12-21T22:00Z", now) == UNTIL
    assert parse_until("3h30m", now) == UNTIL
    for bad, why in (("2026-12-21T18:00Z", "has passed"), ("40d", "31 days"), ("soon", "is not a time"),
                     ("25:00", "not a time of day")):
        with pytest.raises(UsageError, match=why):
            parse_until(bad, now)


def _fleet(clients: Clients) -> dict[str, str]:
    """One of each resource type; returns how `override` names each."""
    ec2 = clients.client("ec2", REGION)
    iid = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.create_launch_template(LaunchTemplateName="etl-lt", LaunchTemplateData={"ImageId": "ami-12c6146b"})
    asg = clients.client("autoscaling", REGION)
    asg.create_auto_scaling_group(AutoScalingGroupName="etl", MinSize=0, MaxSize=2, DesiredCapacity=1,
                                  LaunchTemplate={"LaunchTemplateName": "etl-lt"}, AvailabilityZones=[f"{REGION}a"])
    ecs = clients.client("ecs", REGION)
    ecs.create_cluster(clusterName="batch")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    svc = ecs.create_service(cluster="batch", serviceName="worker", taskDefinition="app",
                             desiredCount=1)["service"]["serviceArn"]
    rds = clients.client("rds", REGION)
    db = rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="postgres",
                                MasterUsername="u", MasterUserPassword="password-1",
                                AllocatedStorage=20)["DBInstance"]["DBInstanceArn"]
    cluster = rds.create_db_cluster(DBClusterIdentifier="ledger", Engine="aurora-postgresql", MasterUsername="u",
                                    MasterUserPassword="password-1")["DBCluster"]["DBClusterArn"]
    group_arn = asg.describe_auto_scaling_groups()["AutoScalingGroups"][0]["AutoScalingGroupARN"]
    return {"ec2": iid, "asg": group_arn, "ecs": svc, "rds": db, "cluster": cluster}


def _tags(clients: Clients, kind: str, ref: str) -> dict[str, str]:
    """Each service's own tag read."""
    if kind == "ec2":
        rows = clients.client("ec2", REGION).describe_tags(Filters=[{"Name": "resource-id", "Values": [ref]}])["Tags"]
        return {t["Key"]: t["Value"] for t in rows}
    if kind == "asg":
        rows = clients.client("autoscaling", REGION).describe_tags(
            Filters=[{"Name": "auto-scaling-group", "Values": ["etl"]}])["Tags"]
        return {t["Key"]: t["Value"] for t in rows}
    if kind == "ecs":
        return {t["key"]: t["value"] for t in clients.client("ecs", REGION).list_tags_for_resource(
            resourceArn=ref)["tags"]}
    return {t["Key"]: t["Value"] for t in clients.client("rds", REGION).list_tags_for_resource(
        ResourceName=ref)["TagList"]}


def test_set_and_clear_round_trip_through_every_tag_api(clients: Clients) -> None:
    refs = _fleet(clients)
    targets = [parse_ref(ref, REGION) for ref in refs.values()]
    results = Executor(clients).execute(set_changes(targets, UNTIL, "running", BY, REASON))
    assert [r.status for r in results] == ["ok"] * 5
    for kind, ref in refs.items():
        tags = _tags(clients, kind, ref)
        assert set(OVERRIDE_TAGS) <= set(tags), kind
        assert all(rds_allows(tags[k]) for k in OVERRIDE_TAGS), kind
        held = read_override(tags)
        assert held is not None and (held.until, held.keep) == (UNTIL, "running"), kind
        assert held.by == "arn:aws:sts::111122223333:assumed-role/Dev-Ops/alice@example.com"
        assert held.reason == tag_safe(REASON)
    # a second override without keep or reason replaces every tag: nothing stale is inherited
    Executor(clients).execute(set_changes(targets, UNTIL, None, BY, ""))
    again = read_override(_tags(clients, "rds", refs["rds"]))
    assert again is not None and (again.keep, again.reason) == (None, "")
    results = Executor(clients).execute(clear_changes(targets))
    assert [r.status for r in results] == ["ok"] * 5
    for kind, ref in refs.items():
        assert not set(OVERRIDE_TAGS) & set(_tags(clients, kind, ref)), kind


def test_ec2_overrides_are_one_batched_call(clients: Clients) -> None:
    ec2 = clients.client("ec2", REGION)
    ids = [i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=3, MaxCount=3)["Instances"]]
    calls: list[str] = []
    observed = Clients(observer=lambda service, op, params: calls.append(op))
    Executor(observed).execute(set_changes([parse_ref(i, REGION) for i in ids], UNTIL, None, BY, "x"))
    assert calls == ["CreateTags"]


def test_cli_override_records_the_caller_and_clear_removes_it(clients: Clients,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    refs = _fleet(clients)
    code = main(["override", refs["ec2"], refs["cluster"], "--until", "2099-01-01T00:00Z", "--keep", "running",
                 "--reason", "demo, tonight", "--region", REGION])
    assert code == 2  # more than 31 days away
    code = main(["override", refs["ec2"], refs["cluster"], "--until", "2h", "--keep", "running",
                 "--reason", "demo, tonight", "--region", REGION])
    out = capsys.readouterr().out
    assert code == 0, out
    caller = clients.client("sts", REGION).get_caller_identity()["Arn"]
    held = read_override(_tags(clients, "cluster", refs["cluster"]))
    assert held is not None and held.by == caller and held.reason == "demo- tonight" and held.keep == "running"
    assert f"{refs['ec2']}: set" in out
    assert main(["override", refs["ec2"], "--clear", "--region", REGION]) == 0
    assert UNTIL_TAG not in _tags(clients, "ec2", refs["ec2"])


def test_cli_reports_a_missing_resource_as_failed(clients: Clients, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["override", "arn:aws:rds:eu-west-1:123456789012:db:nope", "--until", "1h", "--region", REGION])
    assert code == 1
    assert "nope: FAILED: no such rds.instance in eu-west-1 (DBInstanceNotFound)" in capsys.readouterr().err




def test_overrides_lists_active_and_recently_ended_with_what_the_rule_does_then(
        clients: Clients, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    ec2 = clients.client("ec2", REGION)
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=4, MaxCount=4,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"]]
    active, ended, old, legacy = ids
    run = Executor(clients).execute
    run(set_changes([parse_ref(active, REGION)], UNTIL, "running", BY, "late deploy"))
    run(set_changes([parse_ref(ended, REGION)], datetime(2026, 12, 21, 18, 0, tzinfo=timezone.utc), None, BY, ""))
    run(set_changes([parse_ref(old, REGION)], datetime(2026, 12, 19, 18, 0, tzinfo=timezone.utc), None, BY, ""))
    ec2.create_tags(Resources=[legacy], Tags=[{"Key": "shiftwork:skip-until", "Value": "2026-12-22T08:00:00Z"}])
    assert main(["overrides", str(rules), "--at", "2026-12-21T19:30Z", "--region", REGION, "--format", "json"]) == 0
    rows = {r["resource"]["id"]: r for r in json.loads(capsys.readouterr().out)["overrides"]}
    assert set(rows) == {active, ended, legacy}  # the one that ended two days ago is not recent
    assert (rows[active]["active"], rows[active]["until"], rows[active]["keep"]) == (True, "2026-12-21T22:00:00Z",
                                                                                     "running")
    assert rows[active]["by"] == tag_safe(BY) and rows[active]["reason"] == "late deploy"
    assert rows[active]["then"] == ("reconciles to 'outside' at the first tick from 2026-12-21 Mon 22:00 GMT: "
                                    "ec2.stop")
    assert rows[ended]["active"] is False
    assert rows[legacy]["tag"] == "shiftwork:skip-until" and rows[legacy]["then"].startswith("reconciles to 'inside'")
    assert main(["overrides", str(rules), "--at", "2026-12-21T19:30Z", "--region", REGION]) == 0
    out = capsys.readouterr().out
    assert "ACTIVE until 2026-12-21 Mon 22:00 GMT (2026-12-21 22:00 UTC), keep running" in out
    assert out.rstrip().endswith("2 active, 1 ended in the last 24h (as of 2026-12-21T19:30:00Z)")
