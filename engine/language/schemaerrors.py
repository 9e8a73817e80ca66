"""Turn jsonschema errors into one located, readable line each (never a schema dump)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from shiftwork.engine.errors import Diagnostic
from shiftwork.engine.language.suggest import did_you_mean
from shiftwork.engine.language.yamldoc import Document, format_path  # noqa: F401  (format_path is re-exported)

if TYPE_CHECKING:  # jsonschema is imported where the schema pass runs: a packaged, pre-validated rule set skips it
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

PATTERN_HINTS = {
    "name": "use lower-case letters, digits and '-', starting and ending with a letter or digit",
    "catch_up": "write a duration such as 90s, 5m, 1h or 2d",
    "cooldown": "write a duration such as 90s, 5m, 1h or 2d",
    "max_age": "write a duration such as 26h or 2d",
    "window": "write a duration such as 7d",
    "restore_tested_within": "write a duration such as 30d",
    "regions": "write an AWS region such as eu-west-1",
    "id": "an AWS account id is 12 digits, quoted",
    "role": "write an IAM role ARN, arn:aws:iam::123456789012:role/name",
    "sns": "write an SNS topic ARN, arn:aws:sns:region:account:topic",
    "holidays": "write an upper-case country code such as GB, US or DE",
}

# What a pattern-checked field holds, for "invalid <noun> 'value'".
PATTERN_NOUNS = {
    "name": "name", "catch_up": "duration", "cooldown": "duration", "max_age": "duration", "window": "duration",
    "restore_tested_within": "duration", "regions": "region", "id": "account id", "role": "role ARN",
    "sns": "SNS topic ARN", "holidays": "country code",
}


def describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
              "array": "a list", "object": "a mapping", "null": "empty"}




def rule_scope(doc: Document, path: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
    """The rule a path lies in (its name, if readable) and the path relative to that rule."""
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
        name = None
        if isinstance(rules, list) and path[1] < len(rules) and isinstance(rules[path[1]], dict):
            candidate = rules[path[1]].get("name")
            name = candidate if isinstance(candidate, str) else None
        return name or f"#{path[1] + 1}", path[2:]
    return None, path


def diagnostic(doc: Document, path: tuple[Any, ...], message: str, hint: str | None = None,
               key: bool = False, severity: str = "error") -> Diagnostic:
    rule, rel = rule_scope(doc, path)
    return Diagnostic(doc.loc(path, key=key), message, rule=rule, path=format_path(rel) or None, hint=hint,
                      severity=severity)


def _unknown_fields(doc: Document, err: ValidationError, path: tuple[Any, ...]) -> Iterator[Diagnostic]:
    allowed = set(err.schema.get("properties", {}))
    for extra in sorted(set(err.instance) - allowed):
        owner = ""
        if isinstance(err.instance.get("type"), str) and "type" in allowed:
            owner = f" for action '{err.instance['type']}'"
        yield diagnostic(doc, path + (extra,), f"unknown field '{extra}'{owner}",
                         did_you_mean(extra, allowed) or (f"allowed: {', '.join(sorted(allowed))}" if allowed else None),
                         key=True)


def _for_rule_resource(doc: Document, path: tuple[Any, ...], choices: list[str]) -> list[str]:
    """The actions that apply to the rule's resource type, so 'scale' on an asg.group suggests asg.scale."""
    from shiftwork.engine.language.registry import registered

    rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
    if len(path) < 2 or path[0] != "rules" or not isinstance(rules, list) or not isinstance(path[1], int):
        return []
    rule = rules[path[1]] if path[1] < len(rules) else None
    resource = rule.get("resource") if isinstance(rule, dict) else None
    actions = registered().actions
    return [c for c in choices if c in actions and isinstance(resource, str) and actions[c].applies_to(resource)]


def _enum(doc: Document, err: ValidationError, path: tuple[Any, ...]) -> Diagnostic:
    value, choices = err.instance, [str(c) for c in err.validator_value]
    field = next((p for p in reversed(path) if isinstance(p, str)), "")
    if field == "resource":
        what = "resource type"
    elif field == "state":
        what = "alarm state"
    elif field in ("actions", "inside", "outside", "type") or isinstance(path[-1], int):
        what = "action"
    else:
        what = "value"
    if not isinstance(value, str):
        return diagnostic(doc, path, f"must be one of {', '.join(choices)}, not {describe(value)}")
    hint = did_you_mean(value, _for_rule_resource(doc, path, choices)) if what == "action" else None
    hint = hint or did_you_mean(value, choices)
    if hint is None and len(choices) <= 12:
        hint = f"expected one of {', '.join(choices)}"
    return diagnostic(doc, path, f"unknown {what} '{value}'", hint)


