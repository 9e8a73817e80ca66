"""`shiftwork validate PATH...`: every error of every file at once; exit 0 valid, 2 invalid."""
from __future__ import annotations

import dataclasses
import sys

from shiftwork.engine.cli import colour
from shiftwork.engine.cli.diagnostics import render_github, render_json
from shiftwork.engine.cli.progress import Counter
from shiftwork.engine.errors import EXIT_OK, EXIT_USAGE
from shiftwork.engine.language.loader import check_paths
from shiftwork.engine.schedule.conflicts import find_conflicts


def register(sub) -> None:
    p = sub.add_parser("validate", help="check rule files and print every error at once",
                       description="Errors exit 2; warnings (legacy time zones, conflicts, unknown regions) "
                                   "print but exit 0, unless --strict.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 2), for CI")
    p.add_argument("--format", choices=("text", "json", "github"), default="text",
                   help="text lines on stderr (default), one JSON document on stdout, or GitHub Actions "
                        "workflow annotations on stdout")
    p.set_defaults(run=run)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run(args) -> int:
    counter = Counter("validating rule files:", 0)
    checked = check_paths(args.paths, checks=(find_conflicts,), on_file=counter)
    counter.close()
    diagnostics = checked.diagnostics
    if args.strict:
        diagnostics = [dataclasses.replace(d, severity="error") for d in diagnostics]
    errors = [d for d in diagnostics if d.severity == "error"]
    warnings = [d for d in diagnostics if d.severity == "warning"]
    rules = len(checked.ruleset.rules) if checked.ruleset is not None else 0
    if errors:
        summary = _plural(len(errors), "error") + (" (--strict: warnings count as errors)"
                                                    if args.strict and checked.warnings else "")
    else:
        summary = (f"ok: {_plural(rules, 'rule')} in {_plural(len(checked.files), 'file')}"
                   + (f", {_plural(len(warnings), 'warning')}" if warnings else ""))
    if args.format == "json":
        sys.stdout.write(render_json(diagnostics, rules=rules, files=checked.files, valid=not errors) + "\n")
    elif args.format == "github":
        for line in render_github(diagnostics):
            print(line)
        print(summary, file=sys.stderr)
    else:
        painted = colour.enabled(sys.stderr)
        for d in diagnostics:
            text = str(d)
            print(colour.paint(text, "red" if d.severity == "error" else "yellow") if painted else text,
                  file=sys.stderr)
        print(summary, file=sys.stderr if errors else sys.stdout)
    return EXIT_USAGE if errors else EXIT_OK
