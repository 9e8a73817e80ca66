"""The dispatcher's own resources: function, role, log group, state table, fan-out queue, DLQ, alarms.

These do not depend on the rules (only the role's `rules` policy does), so their logical IDs are
fixed names and never change when rules are added or removed.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .cfn import NO_VALUE, allow, get_att, if_, policy_document, ref, service_trust
from .layout import (ENV_HOLIDAYS, ENV_MODELS, ENV_QUEUE_URL, ENV_RULES, ENV_TABLE, HANDLER, HOLIDAYS_FILE, MODELS_DIR,
                     RULES_DIR, task_path)
from .options import TemplateOptions
from .policy import QUEUE_ACTIONS, STATE_ACTIONS

FUNCTION, ROLE, LOG_GROUP = "Function", "FunctionRole", "FunctionLogGroup"
TABLE, QUEUE, DLQ, MAPPING = "StateTable", "FanOutQueue", "DeadLetterQueue", "FanOutMapping"
INVOKE_CONFIG = "FunctionInvokeConfig"
ERRORS_ALARM, DLQ_ALARM = "FunctionErrorsAlarm", "DeadLetterAlarm"
HAS_ALARM_TOPIC = "HasAlarmTopic"
TIMEOUTS_MAP = "FunctionTimeouts"

# engine/dispatch/state.py DynamoState: partition key `pk` (a string), TTL attribute `expires` (epoch seconds).
STATE_KEY, STATE_TTL = "pk", "expires"
SHARD_RETENTION_S = 86_400  # a shard message is about one tick; older than a day it is only noise
DLQ_RETENTION_S = 1_209_600  # 14 days (the SQS maximum): time to look at what failed
MAX_RECEIVES = 5
ASYNC_RETRIES = 2  # Lambda's own retries of a failed tick or event before it goes to the DLQ
ASYNC_MAX_AGE_S = 3_600
# Stateful resources go with the stack: the state rebuilds itself (windows reconcile, cron looks back
# `catch_up`), and a retained log group would block the next stack that names it.
_DELETE = {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}


def role(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The function's role: the rules' policy as given, and what the dispatcher itself needs."""
    runtime = policy_document(
        allow(["logs:CreateLogStream", "logs:PutLogEvents"], get_att(LOG_GROUP, "Arn"), "Logs"),
        allow(list(STATE_ACTIONS), get_att(TABLE, "Arn"), "State"),
        allow(list(QUEUE_ACTIONS), get_att(QUEUE, "Arn"), "FanOut"),
        allow(["sqs:SendMessage"], get_att(DLQ, "Arn"), "FailedInvocations"),
    )
    policies = [{"PolicyName": "dispatcher", "PolicyDocument": runtime}]
    if policy.get("Statement"):
        policies.insert(0, {"PolicyName": "rules", "PolicyDocument": dict(policy)})
    return {"Type": "AWS::IAM::Role", "Properties": {
        "Description": "shiftwork dispatcher: what the rules need, plus its logs, state table and queues",
        "AssumeRolePolicyDocument": service_trust("lambda.amazonaws.com"),
        "Policies": policies,
    }}


def log_group(options: TemplateOptions) -> dict[str, Any]:
    return {"Type": "AWS::Logs::LogGroup", **_DELETE,
            "Properties": {"LogGroupName": options.log_group_name, "RetentionInDays": ref("LogRetentionDays")}}


def function(options: TemplateOptions) -> dict[str, Any]:
    env = {ENV_RULES: task_path(RULES_DIR), ENV_HOLIDAYS: task_path(HOLIDAYS_FILE), ENV_MODELS: task_path(MODELS_DIR),
           ENV_TABLE: ref(TABLE), ENV_QUEUE_URL: ref(QUEUE)}
    return {"Type": "AWS::Lambda::Function", "DependsOn": [LOG_GROUP], "Properties": {
        "FunctionName": options.function_name,
        "Description": "shiftwork dispatcher: evaluates every rule on each tick and event",
        "Handler": HANDLER,
        "Runtime": ref("Runtime"),
        "Architectures": [ref("Architecture")],
        "MemorySize": ref("FunctionMemory"),
        "Timeout": _timeouts("Timeout"),
        "Code": {"S3Bucket": ref("CodeBucket"), "S3Key": ref("CodeKey")},
        "Role": get_att(ROLE, "Arn"),
        "Environment": {"Variables": env},
    }}


def invoke_config() -> dict[str, Any]:
    """Ticks and events are asynchronous invocations: after Lambda's retries, keep the failure in the DLQ."""
    return {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
        "FunctionName": ref(FUNCTION), "Qualifier": "$LATEST",
        "MaximumRetryAttempts": ASYNC_RETRIES, "MaximumEventAgeInSeconds": ASYNC_MAX_AGE_S,
        "DestinationConfig": {"OnFailure": {"Destination": get_att(DLQ, "Arn")}},
    }}


def table() -> dict[str, Any]:
    return {"Type": "AWS::DynamoDB::Table", **_DELETE,
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": STATE_KEY, "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": STATE_KEY, "KeyType": "HASH"}],
                "TimeToLiveSpecification": {"AttributeName": STATE_TTL, "Enabled": True},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            }}


def queues() -> dict[str, dict[str, Any]]:
    return {
        QUEUE: {"Type": "AWS::SQS::Queue", **_DELETE, "Properties": {
            "VisibilityTimeout": _timeouts("QueueVisibilityTimeout"),
            "MessageRetentionPeriod": SHARD_RETENTION_S,
            "SqsManagedSseEnabled": True,
            "RedrivePolicy": {"deadLetterTargetArn": get_att(DLQ, "Arn"), "maxReceiveCount": MAX_RECEIVES},
        }},
        DLQ: {"Type": "AWS::SQS::Queue", **_DELETE, "Properties": {
            "MessageRetentionPeriod": DLQ_RETENTION_S, "SqsManagedSseEnabled": True}},
    }


def event_source_mapping(options: TemplateOptions) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
        "EventSourceArn": get_att(QUEUE, "Arn"),
        "FunctionName": ref(FUNCTION),
        "BatchSize": options.shard_batch_size,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    }}


def alarms() -> dict[str, dict[str, Any]]:
    actions = if_(HAS_ALARM_TOPIC, [ref("AlarmTopicArn")], NO_VALUE)
    common = {"Period": 300, "EvaluationPeriods": 1, "Threshold": 1,
              "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
              "AlarmActions": actions, "OKActions": actions}
    return {
        ERRORS_ALARM: {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": "shiftwork: a dispatcher invocation failed (a rule failed, or the rules did not load)",
            "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum",
            "Dimensions": [{"Name": "FunctionName", "Value": ref(FUNCTION)}], **common}},
        DLQ_ALARM: {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": "shiftwork: a tick, event or shard message failed every retry and is in the DLQ",
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible", "Statistic": "Maximum",
            "Dimensions": [{"Name": "QueueName", "Value": get_att(DLQ, "QueueName")}], **common}},
    }


def _timeouts(key: str) -> dict[str, Any]:
    """The function's timeout, or the queue visibility timeout that goes with it (template Mappings)."""
    return {"Fn::FindInMap": [TIMEOUTS_MAP, ref("FunctionTimeout"), key]}
