"""CLI subcommands, one module each; every module exposes `register(subparsers)`."""
from __future__ import annotations

import importlib

COMMANDS = ("validate", "schema", "permissions", "simulate", "plan", "run", "invoke", "saved", "override", "overrides",
            "drift", "demo", "package", "deploy")


def modules():
    """The command modules that exist (a command under construction is simply absent)."""
    for name in COMMANDS:
        try:
            yield importlib.import_module(f"shiftwork.engine.cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"shiftwork.engine.cli.commands.{name}":
                raise
