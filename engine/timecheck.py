"""Validation hooks for time specs (cron expressions, window fields), used by `validate`.

Each function returns a list of (sub-path, message, hint) problems; empty means valid.
"""
from __future__ import annotations

import re
from typing import Any

from croniter import croniter

Problem = tuple[tuple[Any, ...], str, "str | None"]
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def check_cron(expr: str) -> list[Problem]:
    text = expr.strip()
    if text.startswith("cron(") or text.startswith("rate("):
        return [((), f"cron expression {expr!r}: the AWS form is not supported yet", None)]
    if len(text.split()) != 5:
        return [((), f"cron expression {expr!r} must have 5 fields (minute hour day-of-month month day-of-week), "
                     f"has {len(text.split())}", None)]
    if not croniter.is_valid(text):
        return [((), f"invalid cron expression {expr!r}", None)]
    return []


def check_window(window: dict[str, Any]) -> list[Problem]:
    hours = window.get("hours")
    if isinstance(hours, str):
        m = _HOURS.match(hours.strip())
        if not m:
            return [(("hours",), f"invalid hours {hours!r}", "write 'HH:MM-HH:MM', e.g. \"08:00-19:00\"")]
        h1, m1, h2, m2 = map(int, m.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            return [(("hours",), f"invalid hours {hours!r}: hours run 00-23, minutes 00-59", None)]
        if (h1, m1) == (h2, m2):
            return [(("hours",), f"empty window {hours!r}: start and end are equal", None)]
    return []
