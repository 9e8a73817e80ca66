"""What selectors return: one AWS resource, with what a plan needs to reason about it."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

SKIP_TAG = "shiftwork:skip"
SKIP_UNTIL_TAG = "shiftwork:skip-until"


@dataclass(frozen=True, slots=True)  # one per selected resource: no __dict__ each
class Resource:
    type: str  # registry resource type, e.g. "ec2.instance"
    id: str  # the id the API's write calls take (instance id, ASG name, service ARN, DB identifier)
    region: str
    account: str | None = None
    name: str | None = None
    arn: str | None = None
    state: str | None = None  # e.g. "running", "stopped", "available"
    tags: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)  # the raw describe record

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name and self.name != self.id else self.id


def opt_out(resource: Resource, now: datetime) -> str | None:
    """Why a resource is skipped by its opt-out tags at `now`, or None when it is in scope."""
    if resource.tags.get(SKIP_TAG, "").strip().lower() == "true":
        return f"tagged {SKIP_TAG}=true"
    until = resource.tags.get(SKIP_UNTIL_TAG)
    if until:
        try:
            limit = datetime.fromisoformat(until.strip().replace("Z", "+00:00"))
        except ValueError:
            return f"tagged {SKIP_UNTIL_TAG}={until!r}, which is not an ISO time; skipped to be safe"
        if limit.tzinfo is None:
            return f"tagged {SKIP_UNTIL_TAG}={until!r} without a UTC offset; skipped to be safe"
        if now < limit:
            return f"tagged {SKIP_UNTIL_TAG}={until}"
    return None


def tags_match(tags: Mapping[str, str], wanted: Mapping[str, tuple[str, ...]]) -> bool:
    """Every wanted key present, with a value matching one of its globs (no globs: any value)."""
    for key, values in wanted.items():
        if key not in tags:
            return False
        if values and not any(fnmatch.fnmatchcase(tags[key], v) for v in values):
            return False
    return True


def name_matches(name: str | None, globs: tuple[str, ...]) -> bool:
    return not globs or (name is not None and any(fnmatch.fnmatchcase(name, g) for g in globs))
