"""The package's bytecode: what the target Python would write itself, loaded without compiling, the same every build."""
from __future__ import annotations

import importlib.util
import marshal
import subprocess
import sys
from pathlib import Path

from shiftwork.deploy import bytecode

FILES = {"pkg/__init__.py": b"", "pkg/mod.py": b"ANSWER = 40 + 2\n", "pkg/data.txt": b"not code\n",
         "pkg/old.py": b"print 'a module for Python 2'\n"}
HERE = f"{sys.version_info.major}.{sys.version_info.minor}"


def test_this_interpreter_is_found_for_its_own_version_only() -> None:
    assert bytecode.interpreter(HERE) == sys.executable
    assert bytecode.interpreter("2.1") is None


def test_each_module_gets_an_unchecked_hash_pyc_beside_it_the_same_every_time() -> None:
    compiled = bytecode.compile_files(FILES, sys.executable)
    tag = sys.implementation.cache_tag
    assert set(compiled) == {f"pkg/__pycache__/__init__.{tag}.pyc", f"pkg/__pycache__/mod.{tag}.pyc"}  # old.py: skipped
    pyc = compiled[f"pkg/__pycache__/mod.{tag}.pyc"]
    # PEP 552: magic, flags (bit 0 hash-based, bit 1 check_source), the source's hash, the code
    assert pyc[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(pyc[4:8], "little") == 0b01
    assert pyc[8:16] == importlib.util.source_hash(FILES["pkg/mod.py"])
    namespace: dict[str, object] = {}
    exec(marshal.loads(pyc[16:]), namespace)
    assert namespace["ANSWER"] == 42
    assert bytecode.compile_files(FILES, sys.executable) == compiled  # a fresh interpreter each time, same bytes


def test_python_imports_the_pyc_without_compiling_the_source(tmp_path: Path) -> None:
    for name, data in {**FILES, **bytecode.compile_files(FILES, sys.executable)}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    probe = ("import importlib.machinery, sys\n"
             "def refuse(*a, **k): raise AssertionError('compiled from source')\n"
             "importlib.machinery.SourceFileLoader.source_to_code = refuse\n"
             f"sys.path.insert(0, {str(tmp_path)!r})\n"
             "import pkg.mod\n"
             "print(pkg.mod.ANSWER)\n")
    out = subprocess.run([sys.executable, "-I", "-B", "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "42"
