"""Events in every shape the dispatcher receives, normalised to EventBridge's shape.

Shapes: EventBridge events (`detail` may be a JSON string, as EventBridge Scheduler sends it),
SNS notifications of CloudWatch alarms (with a display region such as "EU (Ireland)"), direct
alarm-action invocations (`alarmData`), SQS records wrapping any of these (SQS may wrap SNS
wrap JSON), and shiftwork's own tick and shard messages.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from shiftwork.engine.errors import UsageError

ALARM_SOURCE = "aws.cloudwatch"
ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change"
MAX_WRAPPING = 4  # SQS(SNS(JSON)) is three levels; more is a loop or garbage


class BadEvent(UsageError):
    """An event the dispatcher cannot read."""


def _json(text: Any, what: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadEvent(f"{what} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def _region_from_arn(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 5 and parts[3] else None


def _alarm_event(detail: Mapping[str, Any], *, arn: str | None, time: str | None, account: str | None,
                 region: str | None) -> dict[str, Any]:
    return {"source": ALARM_SOURCE, "detail-type": ALARM_DETAIL_TYPE, "time": time, "account": account,
            "region": region or _region_from_arn(arn), "resources": [arn] if arn else [], "detail": dict(detail)}


def _from_sns_alarm(msg: Mapping[str, Any]) -> dict[str, Any]:
    """A CloudWatch alarm's SNS message, reshaped like its EventBridge state-change event."""
    detail = {"alarmName": msg.get("AlarmName"),
              "state": {"value": msg.get("NewStateValue"), "reason": msg.get("NewStateReason")},
              "previousState": {"value": msg.get("OldStateValue")}}
    # msg["Region"] is a display name ("EU (Ireland)"); the ARN has the real region code.
    return _alarm_event(detail, arn=msg.get("AlarmArn"), time=msg.get("StateChangeTime"),
                        account=msg.get("AWSAccountId"), region=None)


def normalise(event: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Every EventBridge-shaped event inside `event` (a batch may hold several)."""
    if depth > MAX_WRAPPING:
        raise BadEvent("event is wrapped too deeply (SQS/SNS envelopes nest more than 4 levels)")
    event = _json(event, "event")
    if not isinstance(event, dict):
        raise BadEvent(f"event must be a JSON object, not {type(event).__name__}")
    if isinstance(event.get("Records"), list):
        out: list[dict[str, Any]] = []
        for record in event["Records"]:
            source = (record.get("EventSource") or record.get("eventSource")) if isinstance(record, dict) else None
            if source == "aws:sns" and isinstance(record.get("Sns"), dict) and "Message" in record["Sns"]:
                out.extend(normalise(record["Sns"]["Message"], depth + 1))
            elif source == "aws:sqs" and "body" in record:
                out.extend(normalise(record["body"], depth + 1))
            elif source in ("aws:sns", "aws:sqs"):
                raise BadEvent(f"an {source} record without its {'Sns.Message' if source == 'aws:sns' else 'body'}")
            elif source is None:
                raise BadEvent("a 'Records' entry without an eventSource (expected aws:sns or aws:sqs records)")
            else:
                raise BadEvent(f"unsupported record source {source!r} (expected aws:sns or aws:sqs)")
        return out
    if event.get("Type") == "Notification" and "Message" in event:  # an SNS envelope delivered through SQS
        return normalise(event["Message"], depth + 1)
    if "AlarmName" in event and "NewStateValue" in event:
        return [_from_sns_alarm(event)]
    if "alarmData" in event:  # a CloudWatch alarm invoking the Lambda directly
        return [_alarm_event(event["alarmData"], arn=event.get("alarmArn"), time=event.get("time"),
                             account=event.get("accountId"), region=event.get("region"))]
    if "detail" in event:
        event = dict(event)
        event["detail"] = _json(event["detail"], "event detail") or {}
        return [event]
    if event.get("shiftwork") in ("tick", "shard"):
        return [dict(event)]
    raise BadEvent("unrecognised event: expected an EventBridge event, an SNS or SQS record batch, "
                   "a CloudWatch alarm notification or a shiftwork tick")


def event_time(event: Mapping[str, Any]) -> datetime | None:
    """The event's own time, floored to the minute (ticks are reproducible from it)."""
    text = event.get("time")
    if not text:
        return None
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00").replace("+0000", "+00:00"))
    except ValueError:
        raise BadEvent(f"the event's time {text!r} is not an ISO 8601 time; write e.g. "
                       "\"time\": \"2026-12-21T19:00:00Z\"") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).replace(second=0, microsecond=0)


def is_tick(event: Mapping[str, Any]) -> bool:
    return event.get("shiftwork") == "tick" or (
        event.get("source") in ("aws.events", "aws.scheduler") and event.get("detail-type") == "Scheduled Event")
