"""simulate: the office-hours acceptance check, text/JSON/HTML output, CLI errors, and agreement with ticks."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from shiftwork.engine.cli.main import main
from shiftwork.engine.schedule.evaluate import evaluate_tick
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.schedule.simulate import FIRE, PHASE, simulate
from tests.unit.ruletools import cron_rule, utc, window_rule

EXAMPLE = "rules/examples/office-hours.yaml"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_office_hours_acceptance(capsys) -> None:
    code, out, _ = run_cli(capsys, "simulate", EXAMPLE, "--from", "2027-03-22", "--to", "2027-04-02",
                           "--format", "json")
    assert code == 0
    (rule,) = [r for r in json.loads(out)["rules"] if r["name"] == "dev-office-hours"]
    assert rule["initial_phase"] == "outside" and rule["timezone"] == "Europe/London"
    phases = [(e["utc"], e["local"][11:16], e["phase"], e["actions"]) for e in rule["events"] if e["kind"] == "phase"]
    gmt = [(f"2027-03-{d}T{h}:00:00Z", f"{h}:00", p, a) for d in ("22", "23", "24", "25")
           for h, p, a in (("08", "inside", ["ec2.start"]), ("19", "outside", ["ec2.stop"]))]
    bst = [(f"{d}T{u}:00:00Z", f"{h}:00", p, a) for d in ("2027-03-30", "2027-03-31", "2027-04-01", "2027-04-02")
           for u, h, p, a in (("07", "08", "inside", ["ec2.start"]), ("18", "19", "outside", ["ec2.stop"]))]
    assert phases == gmt + bst  # nothing on Good Friday (26th), the weekend, or Easter Monday (29th)
    gone = [(e["date"], e["calendar"], e["reason"], e["note"]) for e in rule["events"] if e["kind"] == "suppressed"]
    assert gone == [
        ("2027-03-26", "england", "Good Friday", "2027-03-26 Good Friday (england): window suppressed"),
        ("2027-03-29", "england", "Easter Monday", "2027-03-29 Easter Monday (england): window suppressed")]


def test_text_timeline(capsys) -> None:
    code, out, _ = run_cli(capsys, "simulate", EXAMPLE, "--from", "2027-03-25", "--to", "2027-03-30")
    assert code == 0
    assert out.splitlines()[2:9] == [
        "dev-office-hours  [window, ec2.instance, Europe/London]  rules/examples/office-hours.yaml:11:5",
        "  2027-03-25 Thu 00:00 GMT    (2027-03-25 00:00 UTC)  starts outside  ec2.stop (on the first tick)",
        "  2027-03-25 Thu 08:00 GMT    (2027-03-25 08:00 UTC)  -> inside     ec2.start",
        "  2027-03-25 Thu 19:00 GMT    (2027-03-25 19:00 UTC)  -> outside    ec2.stop",
        "  2027-03-26 Good Friday (england): window suppressed",
        "  2027-03-29 Easter Monday (england): window suppressed",
        "  2027-03-30 Tue 08:00 BST    (2027-03-30 07:00 UTC)  -> inside     ec2.start",
    ]


def test_html_is_one_self_contained_file(capsys, tmp_path) -> None:
    target = tmp_path / "sim.html"
    code, _, err = run_cli(capsys, "simulate", EXAMPLE, "--from", "2027-03-22", "--to", "2027-04-02",
                           "--format", "html", "--out", str(target))
    page = target.read_text()
    assert code == 0 and err.strip() == f"wrote {target} (1 rule)"
    assert page.startswith("<!DOCTYPE html>") and 'id="sim-data"' in page
    for external in ("http://", "https://", " src=", "<link", "@import"):
        assert external not in page


@pytest.mark.parametrize("argv, message", [
    (["--rule", "dev-ofice-hours"], "shiftwork: --rule: no rule named 'dev-ofice-hours'; "
                                    "did you mean 'dev-office-hours'?"),
    (["--from", "2027-3-22"], "shiftwork: --from '2027-3-22' is not a date; write YYYY-MM-DD, e.g. 2027-03-22"),
    (["--to", "2027-03-01"], "shiftwork: --to 2027-03-01 is before --from 2027-03-22"),
])
def test_cli_errors_exit_2(capsys, argv: list[str], message: str) -> None:
    args = {"--from": "2027-03-22", "--to": "2027-04-02"}
    extra = []
    for i in range(0, len(argv), 2):
        if argv[i] in args:
            args[argv[i]] = argv[i + 1]
        else:
            extra += argv[i:i + 2]
    code, _, err = run_cli(capsys, "simulate", EXAMPLE, *[x for kv in args.items() for x in kv], *extra)
    assert code == 2 and err.strip() == message


def test_event_and_disabled_rules_are_listed(capsys, tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("version: 1\nrules:\n"
                    "  - {name: on-alarm, resource: ec2.instance, match: {all: true}, on: {alarm: cpu-high}, actions: [ec2.start]}\n"
                    "  - {name: paused, resource: ec2.instance, match: {all: true}, enabled: false, on: {cron: '0 8 * * *'},"
                    " actions: [ec2.start]}\n")
    code, out, _ = run_cli(capsys, "simulate", str(path), "--from", "2027-03-22", "--to", "2027-03-22")
    assert code == 0
    assert "  event-driven: fires on alarm cpu-high in state ALARM, never on the schedule" in out.splitlines()
    assert "  disabled (enabled: false): never fires" in out.splitlines()


def test_gap_firing_is_noted() -> None:
    rule = cron_rule("30 2 * * *", tz="America/New_York")
    (tl,) = simulate(RuleSet((rule,), ("t",)), date(2027, 3, 14), date(2027, 3, 14)).timelines
    assert [(e.at, e.note) for e in tl.events] == [
        (utc("2027-03-14 07:00"), "02:30 does not exist on this day (DST gap): runs at the end of the gap")]


@pytest.mark.parametrize("rule", [
    window_rule("mon-fri", "01:30-02:30", tz="America/New_York"),
    window_rule("sat-sun", "20:00-03:00", tz="America/New_York"),
    cron_rule("*/30 1-3 * * *", tz="America/New_York"),
    cron_rule("45 1 * * *", tz="Australia/Lord_Howe"),
], ids=["window-in-gap", "overnight", "cron-gap", "cron-lord-howe"])
def test_simulation_equals_minute_ticks(rule) -> None:
    """The analytic timeline must equal evaluating every minute (no missed ticks), across DST changes."""
    first, last = (date(2027, 3, 12), date(2027, 3, 15)) if "New_York" in rule.timezone else \
        (date(2027, 4, 2), date(2027, 4, 5))
    (tl,) = simulate(RuleSet((rule,), ("t",)), first, last).timelines
    expected = [(e.at, e.phase) for e in tl.events if e.kind in (FIRE, PHASE)]
    got, t = [], tl.start
    phase = evaluate_tick(rule, t, None, None).phase
    while t < tl.end - timedelta(minutes=1):
        d = evaluate_tick(rule, t + timedelta(minutes=1), t, phase)
        if d.fires:
            got.append((t + timedelta(minutes=1), d.phase))
        phase, t = d.phase, t + timedelta(minutes=1)
    assert got == expected and len(got) >= 4
