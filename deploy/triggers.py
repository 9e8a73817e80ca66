"""What invokes the dispatcher: the tick, and one EventBridge rule per event or alarm rule.

Per-rule resources take their logical IDs from the rule's name alone (deploy.logical_ids), so a
deploy that removes a rule removes exactly that rule's EventBridge rule and permission, and
touches nothing else.
"""
from __future__ import annotations

import json
from typing import Any

from .cfn import allow, get_att, policy_document, ref, service_trust, sub
from .core import DLQ, FUNCTION
from .logical_ids import logical_id
from .rules_view import RuleView

SCHEDULE, SCHEDULE_ROLE = "TickSchedule", "TickScheduleRole"
TICK_RULE, TICK_PERMISSION = "TickRule", "TickPermission"
# The dispatcher reads a tick's time from `time` (engine/events.py event_time): the schedule's own
# scheduled time, never the wall clock at delivery.
TICK_INPUT = json.dumps({"shiftwork": "tick", "time": "<aws.scheduler.scheduled-time>"}, sort_keys=True)
SCHEDULE_RETRIES = 3
SCHEDULE_MAX_AGE_S = 900


def scheduler_tick() -> dict[str, dict[str, Any]]:
    """An EventBridge Scheduler schedule: its input carries the scheduled time; failures go to the DLQ."""
    invoke = allow(["lambda:InvokeFunction"], [get_att(FUNCTION, "Arn"), sub("${Function.Arn}:*")], "Invoke")
    dead_letter = allow(["sqs:SendMessage"], get_att(DLQ, "Arn"), "DeadLetter")
    return {
        SCHEDULE_ROLE: {"Type": "AWS::IAM::Role", "Properties": {
            "Description": "shiftwork tick: lets EventBridge Scheduler invoke the dispatcher",
            "AssumeRolePolicyDocument": service_trust("scheduler.amazonaws.com", source_account=True),
            "Policies": [{"PolicyName": "tick", "PolicyDocument": policy_document(invoke, dead_letter)}],
        }},
        SCHEDULE: {"Type": "AWS::Scheduler::Schedule", "Properties": {
            "Description": "shiftwork tick: evaluates every schedule and window rule",
            "ScheduleExpression": sub("rate(${TickRate})"),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "State": "ENABLED",
            "Target": {
                "Arn": get_att(FUNCTION, "Arn"),
                "RoleArn": get_att(SCHEDULE_ROLE, "Arn"),
                "Input": TICK_INPUT,
                "RetryPolicy": {"MaximumRetryAttempts": SCHEDULE_RETRIES,
                                "MaximumEventAgeInSeconds": SCHEDULE_MAX_AGE_S},
                "DeadLetterConfig": {"Arn": get_att(DLQ, "Arn")},
            },
        }},
    }


def eventbridge_tick() -> dict[str, dict[str, Any]]:
    """The fallback: a rate() rule; its `Scheduled Event` carries the scheduled `time` the dispatcher reads."""
    return {
        TICK_RULE: {"Type": "AWS::Events::Rule", "Properties": {
            "Description": "shiftwork tick: evaluates every schedule and window rule",
            "ScheduleExpression": sub("rate(${TickRate})"),
            "State": "ENABLED",
            "Targets": [{"Arn": get_att(FUNCTION, "Arn"), "Id": "dispatcher"}],
        }},
        TICK_PERMISSION: permission(TICK_RULE),
    }


def event_rule_ids(rule: RuleView) -> tuple[str, str]:
    """The logical IDs of a rule's EventBridge rule and its Lambda permission."""
    return logical_id("Event", rule.name, "Rule"), logical_id("Event", rule.name, "Permission")


def event_rule(rule: RuleView) -> dict[str, dict[str, Any]]:
    """The rule's own EventBridge rule, with its pattern as written (disabled rules: a disabled rule)."""
    if not rule.is_event or rule.pattern is None:
        raise ValueError(f"rule '{rule.name}' is not event-driven")
    rule_id, permission_id = event_rule_ids(rule)
    where = f" ({rule.location})" if rule.location else ""
    description = f"shiftwork rule '{rule.name}'{where}"
    return {
        rule_id: {"Type": "AWS::Events::Rule", "Properties": {
            "Description": description[:512],
            "EventPattern": rule.pattern,
            "State": "ENABLED" if rule.enabled else "DISABLED",
            "Targets": [{"Arn": get_att(FUNCTION, "Arn"), "Id": "dispatcher"}],
        }},
        permission_id: permission(rule_id),
    }


def permission(events_rule: str) -> dict[str, Any]:
    """Lets one EventBridge rule (and only it) invoke the dispatcher."""
    return {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction",
        "FunctionName": ref(FUNCTION),
        "Principal": "events.amazonaws.com",
        "SourceAccount": ref("AWS::AccountId"),
        "SourceArn": get_att(events_rule, "Arn"),
    }}
