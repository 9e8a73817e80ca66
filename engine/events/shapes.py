"""Events in every shape the dispatcher receives, normalised to EventBridge's shape, each with its identity.

Shapes: EventBridge events (`detail` may be a JSON string, as EventBridge Scheduler sends it);
Scheduler inputs (shiftwork's tick with the scheduled time, or `{}`: a tick at the clock); AWS
notifications that are not EventBridge events (alarms through SNS or a direct Lambda action, RDS
events through SNS, Auto Scaling notifications and lifecycle hooks: engine/events/notices.py); SNS
and SQS record batches wrapping any of these (SQS may wrap SNS wrap JSON), where one unreadable
record is reported on its own and never stops the others.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from shiftwork.engine.events.notices import ALARM_DETAIL_TYPE, ALARM_SOURCE, BadEvent, Ignored, arn_part, reshape

__all__ = ["ALARM_DETAIL_TYPE", "ALARM_SOURCE", "BadEvent", "Delivery", "deliveries", "event_key", "normalise"]
MAX_WRAPPING = 4  # SQS(SNS(JSON)) is three levels; more is a loop or garbage
UNRECOGNISED = ("unrecognised event: expected an EventBridge event, an SNS or SQS record batch, "
                "a CloudWatch alarm notification or a shiftwork tick")


@dataclass(frozen=True)
class Delivery:
    """One record of an invocation: its event, or why there is none (ignored on purpose, or unreadable)."""

    event: dict[str, Any] | None
    record: str = ""  # which record of a batch ("" for a single event)
    note: str | None = None  # understood, nothing to do (a test notification), or how it was read
    error: str | None = None  # unrecognised or malformed: reported, never fails its neighbours


def _json(text: Any, what: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadEvent(f"{what} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


@dataclass(frozen=True)
class _Envelope:
    """What the wrappers around an event tell about it: a delivery id, a region and an account."""

    id: str | None = None
    region: str | None = None
    account: str | None = None

    def inner(self, id: Any = None, region: Any = None, arn: Any = None) -> "_Envelope":
        return _Envelope(id if isinstance(id, str) and id else self.id, region or arn_part(arn, 3) or self.region,
                         arn_part(arn, 4) or self.account)


def _records(event: dict[str, Any], env: _Envelope, depth: int) -> list[Delivery]:
    out: list[Delivery] = []
    for i, record in enumerate(event["Records"]):
        label = f"record {i + 1}"
        if isinstance(record, dict) and isinstance(record.get("messageId"), str):
            label += f" (messageId {record['messageId']})"
        try:
            found = _record(record, env, depth)
        except BadEvent as exc:
            out.append(Delivery(None, label, error=str(exc)))
            continue
        out.extend(Delivery(d.event, label + (f" > {d.record}" if d.record else ""), d.note, d.error)
                   for d in found)
    return out


def _record(record: Any, env: _Envelope, depth: int) -> list[Delivery]:
    source = (record.get("EventSource") or record.get("eventSource")) if isinstance(record, dict) else None
    if source == "aws:sns" and isinstance(record.get("Sns"), dict) and "Message" in record["Sns"]:
        sns = record["Sns"]
        return _deliver(sns["Message"], env.inner(sns.get("MessageId"), arn=sns.get("TopicArn")), depth + 1)
    if source == "aws:sqs" and "body" in record:
        return _deliver(record["body"], env.inner(record.get("messageId"), record.get("awsRegion"),
                                                  record.get("eventSourceARN")), depth + 1)
    if source in ("aws:sns", "aws:sqs"):
        raise BadEvent(f"an {source} record without its {'Sns.Message' if source == 'aws:sns' else 'body'}")
    if source is None:
        raise BadEvent("a 'Records' entry without an eventSource (expected aws:sns or aws:sqs records)")
    raise BadEvent(f"unsupported record source {source!r} (expected aws:sns or aws:sqs)")


def _deliver(raw: Any, env: _Envelope, depth: int) -> list[Delivery]:
    """Every delivery inside `raw`; problems of a batch's records are kept per record."""
    if depth > MAX_WRAPPING:
        raise BadEvent("event is wrapped too deeply (SQS/SNS envelopes nest more than 4 levels)")
    event = _json(raw, "event")
    if not isinstance(event, dict):
        raise BadEvent(f"event must be a JSON object, not {type(event).__name__}")
    if isinstance(event.get("Records"), list):
        return _records(event, env, depth)
    if event.get("Type") == "Notification" and "Message" in event:  # an SNS envelope (through SQS)
        return _deliver(event["Message"], env.inner(event.get("MessageId"), arn=event.get("TopicArn")), depth + 1)
    if event == {}:  # a Scheduler schedule whose Input is {}: a tick, at the clock
        return [Delivery({"shiftwork": "tick"}, note="an empty Scheduler input: a tick at the dispatcher's clock "
                                                     "(configure the Input with <aws.scheduler.scheduled-time>)")]
    if event.get("shiftwork") in ("tick", "shard"):
        event = dict(event)
        if "time" not in event and "scheduled_time" in event:  # Scheduler's Input names it either way
            event["time"] = event["scheduled_time"]
        event_time(event)  # an unreadable time is this record's error, not the batch's
        return [Delivery(event)]
    try:
        reshaped = reshape(event, env.region, env.account)
    except Ignored as why:
        return [Delivery(None, note=str(why))]
    if reshaped is None and "detail" in event and "source" in event:
        reshaped = dict(event)
        reshaped["detail"] = _json(event["detail"], "event detail") or {}
    if reshaped is None:
        raise BadEvent(UNRECOGNISED)
    event_time(reshaped)  # an unreadable time is this record's error, not the batch's
    if env.id and not reshaped.get("id"):
        reshaped["id"] = env.id  # an SNS MessageId (or SQS messageId) is this delivery's identity
    return [Delivery(reshaped)]


def deliveries(raw: Any) -> list[Delivery]:
    """Every delivery in an invocation. A single event that cannot be read raises BadEvent; a batch's
    unreadable record is a Delivery with `error`, so its neighbours still run."""
    return _deliver(raw, _Envelope(), 0)


def normalise(event: Any) -> list[dict[str, Any]]:
    """Every EventBridge-shaped event inside `event`; any unreadable record raises (for `plan --event`)."""
    out = []
    for d in deliveries(event):
        if d.error:
            raise BadEvent(f"{d.record}: {d.error}" if d.record else d.error)
        if d.event is not None:
            out.append(d.event)
    return out


def event_key(event: Mapping[str, Any]) -> str:
    """The event's own identity, for idempotency: its id (EventBridge `id`, else the SNS/SQS message id it came
    in), for a direct alarm action the alarm ARN + new state + state timestamp. Two transitions of one alarm
    differ; one delivery repeated does not."""
    if event.get("id"):
        return f"id:{event['id']}"
    detail = event.get("detail") if isinstance(event.get("detail"), Mapping) else {}
    state = detail.get("state") if isinstance(detail.get("state"), Mapping) else {}
    resources = event.get("resources") or []
    if event.get("source") == ALARM_SOURCE and state.get("timestamp") and resources:
        return f"alarm:{resources[0]}:{state.get('value')}:{state['timestamp']}"
    # No identity at all (a hand-made event): the whole of it, so two different events never collide.
    text = json.dumps(event, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


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
