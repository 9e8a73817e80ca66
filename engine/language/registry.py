"""The registry: the single source of truth for resource types and actions.

Handlers register themselves with decorators when `shiftwork.handlers` is imported (by the entry points);
the engine knows actions only through here.
The JSON Schema, `shiftwork permissions` and the docs are all derived from it.
"""
from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence, TypeVar

from shiftwork.engine.errors import ShiftworkError

T = TypeVar("T")
ANY_RESOURCE = "*"
# An action's IAM actions: one list for every resource type it applies to, or a list per resource type.
Permissions = Sequence[str] | Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class ResourceType:
    name: str  # "ec2.instance"
    service: str  # boto3 client name
    summary: str
    match: tuple[str, ...]  # which `match` keys it supports
    permissions: tuple[str, ...]  # IAM actions selection needs
    selector: type | None = None


@dataclass(frozen=True)
class ActionType:
    name: str  # "ec2.stop"
    resources: tuple[str, ...]  # resource type names, or ("*",)
    options: dict[str, Any]  # JSON Schema "properties" of the mapping form
    required: tuple[str, ...]
    permissions: tuple[str, ...]  # the union over its resource types
    summary: str
    example: str  # a YAML rule file, from the class docstring
    cls: type = field(compare=False)
    writes: bool = True  # False for read-only actions such as backup.validate
    by_resource: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def applies_to(self, resource: str) -> bool:
        return ANY_RESOURCE in self.resources or resource in self.resources

    def permissions_for(self, resource: str, options: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """What acting on this resource type needs: a rule on rds.instance never needs the cluster actions.

        With options, an action class may narrow it further (`permissions_needed(resource, options)`, e.g.
        backup.validate with `source: snapshots` reads no AWS Backup); never beyond what it declares.
        """
        declared = self.by_resource.get(resource, self.by_resource.get(ANY_RESOURCE, self.permissions))
        narrow = getattr(self.cls, "permissions_needed", None)
        if options is None or narrow is None:
            return declared
        needed = set(narrow(resource, options))
        return tuple(p for p in declared if p in needed)


class Registry:
    def __init__(self) -> None:
        self.resources: dict[str, ResourceType] = {}
        self.actions: dict[str, ActionType] = {}

    def resource(self, name: str, *, service: str, summary: str, match: tuple[str, ...] = ("tags", "ids", "names"),
                 permissions: tuple[str, ...] = ()) -> Callable[[T], T]:
        def register(cls: T) -> T:
            if name in self.resources:
                raise ValueError(f"resource type {name} registered twice")
            self.resources[name] = ResourceType(name, service, summary, tuple(match), tuple(permissions), cls)
            return cls
        return register

    def action(self, name: str, *, resources: tuple[str, ...] | list[str], permissions: Permissions,
               options: dict[str, Any] | None = None, required: tuple[str, ...] = (),
               writes: bool = True) -> Callable[[T], T]:
        by_resource = per_resource(name, tuple(resources), permissions)

        def register(cls: T) -> T:
            if name in self.actions:
                raise ValueError(f"action {name} registered twice")
            doc = inspect.getdoc(cls) or ""
            summary = doc.splitlines()[0].strip() if doc else ""
            union = tuple(dict.fromkeys(p for perms in by_resource.values() for p in perms))
            self.actions[name] = ActionType(name, tuple(resources), dict(options or {}), tuple(required),
                                            union, summary, docstring_example(doc), cls, writes, by_resource)
            cls.action_name = name  # type: ignore[attr-defined]
            return cls
        return register

    def actions_for(self, resource: str) -> list[str]:
        return sorted(n for n, a in self.actions.items() if a.applies_to(resource))


def per_resource(name: str, resources: tuple[str, ...], permissions: Permissions) -> dict[str, tuple[str, ...]]:
    """The declaration as {resource type: IAM actions}; a mapping must name exactly the action's resource types."""
    if not isinstance(permissions, Mapping):
        return {resource: tuple(permissions) for resource in resources}
    if set(permissions) != set(resources):
        raise ValueError(f"action {name}: permissions name resource types {sorted(permissions)}, "
                         f"but the action applies to {sorted(resources)}")
    return {resource: tuple(permissions[resource]) for resource in resources}


def docstring_example(doc: str) -> str:
    """The indented block after a line ending in 'Example::' (or '.. code-block:: yaml')."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.strip().endswith("Example::") or line.strip() == ".. code-block:: yaml":
            block = []
            for nxt in lines[i + 1:]:
                if nxt.strip() and not nxt.startswith((" ", "\t")):
                    break
                block.append(nxt)
            return textwrap.dedent("\n".join(block)).strip() + "\n"
    return ""


REGISTRY = Registry()
resource = REGISTRY.resource
action = REGISTRY.action



def registered() -> Registry:
    """The registry as the handlers filled it; the entry points (CLI, Lambda handler) import them first.

    The engine never imports `shiftwork.handlers` itself: handlers depend on the engine, not back.
    """
    if not REGISTRY.actions:
        raise ShiftworkError("no actions are registered: import shiftwork.handlers before loading rules "
                             "(the shiftwork CLI and the Lambda handler do)")
    return REGISTRY
