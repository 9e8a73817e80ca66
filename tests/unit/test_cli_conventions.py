"""CLI conventions an SRE expects: --version says what is installed, --help gives a tour."""
from __future__ import annotations

import re
from importlib.metadata import version

import pytest
import tzdata

from shiftwork.engine.cli.main import main


def test_version_names_the_package_the_rule_language_and_tzdata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out == f"shiftwork {version('shiftwork')} (rule language version 1, tzdata {tzdata.IANA_VERSION})\n"
    assert re.fullmatch(r"\d{4}[a-z]", tzdata.IANA_VERSION)


def test_help_shows_a_tour_whose_commands_exist(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    tour = out.split("a short tour:\n", 1)[1]
    commands = re.findall(r"^  shiftwork (\w+)", tour, flags=re.M)
    assert commands[:5] == ["demo", "validate", "simulate", "plan", "permissions"]
    assert "docs/rules.md" in tour and "docs/operations.md" in tour
    for command in commands[1:5]:  # each example's command parses (its --help exits 0)
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0
