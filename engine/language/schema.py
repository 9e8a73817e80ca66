"""Assemble the rule language's JSON Schema (Draft 2020-12) from the registry.

Action options dispatch on `type` with if/then (the `if` requires `type`), never oneOf, so a
validator reports the real inner error. `rules/schema.json` is this output, never hand-edited.
"""
from __future__ import annotations

import json
from typing import Any

from shiftwork.engine.language.durations import PATTERN as DURATION_PATTERN
from shiftwork.engine.language.registry import Registry

LANGUAGE_VERSION = 1  # the `version:` every rule file states; the schema's const
SCHEMA_ID = "https://shiftwork.dev/schema/rules-v1.json"
NAME_PATTERN = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
REGION_PATTERN = "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$"
ACCOUNT_PATTERN = "^[0-9]{12}$"

MATCH_FIELDS: dict[str, dict[str, Any]] = {
    "tags": {
        "type": "object",
        "description": "Tag key -> value, list of values (globs), or null for any value. All keys must match.",
        "minProperties": 1,
        "additionalProperties": {"type": ["string", "array", "null"], "items": {"type": "string"}},
    },
    "ids": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1,
            "description": "Exact resource ids."},
    "names": {"type": ["array", "string"], "items": {"type": "string", "minLength": 1}, "minItems": 1,
              "description": "Names (globs such as 'api-*'); the Name tag for EC2."},
    "cluster": {"type": "string", "minLength": 1, "description": "ECS cluster name or ARN."},
    "all": {"const": True, "description": "Every resource of the type in the rule's regions and accounts: "
                                          "a rule without `match` is an error, so selecting all is said."},
}


def _duration(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": DURATION_PATTERN, "description": description}


def _string_list(description: str, item: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": ["array", "string"], "items": item or {"type": "string"}, "minItems": 1,
            "description": description}


def action_item_schema(registry: Registry) -> dict[str, Any]:
    names = sorted(registry.actions)
    branches: list[dict[str, Any]] = [
        {"if": {"type": "string"}, "then": {"enum": names}},
        {"if": {"type": "object"}, "then": {"required": ["type"], "properties": {"type": {"enum": names}}}},
    ]
    for name in names:
        spec = registry.actions[name]
        props = {"type": {"const": name}, **spec.options}
        then: dict[str, Any] = {"properties": props, "additionalProperties": False}
        if spec.required:
            then["required"] = list(spec.required)
        branches.append({"if": {"type": "object", "properties": {"type": {"const": name}}, "required": ["type"]},
                         "then": then})
    return {"type": ["string", "object"], "description": "An action name, or a mapping with `type` and options.",
            "allOf": branches}


def window_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "days": _string_list("Days: 'mon-fri', 'sun-thu', 'sat', or a list of names and ranges."),
            "hours": {"type": "string", "description": "'HH:MM-HH:MM', end exclusive; overnight when end < start."},
            "monthdays": {"type": ["array", "string", "integer"], "items": {"type": ["string", "integer"]},
                          "description": "Days of the month: 1-31, ranges such as '1-7', and 'L' for the last."},
            "months": _string_list("Months: 'jan-mar', 'dec', or a list."),
            "except": _string_list("Calendars whose days are removed from the window."),
        },
    }


