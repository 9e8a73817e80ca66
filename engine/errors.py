"""Errors that know how to print themselves and which exit code they mean."""
from __future__ import annotations

import re
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


MARKUP_TITLE = re.compile(r"<(title|h1|Message)>\s*(.*?)\s*</\1>", re.S | re.I)


def one_line(text: str, status: int | None = None, limit: int = 300) -> str:
    """An error text for a table row or a log line: an HTML or XML body (a proxy's or an emulator's error
    page) is reduced to its status and title; whitespace is collapsed; the length is capped."""
    if "<" in text and re.search(r"<(!doctype|html|\?xml|[A-Za-z]+>)", text, re.I):
        found = MARKUP_TITLE.search(text)
        title = re.sub(r"<[^>]+>", "", found.group(2)) if found else "an HTML/XML error page"
        title = title.removeprefix(f"{status} ") if status else title  # "404 Not Found" under HTTP 404
        text = f"HTTP {status}: {title}" if status else title
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def aws_error_text(exc: BaseException) -> str:
    """`Code: message` of a botocore ClientError on one line; other exceptions as `Type: text`."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        code, message = str(error.get("Code") or "Error"), one_line(str(error.get("Message") or ""), status)
        if message.startswith(f"HTTP {code}:"):  # the code is the HTTP status: say it once
            return message
        return f"{code}: {message}".rstrip(": ") if message != code else code
    return f"{type(exc).__name__}: {one_line(str(exc))}".rstrip(": ")
