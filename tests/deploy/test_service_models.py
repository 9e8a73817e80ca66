"""Trimmed AWS models: each kept operation is exactly botocore's, and only the operations shiftwork may call are kept.

The oracle is botocore's own complete model: every shape a kept operation reaches (input, output, errors,
members, list elements, map keys and values) must be the same shape, with the same serialization details,
in the trimmed model. Only documentation is left out.
"""
from __future__ import annotations

import ast
import gzip
import json
from pathlib import Path
from typing import Any

import botocore
import botocore.session
import pytest
from botocore import xform_name
from botocore.model import ServiceModel, Shape

from shiftwork.deploy import service_models
from shiftwork.deploy.iam_actions import RESOURCE_TYPES
from shiftwork.engine.execute.models import FORMAT, MANIFEST
from shiftwork.engine.plan.drift import BOOKKEEPING

DOCS = {"documentation", "documentationUrl"}
ROOT = Path(__file__).resolve().parents[2]
# Code the function never runs: the CLI, and the tag writes of `shiftwork override` (the operator's credentials).
NOT_IN_THE_FUNCTION = ("engine/cli/", "engine/plan/override_targets.py")


def full_model(service: str) -> ServiceModel:
    loader = botocore.session.get_session().get_component("data_loader")
    return ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


def same_shape(mine: Shape | None, theirs: Shape | None, seen: set[str]) -> None:
    """Recursively equal, documentation aside; each named shape compared once (shapes can be recursive)."""
    assert (mine is None) == (theirs is None)
    if mine is None or theirs is None or mine.name in seen:
        return
    seen.add(mine.name)
    assert (mine.name, mine.type_name) == (theirs.name, theirs.type_name)
    assert mine.serialization == theirs.serialization and mine.metadata == theirs.metadata
    assert {k: v for k, v in mine._shape_model.items() if k not in DOCS | {"members", "member", "key", "value"}} == \
        {k: v for k, v in theirs._shape_model.items() if k not in DOCS | {"members", "member", "key", "value"}}
    if mine.type_name == "structure":
        assert list(mine.members) == list(theirs.members)  # order matters to query serializers
        for name in mine.members:
            same_shape(mine.members[name], theirs.members[name], seen)
    elif mine.type_name == "list":
        same_shape(mine.member, theirs.member, seen)
    elif mine.type_name == "map":
        same_shape(mine.key, theirs.key, seen)
        same_shape(mine.value, theirs.value, seen)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return service_models.model_files()


def test_the_operations_are_the_iam_actions_shiftwork_is_granted() -> None:
    ops = service_models.operations()
    assert "StopInstances" in ops["ec2"] and "DescribeInstances" in ops["ec2"]
    assert ops["efs"] == ["DescribeFileSystems"]  # IAM's elasticfilesystem: is botocore's efs
    assert "logs" not in ops  # the function's own log permissions, used by the Lambda runtime
    assert "GetCallerIdentity" in ops["sts"]  # called, though it needs no permission
    granted = {a.split(":")[1] for a in RESOURCE_TYPES if not a.startswith("logs:")}
    assert granted <= {name for names in ops.values() for name in names}


def test_every_kept_operation_is_botocores_own_and_nothing_else_is_kept(files: dict[str, bytes]) -> None:
    manifest = json.loads(files[MANIFEST])
    assert manifest["format"] == FORMAT and manifest["botocore"] == botocore.__version__
    assert set(manifest["services"]) == set(service_models.operations())
    for service, entry in manifest["services"].items():
        trimmed = json.loads(files[f"{service}/{entry['api_version']}/service-2.json"])
        full = full_model(service)
        assert entry["api_version"] == full.api_version  # the version botocore picks as latest
        mine = ServiceModel(trimmed, service_name=service)
        assert sorted(mine.operation_names) == sorted(entry["operations"]) == service_models.operations()[service]
        assert mine.metadata == full.metadata
        seen: set[str] = set()
        for name in mine.operation_names:
            a, b = mine.operation_model(name), full.operation_model(name)
            assert a.http == b.http and a.metadata == b.metadata
            for part in ("input_shape", "output_shape"):
                same_shape(getattr(a, part), getattr(b, part), seen)
            assert [e.name for e in a.error_shapes] == [e.name for e in b.error_shapes]
            for mine_error, full_error in zip(a.error_shapes, b.error_shapes):
                same_shape(mine_error, full_error, seen)
        assert set(trimmed["shapes"]) == seen  # what the kept operations reach, and nothing more
        assert not DOCS & set(json.dumps(trimmed).split('"'))  # no documentation key anywhere


