"""CloudFormation logical IDs for per-rule resources: stable, readable, alphanumeric, collision-free.

A logical ID is a resource's identity across stack updates, so it must depend on the rule's name
alone: adding or removing another rule must not rename (and so replace) this rule's resources.
Rule names are `[a-z0-9-]`; CamelCase keeps them readable, but loses where a dash stood before a
digit (`db-1` and `db1` both give `Db1`), so a short hash of the exact name follows.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_LOGICAL_ID = 255
HASH_CHARS = 8
_MAX_CAMEL = 120  # rule names are at most 64 characters; leave room for prefixes and suffixes


def rule_key(name: str) -> str:
    """`api-scale-out` -> `ApiScaleOut` + 8 hex digits of the name's SHA-256."""
    camel = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_CHARS]
    return (camel[:_MAX_CAMEL] or "Rule") + digest


def logical_id(prefix: str, name: str, suffix: str = "") -> str:
    """A logical ID for one resource of rule `name`, e.g. `EventApiScaleOut1a2b3c4dRule`."""
    result = f"{prefix}{rule_key(name)}{suffix}"
    if not result.isascii() or not result.isalnum() or len(result) > MAX_LOGICAL_ID:
        raise ValueError(f"cannot make a CloudFormation logical ID from {prefix!r}, {name!r}, {suffix!r}")
    return result


def check_unique(names: Iterable[str]) -> None:
    """Refuse two rule names that would share a logical ID (never expected; checked, not assumed)."""
    seen: dict[str, str] = {}
    for name in names:
        key = rule_key(name)
        if key in seen and seen[key] != name:
            raise ValueError(f"rules '{seen[key]}' and '{name}' map to the same logical ID {key}; rename one")
        seen[key] = name
