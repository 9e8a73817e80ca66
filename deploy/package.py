"""The Lambda package: shiftwork's code, the rule files, resolved holidays and pinned wheels, in one zip.

Reproducible by construction (deploy.archive): the same code, rules, wheels and calendar years give
the same bytes, so the SHA-256 names the package (its file name and S3 key) and an unchanged
package is neither uploaded nor deployed again. Layout (deploy.layout)::

    shiftwork/__init__.py, shiftwork/engine/..., shiftwork/handlers/..., shiftwork/deploy/...
    shiftwork_rules/*.yaml                the rule files, flat, as `shiftwork validate DIR` reads them
    shiftwork_data/holidays.json          deploy.holidays_data
    shiftwork_models/...                  deploy.service_models: AWS models cut to the operations shiftwork calls
    yaml/, jsonschema/, tzdata/, ...      the wheels of deploy.wheels, unpacked
    .../__pycache__/*.cpython-312.pyc     deploy.bytecode, when that Python is here
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from . import bytecode, holidays_data, layout, service_models, wheels
from .archive import write_zip
from .rules_view import RulesView, load_view

RULE_SUFFIXES = (".yaml", ".yml")
SHIFTWORK_INIT = b'"""shiftwork, as packaged for AWS Lambda."""\n'


class Package(NamedTuple):
    path: Path
    size: int  # bytes of the zip
    sha256: str
    botocore: str  # the release the trimmed AWS models were cut from (deploy.service_models)
    bytecode: str | None  # the interpreter that compiled the package's bytecode, None when it holds none
    python: str  # the Lambda runtime's Python the package is built for ("3.12")


def source_root() -> Path:
    """The folder holding engine/, handlers/ and deploy/ (the repository, or site-packages/shiftwork)."""
    return Path(__file__).resolve().parent.parent


def code_files(root: Path | None = None) -> dict[str, bytes]:
    """shiftwork's own packages under `shiftwork/`, without bytecode or hidden files."""
    root = root or source_root()
    files = {f"{layout.CODE_PREFIX}/__init__.py": SHIFTWORK_INIT}
    for package in layout.CODE_PACKAGES:
        folder = root / package
        if not (folder / "__init__.py").is_file():
            raise FileNotFoundError(f"{folder} is not a Python package; is {root} shiftwork's source?")
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not _skipped(relative.parts):
                files[f"{layout.CODE_PREFIX}/{relative.as_posix()}"] = path.read_bytes()
    return files


def rule_files(rules_dir: str | os.PathLike[str]) -> dict[str, bytes]:
    """The rule files directly in `rules_dir` (not below it), as the loader reads a directory."""
    folder = Path(rules_dir)
    found = sorted(p for p in folder.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file())
    if not found:
        raise FileNotFoundError(f"{folder}: no rule files (*.yaml, *.yml)")
    return {f"{layout.RULES_DIR}/{p.name}": p.read_bytes() for p in found}


def build_package(rules_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, arch: str,
                  python: str = "3.12", bundle_boto3: bool = False, cache_dir: str | os.PathLike[str] | None = None,
                  years: Iterable[int] | None = None, rules: RulesView | None = None,
                  root: Path | None = None) -> Package:
    """Build `shiftwork-<arch>-<sha256[:16]>.zip` in `out_dir`.

    `rules` is the already loaded view of `rules_dir` (a deploy loads the rules once for the template
    and the package); without it the rules are loaded here, and a rule set with errors is refused.
    `years` are the calendar years whose holidays are resolved (default: this year and three more).
    """
    view = rules if rules is not None else load_view([str(rules_dir)])
    document = holidays_data.holidays_document(view.calendars, years or holidays_data.package_years())
    dependencies = wheels.dependency_files(arch=arch, python=python, bundle_boto3=bundle_boto3,
                                           cache_dir=Path(cache_dir) if cache_dir else None)
    # Cut from the botocore the function will run: the bundled one, else the one installed here (the
    # function checks the release at start and falls back to botocore's own models on another).
    botocore_data = service_models.Botocore.bundled(dependencies) if bundle_boto3 else service_models.Botocore.installed()
    rules_part = rule_files(rules_dir)
    entries = merge(
        ("shiftwork", code_files(root)),
        ("rules", {**rules_part, **validated_marker(view, rules_part)}),
        ("holidays", {layout.HOLIDAYS_FILE: holidays_data.encode(document)}),
        ("models", {f"{layout.MODELS_DIR}/{name}": data for name, data in service_models.model_files(botocore_data).items()}),
        ("dependencies", dependencies),
    )
    compiler = bytecode.interpreter(python)
    if compiler is not None:
        entries.update(bytecode.compile_files(entries, compiler))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=out, prefix=".package-", suffix=".zip")
    os.close(fd)
    try:
        size, digest = write_zip(scratch, entries)
        final = out / f"shiftwork-{arch}-{digest[:16]}.zip"
        os.replace(scratch, final)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return Package(final, size, digest, botocore_data.version, compiler, python)


def validated_marker(view: RulesView, packed: Mapping[str, bytes]) -> dict[str, bytes]:
    """The digest of the packed rule files, recorded beside them, when they are the very bytes the engine
    validated (so the function skips the schema pass); nothing when they differ (a file changed since it
    was loaded, or a view made by hand): the function then validates them in full."""
    from shiftwork.engine.language.loader import VALIDATED_FILE, rules_digest, validated_record

    if not view.digest or rules_digest(sorted(packed.items())) != view.digest:
        return {}
    return {f"{layout.RULES_DIR}/{VALIDATED_FILE}": validated_record(view.digest)}


def merge(*parts: tuple[str, Mapping[str, bytes]]) -> dict[str, bytes]:
    """One name space; each top-level name belongs to one part (a wheel must not write into `shiftwork/`)."""
    merged: dict[str, bytes] = {}
    owners: dict[str, str] = {}
    for label, files in parts:
        for name, data in files.items():
            top = name.split("/", 1)[0]
            if owners.setdefault(top, label) != label:
                raise ValueError(f"{label} and {owners[top]} both put files under {top}")
            merged[name] = data
    return merged


def _skipped(parts: tuple[str, ...]) -> bool:
    return any(p == "__pycache__" or p.startswith(".") for p in parts) or parts[-1].endswith((".pyc", ".pyo"))
