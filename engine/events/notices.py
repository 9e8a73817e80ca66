"""AWS notifications that are not EventBridge events, reshaped into the EventBridge event they stand for.

CloudWatch alarms (SNS message, direct Lambda action), RDS events through SNS, Auto Scaling
notifications and lifecycle hooks (SNS or SQS). Each becomes the event EventBridge would have sent
for the same change, so one pattern matches it whichever way it came. Nothing is invented: a field
the notification does not carry is left out.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shiftwork.engine.errors import UsageError

ALARM_SOURCE = "aws.cloudwatch"
ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change"
ASG_TEST = "autoscaling:TEST_NOTIFICATION"
ASG_DETAIL_TYPES = {
    "autoscaling:EC2_INSTANCE_LAUNCH": "EC2 Instance Launch Successful",
    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR": "EC2 Instance Launch Unsuccessful",
    "autoscaling:EC2_INSTANCE_TERMINATE": "EC2 Instance Terminate Successful",
    "autoscaling:EC2_INSTANCE_TERMINATE_ERROR": "EC2 Instance Terminate Unsuccessful",
}
LIFECYCLE_DETAIL_TYPES = {
    "autoscaling:EC2_INSTANCE_LAUNCHING": "EC2 Instance-launch Lifecycle Action",
    "autoscaling:EC2_INSTANCE_TERMINATING": "EC2 Instance-terminate Lifecycle Action",
}
RDS_SOURCES = {  # SNS "Event Source" -> (EventBridge detail-type, detail.SourceType)
    "db-instance": ("RDS DB Instance Event", "DB_INSTANCE"),
    "db-cluster": ("RDS DB Cluster Event", "CLUSTER"),
    "db-snapshot": ("RDS DB Snapshot Event", "SNAPSHOT"),
    "db-cluster-snapshot": ("RDS DB Cluster Snapshot Event", "CLUSTER_SNAPSHOT"),
    "db-parameter-group": ("RDS DB Parameter Group Event", "DB_PARAMETER_GROUP"),
    "db-security-group": ("RDS DB Security Group Event", "SECURITY_GROUP"),
    "db-proxy": ("RDS DB Proxy Event", "DB_PROXY"),
}


class BadEvent(UsageError):
    """An event the dispatcher cannot read."""


class Ignored(Exception):
    """A notification that is understood and needs no action (an Auto Scaling test notification)."""


def arn_part(arn: Any, index: int) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[index] if len(parts) > 5 and parts[index] else None


def _need(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        shown = {"dict": "a JSON object", "str": "a string", "list": "a list"}
        raise BadEvent(f"{what} must be {shown.get(names, names)}, not {type(value).__name__} {value!r:.60}")
    return value


def _event(source: str, detail_type: str, *, time: Any, account: Any, region: Any, resources: list[Any],
           detail: dict[str, Any], id: Any = None) -> dict[str, Any]:
    event = {"version": "0", "id": id, "detail-type": detail_type, "source": source, "account": account,
             "time": time, "region": region, "resources": [r for r in resources if r], "detail": detail}
    return {k: v for k, v in event.items() if v is not None}


# -- CloudWatch alarms ------------------------------------------------------------------------------------------
def direct_alarm(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A CloudWatch alarm invoking the Lambda directly: `alarmData` is already the EventBridge detail."""
    data = _need(payload["alarmData"], dict, "alarmData")
    state = _need(data.get("state"), dict, "alarmData.state")
    _need(state.get("value"), str, "alarmData.state.value")
    arn = payload.get("alarmArn")
    return _event(ALARM_SOURCE, ALARM_DETAIL_TYPE, time=payload.get("time"),
                  account=payload.get("accountId") or arn_part(arn, 4),
                  region=payload.get("region") or arn_part(arn, 3), resources=[arn], detail=dict(data))


def _dimensions(items: Any, what: str) -> dict[str, Any]:
    return {d.get("name") or d.get("Name"): d.get("value", d.get("Value"))
            for d in _need(items or [], list, what) if isinstance(d, dict)}


