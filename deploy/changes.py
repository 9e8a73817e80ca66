"""A change set as a reader wants it: what is added, modified or removed, and which rule each resource belongs to."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ACTIONS = ("Add", "Modify", "Remove", "Import", "Dynamic")


@dataclass(frozen=True)
class ResourceChange:
    action: str  # Add, Modify, Remove (CloudFormation's words)
    logical_id: str
    type: str
    replacement: str = ""  # Modify only: True, False or Conditional
    rule: str | None = None  # the rule that owns it; None for the dispatcher's own resources


def owners(*templates: Mapping[str, Any] | None) -> dict[str, str]:
    """Logical ID -> rule name, from the templates' `Metadata.shiftwork.rules` (the old one names removed rules)."""
    found: dict[str, str] = {}
    for template in templates:
        rules = ((template or {}).get("Metadata") or {}).get("shiftwork", {}).get("rules", {})
        for rule, ids in rules.items():
            found.update({logical_id: rule for logical_id in ids})
    return found


def resource_changes(changes: Iterable[Mapping[str, Any]], owned: Mapping[str, str]) -> list[ResourceChange]:
    """DescribeChangeSet's `Changes`, ordered Add, Modify, Remove and then by logical ID."""
    out = []
    for change in changes:
        rc = change.get("ResourceChange") or {}
        action, logical_id = str(rc.get("Action", "?")), str(rc.get("LogicalResourceId", "?"))
        replacement = str(rc.get("Replacement", "")) if action == "Modify" else ""
        out.append(ResourceChange(action, logical_id, str(rc.get("ResourceType", "?")), replacement,
                                  owned.get(logical_id)))
    order = {a: i for i, a in enumerate(ACTIONS)}
    return sorted(out, key=lambda c: (order.get(c.action, len(order)), c.logical_id))


def summary(stack: str, kind: str, changes: list[ResourceChange]) -> str:
    """One line per resource under a count line, as `shiftwork deploy` prints it."""
    counts = {a: sum(c.action == a for c in changes) for a in ("Add", "Modify", "Remove")}
    verb = "create" if kind == "CREATE" else "update"
    head = (f"change set to {verb} stack {stack}: {counts['Add']} to add, {counts['Modify']} to modify, "
            f"{counts['Remove']} to remove")
    if not changes:
        return head
    width = max(len(c.logical_id) for c in changes)
    type_width = max(len(c.type) for c in changes)
    lines = [head]
    for c in changes:
        notes = [f"rule {c.rule}" if c.rule else "dispatcher"]
        if c.replacement in ("True", "Conditional"):
            notes.append("replaced" if c.replacement == "True" else "may be replaced")
        lines.append(f"  {c.action:<7} {c.logical_id:<{width}}  {c.type:<{type_width}}  {', '.join(notes)}")
    return "\n".join(lines)
