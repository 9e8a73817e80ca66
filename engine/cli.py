"""The `shiftwork` command line: argument parsing and error reporting; the work is in engine.commands."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from engine.commands import modules
from engine.errors import EXIT_USAGE, ShiftworkError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's exit code 2 with our wording
        self.print_usage(sys.stderr)
        raise SystemExit(f"{self.prog}: error: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="shiftwork", description="Schedule- and event-driven fleet automation rules for AWS.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in modules():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
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
