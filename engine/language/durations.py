"""Durations as users write them: 90s, 5m, 26h, 2d, 1w, 1h30m."""
from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"^(\d+[smhdw])+$")
PATTERN = r"^([0-9]+[smhdw])+$"
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_DAYS = 3660  # ten years: far beyond any catch-up, cooldown or backup age, and no date arithmetic overflows


def parse_duration(text: str) -> timedelta:
    """Parse a duration; raise ValueError with a message fit for a user."""
    if not isinstance(text, str) or not _WHOLE.match(text.strip()):
        raise ValueError(f"'{text}' is not a duration; write e.g. 90s, 5m, 26h, 2d, 1w or 1h30m")
    seconds = sum(int(amount) * _SECONDS[unit] for amount, unit in _PART.findall(text))
    if seconds > MAX_DAYS * 86400:
        raise ValueError(f"'{text}' is longer than the maximum duration {MAX_DAYS}d (ten years)")
    return timedelta(seconds=seconds)


def duration_problem(text: str) -> str | None:
    """Why a well-formed duration cannot be used (too long), None when it can; the schema reports bad forms."""
    if not isinstance(text, str) or not _WHOLE.match(text.strip()):
        return None
    try:
        parse_duration(text)
    except ValueError as exc:
        return str(exc)
    return None


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