def _metric_stat(stat: Mapping[str, Any], what: str) -> dict[str, Any]:
    metric = _need(stat.get("Metric") or {}, dict, f"{what}.Metric")
    out = {"metric": {"namespace": metric.get("Namespace"), "name": metric.get("MetricName"),
                      "dimensions": _dimensions(metric.get("Dimensions"), f"{what}.Metric.Dimensions")},
           "period": stat.get("Period"), "stat": stat.get("Stat")}
    return {k: v for k, v in out.items() if v is not None}


def _configuration(msg: Mapping[str, Any]) -> dict[str, Any]:
    """The SNS message's `Trigger` (or a composite alarm's rule) as EventBridge's detail.configuration."""
    config: dict[str, Any] = {}
    if msg.get("AlarmDescription") is not None:
        config["description"] = msg["AlarmDescription"]
    if msg.get("AlarmRule") is not None:  # a composite alarm
        config["alarmRule"] = msg["AlarmRule"]
    trigger = msg.get("Trigger")
    if trigger is None:
        return config
    trigger = _need(trigger, dict, "the alarm's Trigger")
    if "Metrics" in trigger:  # metric math
        metrics = []
        for i, m in enumerate(_need(trigger["Metrics"], list, "Trigger.Metrics")):
            m = _need(m, dict, f"Trigger.Metrics[{i}]")
            item = {"id": m.get("Id"), "expression": m.get("Expression"), "label": m.get("Label"),
                    "returnData": m.get("ReturnData")}
            if m.get("MetricStat") is not None:
                item["metricStat"] = _metric_stat(_need(m["MetricStat"], dict, f"Trigger.Metrics[{i}].MetricStat"),
                                                  f"Trigger.Metrics[{i}].MetricStat")
            metrics.append({k: v for k, v in item.items() if v is not None})
    else:
        stat = {"Metric": {"Namespace": trigger.get("Namespace"), "MetricName": trigger.get("MetricName"),
                           "Dimensions": trigger.get("Dimensions")},
                "Period": trigger.get("Period"), "Stat": trigger.get("ExtendedStatistic") or _stat(trigger)}
        metrics = [{"metricStat": _metric_stat(stat, "Trigger"), "returnData": True}]
    config["metrics"] = metrics
    return config


def _stat(trigger: Mapping[str, Any]) -> str | None:
    """SNS writes the statistic upper-case (AVERAGE); EventBridge and the API write Average."""
    text = trigger.get("Statistic")
    names = {"SAMPLE_COUNT": "SampleCount", "AVERAGE": "Average", "SUM": "Sum", "MINIMUM": "Minimum",
             "MAXIMUM": "Maximum"}
    return names.get(text, text) if isinstance(text, str) else None


def sns_alarm(msg: Mapping[str, Any]) -> dict[str, Any]:
    """A CloudWatch alarm's SNS message, reshaped like its EventBridge state-change event."""
    _need(msg["NewStateValue"], str, "NewStateValue")
    arn = msg.get("AlarmArn")
    detail = {"alarmName": msg.get("AlarmName"),
              "state": {"value": msg["NewStateValue"], "reason": msg.get("NewStateReason"),
                        "timestamp": msg.get("StateChangeTime")},
              "previousState": {"value": msg.get("OldStateValue")},
              "configuration": _configuration(msg)}
    detail["state"] = {k: v for k, v in detail["state"].items() if v is not None}
    # msg["Region"] is a display name ("EU (Ireland)"); the ARN has the real region code.
    return _event(ALARM_SOURCE, ALARM_DETAIL_TYPE, time=msg.get("StateChangeTime"),
                  account=msg.get("AWSAccountId") or arn_part(arn, 4), region=arn_part(arn, 3), resources=[arn],
                  detail=detail)


