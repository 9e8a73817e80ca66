"""Fault scenarios on batches and accounts: throttling bursts, 5xx on a batch, a wrong-state instance,
AccessDenied in one account, expired cross-account credentials, a corrupt saved-capacity tag."""
from __future__ import annotations

from datetime import timedelta

import boto3
from botocore.exceptions import ClientError

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.language.model import Account
from shiftwork.handlers.capacity import SAVED_TAG
from tests.reliability.harness import Fault, Ledger, dispatcher, handle, tick
from tests.reliability.test_state_races import instances, states

STOP_AT_SEVEN = """
    version: 1
    regions: [eu-west-1]
    rules:
      - name: dev-stop
        resource: ec2.instance
        match: {tags: {env: dev}}
        on: {cron: "0 7 * * *"}
        actions: [ec2.stop]
    """
TICKS = [tick(f"2026-12-21T07:{m:02d}:00Z") for m in range(0, 30, 5)]


def test_a_throttling_burst_is_absorbed_by_botocore_retries(table, rules, report) -> None:
    instances(30)
    faults = [Fault("StopInstances", "RequestLimitExceeded", status=503, times=3)]
    ledger = Ledger()
    d = dispatcher(rules(STOP_AT_SEVEN), table, faults, ledger)
    summary = handle(d, TICKS[0])
    assert summary["changes_ok"] == 30 and set(states().values()) == {"stopped"}
    assert d.executor.calls == 1 and ledger.count("StopInstances") == 1  # one logical call for 30 instances
    report("throttling burst", faults[0].fired, 1, ledger.duplicates(), 0)


def test_server_errors_on_a_batch_resend_it_whole_and_never_bisect(table, rules, report) -> None:
    instances(64)
    faults = [Fault("StopInstances", "Unavailable", status=503)]
    ledger = Ledger()
    d = dispatcher(rules(STOP_AT_SEVEN), table, faults, ledger)
    first = handle(d, TICKS[0])
    assert first["changes_failed"] == 64 and d.executor.calls == 2  # the old executor made 127
    faults[0].times = 0
    handle(d, TICKS[1])
    assert set(states().values()) == {"stopped"} and d.executor.calls == 3
    report("5xx on a batch write", faults[0].fired, 2, ledger.duplicates(), 0)


def test_a_wrong_state_instance_in_a_batch_never_blocks_the_others(table, rules, report) -> None:
    ids = instances(16)
    bad = ids[5]
    faults = [Fault("StopInstances", "IncorrectInstanceState", body_contains=bad)]
    ledger = Ledger()
    d = dispatcher(rules(STOP_AT_SEVEN), table, faults, ledger)
    handle(d, TICKS[0])
    handle(d, TICKS[1])
    now = states()
    assert now[bad] == "running" and {s for i, s in now.items() if i != bad} == {"stopped"}
    assert ledger.duplicates() == 0  # each good instance stopped once, in the bisected batches
    report("wrong-state instance in a batch", faults[0].fired, 1, ledger.duplicates(), 0)


ACCOUNTS = """
    version: 1
    regions: [eu-west-1]
    accounts:
      - {id: "111111111111", role: "arn:aws:iam::111111111111:role/shiftwork"}
      - {id: "222222222222", role: "arn:aws:iam::222222222222:role/shiftwork"}
    rules:
      - name: dev-stop
        resource: ec2.instance
        match: {tags: {env: dev}}
        on: {cron: "0 7 * * *"}
        actions: [ec2.stop]
    """


def _account_instances(account: str) -> dict[str, str]:
    ec2 = Clients().client("ec2", "eu-west-1", Account(account, f"arn:aws:iam::{account}:role/shiftwork"))
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])
    return {i["InstanceId"]: i["State"]["Name"] for r in ec2.describe_instances()["Reservations"]
            for i in r["Instances"]}


