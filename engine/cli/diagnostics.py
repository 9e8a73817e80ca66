"""Diagnostics for machines: one JSON document for scripts, workflow annotations for GitHub Actions."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shiftwork.engine.errors import Diagnostic


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    """Every key always present; line and column are null for a whole-file problem."""
    return {"file": d.loc.file, "line": d.loc.line or None, "column": d.loc.col or None, "severity": d.severity,
            "rule": d.rule, "path": d.path, "message": d.message, "hint": d.hint}


def render_json(diagnostics: Sequence[Diagnostic], *, rules: int, files: Sequence[str], valid: bool) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    report = {"version": 1, "valid": valid, "rules": rules, "files": list(files), "errors": errors,
              "warnings": len(diagnostics) - errors, "diagnostics": [diagnostic_json(d) for d in diagnostics]}
    return json.dumps(report, indent=2)


def _escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are escaped so one problem stays one annotation."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One `::error file=…,line=…,col=…,title=…::message` line per problem (warnings as `::warning`)."""
    lines = []
    for d in diagnostics:
        props = [f"file={_escape_property(d.loc.file)}"]
        if d.loc.line:
            props += [f"line={d.loc.line}", f"col={d.loc.col}"]
        title = f"rule '{d.rule}'" if d.rule else "shiftwork validate"
        props.append(f"title={_escape_property(title)}")
        text = (f"{d.path}: " if d.path else "") + d.message + (f"; {d.hint}" if d.hint else "")
        lines.append(f"::{d.severity} {','.join(props)}::{_escape_data(text)}")
    return lines
