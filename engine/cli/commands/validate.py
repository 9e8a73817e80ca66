"""`shiftwork validate PATH...`: every error of every file at once; exit 0 valid, 2 invalid."""
from __future__ import annotations

import sys

from shiftwork.engine.errors import EXIT_OK, EXIT_USAGE
from shiftwork.engine.language.loader import check_paths
from shiftwork.engine.schedule.conflicts import find_conflicts


def register(sub) -> None:
    p = sub.add_parser("validate", help="check rule files and print every error at once")
    p.add_argument("paths", nargs="+", metavar="PATH", help="rule files or directories of *.yaml files")
    p.set_defaults(run=run)


def run(args) -> int:
    checked = check_paths(args.paths, checks=(find_conflicts,))
    for d in checked.diagnostics:
        print(d, file=sys.stderr)
    if checked.ruleset is None:
        n = len(checked.errors)
        print(f"{n} error{'s' if n != 1 else ''}", file=sys.stderr)
        return EXIT_USAGE
    rules, files = len(checked.ruleset.rules), len(checked.files)
    warn = f", {len(checked.warnings)} warning{'s' if len(checked.warnings) != 1 else ''}" if checked.warnings else ""
    print(f"ok: {rules} rule{'s' if rules != 1 else ''} in {files} file{'s' if files != 1 else ''}{warn}")
    return EXIT_OK
