"""Guard rails in `validate`: zones that do not follow a place's clock warn, a rule without `match` is an
error, `--strict` makes warnings errors, and CI formats (JSON, GitHub annotations) carry every problem.

Warning goldens live in tests/warnings/NAME.yaml + NAME.err (validate exits 0 and prints NAME.err on
stderr); regenerate as tests/invalid's (SHIFTWORK_REGEN_GOLDEN=1) and read every change.
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from shiftwork.engine.cli.main import main
from shiftwork.engine.language import zonecheck
from shiftwork.engine.language.zonecheck import zone_warning

ROOT = Path(__file__).resolve().parents[2]
WARNINGS = ROOT / "tests" / "warnings"
REGEN = os.environ.get("SHIFTWORK_REGEN_GOLDEN") == "1"
DAY = date(2026, 12, 1)  # the goldens' "today": New York's next DST change is 14 March 2027


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zonecheck, "today", lambda: DAY)
    monkeypatch.chdir(ROOT)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", sorted(p.stem for p in WARNINGS.glob("*.yaml")))
def test_warning_golden(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", f"tests/warnings/{name}.yaml")
    expected = WARNINGS / f"{name}.err"
    if REGEN:
        expected.write_text(err)
    assert err == expected.read_text()
    assert code == 0 and out.startswith("ok: ")


def test_strict_makes_the_same_warnings_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", "--strict", "tests/warnings/timezone-legacy.yaml")
    warned = (WARNINGS / "timezone-legacy.err").read_text().splitlines()
    assert code == 2 and out == ""
    assert err.splitlines() == [w.replace(": warning: ", ": ", 1) for w in warned] + [
        "5 errors (--strict: warnings count as errors)"]


@pytest.mark.parametrize("zone,start,expected", [
    # US DST 2027 starts on the second Sunday of March (14 March) and ends on the first Sunday of November (7 Nov).
    ("EST", date(2026, 12, 1), "'EST' is not America/New_York: no DST: from 14 March 2027 08:00 EST is 09:00 EDT"),
    ("EST", date(2027, 6, 1), "'EST' is not America/New_York: no DST: 08:00 EST is 09:00 EDT until 7 November 2027"),
    ("MST", date(2026, 12, 1), "'MST' is not America/Denver: no DST: from 14 March 2027 08:00 MST is 09:00 MDT"),
    # EU summer time 2027 starts on the last Sunday of March (28 March).
    ("GMT", date(2026, 12, 1), "'GMT' is not Europe/London: no DST: from 28 March 2027 08:00 GMT is 09:00 BST"),
    ("Etc/GMT+5", date(2026, 12, 1),
     "'Etc/GMT+5' is not America/New_York: no DST: from 14 March 2027 08:00 UTC-05 is 09:00 EDT"),
    # Sydney: daylight time ends on the first Sunday of April (4 April 2027).
    ("Etc/GMT-10", date(2026, 12, 1),
     "'Etc/GMT-10' is not Australia/Sydney: no DST: 08:00 UTC+10 is 09:00 AEDT until 4 April 2027"),
    ("US/Eastern", DAY, "'US/Eastern' is an old-style name; America/New_York keeps the same clock"),
    ("Europe/Kiev", DAY, "'Europe/Kiev' is an old-style name; Europe/Kyiv keeps the same clock"),
    ("Etc/GMT-9", DAY, "'Etc/GMT-9' is a fixed UTC offset with no DST; Asia/Tokyo keeps the same clock"),
])
def test_zone_warnings_name_the_zone_and_the_next_difference(zone: str, start: date, expected: str) -> None:
    assert zone_warning(zone, start)[0] == expected


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "Europe/London", "America/New_York", "Asia/Kolkata",
                                  "Europe/Amsterdam", "Australia/Lord_Howe"])
def test_place_names_and_utc_are_silent(zone: str) -> None:
    assert zone_warning(zone, DAY) is None


def test_a_rule_without_match_is_an_error_and_all_true_is_accepted(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    body = ("version: 1\nregions: [eu-west-1]\nrules:\n  - name: sandbox-stop\n    resource: ec2.instance\n"
            "{match}    on: {{cron: '0 21 * * *'}}\n    actions: [ec2.stop]\n")
    bare, explicit = tmp_path / "bare.yaml", tmp_path / "explicit.yaml"
    bare.write_text(body.format(match=""))
    explicit.write_text(body.format(match="    match: {all: true}\n"))
    code, _, err = cli(capsys, "validate", str(bare))
    assert code == 2
    assert "every ec2.instance in eu-west-1" in err and "match: {all: true}" in err
    code, out, _ = cli(capsys, "validate", str(explicit))
    assert (code, out) == (0, "ok: 1 rule in 1 file\n")


def test_format_json_carries_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", "--format", "json", "tests/invalid/no-match.yaml",
                         "tests/warnings/timezone-est.yaml")
    report = json.loads(out)
    assert code == 2 and err == ""
    assert (report["valid"], report["errors"], report["warnings"]) == (False, 2, 1)
    first = report["diagnostics"][0]
    assert first == {
        "file": "tests/invalid/no-match.yaml", "line": 7, "column": 5, "severity": "error",
        "rule": "stop-everything-by-mistake", "path": "resource",
        "message": "no 'match': this rule would act on every ec2.instance of account 111122223333 in "
                   "eu-west-1, us-east-1",
        "hint": "select by tags, ids or names under 'match:', or write 'match: {all: true}' if every one is meant"}
    assert report["diagnostics"][2]["severity"] == "warning"


def test_format_github_prints_one_annotation_per_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", "--format", "github", "tests/invalid/several-errors.yaml",
                         "tests/warnings/timezone-est.yaml")
    text_code, _, text = cli(capsys, "validate", "tests/invalid/several-errors.yaml",
                             "tests/warnings/timezone-est.yaml")
    problems = text.splitlines()[:-1]
    lines = out.splitlines()
    assert code == text_code == 2
    assert len(lines) == len(problems) and err == text.splitlines()[-1] + "\n"
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    assert lines[-1].startswith("::warning file=tests/warnings/timezone-est.yaml,line=3,col=11,"
                                "title=shiftwork validate::timezone: 'EST' is not America/New_York")


def test_github_annotations_escape_what_would_break_them() -> None:
    from shiftwork.engine.cli.diagnostics import render_github
    from shiftwork.engine.errors import Diagnostic, Loc

    line, = render_github([Diagnostic(Loc("a,b:c.yaml", 2, 3), "100% wrong\nsecond line", rule="r")])
    assert line == "::error file=a%2Cb%3Ac.yaml,line=2,col=3,title=rule 'r'::100%25 wrong%0Asecond line"


def test_pre_commit_hooks_run_a_command_that_exists(capsys: pytest.CaptureFixture[str]) -> None:
    """`pre-commit try-repo` runs `entry` + `args` with pass_filenames off: the same argv must validate here."""
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"shiftwork-validate", "shiftwork-validate-strict"}
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["args"] == ["rules/"]
        program, *argv = hook["entry"].split()
        assert program == "shiftwork"
        assert cli(capsys, *argv, "rules/examples")[0] == 0
        assert cli(capsys, *argv, "tests/invalid/no-match.yaml")[0] == 2
    strict = next(h for h in hooks if h["id"] == "shiftwork-validate-strict")
    assert cli(capsys, *strict["entry"].split()[1:], "tests/warnings/timezone-est.yaml")[0] == 2
