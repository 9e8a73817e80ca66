"""Validation hooks for time specs (cron expressions, window fields), used by `validate`.

Each function returns a list of (sub-path, message, hint) problems; empty means valid. The parsing
itself lives in engine.cron and engine.windows, so `validate` accepts exactly what evaluation runs.
"""
from __future__ import annotations

from typing import Any

from engine.cron import CronError, parse

Problem = tuple[tuple[Any, ...], str, "str | None"]


def check_cron(expr: str) -> list[Problem]:
    try:
        parse(expr)
    except CronError as exc:
        return [((), f"invalid cron: {exc}", exc.hint)]
    return []


def check_window(window: dict[str, Any]) -> list[Problem]:
    from engine.windows import window_problems

    return window_problems(window)
