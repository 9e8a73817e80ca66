"""`shiftwork run PATH... --at TIME | --event FILE`: plan, then execute against AWS (writes!).

It is the Lambda's dispatcher with a local state file (default .shiftwork/state.json), so replaying an
event, a cooldown or a repeated --at behave as in the Lambda; it asks before writing on a terminal."""
from __future__ import annotations

from shiftwork.engine.cli.commands.plan import add_common, evaluate


def register(sub) -> None:
    from shiftwork.engine.cli.local import add_state_options

    p = sub.add_parser("run", help="evaluate the rules and EXECUTE the changes (what the Lambda does on a tick)")
    add_common(p)
    add_state_options(p, run=True)
    p.set_defaults(run=run)


def run(args) -> int:
    return evaluate(args, execute=True)
