"""Durations as users write them: 90s, 5m, 26h, 2d, 1w, 1h30m."""
from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"^(\d+[smhdw])+$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
PATTERN = r"^([0-9]+[smhdw])+$"


def parse_duration(text: str) -> timedelta:
    """Parse a duration; raise ValueError with a message fit for a user."""
    if not isinstance(text, str) or not _WHOLE.match(text.strip()):
        raise ValueError(f"'{text}' is not a duration; write e.g. 90s, 5m, 26h, 2d, 1w or 1h30m")
    total = timedelta()
    for amount, unit in _PART.findall(text):
        total += timedelta(**{_UNIT[unit]: int(amount)})
    return total


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out) or "0s"


def elapsed_words(delta: timedelta) -> str:
    """An elapsed time for a person, to the minute: '1 d 0 h 59 m', '20 h 5 m', '25 min', '40 s'.

    Not the rule syntax (`1d59m1s` reads as a typo in a table); settings echoed back keep format_duration.
    """
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h {minutes} m"
    if hours:
        return f"{hours} h {minutes} m"
    return f"{minutes} min" if minutes else f"{seconds} s"