def _type(doc: Document, err: ValidationError, path: tuple[Any, ...], field: str) -> Diagnostic:
    value = err.instance
    wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
    words = " or ".join(TYPE_WORDS.get(w, w) for w in wanted)
    hint = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "string" in wanted:
        hint = {"hours": 'quote it, e.g. "08:00-19:00"', "id": 'quote it: an AWS account id is 12 digits, '
                'e.g. "111122223333"'}.get(field, "quote it")
    elif wanted == ["array"] and isinstance(value, str):
        hint = f"write a list: [{value}]"
    elif wanted == ["boolean"] and isinstance(value, str) and value.lower() in ("yes", "no", "on", "off", "y", "n"):
        hint = f"YAML 1.2 reads '{value}' as text; write {'true' if value.lower() in ('yes', 'on', 'y') else 'false'}"
    if len(path) == 2 and path[0] == "rules" and isinstance(path[1], int):
        shown = f" '{value}'" if isinstance(value, str) else ""
        return diagnostic(doc, path, f"a rule must be {words} (name, resource, on or during, actions), "
                                     f"not {describe(value)}{shown}", hint)
    return diagnostic(doc, path, f"must be {words}, not {describe(value)}", hint)


def bad_paths(err: ValidationError) -> list[tuple[Any, ...]]:
    """The paths an error makes unusable: the offending keys themselves for unknown/missing fields."""
    path = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        return [path + (extra,) for extra in err.instance if extra not in allowed]
    if "propertyNames" in err.relative_schema_path:
        return [path + (err.instance,)]
    if err.validator == "required" and isinstance(err.instance, dict):
        return [path + (name,) for name in err.validator_value if name not in err.instance]
    return [path]


def _one(doc: Document, err: ValidationError) -> Iterator[Diagnostic]:
    path = tuple(err.absolute_path)
    kind, value = err.validator, err.instance
    field = next((p for p in reversed(path) if isinstance(p, str)), "")
    if "propertyNames" in err.relative_schema_path:  # a key is the problem: point at it
        yield diagnostic(doc, path + (value,), f"invalid name '{value}'", PATTERN_HINTS["name"], key=True)
    elif kind == "additionalProperties":
        yield from _unknown_fields(doc, err, path)
    elif kind == "required":
        missing = [r for r in err.validator_value if r not in value]
        for name in missing:
            yield diagnostic(doc, path, f"missing required field '{name}'")
    elif kind == "type":
        yield _type(doc, err, path, field)
    elif kind == "enum":
        yield _enum(doc, err, path)
    elif kind == "const":
        if path == ("version",):
            yield diagnostic(doc, path, f"unsupported version {value!r}; this shiftwork reads version 1")
        elif path[-1:] == ("all",) and "match" in path:
            yield diagnostic(doc, path, "'all' can only be true", "to select some resources, use tags, ids or names")
        else:
            yield diagnostic(doc, path, f"must be {err.validator_value!r}")
    elif kind == "pattern":
        owner = str(path[-2]) if isinstance(path[-1], int) and len(path) > 1 else field
        yield diagnostic(doc, path, f"invalid {PATTERN_NOUNS.get(owner, owner or 'value')} {value!r}",
                         PATTERN_HINTS.get(owner, f"must match {err.validator_value}"))
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        yield diagnostic(doc, path, f"must be {op} {err.validator_value}, got {value!r}")
    elif kind in ("minItems", "minProperties", "minLength"):
        yield diagnostic(doc, path, "must not be empty")
    elif kind == "maxLength":
        yield diagnostic(doc, path, f"is too long ({len(value)} characters; at most {err.validator_value})")
    elif kind == "propertyNames":
        from jsonschema import Draft202012Validator

        for name in sorted(value):
            if not isinstance(name, str) or not Draft202012Validator({"pattern": err.validator_value.get(
                    "pattern", ".*")}).is_valid(name):
                yield diagnostic(doc, path + (name,), f"invalid name '{name}'", PATTERN_HINTS["name"], key=True)
    else:  # a keyword this formatter does not word yet: still one line, still located
        yield diagnostic(doc, path, err.message)


def schema_diagnostics(doc: Document, validator: Draft202012Validator) -> tuple[list[Diagnostic], set[tuple]]:
    """Every schema error as a diagnostic, and the raw paths where errors were found."""
    out: list[Diagnostic] = []
    paths: set[tuple] = set()
    for err in validator.iter_errors(doc.data):
        out.extend(_one(doc, err))
        paths.update(bad_paths(err))
    return out, paths
