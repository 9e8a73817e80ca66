"""AWS service models cut down to the operations shiftwork calls, for the Lambda package.

A cold start would otherwise parse every service's complete model (EC2: ~4,400 shapes, ~30 MB of
peak memory) for a handful of operations. For each service shiftwork calls, `model_files` keeps the
operations the function's role allows (deploy.iam_actions for what rules do, deploy.policy for its own
table and queues: an operation outside them would be refused by IAM anyway) and every shape they reach, without documentation, cut from one botocore
release: the installed one, or the one the package bundles. The package stores them under
`shiftwork_models/` (deploy.layout.MODELS_DIR) in botocore's own layout::

    shiftwork_models/manifest.json                    {"format": 1, "botocore": "1.44.8", "services": {...}}
    shiftwork_models/ec2/2016-11-15/service-2.json    the trimmed model

and the function uses them only on that botocore release (engine.execute.models).
"""
from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shiftwork.engine.execute.models import FORMAT, MANIFEST

from .iam_actions import ALSO_ALLOWS, NEEDS_NO_PERMISSION, RESOURCE_TYPES
from .policy import QUEUE_ACTIONS, STATE_ACTIONS

SERVICE_OF_PREFIX = {"elasticfilesystem": "efs"}  # IAM's service prefix -> botocore's service name, where they differ
FUNCTION_OWN = frozenset({"logs"})  # permissions the Lambda runtime uses (its log stream), not calls shiftwork makes
_DROPPED = ("documentation", "documentationUrl")
_VERSION = re.compile(rb"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


@dataclass(frozen=True)
class Botocore:
    """One botocore release's data: `read("ec2/2016-11-15/service-2.json.gz")` gives the bytes or None,
    `api_versions("ec2")` the API versions holding a service model."""

    version: str
    read: Callable[[str], bytes | None]
    api_versions: Callable[[str], list[str]]

    @classmethod
    def installed(cls) -> Botocore:
        import botocore

        root = os.path.join(os.path.dirname(botocore.__file__), "data")

        def read(relative: str) -> bytes | None:
            try:
                with open(os.path.join(root, relative), "rb") as fh:
                    return fh.read()
            except FileNotFoundError:
                return None

        def api_versions(service: str) -> list[str]:
            folder = os.path.join(root, service)
            return [v for v in (os.listdir(folder) if os.path.isdir(folder) else [])
                    if any(os.path.exists(os.path.join(folder, v, f"service-2.json{z}")) for z in ("", ".gz"))]
        return cls(botocore.__version__, read, api_versions)

    @classmethod
    def bundled(cls, files: Mapping[str, bytes]) -> Botocore:
        """The botocore among a package's unpacked wheels (`botocore/__init__.py`, `botocore/data/...`)."""
        init = files.get("botocore/__init__.py")
        found = _VERSION.search(init or b"")
        if found is None:
            raise ValueError("the bundled files hold no botocore/__init__.py with a __version__")

        def api_versions(service: str) -> list[str]:
            prefix = f"botocore/data/{service}/"
            return sorted({p[len(prefix):].split("/", 1)[0] for p in files
                           if p.startswith(prefix) and p.rsplit("/", 1)[-1] in ("service-2.json", "service-2.json.gz")})
        return cls(found.group(1).decode(), lambda relative: files.get(f"botocore/data/{relative}"), api_versions)

    def service_model(self, service: str) -> tuple[str, dict[str, Any]]:
        """(API version, model) of the service's latest API version, as botocore would pick it, before its
        sdk-extras (the running botocore merges those itself)."""
        versions = self.api_versions(service)
        if not versions:
            raise ValueError(f"botocore {self.version} has no model for service {service!r}")
        latest = max(versions)
        raw = self.read(f"{service}/{latest}/service-2.json")
        if raw is None:
            packed = self.read(f"{service}/{latest}/service-2.json.gz")
            raw = gzip.decompress(packed) if packed is not None else None
        if raw is None:
            raise ValueError(f"botocore {self.version}: {service}/{latest}/service-2.json is missing")
        return latest, json.loads(raw)


def granted() -> set[str]:
    """Every IAM action the function may use: what rules may do (deploy.iam_actions), its own state table and
    queues (deploy.policy), and the calls that need no permission."""
    return set(RESOURCE_TYPES) | set(STATE_ACTIONS) | set(QUEUE_ACTIONS) | set(NEEDS_NO_PERMISSION)


def operations(actions: Iterable[str] | None = None) -> dict[str, list[str]]:
    """botocore service -> the operations shiftwork may call: those the IAM actions it is granted allow."""
    found: dict[str, set[str]] = {}
    for action in sorted(granted() if actions is None else actions):
        prefix, _, name = action.partition(":")
        if prefix in FUNCTION_OWN:
            continue
        found.setdefault(SERVICE_OF_PREFIX.get(prefix, prefix), set()).update((name, *ALSO_ALLOWS.get(action, ())))
    return {service: sorted(names) for service, names in sorted(found.items())}


def trim(model: Mapping[str, Any], keep: Iterable[str]) -> dict[str, Any]:
    """The model with only the operations `keep`, the shapes they reach (input, output, errors and every
    member, list element and map key/value beneath), and no documentation."""
    ops = model["operations"]
    wanted = set(keep)
    missing = sorted(name for name in wanted if name not in ops)
    if missing:
        service = model.get("metadata", {}).get("serviceId", "?")
        raise ValueError(f"{service} has no operation {', '.join(missing)}")
    shapes = model["shapes"]
    reached: set[str] = set()
    todo: list[str] = []

    def reach(ref: Mapping[str, Any] | None) -> None:
        if ref and ref["shape"] not in reached:
            reached.add(ref["shape"])
            todo.append(ref["shape"])

    kept = {name: ops[name] for name in ops if name in wanted}  # botocore's order, whatever `keep`'s
    for op in kept.values():
        reach(op.get("input"))
        reach(op.get("output"))
        for error in op.get("errors", ()):
            reach(error)
    while todo:
        shape = shapes[todo.pop()]
        for member in shape.get("members", {}).values():
            reach(member)
        for part in ("member", "key", "value"):
            reach(shape.get(part))
    trimmed = {key: value for key, value in model.items() if key not in ("operations", "shapes", *_DROPPED)}
    trimmed["operations"] = kept
    trimmed["shapes"] = {name: shape for name, shape in shapes.items() if name in reached}
    return _undocumented(trimmed)


def model_files(source: Botocore | None = None, wanted: Mapping[str, Iterable[str]] | None = None) -> dict[str, bytes]:
    """The models folder's files, relative to it: the manifest and one trimmed service-2.json per service.
    The same botocore release and operations give the same bytes."""
    source = source or Botocore.installed()
    files: dict[str, bytes] = {}
    services: dict[str, dict[str, Any]] = {}
    for service, names in (operations() if wanted is None else wanted).items():
        api_version, model = source.service_model(service)
        files[f"{service}/{api_version}/service-2.json"] = _encode(trim(model, names))
        services[service] = {"api_version": api_version, "operations": sorted(names)}
    files[MANIFEST] = _encode({"format": FORMAT, "botocore": source.version, "services": services})
    return files


def _undocumented(model: dict[str, Any]) -> dict[str, Any]:
    """Documentation removed where the model format puts it: on operations, shapes and shape references
    (never a member that happens to be called `documentation`)."""
    def bare(node: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in node.items() if k not in _DROPPED}

    def shape(node: Mapping[str, Any]) -> dict[str, Any]:
        out = bare(node)
        if "members" in out:
            out["members"] = {name: bare(ref) for name, ref in out["members"].items()}
        for part in ("member", "key", "value"):
            if part in out:
                out[part] = bare(out[part])
        return out

    def operation(node: Mapping[str, Any]) -> dict[str, Any]:
        out = bare(node)
        for part in ("input", "output"):
            if part in out:
                out[part] = bare(out[part])
        if "errors" in out:
            out["errors"] = [bare(ref) for ref in out["errors"]]
        return out

    return {**model, "operations": {name: operation(op) for name, op in model["operations"].items()},
            "shapes": {name: shape(node) for name, node in model["shapes"].items()}}


def _encode(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"
