"""Every fixture in tests/fixtures/events/ read as tests/fixtures/events/SOURCES.md describes it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shiftwork.engine.events.patterns import matches
from shiftwork.engine.events.shapes import deliveries, event_key, event_time, is_tick, normalise
from shiftwork.engine.events.targets import named_resources

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
ECS_ALARM = ["eventbridge-alarm-ecs.json", "direct-alarm-action-ecs.json", "sns-alarm-ecs.json",
             "sqs-sns-alarm-ecs.json"]
ALARM_ARN = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:web-api-cpu-high"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_every_fixture_is_read_without_a_traceback() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        for d in deliveries(json.loads(path.read_text())):
            assert (d.event is not None) or d.note or d.error, path.name


@pytest.mark.parametrize("name", ECS_ALARM)
def test_one_alarm_transition_in_four_shapes_is_one_eventbridge_alarm(name: str) -> None:
    (event,) = normalise(fixture(name))
    assert (event["source"], event["detail-type"]) == ("aws.cloudwatch", "CloudWatch Alarm State Change")
    assert (event["account"], event["region"], event["resources"]) == ("111122223333", "eu-west-1", [ALARM_ARN])
    assert event["detail"]["alarmName"] == "web-api-cpu-high"
    assert event["detail"]["state"]["value"] == "ALARM"
    assert named_resources(event, "ecs.service") == [{"name": "api", "cluster": "web"}]
    on_metric = {"detail": {"configuration": {"metrics": {"metricStat": {"metric": {"namespace": ["AWS/ECS"]}}}}}}
    assert matches(on_metric, event)  # configuration kept, whichever way it came


def test_the_same_transition_has_one_identity_per_delivery() -> None:
    keys = {name: event_key(normalise(fixture(name))[0]) for name in ECS_ALARM}
    assert keys["sns-alarm-ecs.json"] == keys["sqs-sns-alarm-ecs.json"]  # one SNS MessageId, two routes
    direct = keys["direct-alarm-action-ecs.json"]
    assert direct == f"alarm:{ALARM_ARN}:ALARM:2026-12-22T09:14:03.212+0000"
    later = event_key(normalise(fixture("direct-alarm-action-later.json"))[0])
    assert later == f"alarm:{ALARM_ARN}:ALARM:2026-12-22T14:47:55.730+0000"


def test_metric_math_and_composite_alarms_pass_through() -> None:
    (math,) = normalise(fixture("eventbridge-alarm-metric-math.json"))
    assert any("expression" in m for m in math["detail"]["configuration"]["metrics"])
    (composite,) = normalise(fixture("eventbridge-alarm-composite.json"))
    assert "alarmRule" in composite["detail"]["configuration"]


def test_scheduler_inputs_are_ticks() -> None:
    (tick,) = normalise(fixture("scheduler-input-tick.json"))
    assert is_tick(tick) and event_time(tick).isoformat() == "2026-12-21T19:00:00+00:00"
    (empty,) = deliveries(fixture("scheduler-empty-input.json"))
    assert is_tick(empty.event) and event_time(empty.event) is None and "clock" in empty.note
    (default,) = normalise(fixture("scheduler-tick.json"))
    assert is_tick(default)


def test_auto_scaling_test_notification_is_acknowledged_and_ignored() -> None:
    (d,) = deliveries(fixture("sqs-asg-test-notification.json"))
    assert d.event is None and d.error is None and "test notification" in d.note


def test_an_sqs_batch_with_an_unknown_record_keeps_the_others() -> None:
    alarm, unknown, ec2 = deliveries(fixture("sqs-batch-with-unknown.json"))
    assert alarm.event["source"] == "aws.cloudwatch" and ec2.event["source"] == "aws.ec2"
    assert unknown.event is None and "unrecognised event" in unknown.error
    assert unknown.record.startswith("record 2")


def test_a_poison_record_is_an_error_of_its_own() -> None:
    (d,) = deliveries(fixture("sqs-shard-poison.json"))
    assert d.event is None and d.error.startswith("event is not JSON")


def test_an_rds_event_through_sns_matches_as_through_eventbridge() -> None:
    (direct,) = normalise(fixture("rds-event-restarted.json"))
    (sns,) = normalise(fixture("sns-rds-event.json"))
    pattern = {"source": ["aws.rds"], "detail-type": ["RDS DB Instance Event"],
               "detail": {"EventID": ["RDS-EVENT-0154"], "SourceType": ["DB_INSTANCE"]}}
    assert matches(pattern, direct) and matches(pattern, sns)
    for event in (direct, sns):
        assert (event["account"], event["region"], event["time"]) == ("111122223333", "eu-west-1",
                                                                      "2026-12-28T09:31:07Z")
        assert named_resources(event, "rds.instance") == [{"id": "orders-db"}]


@pytest.mark.parametrize("name,rtype,names", [
    ("ec2-state-change-stopped.json", "ec2.instance", None),
    ("sqs-eventbridge-ec2.json", "ec2.instance", None),
    ("asg-launch.json", "asg.group", [{"id": "web-asg"}]),
    ("asg-terminate.json", "asg.group", [{"id": "web-asg"}]),
    ("asg-lifecycle-launching.json", "ec2.instance", [{"id": "i-07e9c3b1d5a4f2860"}]),
    ("ecs-service-action.json", "ecs.service", [{"arn": "arn:aws:ecs:eu-west-1:111122223333:service/web/api"}]),
    ("ecs-deployment.json", "ecs.service", [{"arn": "arn:aws:ecs:eu-west-1:111122223333:service/web/api"}]),
    ("backup-job-state.json", "rds.instance", [{"id": "orders-db"}]),  # detail.resourceArn, the protected DB
])
def test_service_events_name_their_resources(name: str, rtype: str, names: list[dict[str, str]] | None) -> None:
    (event,) = normalise(fixture(name))
    found = named_resources(event, rtype)
    if names is None:  # the instance of an EC2 state change: detail.instance-id
        names = [{"id": event["detail"]["instance-id"]}]
    assert found == names


def test_a_record_with_an_unreadable_time_is_its_own_error() -> None:
    batch = fixture("sqs-batch-with-unknown.json")
    body = json.loads(batch["Records"][0]["body"])
    body["time"] = "yesterday"
    batch["Records"][0]["body"] = json.dumps(body)
    first, unknown, ec2 = deliveries(batch)
    assert first.event is None and "the event's time 'yesterday' is not an ISO 8601 time" in first.error
    assert ec2.event is not None
