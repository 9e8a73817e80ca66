from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shiftwork.engine.events.patterns import matches
from shiftwork.engine.events.shapes import BadEvent, event_time, is_tick, normalise
from shiftwork.engine.language.model import AlarmTrigger
from shiftwork.engine.errors import Loc

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"
ALARM = AlarmTrigger("api-cpu-high", "ALARM", Loc("x")).pattern()


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("name", ["eventbridge-alarm.json", "sns-alarm.json", "direct-alarm-action.json",
                                  "sqs-sns-alarm.json"])
def test_every_alarm_shape_normalises_to_one_matching_event(name: str) -> None:
    events = normalise(load(name))
    assert len(events) == 1
    event = events[0]
    assert event["region"] == "eu-west-1"  # never SNS's display name "EU (Ireland)"
    assert event["detail"]["alarmName"] == "api-cpu-high"
    assert event["detail"]["state"]["value"] == "ALARM"
    assert matches(ALARM, event)
    assert not matches(AlarmTrigger("api-cpu-high", "OK", Loc("x")).pattern(), event)
    assert event_time(event) == datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)


def test_scheduler_detail_string_is_parsed_and_the_tick_floored() -> None:
    (event,) = normalise(load("scheduler-tick.json"))
    assert event["detail"] == {}
    assert is_tick(event)
    assert event_time(event) == datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)


def test_alarm_name_glob() -> None:
    (event,) = normalise(load("eventbridge-alarm.json"))
    assert matches(AlarmTrigger("api-*", "ALARM", Loc("x")).pattern(), event)
    assert not matches(AlarmTrigger("db-*", "ALARM", Loc("x")).pattern(), event)


@pytest.mark.parametrize("pattern,expected", [
    ({"detail": {"severity": [{"numeric": [">=", 2]}]}}, True),
    ({"detail": {"severity": [{"numeric": [">", 2, "<", 5]}]}}, False),
    ({"detail": {"service": [{"prefix": "web"}]}}, True),
    ({"detail": {"service": [{"suffix": "checkout"}]}}, True),
    ({"detail": {"service": [{"anything-but": ["web-checkout"]}]}}, False),
    ({"detail": {"service": [{"anything-but": {"prefix": "db"}}]}}, True),
    ({"detail": {"owner": [{"exists": False}]}}, True),
    ({"detail": {"owner": [{"exists": True}]}}, False),
    ({"detail": {"title": [{"equals-ignore-case": "CHECKOUT LATENCY"}]}}, True),
    ({"detail": {"service": [{"wildcard": "web-*out"}]}}, True),
    ({"detail": {"severity": ["2"]}}, False),  # a string never equals a number
    ({"source": ["acme.incidents"], "detail-type": ["Incident Declared", "Incident Resolved"]}, True),
    ({"detail": {"title": {"nested": ["x"]}}}, False),
    ({"$or": [{"detail": {"severity": [5]}}, {"detail": {"service": ["web-checkout"]}}]}, True),
])
def test_eventbridge_pattern_operators(pattern: dict, expected: bool) -> None:
    assert matches(pattern, load("incident-declared.json")) is expected


@pytest.mark.parametrize("event,message", [
    ("not json", "event is not JSON"),
    ([1, 2], "event must be a JSON object"),
    ({"hello": "world"}, "unrecognised event"),
    ({"Records": [{"eventSource": "aws:s3"}]}, "unsupported record source 'aws:s3'"),
    ({"Records": [{"body": "{}"}]}, "a 'Records' entry without an eventSource"),
    ({"Records": [7]}, "a 'Records' entry without an eventSource"),
    ({"Records": [{"EventSource": "aws:sns", "Sns": {}}]}, "an aws:sns record without its Sns.Message"),
    ({"Records": [{"eventSource": "aws:sqs"}]}, "an aws:sqs record without its body"),
])
def test_unreadable_events_say_why(event: object, message: str) -> None:
    with pytest.raises(BadEvent, match=message):
        normalise(event)


def test_a_miss_is_explained_down_to_the_leaf() -> None:
    from shiftwork.engine.events.patterns import explain
    from shiftwork.engine.language.patterns import compiled

    event = {"source": "aws.cloudwatch", "detail": {"configuration": {"metrics": [
        {"metricStat": {"metric": {"namespace": "AWS/ECS"}}}, {"metricStat": {"metric": {"namespace": "AWS/SQS"}}}]}}}
    pattern = compiled({"detail": {"configuration": {"metrics": {"metricStat": {"metric": {"namespace": ["AWS/EC2"]}}}}}})
    assert explain(pattern, event) == (
        'detail.configuration.metrics: none of its 2 elements matches (the first: detail.configuration.metrics[0]'
        '.metricStat.metric.namespace: wanted ["AWS/EC2"], event has "AWS/ECS")')
    assert explain(compiled({"detail": {"owner": [{"exists": True}]}}), event) == (
        'detail.owner: wanted [{"exists": true}], event has no such field')
    assert explain(compiled({"source": ["aws.cloudwatch"]}), event) is None
