"""`shiftwork schema`: print the rule files' JSON Schema, assembled from the registry."""
from __future__ import annotations

import sys

from shiftwork.engine.language.registry import registered
from shiftwork.engine.language.schema import schema_json


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of rule files (rules/schema.json)")
    p.set_defaults(run=run)


def run(args) -> int:
    sys.stdout.write(schema_json(registered()))
    return 0
