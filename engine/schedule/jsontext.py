"""`json.dumps(value, indent=2)`'s exact text, without the stdlib's per-call encoder closures.

The stdlib encodes with indent in Python, building a fresh set of nested closures on each call; they
reference each other, so every call leaves a cycle for the GC. Encoding 5,000 rules one call each
left 50,000 such objects: enough collections to set off a full one (~100 ms over the loaded rule
set) that 1,000 rules never reach. Strings go through the same C escaper json.dumps uses.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _string  # type: ignore[attr-defined]
from typing import Any


def indented(value: Any, pad: str = "") -> str:
    """json.dumps(value, indent=2) with every line after the first indented by `pad` (its nesting)."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    inner = pad + "  "
    if type(value) is list:
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + indented(item, inner) for item in value) + "\n" + pad + "]"
    if type(value) is dict and all(type(k) is str for k in value):
        if not value:
            return "{}"
        return "{\n" + ",\n".join(f"{inner}{_string(k)}: {indented(v, inner)}" for k, v in value.items()) \
            + "\n" + pad + "}"
    # floats, tuples, other keys and types: the stdlib's own text (no raw newline can occur inside a string)
    return json.dumps(value, indent=2).replace("\n", "\n" + pad)
