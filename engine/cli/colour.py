"""Colour for people at a terminal: none when piped, when NO_COLOR is set (no-color.org), or TERM=dumb."""
from __future__ import annotations

import os
import re
from typing import TextIO

CODES = {"red": "31", "yellow": "33", "green": "32", "bold": "1", "dim": "2"}
# A plan/run table: the word that starts a row says how it reads.
ROW = [(re.compile(r"^(  (?:ERROR|FAIL)\b.*)$", re.M), "red"), (re.compile(r"^(  WARNING\b.*)$", re.M), "yellow"),
       (re.compile(r"^(  PASS\b.*)$", re.M), "green"), (re.compile(r"^(rule \S+)", re.M), "bold"),
       (re.compile(r"(: FIRES:)"), "green"), (re.compile(r"( -> failed\b[^\n]*)"), "red")]


def enabled(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str) -> str:
    return f"\033[{CODES[style]}m{text}\033[0m"


def colour_table(text: str) -> str:
    """The plan/run table with errors red, warnings yellow, passes and firing rules green."""
    for pattern, style in ROW:
        text = pattern.sub(lambda m, s=style: paint(m.group(1), s), text)
    return text