def test_every_operation_the_functions_code_names_is_kept() -> None:
    """A call (`client.batch_get_item(...)`) or an operation name in a Change (`"create_or_update_tags"`) that
    no kept model holds would fail in the function with AttributeError: each must be kept for some service."""
    kept = {xform_name(op) for names in service_models.operations().values() for op in names}
    anywhere = {xform_name(op): service for service in service_models.operations()
                for op in full_model(service).operation_names}
    named: dict[str, set[str]] = {}
    for path in sorted([*ROOT.joinpath("engine").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(NOT_IN_THE_FUNCTION):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.attr if isinstance(node, ast.Attribute) else \
                node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
            if name in anywhere:
                named.setdefault(name, set()).add(relative)
    assert "batch_get_item" in named and "send_message_batch" in named  # the scan sees the state table and queue
    for name in BOOKKEEPING:  # drift recognises these operations in plans; it does not call them
        if named.get(name) == {"engine/plan/drift.py"}:
            del named[name]
    assert {name: (anywhere[name], sorted(where)) for name, where in named.items() if name not in kept} == {}


def test_trimmed_models_are_small_and_the_same_bytes_every_time(files: dict[str, bytes]) -> None:
    ec2 = next(v for k, v in files.items() if k.startswith("ec2/"))
    full = json.loads(gzip.decompress(Path(botocore.__file__).parent.joinpath(
        "data", "ec2", "2016-11-15", "service-2.json.gz").read_bytes()))
    assert len(ec2) < 0.02 * len(json.dumps(full))  # five operations of several hundred
    assert service_models.model_files() == files


def test_a_bundled_botocore_is_read_from_the_package_files() -> None:
    root = Path(botocore.__file__).parent
    bundle = {"botocore/__init__.py": b"import os\n__version__ = '9.8.7'\n",
              "botocore/data/sts/2011-06-15/service-2.json.gz": (root / "data/sts/2011-06-15/service-2.json.gz").read_bytes(),
              "botocore/data/sts/2011-06-15/paginators-1.json": b"{}"}
    source = service_models.Botocore.bundled(bundle)
    assert source.version == "9.8.7" and source.api_versions("sts") == ["2011-06-15"]
    wanted = {"sts": ["AssumeRole"]}
    from_bundle = service_models.model_files(source, wanted)
    installed = service_models.model_files(service_models.Botocore.installed(), wanted)
    assert from_bundle["sts/2011-06-15/service-2.json"] == installed["sts/2011-06-15/service-2.json"]
    assert json.loads(from_bundle[MANIFEST])["botocore"] == "9.8.7"
    with pytest.raises(ValueError, match="no botocore/__init__.py"):
        service_models.Botocore.bundled({})
    with pytest.raises(ValueError, match="no model for service 'ec2'"):
        service_models.model_files(source, {"ec2": ["StopInstances"]})


def test_an_operation_the_service_lacks_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="has no operation StopInstance$"):
        service_models.model_files(wanted={"ec2": ["StopInstances", "StopInstance"]})


def test_only_documentation_is_dropped_never_a_member_called_documentation() -> None:
    model: dict[str, Any] = {
        "version": "2.0", "documentation": "service docs", "metadata": {"protocol": "json", "serviceId": "Demo"},
        "operations": {
            "Get": {"name": "Get", "input": {"shape": "In"}, "documentation": "op docs"},
            "Other": {"name": "Other", "input": {"shape": "Unused"}},
        },
        "shapes": {
            "In": {"type": "structure", "documentation": "shape docs",
                   "members": {"documentation": {"shape": "Text", "documentation": "member docs"}}},
            "Text": {"type": "string"},
            "Unused": {"type": "structure", "members": {}},
        },
    }
    assert service_models.trim(model, ["Get"]) == {
        "version": "2.0", "metadata": {"protocol": "json", "serviceId": "Demo"},
        "operations": {"Get": {"name": "Get", "input": {"shape": "In"}}},
        "shapes": {"In": {"type": "structure", "members": {"documentation": {"shape": "Text"}}},
                   "Text": {"type": "string"}},
    }
