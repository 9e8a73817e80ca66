"""Expiring overrides: the tags `shiftwork override` writes, read back the same way everywhere.

An override is four tags, written and removed in one tagging call:
  shiftwork:override-until   2026-12-21T22:00:00Z  (UTC, ISO 8601)
  shiftwork:override-keep    running | stopped     (absent: hold the resource as it is)
  shiftwork:override-by      the caller's ARN (sts GetCallerIdentity)
  shiftwork:override-reason  free text
Every value keeps to the characters all the services' tag APIs accept (RDS is the strictest:
Unicode letters, digits, white space and _ . : / = + - @, at most 256 characters). The older
`shiftwork:skip-until=<ISO time>` tag is read as an override that holds the resource as it is.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from shiftwork.engine.plan.resources import SKIP_UNTIL_TAG
from shiftwork.engine.schedule.walltime import wall_label

UNTIL_TAG = "shiftwork:override-until"
KEEP_TAG = "shiftwork:override-keep"
BY_TAG = "shiftwork:override-by"
REASON_TAG = "shiftwork:override-reason"
OVERRIDE_TAGS = (UNTIL_TAG, KEEP_TAG, BY_TAG, REASON_TAG)
KEEPS = ("running", "stopped")
AS_IS, NO_ONE, NO_REASON = "as-is", "unknown", "-"  # placeholders for a keep, caller or reason not given
MAX_VALUE = 256  # the shortest tag-value limit of EC2, Auto Scaling, ECS and RDS
TAG_PUNCTUATION = "_.:/=+-@"  # besides letters, digits and spaces: what RDS (the strictest) accepts

# With `keep`, the actions that move a resource towards the kept state still run; every other action
# (stops, starts, scaling either way, checks) leaves the resource alone until the override ends.
AGREES_WITH = {"running": frozenset({"ec2.start", "rds.start", "asg.restore", "ecs.restore"}),
               "stopped": frozenset({"ec2.stop", "rds.stop"})}


@dataclass(frozen=True)
class Override:
    """One resource's override as its tags say; `problem` is set when the tags cannot be read."""

    until: datetime | None
    keep: str | None = None
    by: str = ""
    reason: str = ""
    tag: str = UNTIL_TAG  # the tag it was read from (UNTIL_TAG, or the older SKIP_UNTIL_TAG)
    problem: str = ""

    def active(self, now: datetime) -> bool:
        """Unreadable overrides count as active: skipping is the safe side."""
        return bool(self.problem) or (self.until is not None and now < self.until)

    def blocks(self, action: str) -> bool:
        """True when this override keeps `action` off the resource while it is active."""
        return self.keep is None or action not in AGREES_WITH.get(self.keep, frozenset())

    def describe(self, tz: str = "UTC") -> str:
        """One line for plans, skips and notices."""
        if self.problem:
            return self.problem
        assert self.until is not None
        text = f"override until {when(self.until, tz)}"
        if self.keep:
            text += f" (keep {self.keep})"
        if self.by:
            text += f" by {self.by}"
        if self.reason:
            text += f": {self.reason}"
        return text


def when(t: datetime, tz: str) -> str:
    """Local wall time, and UTC beside it when the zone is not UTC."""
    label = wall_label(t, tz)
    return label if tz == "UTC" else f"{label} ({t:%Y-%m-%d %H:%M} UTC)"


def format_until(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime | None:
    """An ISO time with a UTC offset (or Z), as UTC; None when it is not one."""
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(timezone.utc) if t.tzinfo is not None else None


def tag_safe(text: str, limit: int = MAX_VALUE) -> str:
    """`text` in characters every supported tag API accepts: others become '-', runs of space one space."""
    out = []
    for ch in " ".join(text.split()):
        ok = ch.isalnum() or ch in TAG_PUNCTUATION or unicodedata.category(ch).startswith("Z")
        out.append(ch if ok else "-")
    safe = "".join(out)
    return safe if len(safe) <= limit else safe[:limit - 3] + "..."


def override_tags(until: datetime, keep: str | None, by: str, reason: str) -> dict[str, str]:
    """All four tags, placeholders for what was not given (some APIs refuse empty values; no stale leftovers)."""
    return {UNTIL_TAG: format_until(until), KEEP_TAG: keep or AS_IS, BY_TAG: tag_safe(by) or NO_ONE,
            REASON_TAG: tag_safe(reason) or NO_REASON}


def read_override(tags: Mapping[str, str]) -> Override | None:
    """The override recorded on a resource, from the override tags or else `shiftwork:skip-until`."""
    raw = tags.get(UNTIL_TAG)
    if raw is not None:
        keep = None if tags.get(KEEP_TAG, AS_IS) in (AS_IS, "") else tags[KEEP_TAG]
        by = "" if tags.get(BY_TAG, NO_ONE) == NO_ONE else tags[BY_TAG]
        reason = "" if tags.get(REASON_TAG, NO_REASON) == NO_REASON else tags[REASON_TAG]
        until = parse_time(raw)
        if until is None:
            return Override(None, keep, by, reason, problem=f"tagged {UNTIL_TAG}={raw!r}, which is not an ISO time "
                                                           "with a UTC offset; skipped to be safe")
        if keep is not None and keep not in KEEPS:
            return Override(until, None, by, reason, problem=f"tagged {KEEP_TAG}={keep!r}, which is neither "
                                                            "'running' nor 'stopped'; skipped to be safe")
        return Override(until, keep, by, reason)
    raw = tags.get(SKIP_UNTIL_TAG)
    if raw:
        until = parse_time(raw)
        if until is None:
            return Override(None, tag=SKIP_UNTIL_TAG, problem=f"tagged {SKIP_UNTIL_TAG}={raw!r}, which is not an "
                                                              "ISO time with a UTC offset; skipped to be safe")
        return Override(until, tag=SKIP_UNTIL_TAG)
    return None


def active_override(tags: Mapping[str, str], now: datetime) -> Override | None:
    found = read_override(tags)
    return found if found is not None and found.active(now) else None
