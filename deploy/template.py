"""The CloudFormation template of a shiftwork stack, built from the rules as data.

`build_template` is pure: the same rules, policy and options give the same dict, so a deploy can
diff it, and a test can lint it. Values an operator may change without rebuilding (memory, timeout,
tick rate, where the code is) are Parameters; everything the rules decide is fixed in the template.

Limits to keep in mind (AWS quotas, not checked here): a template body sent inline may be 51,200
bytes (1 MB from S3); a stack holds 500 resources, and each event rule adds two; every
AWS::Lambda::Permission adds a statement to the function's resource policy, which is capped at 20 KB.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import core, triggers
from .cfn import get_att, ref
from .logical_ids import check_unique
from .member import build_member_template
from .options import (ARCHITECTURES, FUNCTION_TIMEOUTS, LOG_RETENTION_DAYS, TICK_RATE_PATTERN, VISIBILITY_FACTOR,
                      TemplateOptions)
from .rules_view import RulesView

__all__ = ["TemplateOptions", "build_template", "build_member_template", "rule_resources"]

MAX_RESOURCES = 500  # per stack
ALARM_TOPIC_PATTERN = r"^$|^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$"


def build_template(rules: RulesView, *, policy: Mapping[str, Any],
                   options: TemplateOptions | None = None) -> dict[str, Any]:
    """The stack for `rules`: dispatcher, tick, one EventBridge rule per event or alarm rule, state, queues."""
    options = options or TemplateOptions()
    _check_policy(policy)
    check_unique(r.name for r in rules.rules)
    resources: dict[str, Any] = {
        core.ROLE: core.role(policy),
        core.LOG_GROUP: core.log_group(options),
        core.FUNCTION: core.function(options),
        core.INVOKE_CONFIG: core.invoke_config(),
        core.TABLE: core.table(),
        **core.queues(),
        core.MAPPING: core.event_source_mapping(options),
        **core.alarms(),
        **(triggers.scheduler_tick() if options.tick == "scheduler" else triggers.eventbridge_tick()),
    }
    owned: dict[str, list[str]] = {}
    for rule in sorted(rules.rules, key=lambda r: r.name):
        own = triggers.event_rule(rule) if rule.is_event else {}
        clash = resources.keys() & own.keys()
        if clash:
            raise ValueError(f"rule '{rule.name}': logical ID {sorted(clash)[0]} is already in the template")
        resources.update(own)
        owned[rule.name] = sorted(own)
    if len(resources) > MAX_RESOURCES:
        raise ValueError(f"the stack would have {len(resources)} resources; CloudFormation allows {MAX_RESOURCES} "
                         "(each event or alarm rule adds 2): split the rules into several stacks")
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": options.description,
        "Metadata": {"shiftwork": {"template_version": 1, "rules": owned}},
        "Parameters": _parameters(options),
        "Mappings": {core.TIMEOUTS_MAP: {str(t): {"Timeout": t, "QueueVisibilityTimeout": t * VISIBILITY_FACTOR}
                                         for t in FUNCTION_TIMEOUTS}},
        "Conditions": {core.HAS_ALARM_TOPIC: {"Fn::Not": [{"Fn::Equals": [ref("AlarmTopicArn"), ""]}]}},
        "Resources": resources,
        "Outputs": _outputs(),
    }


def rule_resources(template: Mapping[str, Any], rule: str) -> list[str]:
    """The logical IDs that belong to one rule, as recorded in the template's metadata."""
    return list(template["Metadata"]["shiftwork"]["rules"].get(rule, []))


def _check_policy(policy: Mapping[str, Any]) -> None:
    statements = policy.get("Statement", [])
    if not isinstance(statements, list) or not all(isinstance(s, Mapping) for s in statements):
        raise ValueError("policy must be an IAM policy document: {'Version': '2012-10-17', 'Statement': [...]}")


def _parameters(options: TemplateOptions) -> dict[str, Any]:
    return {
        "FunctionMemory": {"Type": "Number", "Default": options.memory, "MinValue": 128, "MaxValue": 10240,
                           "Description": "Memory of the dispatcher function, in MB"},
        # A String looked up in the FunctionTimeouts mapping (Ref of a Number parameter is a string in
        # CloudFormation, but an int in moto, whose FindInMap then misses the string key).
        "FunctionTimeout": {"Type": "String", "Default": str(options.timeout),
                            "AllowedValues": [str(t) for t in FUNCTION_TIMEOUTS],
                            "Description": "Timeout of the dispatcher function, in seconds (the fan-out queue's "
                                           f"visibility timeout is {VISIBILITY_FACTOR} times this)"},
        "Architecture": {"Type": "String", "Default": options.arch, "AllowedValues": list(ARCHITECTURES),
                         "Description": "Must match the package: its compiled wheels are built for one architecture"},
        "Runtime": {"Type": "String", "Default": options.runtime, "AllowedValues": [options.runtime],
                    "Description": "The Python runtime the package's compiled wheels were built for"},
        "TickRate": {"Type": "String", "Default": options.tick_rate, "AllowedPattern": TICK_RATE_PATTERN,
                     "ConstraintDescription": "like '1 minute' or '5 minutes'",
                     "Description": "How often the dispatcher evaluates schedule and window rules"},
        "CodeBucket": {"Type": "String", "MinLength": 3, "Description": "S3 bucket holding the Lambda package"},
        "CodeKey": {"Type": "String", "MinLength": 1,
                    "Description": "S3 key of the Lambda package (name it by its SHA-256 so a new package updates "
                                   "the function)"},
        "LogRetentionDays": {"Type": "Number", "Default": options.log_retention_days,
                             "AllowedValues": list(LOG_RETENTION_DAYS),
                             "Description": "How long the dispatcher's logs are kept"},
        "AlarmTopicArn": {"Type": "String", "Default": "", "AllowedPattern": ALARM_TOPIC_PATTERN,
                          "ConstraintDescription": "empty, or an SNS topic ARN",
                          "Description": "SNS topic for the dispatcher's own alarms (empty: alarms without actions)"},
    }


def _outputs() -> dict[str, Any]:
    return {
        "FunctionArn": {"Description": "The dispatcher function", "Value": get_att(core.FUNCTION, "Arn")},
        "FunctionRoleArn": {"Description": "The dispatcher's role; member-account roles trust it",
                            "Value": get_att(core.ROLE, "Arn")},
        "StateTableName": {"Description": "The dispatcher's state table", "Value": ref(core.TABLE)},
        "FanOutQueueUrl": {"Description": "Shard messages of a fanned-out tick", "Value": ref(core.QUEUE)},
        "DeadLetterQueueUrl": {"Description": "Ticks, events and shards that failed every retry",
                               "Value": ref(core.DLQ)},
    }