def rule_schema(registry: Registry) -> dict[str, Any]:
    action_list = {"type": "array", "items": {"$ref": "#/$defs/action"}, "minItems": 1}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "resource", "actions"],
        "properties": {
            "name": {"type": "string", "pattern": NAME_PATTERN, "maxLength": 64,
                     "description": "Unique across all rule files: lower-case letters, digits and '-'."},
            "description": {"type": "string"},
            "resource": {"enum": sorted(registry.resources), "description": "The resource type the rule acts on."},
            "match": {"type": "object", "additionalProperties": False, "minProperties": 1,
                      "properties": MATCH_FIELDS},
            "on": {
                "type": "object", "additionalProperties": False, "minProperties": 1,
                "properties": {
                    "cron": {"type": "string", "description": "Five-field cron, or AWS cron(...) form."},
                    "event": {"type": "object", "minProperties": 1, "description": "An EventBridge event pattern."},
                    "alarm": {"type": "string", "minLength": 1, "description": "CloudWatch alarm name (glob)."},
                    "state": {"enum": ["ALARM", "OK", "INSUFFICIENT_DATA"]},
                },
            },
            "during": {"type": ["object", "array"], "items": {"$ref": "#/$defs/window"},
                       "allOf": [{"if": {"type": "object"}, "then": {"$ref": "#/$defs/window"}}]},
            "actions": {
                "type": ["array", "object"],
                "allOf": [
                    {"if": {"type": "array"}, "then": action_list},
                    {"if": {"type": "object"}, "then": {
                        "additionalProperties": False, "minProperties": 1,
                        "properties": {"inside": action_list, "outside": action_list}}},
                ],
            },
            "timezone": {"type": "string", "description": "IANA timezone, e.g. Europe/London."},
            "regions": {"type": "array", "items": {"type": "string", "pattern": REGION_PATTERN}, "minItems": 1},
            "accounts": {"type": "array", "items": {"$ref": "#/$defs/account"}, "minItems": 1},
            "enforce": {"type": "boolean", "description": "Window rules: re-apply the phase's actions every tick."},
            "catch_up": _duration("How late a missed cron occurrence may still run (default 1h)."),
            "cooldown": _duration("Minimum time between two firings of the rule."),
            "notice": _duration("Schedule rules: this long before a stop or scale-down (at most 24h), tell the "
                                "rule's notify target which resources will change and how to override them."),
            "on_drift": {"enum": ["notify"], "description": "'during' rules: on a tick where the rule does not act, "
                                                            "tell its notify target which resources drifted."},
            "target": {"enum": ["match", "event"],
                       "description": "Event rules: 'event' acts only on the resource the event names, in the "
                                      "event's account and region (narrowed by match); 'match' (default) on "
                                      "every resource match selects."},
            "limits": {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": {
                "max_resources": {"type": "integer", "minimum": 1},
                "max_percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 100}}},
            "shadow": {"type": "boolean", "description": "Plan and log, never execute."},
            "enabled": {"type": "boolean"},
        },
    }


def build_schema(registry: Registry) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "shiftwork rule file (version 1)",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "rules"],
        "properties": {
            "version": {"const": LANGUAGE_VERSION},
            "timezone": {"type": "string", "description": "Default IANA timezone for every rule."},
            "regions": {"type": "array", "items": {"type": "string", "pattern": REGION_PATTERN}, "minItems": 1},
            "accounts": {"type": "array", "items": {"$ref": "#/$defs/account"}, "minItems": 1},
            "calendars": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN},
                          "additionalProperties": {"$ref": "#/$defs/calendar"}},
            "notify": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN},
                       "additionalProperties": {"type": "object", "additionalProperties": False,
                                                "required": ["sns"], "properties": {
                                                    "sns": {"type": "string", "pattern": "^arn:aws[a-z-]*:sns:"}}}},
            "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
        },
        "$defs": {
            "rule": rule_schema(registry),
            "action": action_item_schema(registry),
            "window": window_schema(),
            "account": {"type": "object", "additionalProperties": False, "required": ["id"], "properties": {
                "id": {"type": "string", "pattern": ACCOUNT_PATTERN},
                "role": {"type": "string", "pattern": "^arn:aws[a-z-]*:iam::[0-9]{12}:role/"},
                "external_id": {"type": "string", "minLength": 2}}},
            "calendar": {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": {
                "holidays": {"type": "string", "pattern": "^[A-Z]{2,3}$",
                             "description": "Country code for public holidays, e.g. GB, US, DE."},
                "subdiv": {"type": "string", "description": "Subdivision, e.g. ENG, CA, BY."},
                "dates": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                          "description": "'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD' (inclusive)."}}},
        },
    }


def schema_json(registry: Registry) -> str:
    return json.dumps(build_schema(registry), indent=2, sort_keys=False) + "\n"
