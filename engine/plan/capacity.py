"""The saved-capacity tag shared by asg.scale/asg.restore, ecs.scale/ecs.restore and `shiftwork saved`.

Before scaling a resource down, the previous size is written to a tag on the resource, with when
and by which rule, so a restore is exact even across Lambda invocations. The first scale-down of a
cycle saves; nothing but the matching restore replaces or removes the tag: not a second scale-down,
not a retry that finds a half-done scale, not an add/multiply or a manual change in between. A tag
that cannot be read skips that one resource, with the reason, and never guesses a size.

Tag values use only characters every service accepts in tags (letters, digits, space, = . _ : / @ + -).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

SAVED_TAG = "shiftwork:saved-capacity"
FIELDS = ("min", "desired", "max")
NOTES = ("at", "rule")  # when and by which rule the size was saved; not part of the size
_COUNT = re.compile(r"[0-9]{1,9}")  # ASCII digits only: '³' is a digit to str.isdigit but not a count


@dataclass(frozen=True)
class Capacity:
    min: int | None
    desired: int
    max: int | None
    at: str | None = field(default=None, compare=False)  # e.g. 2026-12-21T19:00Z
    rule: str | None = field(default=None, compare=False)

    def encode(self) -> str:
        return " ".join(f"{k}={getattr(self, k)}" for k in FIELDS + NOTES if getattr(self, k) is not None)

    def stamped(self, when: datetime, rule: str) -> "Capacity":
        """This size, noted as saved at `when` by `rule`."""
        return Capacity(self.min, self.desired, self.max, f"{when.astimezone(timezone.utc):%Y-%m-%dT%H:%MZ}", rule)

    @property
    def is_zero(self) -> bool:
        return self.desired == 0

    def __str__(self) -> str:
        if self.min is None and self.max is None:
            return f"desired {self.desired}"
        return f"min {self.min} / desired {self.desired} / max {self.max}"


class BadSavedCapacity(ValueError):
    """The saved-capacity tag exists but cannot be read; never guess a size from it."""


def decode(text: str) -> Capacity:
    values: dict[str, int] = {}
    notes: dict[str, str] = {}
    for part in text.split():
        key, sep, raw = part.partition("=")
        if sep and key in NOTES and key not in notes and raw:
            notes[key] = raw
            continue
        if not sep or key not in FIELDS or key in values or not _COUNT.fullmatch(raw):
            raise BadSavedCapacity(f"unreadable {SAVED_TAG} tag {text!r}; expected e.g. 'min=1 desired=2 max=4'")
        values[key] = int(raw)
    if "desired" not in values:
        raise BadSavedCapacity(f"{SAVED_TAG} tag {text!r} has no desired count")
    lo, ds, hi = values.get("min"), values["desired"], values.get("max")
    if (lo is not None and lo > ds) or (hi is not None and ds > hi):
        raise BadSavedCapacity(f"{SAVED_TAG} tag {text!r} is inconsistent: min <= desired <= max does not hold")
    return Capacity(lo, ds, hi, notes.get("at"), notes.get("rule"))


def saved(tags: dict[str, str]) -> Capacity | None:
    """The capacity saved on a resource, None when there is none; raises BadSavedCapacity when unreadable."""
    text = tags.get(SAVED_TAG)
    return None if text is None else decode(text)


def should_save(current: Capacity, already: Capacity | None) -> bool:
    """Save before scaling down only when nothing is saved: the first scale-down of a cycle owns the tag."""
    return already is None