# -- RDS through SNS -------------------------------------------------------------------------------------------
def sns_rds(msg: Mapping[str, Any], region: str | None, account: str | None) -> dict[str, Any]:
    """An RDS event notification (SNS) as the EventBridge "RDS DB ... Event" it mirrors."""
    kind = msg["Event Source"]
    if kind not in RDS_SOURCES:
        raise BadEvent(f"an RDS notification from an unknown 'Event Source' {kind!r}")
    detail_type, source_type = RDS_SOURCES[kind]
    arn = msg.get("Source ARN")
    event_id = msg.get("Event ID")
    detail = {"SourceType": source_type, "SourceArn": arn, "Date": _rds_time(msg.get("Event Time"), exact=True),
              "Message": msg.get("Event Message"), "SourceIdentifier": msg.get("Source ID"),
              "EventID": event_id.rsplit("#", 1)[-1] if isinstance(event_id, str) else None, "Tags": msg.get("Tags")}
    # The topic's region and account are the database's: an RDS event subscription is regional.
    return _event("aws.rds", detail_type, time=_rds_time(msg.get("Event Time")), account=arn_part(arn, 4) or account,
                  region=arn_part(arn, 3) or region, resources=[arn],
                  detail={k: v for k, v in detail.items() if v is not None})


def _rds_time(text: Any, exact: bool = False) -> Any:
    """RDS writes "2026-12-21 19:00:41.123" (UTC, no zone); EventBridge's `time` is ISO 8601 to the second with Z,
    its detail.Date keeps the milliseconds."""
    if isinstance(text, str) and len(text) >= 19 and text[10] == " ":
        return text[:10] + "T" + (text[11:] if exact else text[11:19]) + "Z"
    return text


# -- Auto Scaling ----------------------------------------------------------------------------------------------
def autoscaling(msg: Mapping[str, Any], region: str | None) -> dict[str, Any]:
    """Auto Scaling's SNS notifications and lifecycle-hook messages; its test notification is Ignored."""
    if msg.get("Event") == ASG_TEST:
        raise Ignored(f"Auto Scaling test notification for group {msg.get('AutoScalingGroupName')!r}: "
                      "acknowledged, nothing to do")
    arn = msg.get("AutoScalingGroupARN")
    region = arn_part(arn, 3) or region
    if "LifecycleTransition" in msg:
        transition = msg["LifecycleTransition"]
        if transition not in LIFECYCLE_DETAIL_TYPES:
            raise BadEvent(f"an Auto Scaling lifecycle message with an unknown LifecycleTransition {transition!r}")
        keep = ("LifecycleActionToken", "AutoScalingGroupName", "LifecycleHookName", "EC2InstanceId",
                "LifecycleTransition", "NotificationMetadata", "Origin", "Destination")
        return _event("aws.autoscaling", LIFECYCLE_DETAIL_TYPES[transition], time=msg.get("Time"),
                      account=msg.get("AccountId"), region=region, resources=[arn],
                      detail={k: msg[k] for k in keep if k in msg})
    kind = msg.get("Event")
    if kind not in ASG_DETAIL_TYPES:
        raise BadEvent(f"an Auto Scaling notification with an unknown Event {kind!r}")
    drop = ("Event", "Service", "AccountId", "Time", "AutoScalingGroupARN")
    return _event("aws.autoscaling", ASG_DETAIL_TYPES[kind], time=msg.get("Time"), account=msg.get("AccountId"),
                  region=region, resources=[arn], detail={k: v for k, v in msg.items() if k not in drop})


def reshape(msg: Mapping[str, Any], region: str | None, account: str | None = None) -> dict[str, Any] | None:
    """The EventBridge event a known AWS notification stands for; None when it is none of them."""
    try:
        if "alarmData" in msg:
            return direct_alarm(msg)
        if "AlarmName" in msg and "NewStateValue" in msg:
            return sns_alarm(msg)
        if "Event Source" in msg and "Event ID" in msg:
            return sns_rds(msg, region, account)
        if msg.get("Service") == "AWS Auto Scaling" or msg.get("Event") == ASG_TEST:
            return autoscaling(msg, region)
    except (KeyError, TypeError, AttributeError) as exc:  # a field of the wrong shape: say which, no traceback
        raise BadEvent(f"a malformed notification ({type(exc).__name__}: {exc})") from None
    return None
