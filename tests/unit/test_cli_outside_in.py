"""What a newcomer types wrong at the CLI, and what shiftwork answers: exit 2, the command's usage, a hint."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shiftwork.engine.cli.main import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits through Parser.error
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_misspelled_command_exits_2_with_a_suggestion(capsys) -> None:
    code, _, err = run_cli(capsys, "valdate", "rules/examples")
    assert code == 2
    assert last_line(err) == ("shiftwork: error: argument COMMAND: invalid choice: 'valdate' (choose from 'validate', "
                              "'schema', 'permissions', 'simulate', 'plan', 'run', 'invoke', 'saved', 'override', "
                              "'overrides', 'drift', 'demo', 'package', 'deploy'); did you mean 'validate'?")


def test_misspelled_option_is_reported_by_its_command_with_a_suggestion(capsys) -> None:
    code, _, err = run_cli(capsys, "plan", "rules/examples", "--at", "2026-12-21T19:00", "--endpont-url", "x")
    assert code == 2
    assert err.startswith("usage: shiftwork plan ")
    assert last_line(err) == ("shiftwork plan: error: unrecognized arguments: --endpont-url x; "
                              "did you mean '--endpoint-url'?")


def test_unknown_option_without_a_close_match_has_no_hint(capsys) -> None:
    code, _, err = run_cli(capsys, "schema", "--out", "x")
    assert code == 2
    assert err.startswith("usage: shiftwork schema ")
    assert last_line(err) == "shiftwork schema: error: unrecognized arguments: --out x"


def test_misspelled_choice_exits_2_with_a_suggestion(capsys) -> None:
    code, _, err = run_cli(capsys, "plan", "rules/examples", "--at", "2026-12-21T19:00", "--format", "jsn")
    assert code == 2
    assert last_line(err) == ("shiftwork plan: error: argument --format: invalid choice: 'jsn' "
                              "(choose from 'table', 'json'); did you mean 'json'?")


def test_missing_at_or_event_exits_2(capsys) -> None:
    code, _, err = run_cli(capsys, "plan", "rules/examples")
    assert code == 2
    assert last_line(err) == "shiftwork plan: error: one of the arguments --at --event is required"


def test_missing_to_exits_2(capsys) -> None:
    code, _, err = run_cli(capsys, "simulate", "rules/examples", "--from", "2027-03-10")
    assert code == 2
    assert last_line(err) == "shiftwork simulate: error: the following arguments are required: --to"


# -- plan --event FILE: every unreadable file is a one-line answer naming the file, exit 2 ------------------------
@pytest.mark.parametrize("content, message", [
    ("hello", "not JSON (Expecting value: line 1 column 1 (char 0))"),
    ('"x"', "an event is a JSON object ({...}), not a string"),
    ("[1, 2]", "an event is a JSON object ({...}), not a list"),
    ('{"foo": 1}', "unrecognised event: expected an EventBridge event, an SNS or SQS record batch, "
                   "a CloudWatch alarm notification or a shiftwork tick"),
    ('{"source": "x", "detail-type": "y", "detail": {}}',
     "the event has no 'time'; add one (ISO 8601) so the run is reproducible"),
    ('{"time": "yesterday", "source": "x", "detail-type": "y", "detail": {}}',
     "the event's time 'yesterday' is not an ISO 8601 time; write e.g. \"time\": \"2026-12-21T19:00:00Z\""),
])
def test_unreadable_event_files(capsys, tmp_path, content: str, message: str) -> None:
    event = tmp_path / "event.json"
    event.write_text(content)
    code, out, err = run_cli(capsys, "plan", "rules/examples", "--event", str(event),
                             "--endpoint-url", "http://127.0.0.1:9")
    assert (code, out) == (2, "")
    assert err == f"shiftwork: --event {event}: {message}\n"


def test_a_schedule_tick_event_plans_the_tick() -> None:
    """A Scheduler tick given to --event is a tick at its time, not an event no rule listens to."""
    from shiftwork.engine.cli.commands.plan import trigger_from
    from shiftwork.engine.events.trigger import At

    class Args:
        event, at = "tests/fixtures/events/scheduler-tick.json", None

    trigger = trigger_from(Args())
    assert trigger.event is None
    assert trigger.at == At(datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc))


# -- the plan/run report: times as simulate writes them, the handlers' notes, counts in words, JSON keys ------
def outcomes_for_report():
    from shiftwork.engine.plan.changes import Change, Result
    from shiftwork.engine.schedule.evaluate import evaluate_tick
    from shiftwork.engine.plan.planner import RulePlan
    from shiftwork.engine.plan.resources import Resource
    from shiftwork.engine.dispatch.runner import RuleOutcome
    from tests.unit.ruletools import cron_rule, utc, window_rule

    at = utc("2026-12-22 00:00")  # Monday 19:00 in New York
    ny = window_rule("mon-fri", "07:00-20:00", tz="America/New_York", name="staging")
    box = Resource("ec2.instance", "i-0abc", "us-east-1", name="staging-1", state="stopped")
    start = Change("staging", "ec2.start", box, "ec2", "start_instances", {"InstanceIds": ["i-0abc"]},
                   "stopped; starting it", "stopped", "running")
    plan = RulePlan(ny, ny.inside, resources=[box], changes=[start])
    fired = RuleOutcome(ny, at, evaluate_tick(ny, at, None, None), plan, [Result(start, "ok")],
                        notes=["rule 'staging': no ECS cluster 'nope' in us-east-1; nothing selected there"])
    london = cron_rule("0 6 * * *", tz="Europe/London", name="backups")
    quiet = RuleOutcome(london, at, evaluate_tick(london, at, None, None))
    return [fired, quiet]


def test_run_table_times_notes_and_counts() -> None:
    from shiftwork.engine.cli.report import render_table

    assert render_table(outcomes_for_report(), executed=True) == "\n".join([
        "rule staging  (ec2.instance, America/New_York, test.yaml:1:1)  at 2026-12-21 Mon 19:00 EST "
        "(2026-12-22 00:00 UTC): FIRES: first evaluation: reconciling to 'inside'",
        "  actions: ec2.start on 1 resource in us-east-1",
        "  change  i-0abc (staging-1)  ec2:StartInstances  stopped -> running  (stopped; starting it) -> ok",
        "  note: no ECS cluster 'nope' in us-east-1; nothing selected there",
        "",
        "rule backups  at 2026-12-22 Tue 00:00 GMT (2026-12-22 00:00 UTC): does not fire: no occurrence of "
        "'0 6 * * *' in the 1h before this tick (catch_up); next at 2026-12-22 Tue 06:00 GMT (in 6 h 0 m)",
        "",
        "2 rules evaluated, 1 fired; 1 change made, 0 failed; 0 skipped, 0 findings, 0 errors",
    ])
    assert render_table(outcomes_for_report(), calls=1).splitlines()[-1] == (
        "2 rules evaluated, 1 fired; 1 change planned (1 write call), 0 skipped, 0 findings, 0 errors; "
        "dry run: nothing was changed (plans may read AWS but never write)")
    fired, quiet = outcomes_for_report()
    fired.plan.changes, fired.results = [], []
    assert render_table([fired, quiet], executed=True, calls=0).splitlines()[-1] == (
        "2 rules evaluated, 1 fired; 0 changes made, 0 failed; 0 skipped, 0 findings, 0 errors")


def test_plan_json_has_every_key_for_every_rule_and_totals() -> None:
    import json

    from shiftwork.engine.cli.report import render_json

    report = json.loads(render_json(outcomes_for_report()))
    fired, quiet = report["rules"]
    assert set(fired) == set(quiet)
    assert (quiet["changes"], quiet["resources"], quiet["results"], quiet["limited"]) == ([], [], [], None)
    assert fired["notes"] == ["no ECS cluster 'nope' in us-east-1; nothing selected there"]
    assert fired["timezone"] == "America/New_York" and fired["at"] == "2026-12-22T00:00:00Z"
    assert (report["version"], report["dry_run"]) == (1, True)
    assert report["totals"] == {"rules": 2, "fired": 1, "changes": 1, "skipped": 0, "findings": 0, "errors": 0,
                                "ok": 1, "failed": 0, "not_run": 0, "limited": 0, "write_calls": None}


def test_docs_name_only_commands_that_exist() -> None:
    """README and docs promised `shiftwork deploy`, which a newcomer would type and not find."""
    import re
    from pathlib import Path

    from shiftwork.engine.cli.commands import COMMANDS

    named = {}
    for page in [Path("README.md"), *sorted(Path("docs").glob("*.md"))]:
        text = page.read_text()
        # inline, also as a list ("`shiftwork validate`, `simulate` and `plan`"), except "there is no `shiftwork x`"
        for first, rest in re.findall(r"(?<!no )`shiftwork (\w+)[^`]*`((?:(?:, | and |, and )`\w+`)*)", text):
            for word in (first, *re.findall(r"`(\w+)`", rest)):
                named.setdefault(word, page.name)
        for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
            for line in block.splitlines():
                if line.startswith("shiftwork "):
                    named.setdefault(line.split()[1], page.name)
    assert "validate" in named and "demo" in named
    assert {w: p for w, p in named.items() if w not in COMMANDS} == {}


# -- dates and files a user gets wrong -------------------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["simulate", "rules/examples", "--from", "2027-02-30", "--to", "2027-03-02"],
     "--from '2027-02-30' is not a date (day is out of range for month); write YYYY-MM-DD, e.g. 2027-03-22"),
    (["simulate", "rules/examples", "--from", "2020-01-01", "--to", "2030-01-01"],
     "--from 2020-01-01 --to 2030-01-01 is 3654 days; simulate at most 366 days at a time"),
    (["simulate", "rules/examples", "--from", "2027-03-22", "--to", "2027-03-22", "--out", "/nonexistent/cal.html"],
     "--out /nonexistent/cal.html: cannot write it: No such file or directory"),
    (["plan", "rules/examples", "--at", "2026-02-30T10:00"],
     "--at '2026-02-30T10:00' is not a valid time (day is out of range for month); write e.g. 2026-12-21T19:00 "
     "(each rule's local time) or 2026-12-21T19:00Z (UTC)"),
    (["plan", "rules/examples", "--at", "tomorrow"],
     "--at 'tomorrow' is not an ISO time; write e.g. 2026-12-21T19:00 (each rule's local time) or "
     "2026-12-21T19:00Z (UTC)"),
])
def test_dates_and_files_a_user_gets_wrong(capsys, argv: list[str], message: str) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"shiftwork: {message}\n"


def test_change_arrows_only_when_something_changes() -> None:
    """A tag write showed 'desired 2 -> desired 2' and a removed tag 'x -> ' with nothing after the arrow."""
    import dataclasses

    from shiftwork.engine.cli.report import render_table

    fired, _ = outcomes_for_report()
    start = fired.plan.changes[0]
    other = dataclasses.replace(start.resource, id="i-0def", name="staging-2")
    tag = dataclasses.replace(start, call="create_tags", before="desired 2", after="desired 2", reason="save")
    untag = dataclasses.replace(start, resource=other, call="delete_tags", before="min=2 desired=3 max=6", after="",
                                reason="drop")
    fired.plan.changes = [tag, untag]
    lines = [line for line in render_table([fired]).splitlines() if line.startswith("  change")]
    assert lines == ["  change  i-0abc (staging-1)  ec2:CreateTags  (save)",
                     "  change  i-0def (staging-2)  ec2:DeleteTags  min=2 desired=3 max=6 -> (none)  (drop)"]


def test_one_resource_s_calls_are_one_line_with_every_result() -> None:
    """A tag save and a scale of one service were two rows; a reader sees one step (and each call's result)."""
    import dataclasses

    from shiftwork.engine.cli.report import render_table
    from shiftwork.engine.plan.changes import Result

    fired, _ = outcomes_for_report()
    start = fired.plan.changes[0]
    tag = dataclasses.replace(start, call="create_tags", before="", after="", reason="save state")
    fired.plan.changes = [tag, start]
    fired.results = [Result(tag, "ok"), Result(start, "failed", "InsufficientInstanceCapacity")]
    lines = [line for line in render_table([fired], executed=True).splitlines() if line.startswith("  change")]
    assert lines == ["  change  i-0abc (staging-1)  ec2:CreateTags + ec2:StartInstances  stopped -> running  "
                     "(save state; stopped; starting it) -> ok, failed: InsufficientInstanceCapacity"]


def test_a_plan_for_the_wrong_trigger_kind_says_which_option_to_use() -> None:
    from shiftwork.engine.events.trigger import decide_event, decide_tick
    from tests.unit.ruletools import alarm_rule, cron_rule, utc

    assert decide_tick(alarm_rule(), utc("2026-12-21 19:00")).reason == (
        "fires on events only, not on schedule ticks; plan it with --event FILE")
    event = {"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "detail": {}}
    assert decide_event(cron_rule("0 19 * * *"), event).reason == (
        "not event-driven: runs on schedule ticks only (plan it with --at)")


def test_a_failed_backup_check_names_every_failing_check() -> None:
    """The table showed only the first failing check; the on-call message listed three."""
    from shiftwork.engine.plan.changes import Finding
    from shiftwork.engine.cli.report import render_table

    fired, _ = outcomes_for_report()
    failures = [{"check": "min_points"}, {"check": "encrypted"}, {"check": "copy_regions"}]
    fired.plan.changes = []
    fired.plan.findings = [Finding("staging", "backup.validate", fired.plan.resources[0], "fail", check="min_points",
                                   observed="1 completed in 7d", required="at least 7 in 7d",
                                   details={"failures": failures})]
    (line,) = [x for x in render_table([fired]).splitlines() if x.startswith("  FAIL")]
    assert line == ("  FAIL    i-0abc (staging-1)  backup.validate: min_points: 1 completed in 7d; required at least 7 "
                    "in 7d (also failing: encrypted, copy_regions)")


def test_exit_code_for_a_failed_check_follows_fail_on_as_documented() -> None:
    """docs/backups.md said a failed check always exits 1; the CLI's default --fail-on errors lets it exit 0."""
    from shiftwork.engine.plan.changes import Finding
    from shiftwork.engine.cli.commands.plan import exit_code

    fired, _ = outcomes_for_report()
    fired.results = []
    fired.plan.findings = [Finding("staging", "backup.validate", fired.plan.resources[0], "fail", check="max_age")]
    assert exit_code([fired], "errors") == 0
    assert exit_code([fired], "findings") == 1
    fired.plan.findings = [Finding("staging", "backup.validate", fired.plan.resources[0], "error", check="read")]
    assert exit_code([fired], "errors") == 1


def test_a_rules_description_is_shown_in_plans_and_notifications() -> None:
    """docs/rules.md promises it; neither the plan table nor the SNS summary showed it."""
    import dataclasses

    from shiftwork.engine.cli.report import render_table
    from shiftwork.handlers.notify import summarise

    fired, _ = outcomes_for_report()
    fired.rule = dataclasses.replace(fired.rule, description="Staging boxes run\n  on weekdays only.")
    assert render_table([fired]).splitlines()[1] == "  Staging boxes run on weekdays only."
    message = summarise("staging", fired.plan.changes, description=fired.rule.description)
    assert message.splitlines()[:2] == ["shiftwork rule 'staging' plans: 1 to change.",
                                        "Staging boxes run on weekdays only."]


# -- simulate and rule errors outside validate ------------------------------------------------------------------
CONFLICTING = """version: 1
timezone: Europe/London
rules:
  - name: office
    resource: ec2.instance
    match: {tags: {env: dev}}
    during: {days: mon-fri, hours: "08:00-19:00"}
    actions:
      inside: [ec2.start]
      outside: [ec2.stop]
  - name: lunch-stop
    resource: ec2.instance
    match: {tags: {team: web}}
    on: {cron: "0 12 * * *"}
    actions: [ec2.stop]
  - name: morning-only
    resource: ec2.instance
    match: {tags: {team: ops}}
    during: {days: mon-fri, hours: "08:00-09:00"}
    actions:
      inside: [ec2.start]
"""


def test_simulate_says_when_a_phase_has_no_actions_and_keeps_warnings_to_the_rules_asked(capsys, tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(CONFLICTING)
    code, out, _ = run_cli(capsys, "simulate", str(tmp_path), "--from", "2027-03-15", "--to", "2027-03-15",
                           "--rule", "morning-only")
    assert code == 0
    assert out.splitlines()[3:6] == [
        "  2027-03-15 Mon 00:00 GMT    (2027-03-15 00:00 UTC)  starts outside  (no 'outside' actions: nothing runs)",
        "  2027-03-15 Mon 08:00 GMT    (2027-03-15 08:00 UTC)  -> inside     ec2.start",
        "  2027-03-15 Mon 09:00 GMT    (2027-03-15 09:00 UTC)  -> outside    (no 'outside' actions: nothing runs)"]
    assert "warning" not in out  # lunch-stop against office does not concern morning-only
    code, out, _ = run_cli(capsys, "simulate", str(tmp_path), "--from", "2027-03-15", "--to", "2027-03-15",
                           "--rule", "office")
    assert "warning: rule 'lunch-stop': may conflict with rule 'office'" in out


def test_rule_errors_read_the_same_from_every_command(capsys, tmp_path) -> None:
    """plan and simulate prefixed one error with 'shiftwork: ' and counted none; validate counts them."""
    (tmp_path / "a.yaml").write_text(CONFLICTING.replace("0 12 * * *", "0 12 31 4 *"))
    expected = (f"{tmp_path}/a.yaml:14:16: rule 'lunch-stop': on.cron: '0 12 31 4 *' never fires: no day matches "
                "its day-of-month, month and day-of-week together; check for a day the month does not have, "
                "such as 30 February or 31 April\n1 error\n")
    for argv in (["validate"], ["simulate", "--from", "2027-03-15", "--to", "2027-03-15"],
                 ["plan", "--at", "2027-03-15T12:00"], ["permissions"]):
        code, out, err = run_cli(capsys, argv[0], str(tmp_path), *argv[1:])
        assert (code, out, err) == (2, "", expected), argv


def test_a_misspelled_region_is_a_warning_with_a_suggestion(capsys, tmp_path) -> None:
    """eu-wst-1 passed validate silently; a plan then waited on a host that does not exist."""
    rules = tmp_path / "a.yaml"
    rules.write_text("version: 1\nregions: [eu-wst-1]\nrules:\n  - name: a\n    resource: ec2.instance\n"
                         "    match: {all: true}\n"
                     "    regions: [us-east-1, eu-west-1]\n    on: {cron: \"0 1 * * *\"}\n    actions: [ec2.stop]\n")
    code, out, err = run_cli(capsys, "validate", str(rules))
    assert (code, out) == (0, "ok: 1 rule in 1 file, 1 warning\n")
    assert err == (f"{rules}:2:11: warning: regions[0]: unknown region 'eu-wst-1' (not in this botocore's endpoint "
                   "data); did you mean 'eu-west-1'?\n")


def test_the_readme_tour_names_files_that_exist() -> None:
    """The tour's `--event alarm.json` answered 'no such file' to anyone who typed it."""
    import re
    from pathlib import Path

    tour = re.findall(r"```sh\n(.*?)```", Path("README.md").read_text(), flags=re.S)
    paths = [p for block in tour for p in re.findall(r"(?:--event|shiftwork \w+) (\S+)", block)
             if not p.startswith("-") and p not in (">",)]
    assert "rules/examples" in paths
    assert [p for p in paths if not Path(p).exists()] == []


def test_every_commands_help_explains_its_arguments() -> None:
    """`permissions --help` listed a bare PATH and `--format` with no words; demo's was a lowercase 'path'."""
    from shiftwork.engine.cli.main import build_parser

    parser = build_parser()
    commands = parser.parse_args(["schema"]).commands
    for name, sub in commands.items():
        for action in sub._actions:
            if action.dest != "help" and (action.option_strings == [] or action.dest == "format"):
                assert action.help, f"{name} {action.dest}"
                assert action.metavar is None or action.metavar.isupper(), f"{name} {action.metavar}"


def test_a_utc_rule_gives_its_time_once() -> None:
    from shiftwork.engine.schedule.evaluate import evaluate_tick
    from shiftwork.engine.cli.report import render_table
    from shiftwork.engine.dispatch.runner import RuleOutcome
    from tests.unit.ruletools import cron_rule, utc

    rule, at = cron_rule("0 19 * * *"), utc("2026-12-21 19:00")
    line = render_table([RuleOutcome(rule, at, evaluate_tick(rule, at, None, None))]).splitlines()[0]
    assert line.endswith(":1:1)  at 2026-12-21 Mon 19:00 UTC: FIRES: '0 19 * * *' occurred at 2026-12-21 Mon 19:00 UTC")


@pytest.mark.parametrize("command", ["plan", "run"])
def test_an_unknown_rule_is_worded_as_simulate_words_it(capsys, command: str) -> None:
    code, _, err = run_cli(capsys, command, "rules/examples", "--at", "2026-12-21T19:00", "--rule", "dev-ofice-hours")
    assert (code, err) == (2, "shiftwork: --rule: no rule named 'dev-ofice-hours'; did you mean 'dev-office-hours'?\n")
    code, _, err = run_cli(capsys, command, "rules/examples/office-hours.yaml", "--at", "2026-12-21T19:00",
                           "--rule", "zzz")
    assert (code, err) == (2, "shiftwork: --rule: no rule named 'zzz'; rules: dev-office-hours\n")
