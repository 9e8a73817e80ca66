"""The package's third-party code: pinned manylinux wheels for the Lambda's platform, cached, unpacked.

The wheels are fetched for the *target* (CPython 3.12 on Linux x86_64 or aarch64), not for the
machine building the package, so a package built on a laptop runs in Lambda. Versions are pinned
here: a package is reproducible only if the same rules and code always bring the same wheels.
The Lambda Python runtime already provides boto3 and its dependencies; they are bundled only on
request (to pin a newer botocore). The `holidays` package is never bundled: the calendars the
rules use are resolved at package time (deploy.holidays_data).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

# The engine's runtime dependencies (pyproject.toml) and theirs, for CPython 3.12 on Linux.
# typing-extensions: `referencing` needs it below Python 3.13. croniter: its own dependency,
# python-dateutil, comes with the runtime's botocore.
BUNDLED: Mapping[str, str] = {
    "pyyaml": "6.0.4",
    "jsonschema": "4.26.0",
    "attrs": "26.1.0",
    "referencing": "0.37.0",
    "rpds-py": "2026.9.1",
    "jsonschema-specifications": "2025.9.1",
    "typing-extensions": "4.16.0",
    "croniter": "7.0.0",
    "tzdata": "2026.6",
}
# What the Lambda Python runtime ships; bundled only with bundle_boto3=True.
RUNTIME_PROVIDED: Mapping[str, str] = {
    "boto3": "1.44.8",
    "botocore": "1.44.8",
    "s3transfer": "0.19.3",
    "jmespath": "1.1.0",
    "urllib3": "2.8.0",
    "python-dateutil": "2.9.0.post0",
    "six": "1.17.0",
}
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
_SKIPPED = re.compile(r"(^|/)__pycache__/|\.py[co]$|\.dist-info/(RECORD|RECORD\.jws|RECORD\.p7s|INSTALLER|"
                      r"REQUESTED|direct_url\.json)$")
_UNREACHABLE = ("Failed to establish a new connection", "Max retries exceeded", "Temporary failure in name resolution",
                "Network is unreachable", "NewConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                "Could not fetch URL")


class WheelError(RuntimeError):
    """A wheel could not be fetched; `unreachable` when pip could not reach the package index."""

    def __init__(self, message: str, *, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


def requirements(*, bundle_boto3: bool = False) -> dict[str, str]:
    """Name -> pinned version of every distribution that goes into the package."""
    return {**BUNDLED, **(RUNTIME_PROVIDED if bundle_boto3 else {})}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shiftwork" / "wheels"


def canonical(name: str) -> str:
    """A distribution name as wheel file names spell it (PEP 427/503): `rpds-py` -> `rpds_py`."""
    return re.sub(r"[-_.]+", "_", name).lower()


def fetch(name: str, version: str, *, arch: str, python: str, cache_dir: Path,
          pip: Sequence[str] = (sys.executable, "-m", "pip")) -> Path:
    """The wheel of `name==version` for the target, from the cache or downloaded into it."""
    if arch not in PLATFORMS:
        raise ValueError(f"arch {arch!r}: one of {', '.join(PLATFORMS)}")
    folder = Path(cache_dir) / f"cp{python.replace('.', '')}-{PLATFORMS[arch]}"
    cached = _cached(folder, name, version)
    if cached is not None:
        return cached
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as scratch:
        command = [*pip, "download", "--platform", PLATFORMS[arch], "--python-version", python,
                   "--implementation", "cp", "--only-binary", ":all:", "--no-deps", "--retries", "2",
                   "--timeout", "30", "--disable-pip-version-check", "--dest", scratch, f"{name}=={version}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        got = _cached(Path(scratch), name, version)
        if done.returncode != 0 or got is None:
            output = (done.stdout + done.stderr).strip()
            raise WheelError(f"pip could not download {name}=={version} for {PLATFORMS[arch]}, CPython {python}:\n"
                             + "\n".join(output.splitlines()[-15:]),
                             unreachable=any(sign in output for sign in _UNREACHABLE))
        final = folder / got.name
        os.replace(got, final)  # atomic: a concurrent build sees the whole wheel or none
    return final


def unpack(wheel: Path) -> dict[str, bytes]:
    """A wheel's files as installed: `.data/purelib|platlib` moved to the root, no RECORD, no bytecode."""
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir() or _SKIPPED.search(name):
                continue
            head, _, rest = name.partition("/")
            if head.endswith(".data"):
                kind, _, rest = rest.partition("/")
                if kind not in ("purelib", "platlib"):
                    continue  # scripts, headers and data files have no place in a Lambda package
                name = rest
            files[name] = archive.read(info)
    return files


def dependency_files(*, arch: str, python: str, bundle_boto3: bool = False,
                     cache_dir: Path | None = None) -> dict[str, bytes]:
    """Every bundled distribution's files, merged; two wheels writing one path is an error."""
    merged: dict[str, bytes] = {}
    owner: dict[str, str] = {}
    for name, version in sorted(requirements(bundle_boto3=bundle_boto3).items()):
        wheel = fetch(name, version, arch=arch, python=python, cache_dir=cache_dir or default_cache_dir())
        for path, data in unpack(wheel).items():
            if path in merged and merged[path] != data:
                raise WheelError(f"{name} and {owner[path]} both install {path}")
            merged[path], owner[path] = data, name
    return merged


def _cached(folder: Path, name: str, version: str) -> Path | None:
    prefix = f"{canonical(name)}-{version}-".lower()
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.glob("*.whl") if p.name.lower().startswith(prefix))
    return found[0] if found else None
