"""Trimmed AWS service models: the Lambda package's own copy of the operations shiftwork calls.

botocore parses a service's whole model the first time a client for it is made: EC2's alone holds
about 4,400 shapes and costs some 30 MB of peak memory and 130 ms of a cold start, though shiftwork
calls five of its operations. The package (deploy.service_models) writes, for each service shiftwork
calls, a model holding only those operations and the shapes they reach, plus a manifest naming the
botocore release they were cut from. `use_trimmed_models` puts that folder first in a session's data
path, so botocore finds the small model before its own; everything else (endpoint rules, paginators,
retries) still comes from botocore.

A model describes a botocore release's view of the API, so the folder is used only when the running
botocore is that release; on any other (the Lambda runtime was updated since the package was built)
the function logs a warning and uses botocore's complete models: more memory, same behaviour. The
operations are those the function's role allows (deploy.iam_actions for what rules do, deploy.policy
for its state table and queues): an operation outside them would be refused by IAM in any case.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import botocore

ENV = "SHIFTWORK_MODELS"
MANIFEST = "manifest.json"
FORMAT = 1


def read_manifest(directory: str) -> dict[str, Any]:
    """The folder's manifest; ValueError (with what is wrong) when it is missing or not ours."""
    path = os.path.join(directory, MANIFEST)
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or \
            not isinstance(manifest.get("botocore"), str) or not isinstance(manifest.get("services"), dict):
        raise ValueError(f"{path} is not a shiftwork models manifest (format {FORMAT})")
    return manifest


def use_trimmed_models(session: Any, directory: str | None, log: Callable[[dict[str, Any]], None]) -> bool:
    """Put `directory` first in the data path of `session` (a boto3 or botocore session) when its models
    were cut from the running botocore; say why not otherwise. Must run before the session makes a client
    (the loader caches what it has parsed). True when the trimmed models are in use."""
    if not directory:
        return False
    try:
        manifest = read_manifest(directory)
    except ValueError as exc:
        log({"level": "WARNING", "message": f"{ENV}: {exc}; using botocore's complete models"})
        return False
    if manifest["botocore"] != botocore.__version__:
        log({"level": "WARNING", "message": (
            f"{ENV}: the package's AWS models were cut from botocore {manifest['botocore']}, this runtime has "
            f"botocore {botocore.__version__}: using botocore's complete models (about 30 MB more memory). "
            "Rebuild the package on the runtime's botocore, or bundle boto3 (`shiftwork package --bundle-boto3`).")})
        return False
    core = getattr(session, "_session", session)  # boto3.Session wraps a botocore session
    paths = core.get_component("data_loader").search_paths
    if directory not in paths:
        paths.insert(0, directory)
    return True
