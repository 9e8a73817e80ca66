"""`shiftwork package`: validates first, prints the zip's path, size and SHA-256, and the same rules give the same bytes."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import botocore
import pytest

from shiftwork.deploy import bytecode, wheels
from shiftwork.engine.cli.main import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "rules" / "examples"
CACHE = REPO / ".cache" / "wheels"
LIMIT = 3 * 1024 * 1024


def _package(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["package", *args, "--wheel-cache", str(CACHE)])
    out, err = capsys.readouterr()
    if code and "unreachable" in err:
        pytest.skip("the package index is unreachable")
    return code, out, err


@pytest.mark.network
def test_package_prints_size_and_sha256_and_is_reproducible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    printed = []
    for run in ("first", "second"):
        code, out, _ = _package(capsys, str(EXAMPLES), "--out", str(tmp_path / run))
        assert code == 0
        match = re.fullmatch(r"(\S+\.zip)\nsize: ([\d,]+) bytes \(\d+\.\d MB\)\nsha256: ([0-9a-f]{64})\n"
                             r"AWS models: cut to the operations shiftwork calls, from botocore (\S+)\n"
                             r"(warning: the Lambda runtime provides botocore \S+; .*\n)?"
                             r"bytecode: (.*)\n", out)
        assert match, out
        assert match[4] == botocore.__version__
        # the function uses the models on the botocore they were cut from: a different runtime is said aloud
        assert (match[5] is None) == (botocore.__version__ == wheels.RUNTIME_PROVIDED["botocore"])
        compiler = bytecode.interpreter("3.12")  # the default runtime's Python, when it is installed here
        assert match[6] == (f"compiled by {compiler}" if compiler else "none (Python 3.12 is not installed here to "
                            "compile it), so each cold start compiles the code (about 100 ms more CPU)")
        path, size, digest = Path(match[1]), int(match[2].replace(",", "")), match[3]
        assert path.parent == tmp_path / run and path.name == f"shiftwork-x86_64-{digest[:16]}.zip"
        assert path.stat().st_size == size < LIMIT
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        printed.append((path.read_bytes(), digest))
    assert printed[0] == printed[1]


def test_package_refuses_invalid_rules_before_building(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("version: 1\nrules:\n  - name: x\n    resource: ec2.instanse\n")
    code, out, err = _package(capsys, str(rules), "--out", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert "bad.yaml:4" in err and "nothing was built" in err
    assert not (tmp_path / "out").exists()
    code, _, err = _package(capsys, str(EXAMPLES / "office-hours.yaml"))
    assert code == 2 and "not a directory" in err
