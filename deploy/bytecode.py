"""Bytecode for the Lambda package, compiled by the target Python, so a cold start does not compile the code.

Lambda unpacks the zip on a read-only file system: Python cannot write `__pycache__` there, so without
bytecode in the package every cold start compiles every module it imports (about 90 ms of CPU for
shiftwork's own code). Bytecode is specific to a Python minor version, so it is made only when that
interpreter is here (`python3.12` on PATH, or the running one); otherwise the package holds none.

The `.pyc` files are unchecked-hash pycs (PEP 552): valid whatever the files' times after unzipping,
and never checked against the source, which in a package cannot change. They are compiled in one fresh,
isolated interpreter with a fixed hash seed, files in sorted order: marshal's output depends on the
process's state, and this keeps it the same from build to build (the package's bytes name it).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping

# Runs in the target interpreter: JSON {name: base64 source} in, JSON {pyc name: base64 pyc} out.
_COMPILER = r"""
import base64, importlib.util, json, marshal, sys
sources = json.load(sys.stdin)
out = {}
for name in sorted(sources):
    source = base64.b64decode(sources[name])
    try:
        code = compile(source, name, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError):
        continue  # not Python this version reads (a module for another version): left to fail, if ever imported
    folder, _, file = name.rpartition("/")
    pyc = f"{folder}/__pycache__/{file[:-3]}.{sys.implementation.cache_tag}.pyc".lstrip("/")
    flags = (0b01).to_bytes(4, "little")  # hash-based, not checked against the source
    out[pyc] = base64.b64encode(importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source)
                                + marshal.dumps(code)).decode()
json.dump(out, sys.stdout)
"""


def interpreter(python: str) -> str | None:
    """A CPython `python` ("3.12") here: the running one if it is that version, else `python3.12` on PATH."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == python and sys.implementation.name == "cpython":
        return sys.executable
    found = shutil.which(f"python{python}")
    if found is None:
        return None
    check = subprocess.run([found, "-I", "-c", "import sys; print(sys.implementation.name, "
                                               "'%d.%d' % sys.version_info[:2])"],
                           capture_output=True, text=True, check=False, timeout=60)
    return found if check.returncode == 0 and check.stdout.split() == ["cpython", python] else None


def compile_files(files: Mapping[str, bytes], executable: str) -> dict[str, bytes]:
    """The pyc of every `.py` in `files` (package paths), next to it in `__pycache__/`, by `executable`."""
    sources = {name: base64.b64encode(data).decode() for name, data in files.items() if name.endswith(".py")}
    env = {"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")}
    done = subprocess.run([executable, "-I", "-S", "-c", _COMPILER], input=json.dumps(sources), env=env,
                          capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise ValueError(f"{executable} could not compile the package's code:\n{done.stderr.strip()[-2000:]}")
    return {name: base64.b64decode(data) for name, data in json.loads(done.stdout).items()}
