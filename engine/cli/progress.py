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


class Counter:
    """'validating 120/800 files' after the first couple of seconds, on a terminal only; cleared at the end."""

    def __init__(self, what: str, total: int, delay: float = 2.0) -> None:
        import time

        self.what, self.total, self.clock = what, total, time.monotonic
        self.start, self.delay, self.done, self.shown = self.clock(), delay, 0, False

    def __call__(self, _item: object = None, total: int | None = None) -> None:
        """One more item done (the loader's on_file passes the file and the total)."""
        self.done, self.total = self.done + 1, total or self.total
        if self.clock() - self.start >= self.delay:
            progress(f"{self.what} {self.done}/{self.total}...")
            self.shown = True

    def close(self) -> None:
        if self.shown:
            progress(None)
