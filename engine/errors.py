"""Errors that know how to print themselves and which exit code they mean."""
from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_FAILED = 1  # an action or a check failed at run time
EXIT_USAGE = 2  # the user's input (rule files, arguments) is wrong
EXIT_LIMITED = 3  # `run`: nothing failed, but a rule's limits stopped it (it did nothing)


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a rule file; line and column count from 1."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in the user's input: where, which rule, which field, what, and a hint."""

    loc: Loc
    message: str
    rule: str | None = None
    path: str | None = None
    hint: str | None = None
    severity: str = "error"  # or "warning"

    def sort_key(self) -> tuple:
        return (self.loc.file, self.loc.line, self.loc.col, self.path or "", self.message)

    def __str__(self) -> str:
        parts = [str(self.loc)]
        if self.severity == "warning":
            parts.append("warning")
        if self.rule:
            parts.append(f"rule '{self.rule}'")
        if self.path:
            parts.append(self.path)
        text = ": ".join(parts) + ": " + self.message
        if self.hint:
            text += f"; {self.hint}"
        return text


class ShiftworkError(Exception):
    """Base for every error shiftwork reports to a user without a traceback."""

    exit_code = EXIT_FAILED

    def format(self) -> str:
        return str(self)


class UsageError(ShiftworkError):
    """A bad argument or input file: exit 2."""

    exit_code = EXIT_USAGE


@dataclass
class RuleErrors(ShiftworkError):
    """All the problems found in a set of rule files, sorted by place."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    exit_code = EXIT_USAGE

    def __post_init__(self) -> None:
        self.diagnostics = sorted(set(self.diagnostics), key=Diagnostic.sort_key)
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class NotSupportedYet(ShiftworkError):
    """A registered action whose behaviour is not built; never read as success."""
