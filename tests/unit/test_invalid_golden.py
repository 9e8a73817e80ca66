"""Golden error tests: `shiftwork validate tests/invalid/NAME` must print exactly NAME.err and exit 2.

The expected text is what a user sees, so it is pinned byte for byte. After a deliberate wording
change, regenerate with `SHIFTWORK_REGEN_GOLDEN=1 pytest tests/unit/test_invalid_golden.py` and
read every changed .err before committing it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from shiftwork.engine.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "tests" / "invalid"
REGEN = os.environ.get("SHIFTWORK_REGEN_GOLDEN") == "1"


def cases() -> list[str]:
    """Every rule file and every directory case under tests/invalid, by name."""
    names = [p.stem for p in INVALID.glob("*.yaml")] + [p.name for p in INVALID.iterdir() if p.is_dir()]
    return sorted(names)


def case_path(name: str) -> str:
    """The path as a user would type it from the repository root."""
    return f"tests/invalid/{name}" if (INVALID / name).is_dir() else f"tests/invalid/{name}.yaml"


def validate(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, str, str]:
    code = main(["validate", *paths])
    out, err = capsys.readouterr()
    return code, out, err


def test_there_are_enough_cases() -> None:
    assert len(cases()) >= 30


def test_every_err_file_has_an_input() -> None:
    orphans = [p.name for p in INVALID.glob("*.err") if p.stem not in cases()]
    assert orphans == []


@pytest.mark.parametrize("name", cases())
def test_golden(name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = validate(capsys, case_path(name))
    expected_file = INVALID / f"{name}.err"
    if REGEN:
        expected_file.write_text(err)
    assert expected_file.exists(), f"missing {expected_file.name}; generate it (see module docstring)"
    assert err == expected_file.read_text()
    assert code == 2
    assert out == ""
    assert "Traceback" not in err


def test_file_over_5_mb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.yaml"
    line = "# " + "x" * 1021 + "\n"  # 1024 bytes
    big.write_text("version: 1\nrules: []\n" + line * (5 * 1024 + 200))
    code, out, err = validate(capsys, str(big))
    assert err == f"{big}: file too large (5.2 MB); rule files are limited to 5 MB\n1 error\n"
    assert code == 2


def test_nonexistent_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = validate(capsys, str(missing))
    assert err == f"{missing}: no such file or directory\n1 error\n"
    assert code == 2


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("version: 1\nrules: []\n# caf\u00e9\n".encode("latin-1"))
    code, out, err = validate(capsys, str(latin))
    assert err == f"{latin}:3:1: not UTF-8 text; rule files must be UTF-8\n1 error\n"
    assert code == 2


def test_errors_from_several_paths_come_sorted_by_file(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = validate(capsys, "tests/invalid/unknown-resource.yaml", "tests/invalid/bad-cron.yaml")
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["tests/invalid/bad-cron.yaml",
                                                             "tests/invalid/unknown-resource.yaml"]
    assert lines[-1] == "2 errors"
    assert code == 2
