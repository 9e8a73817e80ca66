"""Checks on action options that a JSON Schema cannot express well (exclusive options, bounds, references)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shiftwork.engine.language.durations import duration_problem, parse_duration
from shiftwork.engine.language.suggest import did_you_mean

Problem = tuple[tuple[Any, ...], str, "str | None"]


def _bounds(options: Mapping[str, Any]) -> list[Problem]:
    lo, hi = options.get("min"), options.get("max")
    if lo is not None and hi is not None and lo > hi:
        return [(("min",), f"min ({lo}) is greater than max ({hi})", None)]
    desired = options.get("desired")
    if desired is not None and hi is not None and desired > hi:
        return [(("desired",), f"desired ({desired}) is greater than max ({hi})", None)]
    if desired is not None and lo is not None and desired < lo:
        return [(("desired",), f"desired ({desired}) is less than min ({lo})", None)]
    return []


def _notify_ref(name: Any, field: str, targets: Mapping[str, Any]) -> list[Problem]:
    if name is None or name in targets:
        return []
    hint = did_you_mean(str(name), targets) or (
        f"defined targets: {', '.join(sorted(targets))}" if targets else "define it under 'notify:' in a rule file")
    return [((field,), f"unknown notify target '{name}'", hint)]


def check_action(name: str, options: Mapping[str, Any], targets: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if name == "ecs.scale":
        given = [k for k in ("desired", "add", "multiply") if k in options]
        if len(given) != 1:
            problems.append(((), "ecs.scale takes exactly one of desired, add or multiply"
                                 + (f"; found {', '.join(given)}" if given else ""), None))
        if "desired" in options and ("min" in options or "max" in options):
            problems.append((("desired",), "min/max bound add or multiply; with desired they have no effect", None))
        else:
            problems.extend(_bounds(options))
    elif name == "asg.scale":
        relative = [k for k in ("add", "multiply") if k in options]
        if relative and (len(relative) > 1 or "desired" in options):
            given = ", ".join(k for k in ("desired", "add", "multiply") if k in options)
            problems.append(((), f"asg.scale takes one of desired, add or multiply; found {given}", None))
        elif not relative and not any(k in options for k in ("min", "max", "desired")):
            problems.append(((), "asg.scale needs at least one of min, desired or max, or add or multiply", None))
        problems.extend(_bounds(options))
    elif name == "notify":
        problems.extend(_notify_ref(options.get("target"), "target", targets))
    elif name == "backup.validate":
        problems.extend(_notify_ref(options.get("notify"), "notify", targets))
        if "window" in options and "min_points" not in options:
            problems.append((("window",), "'window' is the period for 'min_points'; give min_points too", None))
        for field in ("max_age", "window", "restore_tested_within"):
            if field in options and (problem := duration_problem(options[field])):
                problems.append(((field,), problem, None))
            elif field in options and parse_duration(options[field]).total_seconds() == 0:
                problems.append(((field,), f"{field} must be longer than zero", None))
    return problems
