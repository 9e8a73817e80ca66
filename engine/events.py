"""Events in every shape the dispatcher receives, normalised; and EventBridge pattern matching.

Shapes: EventBridge events (`detail` may be a JSON string, as EventBridge Scheduler sends it),
SNS notifications of CloudWatch alarms (with a display region such as "EU (Ireland)"), direct
alarm-action invocations (`alarmData`), SQS records wrapping any of these (SQS may wrap SNS
wrap JSON), and shiftwork's own tick and shard messages.
"""
from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from typing import Any

from engine.errors import UsageError

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


# -- EventBridge pattern matching ------------------------------------------------------------------------------
_MISSING = object()


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when `event` matches the EventBridge `pattern` (every field; any value in each list)."""
    for key, want in pattern.items():
        if key == "$or":
            if not any(matches(p, event) for p in want):
                return False
            continue
        have = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(want, Mapping):
            if not isinstance(have, Mapping) or not matches(want, have):
                return False
        elif not _match_values(want, have):
            return False
    return True


def _match_values(wanted: list[Any], have: Any) -> bool:
    values = have if isinstance(have, list) else [have]
    for item in wanted:
        if isinstance(item, Mapping) and "exists" in item:
            if (have is not _MISSING) == bool(item["exists"]):
                return True
            continue
        if have is _MISSING:
            continue
        if isinstance(item, Mapping) and "anything-but" in item:
            if all(_anything_but(item["anything-but"], v) for v in values):
                return True
            continue
        if any(_match_one(item, v) for v in values):
            return True
    return False


def _anything_but(rule: Any, value: Any) -> bool:
    if isinstance(rule, Mapping):
        return not any(_match_one({k: v}, value) for k, v in rule.items())
    rules = rule if isinstance(rule, list) else [rule]
    return value not in rules


def _match_one(item: Any, value: Any) -> bool:
    if not isinstance(item, Mapping):
        return item == value and isinstance(item, bool) == isinstance(value, bool)
    (op, arg), = item.items()
    if op == "prefix":
        if isinstance(arg, Mapping):
            return isinstance(value, str) and value.lower().startswith(str(arg["equals-ignore-case"]).lower())
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        if isinstance(arg, Mapping):
            return isinstance(value, str) and value.lower().endswith(str(arg["equals-ignore-case"]).lower())
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(arg).lower()
    if op == "wildcard":
        return isinstance(value, str) and fnmatchcase(value, re.sub(r"[\[\]?]", lambda m: f"[{m.group(0)}]", arg))
    if op == "numeric":
        return _numeric(arg, value)
    if op == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
        except (TypeError, ValueError):
            return False
    raise BadEvent(f"unsupported EventBridge pattern operator {op!r}")


_OPS = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _numeric(conditions: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    pairs = zip(conditions[::2], conditions[1::2])
    return all(_OPS[op](value, bound) for op, bound in pairs)
