"""Colour on a terminal only: never when piped, never with NO_COLOR (no-color.org) or TERM=dumb."""
from __future__ import annotations

import io

import pytest

from shiftwork.engine.cli import colour


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("env,tty,expected", [
    ({}, True, True), ({}, False, False), ({"NO_COLOR": "1"}, True, False), ({"NO_COLOR": ""}, True, True),
    ({"TERM": "dumb"}, True, False)])
def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch, env: dict, tty: bool,
                                                    expected: bool) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert colour.enabled(Terminal() if tty else io.StringIO()) is expected


def test_table_rows_are_coloured_by_what_they_say() -> None:
    table = "rule a  (x)  at t: FIRES: why\n  ERROR: boom\n  WARNING: stopped by limits: x\n  PASS    vol-1  ok\n"
    painted = colour.colour_table(table)
    assert "\033[1mrule a\033[0m" in painted and "\033[32m: FIRES:\033[0m" in painted
    assert "\033[31m  ERROR: boom\033[0m" in painted and "\033[33m  WARNING: stopped by limits: x\033[0m" in painted
    assert "\033[32m  PASS    vol-1  ok\033[0m" in painted
    assert colour.colour_table("plain\n") == "plain\n"


def test_validate_paints_on_a_terminal_and_not_in_a_pipe(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from shiftwork.engine.cli.main import main

    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parents[2])
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    main(["validate", "tests/invalid/no-match.yaml"])
    assert "\033[" not in capsys.readouterr().err  # captured: not a terminal
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    main(["validate", "tests/invalid/no-match.yaml"])
    assert terminal.getvalue().startswith("\033[31mtests/invalid/no-match.yaml:7:5: ")


def test_progress_shows_on_a_terminal_after_the_delay_and_never_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    from shiftwork.engine.cli.progress import Counter

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        monkeypatch.setattr("sys.stderr", stream)
        quick, slow = Counter("validating", 3, delay=3600), Counter("validating", 3, delay=0)
        quick(), slow(), slow()
        quick.close(), slow.close()
    assert pipe.getvalue() == ""
    assert "validating 2/3..." in terminal.getvalue() and "validating 1/3" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r")  # the line is cleared when done


def test_a_slow_plan_shows_its_rules_on_a_terminal_and_nothing_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans over many regions printed nothing until the table; on a terminal they now count the rules."""
    from datetime import datetime, timezone

    from shiftwork.engine.cli.local import dispatch
    from shiftwork.engine.dispatch.runner import Trigger
    from shiftwork.engine.dispatch.state import MemoryState
    from shiftwork.engine.events.trigger import At
    from shiftwork.engine.execute.executor import DryRunExecutor
    from shiftwork.engine.language.model import RuleSet
    from tests.unit.ruletools import cron_rule

    rules = RuleSet(files=(), rules=tuple(cron_rule(cron, name=name) for name, cron in
                                (("a", "0 19 * * *"), ("b", "0 7 * * *"), ("c", "0 19 * * *"))))
    at = Trigger(at=At.parse("2026-12-21T18:00Z"))  # nothing fires: planning reads no AWS
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        monkeypatch.setattr("sys.stderr", stream)
        outcomes = dispatch(rules, at, None, "eu-west-1", DryRunExecutor(), MemoryState(), delay=0)
        assert [o.rule.name for o in outcomes] == ["a", "b", "c"]
    assert pipe.getvalue() == ""
    assert "planning rules 3/3..." in terminal.getvalue() and terminal.getvalue().endswith("\r")
    assert datetime(2026, 12, 21, 18, tzinfo=timezone.utc) == outcomes[0].at
