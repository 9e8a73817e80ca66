"""Findings of read-only checks, rendered for people (table), logs (JSON lines), metrics (EMF) and SNS.

A finding is pass, fail or error. An error (a read that failed) is never counted as a pass:
it is reported, counted in its own metric and, like a failure, makes the CLI exit non-zero.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from shiftwork.engine.plan.changes import Finding
from shiftwork.engine.errors import EXIT_FAILED, EXIT_OK

ORDER = {"error": 0, "fail": 1, "pass": 2}
FAIL_ON = ("fail", "error", "never")
FAIL_ON_ALIASES = {"findings": "fail", "errors": "error"}  # the CLI's --fail-on words
METRICS = ("checked", "passed", "failed", "errored")
SUBJECT_MAX = 99  # SNS subjects must be shorter than 100 characters
BODY_LINES_MAX = 200
CELL_MAX = 60  # the CHECK column; DETAIL, the last one, is never cut


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.rule, ORDER.get(f.status, 0), f.resource.type, f.resource.id))


def _cell(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CELL_MAX else text[:CELL_MAX - 1] + "…"


def detail(finding: Finding) -> str:
    """The one line that explains a finding: what was seen (pass/fail) or what went wrong (error)."""
    if finding.status == "error":
        return finding.reason
    if finding.status == "fail":
        return f"{finding.observed}; required {finding.required}" if finding.required else finding.reason
    return finding.observed or finding.reason


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    by_status = Counter(f.status for f in findings)
    return {"checked": sum(by_status.values()), "passed": by_status["pass"], "failed": by_status["fail"],
            "errored": by_status["error"]}


def errors(n: int) -> str:
    return f"{n} error{'' if n == 1 else 's'}"


def tally(findings: Iterable[Finding]) -> str:
    c = counts(findings)
    return f"{c['checked']} checked: {c['passed']} passed, {c['failed']} failed, {errors(c['errored'])}"


def table(findings: Sequence[Finding]) -> str:
    """A fixed-width table, errors and failures first, with a totals line."""
    header = ("RULE", "RESOURCE", "STATUS", "CHECK", "DETAIL")
    rows = [(f.rule, f"{f.resource.type} {f.resource.label}", f.status.upper(), _cell(f.check), detail(f))
            for f in _sorted(findings)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths)), row[-1]]).rstrip()
             for row in [header, *rows]]
    return "\n".join([*lines, tally(findings)]) + "\n"


def record(finding: Finding) -> dict[str, Any]:
    """One finding as a flat JSON-ready mapping (the Lambda logs one per line)."""
    r = finding.resource
    out: dict[str, Any] = {
        "rule": finding.rule, "action": finding.action, "status": finding.status,
        "resource": {"type": r.type, "id": r.id, "name": r.name, "region": r.region, "account": r.account,
                     "arn": r.arn},
        "check": finding.check, "observed": finding.observed, "required": finding.required,
        "reason": finding.reason,
    }
    if finding.details.get("loc"):
        out["loc"] = finding.details["loc"]
    extra = {k: v for k, v in finding.details.items() if k != "loc"}
    if extra:
        out["details"] = extra
    return out


def json_lines(findings: Iterable[Finding]) -> str:
    return "".join(json.dumps(record(f), default=str, sort_keys=False) + "\n" for f in findings)




@dataclass(frozen=True)
class Summary:
    """What a notify target receives: a short subject and a plain-text body."""

    subject: str
    body: str


def summary(findings: Sequence[Finding]) -> Summary:
    """Subject with the totals; body listing every failure and error (bounded), then the totals."""
    c = counts(findings)
    rules = sorted({f.rule for f in findings})
    who = rules[0] if len(rules) == 1 else f"{len(rules)} rules"
    if c["failed"] or c["errored"]:
        state = ", ".join(p for p in (f"{c['failed']} failed" if c["failed"] else "",
                                      errors(c["errored"]) if c["errored"] else "") if p)
        subject = f"shiftwork {who}: {state} of {c['checked']} checked"
    else:
        subject = f"shiftwork {who}: all {c['checked']} passed"
    bad = [f for f in _sorted(findings) if f.status != "pass"]
    lines = []
    for f in bad[:BODY_LINES_MAX]:
        where = ", ".join(p for p in (f.resource.region, f.resource.account) if p)
        check = f"{f.check}: " if f.check else ""
        lines.append(f"{f.status.upper()} {f.rule} {f.resource.type} {f.resource.label} ({where}): "
                     f"{check}{detail(f)}")
    if len(bad) > BODY_LINES_MAX:
        lines.append(f"... and {len(bad) - BODY_LINES_MAX} more")
    lines.append(tally(findings))
    return Summary(subject if len(subject) <= SUBJECT_MAX else subject[:SUBJECT_MAX - 1] + "…",
                   "\n".join(lines) + "\n")


def exit_code_for(findings: Iterable[Finding], fail_on: str = "fail") -> int:
    """1 when a finding at or above `fail_on` exists: "fail" (fail or error), "error" (errors only), "never".

    "findings" and "errors" (the words of the CLI's --fail-on) mean "fail" and "error".
    """
    fail_on = FAIL_ON_ALIASES.get(fail_on, fail_on)
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    statuses = {f.status for f in findings}
    if fail_on == "never":
        return EXIT_OK
    bad = {"error"} if fail_on == "error" else {"error", "fail"}
    return EXIT_FAILED if statuses & bad else EXIT_OK
