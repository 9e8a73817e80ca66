"""What a heads-up counts as a stop or scale-down, and the override command it suggests for each resource."""
from __future__ import annotations

from datetime import datetime, timezone

from shiftwork.engine.plan.changes import Change
from shiftwork.engine.plan.notice import keep_command, lowers
from shiftwork.engine.plan.resources import Resource

UNTIL = datetime(2026, 12, 22, 8, 0, tzinfo=timezone.utc)


def change(res: Resource, call: str, **params: object) -> Change:
    return Change("r", "a", res, "svc", call, params, "why")


def test_lowers_only_stops_and_shrinking_sizes() -> None:
    asg = Resource("asg.group", "etl", "eu-west-1", data={"DesiredCapacity": 3, "MaxSize": 6})
    assert lowers(change(asg, "update_auto_scaling_group", MinSize=0, DesiredCapacity=0, MaxSize=0))
    assert lowers(change(asg, "update_auto_scaling_group", MinSize=2, DesiredCapacity=3, MaxSize=4))  # max down
    assert not lowers(change(asg, "update_auto_scaling_group", MinSize=2, DesiredCapacity=5, MaxSize=6))
    assert not lowers(change(asg, "create_or_update_tags", Tags=[]))  # saving the size is bookkeeping
    svc = Resource("ecs.service", "arn", "eu-west-1", data={"desiredCount": 4})
    assert lowers(change(svc, "update_service", desiredCount=0))
    assert not lowers(change(svc, "update_service", desiredCount=6))
    db = Resource("rds.cluster", "ledger", "us-east-1")
    assert lowers(change(db, "stop_db_cluster")) and not lowers(change(db, "start_db_cluster"))


def test_keep_command_names_each_resource_as_override_takes_it() -> None:
    ec2 = Resource("ec2.instance", "i-0abc1234def567890", "eu-west-1")
    assert keep_command(ec2, UNTIL) == ("shiftwork override i-0abc1234def567890 --region eu-west-1 "
                                        "--until 2026-12-22T08:00:00Z --keep running")
    db = Resource("rds.instance", "orders", "us-east-1", account="111122223333",
                  arn="arn:aws:rds:us-east-1:111122223333:db:orders")
    assert keep_command(db, UNTIL) == ("shiftwork override arn:aws:rds:us-east-1:111122223333:db:orders "
                                       "--until 2026-12-22T08:00:00Z --keep running"
                                       "  # in account 111122223333: use a --profile for it")
