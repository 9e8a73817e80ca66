"""EBS snapshots for many volumes at once: one DescribeSnapshots per 200 volumes, not one per volume.

A plan judges many volumes (or instances) in one region and account. Their snapshots are
listed together, with OwnerIds=["self"] and a volume-id filter, the first time any of them is
asked for. Copies in another region are found by the source snapshot ids named in the copies'
descriptions: first the copies of every volume's newest snapshot, together; only for a volume
whose newest snapshot has no copy are its older ones looked up. A failed read is remembered and raised for every volume it covered,
so one denied call never turns into a pass for the volumes after it.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.language.model import Account
from shiftwork.handlers.backup_sources import Needs, SourceError, items

VOLUMES_PER_CALL = 200  # values per EC2 filter
COPIES_PER_CALL = 100  # description wildcards per call
_SNAPSHOT_ID = re.compile(r"\bsnap-[0-9a-f]+\b")

Key = tuple[str, str]  # (region, account id or "")


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


class EbsIndex:
    """Snapshots by volume and copies by source snapshot, read lazily and in batches."""

    def __init__(self, ctx: PlanContext, needs: Needs):
        self.ctx = ctx
        self.needs = needs
        self.expected: dict[Key, set[str]] = {}
        self.snapshots: dict[Key, dict[str, list[dict[str, Any]]]] = {}
        self.copies: dict[tuple[Key, str], dict[str, list[datetime]]] = {}
        self.failed: dict[tuple[Key, str], SourceError] = {}  # (key, volume or "copies:<region>") -> error

    @staticmethod
    def key(region: str, account: Account | None) -> Key:
        return (region, account.id if account else "")

    def expect(self, region: str, account: Account | None, volumes: list[str]) -> None:
        """Volumes the plan will ask about, so the first listing covers them all."""
        self.expected.setdefault(self.key(region, account), set()).update(volumes)

    def of(self, region: str, account: Account | None, volumes: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The raw snapshots of each volume (made at or before the trigger time)."""
        key = self.key(region, account)
        loaded = self.snapshots.setdefault(key, {})
        self._raise_failed(key, volumes)
        missing = [v for v in volumes if v not in loaded]
        if missing:
            todo = sorted(set(missing) | (self.expected.get(key, set()) - set(loaded)))
            ec2 = self.ctx.clients.client("ec2", region, account)
            found: dict[str, list[dict[str, Any]]] = {v: [] for v in todo}
            try:
                for chunk in _chunks(todo, VOLUMES_PER_CALL):
                    for snap in items(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"],
                                      Filters=[{"Name": "volume-id", "Values": chunk}]):
                        if snap.get("VolumeId") in found and snap["StartTime"] <= self.needs.now:
                            found[snap["VolumeId"]].append(snap)
            except SourceError as exc:
                self.failed.update({(key, v): exc for v in todo})
                raise
            loaded.update(found)
        return {v: loaded[v] for v in volumes}

    def _raise_failed(self, key: Key, names: list[str]) -> None:
        for name in names:
            if (key, name) in self.failed:
                raise self.failed[(key, name)]

    def _newest_sources(self, key: Key) -> set[str]:
        """Each loaded volume's newest completed snapshot in the window: the copy most likely looked for."""
        newest = set()
        for snaps in self.snapshots.get(key, {}).values():
            recent = [s for s in snaps if s.get("State") == "completed" and s["StartTime"] > self.needs.since]
            if recent:
                newest.add(max(recent, key=lambda s: s["StartTime"])["SnapshotId"])
        return newest

    def copied(self, region: str, account: Account | None, dest: str,
               sources: list[str]) -> dict[str, list[datetime]]:
        """Completed copies in region `dest`, by the source snapshot id their description names."""
        key = self.key(region, account)
        tag = f"copies:{dest}"
        self._raise_failed(key, [tag])
        index = self.copies.setdefault((key, dest), {})
        todo = sorted((set(sources) | self._newest_sources(key)) - set(index))
        if todo:
            ec2 = self.ctx.clients.client("ec2", dest, account)
            found: dict[str, list[datetime]] = {sid: [] for sid in todo}
            try:
                for chunk in _chunks(todo, COPIES_PER_CALL):
                    for snap in items(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"],
                                      Filters=[{"Name": "description", "Values": [f"*{s}*" for s in chunk]}]):
                        if snap.get("State") != "completed" or snap["StartTime"] > self.needs.now:
                            continue
                        for sid in _SNAPSHOT_ID.findall(snap.get("Description") or ""):
                            if sid in found:
                                found[sid].append(snap["StartTime"])
            except SourceError as exc:
                self.failed[(key, tag)] = exc
                raise
            index.update(found)
        return {sid: index[sid] for sid in sources}
