"""`shiftwork run PATH... --at TIME | --event FILE`: plan, then execute against AWS (writes!)."""
from __future__ import annotations

from shiftwork.engine.cli.commands.plan import add_common, evaluate


def register(sub) -> None:
    p = sub.add_parser("run", help="evaluate the rules and EXECUTE the changes (what the Lambda does on a tick)")
    add_common(p)
    p.set_defaults(run=run)


def run(args) -> int:
    return evaluate(args, execute=True)
