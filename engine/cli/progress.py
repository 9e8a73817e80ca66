"""Progress for people at a terminal: one overwritten line on stderr, nothing when stderr is not a TTY."""
from __future__ import annotations

import sys

_shown = {"width": 0}


def progress(message: str | None) -> None:
    """Show `message` (None clears the line); silent when piped, in CI logs and in tests."""
    stream = sys.stderr
    if not stream.isatty():
        return
    text = message or ""
    stream.write("\r" + text.ljust(_shown["width"]) + ("\r" if not message else ""))
    stream.flush()
    _shown["width"] = len(text)
