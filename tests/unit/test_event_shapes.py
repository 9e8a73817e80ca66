"""Delivery shapes reshaped to EventBridge's, with their identities; unreadable records kept apart."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from shiftwork.engine.events.patterns import matches
from shiftwork.engine.events.shapes import BadEvent, deliveries, event_key, is_tick, normalise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
ALARM_ARN = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-cpu-high"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def sns_message(name: str) -> dict[str, Any]:
    return json.loads(fixture(name)["Records"][0]["Sns"]["Message"])


def sns(message: dict[str, Any], message_id: str = "m-1") -> dict[str, Any]:
    return {"Records": [{"EventSource": "aws:sns", "Sns": {
        "Type": "Notification", "MessageId": message_id, "TopicArn": "arn:aws:sns:eu-west-1:111122223333:ops",
        "Message": json.dumps(message)}}]}


# An SNS alarm message's Trigger as CloudWatch sends it (metric alarm), per the CloudWatch user guide.
METRIC_TRIGGER = {"MetricName": "CPUUtilization", "Namespace": "AWS/ECS", "StatisticType": "Statistic",
                  "Statistic": "AVERAGE", "Unit": None, "Period": 60, "EvaluationPeriods": 3,
                  "ComparisonOperator": "GreaterThanThreshold", "Threshold": 80.0,
                  "Dimensions": [{"value": "web", "name": "ClusterName"}, {"value": "api", "name": "ServiceName"}]}


def test_an_sns_alarm_keeps_its_metric_as_eventbridge_configuration() -> None:
    message = {**sns_message("sns-alarm.json"), "Trigger": METRIC_TRIGGER}
    (event,) = normalise(sns(message))
    (metric,) = event["detail"]["configuration"]["metrics"]
    assert metric["metricStat"]["metric"] == {"namespace": "AWS/ECS", "name": "CPUUtilization",
                                              "dimensions": {"ClusterName": "web", "ServiceName": "api"}}
    assert metric["metricStat"]["stat"] == "Average" and metric["metricStat"]["period"] == 60
    pattern = {"source": ["aws.cloudwatch"],
               "detail": {"configuration": {"metrics": {"metricStat": {"metric": {"namespace": ["AWS/ECS"]}}}}}}
    assert matches(pattern, event)
    (through_eventbridge,) = normalise(fixture("eventbridge-alarm.json"))
    through_eventbridge["detail"]["configuration"]["metrics"] = [{"metricStat": {"metric": {"namespace": "AWS/ECS"}}}]
    assert matches(pattern, through_eventbridge)  # the same pattern both ways


def test_a_metric_math_and_a_composite_alarm_through_sns() -> None:
    math = {"Metrics": [
        {"Id": "e1", "Expression": "m1 / 1024", "Label": "kib", "ReturnData": True},
        {"Id": "m1", "ReturnData": False, "MetricStat": {"Metric": {
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"value": "jobs", "name": "QueueName"}]}, "Period": 60, "Stat": "Maximum"}}]}
    (event,) = normalise(sns({**sns_message("sns-alarm.json"), "Trigger": math}))
    first, second = event["detail"]["configuration"]["metrics"]
    assert first == {"id": "e1", "expression": "m1 / 1024", "label": "kib", "returnData": True}
    assert second["metricStat"]["metric"]["dimensions"] == {"QueueName": "jobs"}
    composite = {**sns_message("sns-alarm.json"), "AlarmRule": "ALARM(api-cpu-high) AND ALARM(api-5xx)"}
    (event,) = normalise(sns(composite))
    assert event["detail"]["configuration"]["alarmRule"] == "ALARM(api-cpu-high) AND ALARM(api-5xx)"


@pytest.mark.parametrize("name", ["eventbridge-alarm.json", "sns-alarm.json", "sqs-sns-alarm.json",
                                  "direct-alarm-action.json"])
def test_every_alarm_shape_names_its_account_region_and_alarm(name: str) -> None:
    (event,) = normalise(fixture(name))
    assert (event["account"], event["region"], event["resources"]) == ("111122223333", "eu-west-1", [ALARM_ARN])
    assert event["detail"]["state"]["value"] == "ALARM"


def test_identities() -> None:
    assert event_key(normalise(fixture("eventbridge-alarm.json"))[0]) == "id:c4c1c1c9-6542-e61b-6ef0-8c4d36933a92"
    by_sns = event_key(normalise(fixture("sns-alarm.json"))[0])
    assert by_sns == "id:95df01b4-ee98-5cb9-9903-4c221d41eb5e"  # the SNS MessageId
    assert event_key(normalise(fixture("sqs-sns-alarm.json"))[0]) == by_sns  # the same SNS delivery
    direct = fixture("direct-alarm-action.json")
    assert event_key(normalise(direct)[0]) == f"alarm:{ALARM_ARN}:ALARM:2026-12-21T19:00:41.000+0000"
    later = copy.deepcopy(direct)
    later["alarmData"]["state"]["timestamp"] = "2026-12-21T23:10:00.000+0000"
    assert event_key(normalise(later)[0]) != event_key(normalise(direct)[0])
    hand_made = {"source": "acme.jobs", "detail-type": "Job Failed", "time": "2026-12-21T19:00:00Z", "detail": {"job": 1}}
    other = {**hand_made, "detail": {"job": 2}}
    keys = {event_key(normalise(e)[0]) for e in (hand_made, other)}
    assert len(keys) == 2 and all(k.startswith("sha256:") for k in keys)  # no identity: the whole event, never a prefix


def test_scheduler_inputs() -> None:
    (tick,) = normalise({"shiftwork": "tick", "time": "2026-12-21T19:00:00Z"})  # what deploy configures
    assert is_tick(tick) and tick["time"] == "2026-12-21T19:00:00Z"
    (empty,) = deliveries({})
    assert is_tick(empty.event) and "time" not in empty.event
    assert "at the dispatcher's clock" in (empty.note or "")
    with pytest.raises(BadEvent, match="unrecognised event"):
        normalise({"job": "nightly"})


ASG_TEST = {"AccountId": "111122223333", "RequestId": "r-1", "Service": "AWS Auto Scaling",
            "AutoScalingGroupARN": "arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:1:autoScalingGroupName/web",
            "AutoScalingGroupName": "web", "Event": "autoscaling:TEST_NOTIFICATION", "Time": "2026-12-21T19:00:00Z"}
LIFECYCLE = {"Origin": "EC2", "Destination": "AutoScalingGroup", "Service": "AWS Auto Scaling",
             "Time": "2026-12-21T19:00:00.000Z", "AccountId": "111122223333", "RequestId": "r-2",
             "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING", "LifecycleActionToken": "t-1",
             "EC2InstanceId": "i-0123456789abcdef0", "LifecycleHookName": "drain", "AutoScalingGroupName": "web"}


def test_auto_scaling_through_sqs_test_notification_is_acknowledged_and_a_hook_is_an_event() -> None:
    batch = {"Records": [
        {"messageId": "q-1", "eventSource": "aws:sqs", "awsRegion": "eu-west-1", "body": json.dumps(ASG_TEST)},
        {"messageId": "q-2", "eventSource": "aws:sqs", "awsRegion": "eu-west-1", "body": json.dumps(LIFECYCLE)}]}
    test, hook = deliveries(batch)
    assert test.event is None and test.error is None and "test notification" in (test.note or "")
    event = hook.event
    assert (event["source"], event["detail-type"]) == ("aws.autoscaling", "EC2 Instance-terminate Lifecycle Action")
    assert event["region"] == "eu-west-1"  # from the queue: a lifecycle message names no region
    assert event["detail"]["EC2InstanceId"] == "i-0123456789abcdef0"
    assert event_key(event) == "id:q-2"


RDS_SNS = {"Event Source": "db-instance", "Event Time": "2026-12-21 19:00:41.123",
           "Identifier Link": "https://console.aws.amazon.com/rds/home?region=eu-west-1#dbinstance:id=orders",
           "Source ID": "orders", "Source ARN": "arn:aws:rds:eu-west-1:111122223333:db:orders",
           "Event ID": "http://docs.amazonwebservices.com/AmazonRDS/latest/UserGuide/USER_Events.html#RDS-EVENT-0154",
           "Event Message": "DB instance is being started due to it exceeding the maximum allowed time being stopped."}


def test_an_rds_event_through_sns_is_the_eventbridge_rds_event() -> None:
    (event,) = normalise(sns(RDS_SNS))
    assert (event["source"], event["detail-type"]) == ("aws.rds", "RDS DB Instance Event")
    assert (event["account"], event["region"], event["time"]) == ("111122223333", "eu-west-1", "2026-12-21T19:00:41Z")
    assert event["detail"]["EventID"] == "RDS-EVENT-0154" and event["detail"]["SourceIdentifier"] == "orders"
    assert matches({"source": ["aws.rds"], "detail": {"EventID": ["RDS-EVENT-0154"]}}, event)


@pytest.mark.parametrize("payload,message", [
    ({"source": "aws.cloudwatch", "alarmArn": ALARM_ARN, "alarmData": "x"}, "alarmData must be a JSON object"),
    ({"source": "aws.cloudwatch", "alarmArn": ALARM_ARN, "alarmData": {"state": "ALARM"}},
     "alarmData.state must be a JSON object"),
    ({"AlarmName": "a", "NewStateValue": ["ALARM"]}, "NewStateValue must be a string"),
    ({"AlarmName": "a", "NewStateValue": "ALARM", "Trigger": "cpu"}, "the alarm's Trigger must be a JSON object"),
])
def test_a_malformed_field_is_a_clear_error(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(BadEvent, match=message):
        normalise(payload)
