"""The `shiftwork` command line: argument parsing and error reporting; the work is in engine.cli.commands."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import shiftwork.handlers  # noqa: F401  (an entry point: the handlers register their actions)
from shiftwork.engine.cli.commands import modules
from shiftwork.engine.errors import EXIT_USAGE, RuleErrors, ShiftworkError
from shiftwork.engine.language.suggest import did_you_mean


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # a usage mistake: exit 2, as every other bad input
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """argparse's own check, plus "did you mean" for a misspelled command or choice."""
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(map(repr, action.choices))
            hint = did_you_mean(str(value), [str(c) for c in action.choices])
            raise argparse.ArgumentError(action, f"invalid choice: {value!r} (choose from {choices})"
                                         + (f"; {hint}" if hint else ""))


def _unrecognized(parser: Parser, extras: list[str]) -> str:
    """The unknown arguments, with the closest option of the command when one looks like a typo."""
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    hints = [h for x in extras if x.startswith("-") and (h := did_you_mean(x.split("=", 1)[0], options))]
    return f"unrecognized arguments: {' '.join(extras)}" + (f"; {hints[0]}" if hints else "")


TOUR = """\
a short tour:
  shiftwork demo                                 see it work on an embedded AWS (no account needed)
  shiftwork validate rules/                      every error of every file at once, file:line:col
  shiftwork simulate rules/ --from 2027-03-22 --to 2027-04-02
                                                 what fires when, in local time, across DST and holidays
  shiftwork plan rules/ --at 2026-12-21T19:00    a dry run against your AWS account that cannot write
  shiftwork permissions rules/                   the IAM actions the rules need
  shiftwork COMMAND --help                       the options of one command

Rule language: docs/rules.md. Running it (exit codes, the Lambda, CI): docs/operations.md.
"""


def version_text() -> str:
    """What `--version` says: the package, the rule language it reads, and the zone rules it computes with."""
    from importlib.metadata import PackageNotFoundError, version

    import tzdata

    from shiftwork.engine.language.schema import LANGUAGE_VERSION

    try:
        package = version("shiftwork")
    except PackageNotFoundError:  # run from a checkout that was never installed
        package = "unknown (not installed)"
    return f"shiftwork {package} (rule language version {LANGUAGE_VERSION}, tzdata {tzdata.IANA_VERSION})"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="shiftwork", description="Schedule- and event-driven fleet automation rules for AWS.",
                    epilog=TOUR, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=version_text(),
                        help="print the shiftwork, rule-language and tzdata versions and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in modules():
        module.register(sub)
    parser.set_defaults(commands=sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    command = args.commands.get(args.command) if args.command else None
    if extras:  # reported by the command that was given, with its usage, not the top-level one
        owner = command or parser
        owner.error(_unrecognized(owner, extras))
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except RuleErrors as exc:  # as `validate` prints them, whichever command loaded the rules
        n = len(exc.diagnostics)
        print(f"{exc.format()}\n{n} error{'' if n == 1 else 's'}", file=sys.stderr)
        return exc.exit_code
    except ShiftworkError as exc:
        print(f"shiftwork: {exc.format()}" if "\n" not in exc.format() else exc.format(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("shiftwork: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