def _account_states(account: str) -> set[str]:
    ec2 = Clients().client("ec2", "eu-west-1", Account(account, f"arn:aws:iam::{account}:role/shiftwork"))
    return {i["State"]["Name"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}


def test_access_denied_in_one_account_retries_only_that_account(table, rules, report) -> None:
    for account in ("111111111111", "222222222222"):
        _account_instances(account)
    faults = [Fault("StopInstances", "UnauthorizedOperation", account="222222222222", times=1)]
    ledger = Ledger()
    d = dispatcher(rules(ACCOUNTS), table, faults, ledger)
    assert handle(d, TICKS[0])["failed_rules"] == ["dev-stop"]
    assert _account_states("111111111111") == {"stopped"} and _account_states("222222222222") == {"running"}
    assert handle(d, TICKS[1])["failed_rules"] == []
    assert _account_states("222222222222") == {"stopped"}
    assert ledger.count("StopInstances") == 2 and ledger.duplicates() == 0
    report("AccessDenied in one account", 1, 2, ledger.duplicates(), 0)


def test_expired_cross_account_credentials_are_refreshed_in_a_warm_dispatcher(table, rules, report) -> None:
    _account_instances("111111111111")
    ledger = Ledger()
    d = dispatcher(rules(ACCOUNTS.replace('      - {id: "222222222222", role: "arn:aws:iam::222222222222:role/'
                                          'shiftwork"}\n', "")), table, [], ledger)
    account = Account("111111111111", "arn:aws:iam::111111111111:role/shiftwork")
    handle(d, TICKS[0])
    expired: set[str] = set()
    refused: list[str] = []
    for clients in (d.planning, d.executor.clients):  # an hour later in a warm Lambda: the role session ends
        creds = clients.session_for(account).get_credentials()
        expired.add(creds.get_frozen_credentials().access_key)
        expiry = creds._expiry_time
        creds._time_fetcher = lambda expiry=expiry: expiry - timedelta(minutes=1)

        def refuse_expired(request, **_):  # AWS answers ExpiredToken to a request signed with the old key
            if any(key in request.headers.get("Authorization", b"").decode() for key in expired):
                refused.append("ExpiredToken")
                raise ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "Any")

        clients.client("ec2", "eu-west-1", account).meta.events.register_first("before-send", refuse_expired)
    _account_instances("111111111111")  # two more running instances to stop
    summary = handle(d, TICKS[0] | {"time": "2026-12-22T07:00:00Z"})
    assert summary["failed_rules"] == [] and summary["changes_ok"] == 2 and refused == []
    assert _account_states("111111111111") == {"stopped"}
    report("expired cross-account credentials", 1, 1, ledger.duplicates(), 0)


def test_a_corrupt_saved_capacity_tag_skips_that_group_only(table, rules, report) -> None:
    asg = boto3.client("autoscaling", region_name="eu-west-1")
    asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-12c6146b", InstanceType="t3.micro")
    for name, tags in (("bad", {SAVED_TAG: "desired=\u00b3"}), ("good-1", {}), ("good-2", {})):
        asg.create_auto_scaling_group(AutoScalingGroupName=name, LaunchConfigurationName="lc", MinSize=1,
                                      DesiredCapacity=2, MaxSize=4, AvailabilityZones=["eu-west-1a"],
                                      Tags=[{"Key": "tier", "Value": "worker", "PropagateAtLaunch": False}] +
                                      [{"Key": k, "Value": v, "PropagateAtLaunch": False} for k, v in tags.items()])
    ledger, logs = Ledger(), []
    d = dispatcher(rules("""
        version: 1
        regions: [eu-west-1]
        rules:
          - name: workers-off
            resource: asg.group
            match: {tags: {tier: worker}}
            on: {cron: "0 7 * * *"}
            actions: [{type: asg.scale, min: 0, desired: 0, max: 0}]
        """), table, [], ledger, logs=logs)
    handle(d, TICKS[0])
    groups = {g["AutoScalingGroupName"]: g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]}
    assert [groups[n]["DesiredCapacity"] for n in ("bad", "good-1", "good-2")] == [2, 0, 0]
    assert {t["Key"]: t["Value"] for t in groups["bad"]["Tags"]}[SAVED_TAG] == "desired=\u00b3"
    skipped = [line for line in logs if line.get("outcome") == "skipped"]
    assert skipped[0]["resource"] == "bad" and "unreadable" in skipped[0]["reason"]
    report("corrupt saved-capacity tag", 1, 1, ledger.duplicates(), 0)
