"""Selected instances keep only what the actions read, not the whole DescribeInstances record."""
from __future__ import annotations

import pytest

import shiftwork.handlers  # noqa: F401  (registers the actions)
from shiftwork.handlers.backup_snapshots import known_volumes
from shiftwork.handlers.ec2 import KEPT_FIELDS, Stop, to_resource
from tests.unit.ruletools import act, cron_rule

RECORD = {
    "InstanceId": "i-0abc", "State": {"Code": 16, "Name": "running"}, "InstanceType": "t3.micro",
    "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "env", "Value": "dev"}],
    "HibernationOptions": {"Configured": True},
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-1", "Status": "attached"}}],
    "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "PrivateIpAddresses": [{"Primary": True}] * 5}],
    "MetadataOptions": {"HttpTokens": "required"}, "SecurityGroups": [{"GroupId": "sg-1"}],
}


def test_a_selected_instance_keeps_the_fields_actions_read_and_nothing_else() -> None:
    res = to_resource(RECORD, "111122223333", "eu-west-1", None)
    assert set(res.data) == {"HibernationOptions", "BlockDeviceMappings"} == set(KEPT_FIELDS)
    assert res.data["HibernationOptions"] == {"Configured": True}
    assert (res.id, res.name, res.state, res.tags) == ("i-0abc", "web-1", "running", {"Name": "web-1", "env": "dev"})
    assert known_volumes(res) == ["vol-1"]
    stop = Stop(act("ec2.stop", hibernate=True), cron_rule("0 19 * * *"))
    assert stop.stop(res).params == {"InstanceIds": ["i-0abc"], "Hibernate": True}


def test_hibernation_not_configured_is_kept_as_absent_and_stops_plainly() -> None:
    record = {**RECORD, "HibernationOptions": {"Configured": False}}
    res = to_resource(record, "111122223333", "eu-west-1", None)
    assert "HibernationOptions" not in res.data
    change = Stop(act("ec2.stop", hibernate=True), cron_rule("0 19 * * *")).stop(res)
    assert change.params == {"InstanceIds": ["i-0abc"]} and "hibernation is not configured" in change.reason


def _page(ids: list[str], token: str | None) -> dict:
    page = {"Reservations": [{"OwnerId": "111122223333", "Instances": [
        {**RECORD, "InstanceId": i, "Tags": [{"Key": "env", "Value": "dev"}]} for i in ids]}]}
    return {**page, "NextToken": token} if token else page


def _select(pages: list[tuple[dict, dict]]):
    import boto3
    from botocore.stub import Stubber

    from shiftwork.engine.plan.actions import PlanContext
    from shiftwork.handlers.ec2 import InstanceSelector

    client = boto3.client("ec2", region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    for reply, expected in pages:
        stubber.add_response("describe_instances", reply, expected)

    class OneClient:
        def client(self, *_):
            return client

    rule = cron_rule("0 19 * * *", tags={"env": ["dev"]})
    ctx = PlanContext(clients=OneClient(), now=None)
    with stubber:
        return InstanceSelector().select(ctx, rule, "eu-west-1", None), stubber


def test_selection_reads_every_page_once_following_next_token() -> None:
    from botocore.stub import ANY

    found, stubber = _select([(_page(["i-1", "i-2"], "t1"), {"Filters": ANY, "MaxResults": 1000}),
                              (_page(["i-3"], None), {"Filters": ANY, "MaxResults": 1000, "NextToken": "t1"})])
    assert [r.id for r in found] == ["i-1", "i-2", "i-3"]
    stubber.assert_no_pending_responses()


def test_a_repeated_next_token_stops_the_selection_with_an_error() -> None:
    from botocore.stub import ANY

    with pytest.raises(RuntimeError, match="same NextToken twice"):
        _select([(_page(["i-1"], "t1"), {"Filters": ANY, "MaxResults": 1000}),
                 (_page(["i-2"], "t1"), {"Filters": ANY, "MaxResults": 1000, "NextToken": "t1"})])
