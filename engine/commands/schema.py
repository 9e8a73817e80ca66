"""`shiftwork schema`: print the rule files' JSON Schema, assembled from the registry."""
from __future__ import annotations

import sys

from engine.registry import load_handlers
from engine.schema import schema_json


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of rule files (rules/schema.json)")
    p.set_defaults(run=run)


def run(args) -> int:
    sys.stdout.write(schema_json(load_handlers()))
    return 0
