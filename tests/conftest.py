"""Tests load rules as the entry points do: with the handlers registered."""
from typing import Any

import shiftwork.handlers  # noqa: F401

RELIABILITY_COLUMNS = ("scenario", "faults injected", "ticks to converge", "duplicate writes", "lost state")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fault suite's table (tests/reliability): here, because pytest-xdist's controller loads only this conftest."""
    rows = [value for reports in terminalreporter.stats.values() for r in reports
            if getattr(r, "when", None) == "call" for key, value in getattr(r, "user_properties", ())
            if key == "reliability"]
    if not rows:
        return
    rows = sorted(tuple(r) for r in rows)
    widths = [max(len(str(x)) for x in col) for col in zip(RELIABILITY_COLUMNS, *rows)]
    terminalreporter.section("fault suite")
    for line in [RELIABILITY_COLUMNS, *rows]:
        terminalreporter.write_line("  ".join(str(x).ljust(w) for x, w in zip(line, widths)))
