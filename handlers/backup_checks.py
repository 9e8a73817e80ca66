"""The checks of backup.validate, as pure functions of the evidence and the trigger time.

Each check returns None when it holds, or a Failure saying what was observed and what was
required. Only completed backups (COMPLETED / AVAILABLE, 100 %) count as proof; a backup still
being made has no verdict yet; backups made after the trigger time are ignored by the sources.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from shiftwork.engine.language.durations import elapsed_words, format_duration, parse_duration
from shiftwork.handlers.backup_sources import UNKNOWN, Backup, Evidence

DEFAULT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Failure:
    check: str
    observed: str
    required: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "observed": self.observed, "required": self.required, "reason": self.reason}


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%MZ")


def ago(now: datetime, when: datetime) -> str:
    return f"{elapsed_words(now - when)} ago ({stamp(when)})"


def completed(evidence: Evidence) -> list[Backup]:
    return sorted((b for b in evidence.backups if b.completed), key=lambda b: b.created)


def window_of(options: Mapping[str, Any]) -> timedelta:
    return parse_duration(options["window"]) if "window" in options else DEFAULT_WINDOW


def check_exists(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    if completed(ev):
        return None
    if not ev.backups:
        return Failure("exists", "no backups", "at least one completed backup",
                       f"no backups found ({', '.join(ev.sources)})")
    newest = max(ev.backups, key=lambda b: b.created)
    return Failure("exists", f"{len(ev.backups)} backups, none completed (newest {newest.status})",
                   "at least one completed backup", "no completed backup: an unfinished backup is no proof")


def check_max_age(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    done = completed(ev)
    limit = parse_duration(o["max_age"])
    if done and now - done[-1].created <= limit:
        return None
    observed = f"newest completed backup {ago(now, done[-1].created)}" if done else "no completed backup"
    reason = f"{observed}, older than {o['max_age']}" if done else observed
    return Failure("max_age", observed, f"at most {o['max_age']} old", reason)


def check_min_points(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    window = window_of(o)
    count = sum(1 for b in completed(ev) if b.created > now - window)
    if count >= o["min_points"]:
        return None
    span = format_duration(window)
    return Failure("min_points", f"{count} completed in {span}", f"at least {o['min_points']} in {span}",
                   f"only {count} completed backups in the last {span}")


def check_status(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    """The newest finished attempt (backup or backup job) must be COMPLETED and 100 % done."""
    finished = [b for b in ev.backups + ev.attempts if b.done]
    if not finished:
        return Failure("status", "no finished backup", o["status"], "no finished backup to judge")
    newest = max(finished, key=lambda b: (b.created, b.completed))
    if newest.completed:
        return None
    percent = f", {newest.percent:g}% done" if newest.percent is not None and newest.percent < 100 else ""
    return Failure("status", f"{newest.status}{percent}", f"{o['status']}, 100% done",
                   f"newest backup {newest.id} ({stamp(newest.created)}) is {newest.status}{percent}")


def check_retention(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    done = completed(ev)
    if not done:
        return Failure("min_retention_days", "no completed backup", f"kept {o['min_retention_days']}d",
                       "no completed backup whose retention could be read")
    newest = done[-1]
    need = timedelta(days=o["min_retention_days"])
    if newest.retention is None or (newest.retention != UNKNOWN and newest.retention >= need):
        return None
    if newest.retention == UNKNOWN:
        return Failure("min_retention_days", "unknown", f"kept at least {o['min_retention_days']}d",
                       f"the retention of {newest.id} ({newest.origin}) cannot be read from this source")
    kept = format_duration(newest.retention)
    return Failure("min_retention_days", f"kept {kept}", f"kept at least {o['min_retention_days']}d",
                   f"newest backup {newest.id} is deleted after {kept}")


def check_encrypted(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    """Every completed backup in the window (or the newest, if none is in it) is encrypted."""
    if not o["encrypted"]:
        return None
    done = completed(ev)
    judged = [b for b in done if b.created > now - window_of(o)] or done[-1:]
    bad = [b for b in judged if b.encrypted is not True]
    if not bad:
        return None
    first = bad[-1]
    state = "unencrypted" if first.encrypted is False else "encryption unknown"
    return Failure("encrypted", f"{len(bad)} of {len(judged)} {state}", "encrypted",
                   f"backup {first.id} ({stamp(first.created)}) is {state}")


def check_copies(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    missing = [r for r in o["copy_regions"] if not ev.copies.get(r)]
    if not missing:
        return None
    span = format_duration(window_of(o))
    note = f"; {'; '.join(ev.notes)}" if ev.notes else ""
    return Failure("copy_regions", f"no completed copy in {', '.join(missing)}",
                   f"a copy in {', '.join(o['copy_regions'])}",
                   f"no completed copy of a backup from the last {span} in {', '.join(missing)}{note}")


def check_restore(o: Mapping[str, Any], ev: Evidence, now: datetime) -> Failure | None:
    within = parse_duration(o["restore_tested_within"])
    required = f"a validated restore within {o['restore_tested_within']}"
    if ev.restores is None:
        return Failure("restore_tested_within", "not recorded by snapshots", required,
                       "only AWS Backup restore jobs record restore tests; use source: aws-backup or any")
    if ev.restores and now - max(ev.restores) <= within:
        return None
    observed = f"last validated restore {ago(now, max(ev.restores))}" if ev.restores else "no validated restore"
    return Failure("restore_tested_within", observed, required, observed)


Check = Callable[[Mapping[str, Any], Evidence, datetime], "Failure | None"]
CHECKS: tuple[tuple[str, Check], ...] = (
    ("max_age", check_max_age), ("min_points", check_min_points), ("status", check_status),
    ("min_retention_days", check_retention), ("encrypted", check_encrypted), ("copy_regions", check_copies),
    ("restore_tested_within", check_restore),
)


def evaluate(options: Mapping[str, Any], evidence: Evidence, now: datetime) -> list[Failure]:
    """Every failed check, in a fixed order; `exists` always runs, the others when configured."""
    failures = [f for f in [check_exists(options, evidence, now)] if f]
    for option, check in CHECKS:
        if option in options:
            failure = check(options, evidence, now)
            if failure:
                failures.append(failure)
    return failures


def checked(options: Mapping[str, Any]) -> list[str]:
    return ["exists"] + [name for name, _ in CHECKS if name in options]
