"""`shiftwork demo` as a newcomer runs it: a new process, no AWS credentials, loopback only, any directory."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.helpers import ROOT, shiftwork

pytestmark = pytest.mark.e2e
LINES_BEFORE = 249  # `shiftwork demo | wc -l` before the output was made quieter (same eight steps)
# example files added after that measurement: their rules' own lines are not part of the comparison
ADDED_EXAMPLES = ("events.yaml", "heads-up.yaml")


def added_rules() -> list[str]:
    return [m for f in ADDED_EXAMPLES
            for m in re.findall(r"^  - name: (\S+)", (ROOT / "rules/examples" / f).read_text(), re.M)]


def no_credentials(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTHONPATH"}
    env.update({"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                "AWS_EC2_METADATA_DISABLED": "true"})
    return env


def test_demo_runs_from_an_empty_directory_without_credentials(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = shiftwork("demo", env=no_credentials(tmp_path), clear_env=True, cwd=empty)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    # a rule that fires on nothing (the demo fleet has no qa instances) is one line, not a block
    assert re.search(r"\nrule qa-evenings-off  at 2026-12-21 Mon 19:00 GMT \(2026-12-21 19:00 UTC\): fires, nothing "
                     r"to do: asked EC2 only for pending/running instances", out)
    same_steps = out.split("── 9. ")[0]  # step 9 (an override and its expiry) came after the halving
    added = tuple(f"rule {name} " for name in added_rules())
    assert len(added) == 7
    assert len([line for line in same_steps.splitlines() if not line.startswith(added)]) <= LINES_BEFORE // 2
    assert proc.stderr == ""  # progress is for a terminal only
    assert re.search(r"on http://127\.0\.0\.1:\d+ \(loopback only\)", out)
    assert "ok: 19 rules in 7 files" in out  # validate, of the examples shipped in the package
    assert "2026-12-25 Christmas Day (england): window suppressed" in out  # simulate
    # plan at Monday 19:00: the two running dev instances stop, the opted-out one is reported
    plan = out.split("3. Plan Monday 19:00")[1].split("4. Plan for an event")[0]
    assert plan.count("ec2:StopInstances") == 2
    assert "(dev-long-job)  ec2.stop: tagged shiftwork:skip=true" in plan
    listed = re.search(r"event rules, not evaluated on a tick \(plan them with --event FILE\): (.*)", plan).group(1)
    assert {"api-scale-out", "api-scale-in", "incident-scale-up"} <= set(listed.split(", "))
    assert "dry run: nothing was changed" in plan
    event = out.split("4. Plan for an event")[1].split("5. Run Monday 21:00")[0]
    assert "application-autoscaling:RegisterScalableTarget" in event  # api has a scalable target
    assert "schedule rules, not evaluated for an event" in event
    first, second, restore = (out.split(h)[1] for h in ("5. Run Monday 21:00", "6. Run the same tick", "7. Tuesday"))
    assert "5 changes made" in first.split("6. Run")[0] and "0 failed" in first.split("6. Run")[0]
    assert "The 'ops' SNS topic received 1 message(s)" in first
    assert "0 changes made" in second.split("7. Tuesday")[0]
    assert "(restore: desired 0 -> 4; " in restore.split("8. Validate backups")[0]
    backups = out.split("8. Validate backups")[1]
    assert re.search(r"FAIL +vol-\w+ \(reports-data\)  backup\.validate: min_points", backups)
    assert re.search(r"PASS +vol-\w+ \(orders-data\)", backups)
    assert "(exit code 1: a check failed, as expected)" in backups  # --fail-on findings
    assert "The 'backups-oncall' SNS topic received 1 message(s)" in backups
    held = out.split("9. Keep one dev instance on tonight")[1]
    assert re.search(r"skip +i-\w+ \(dev-web-2\)  ec2\.stop: override until \S+ Mon 22:00 .* release test", held)
    assert re.search(r"Mon 22:00 .*\n(.*\n)*  change +i-\w+ \(dev-web-2\)  ec2:StopInstances", held)
    assert "Traceback" not in proc.stderr
    assert out.rstrip().endswith("docs/operations.md says how to run the Lambda.")  # no `deploy` command to promise


TEAM_RULES = """\
version: 1
timezone: America/New_York
regions: [us-east-1]
rules:
  - name: ny-dev-hours
    resource: ec2.instance
    match: {tags: {env: dev}}
    during: {days: mon-fri, hours: "08:30-18:00"}
    actions: {inside: [ec2.start], outside: [ec2.stop]}
  - name: staging-backups
    resource: rds.instance
    match: {tags: {env: staging}}
    on: {cron: "0 8 * * *"}
    actions: [{type: backup.validate, source: aws-backup, max_age: 26h}]
"""


def test_demo_path_runs_your_rules_and_fails_when_a_step_fails(tmp_path: Path) -> None:
    """`demo ../myrules` narrated the bundled examples (five steps failed) and exited 0."""
    rules = tmp_path / "myrules"
    rules.mkdir()
    (rules / "team.yaml").write_text(TEAM_RULES)
    proc = shiftwork("demo", str(rules), env=no_credentials(tmp_path), clear_env=True, cwd=tmp_path)
    out = proc.stdout
    assert "dev-office-hours" not in out and "no rule named" not in out + proc.stderr
    assert "ok: 2 rules in 1 file" in out
    assert "ny-dev-hours  [window, ec2.instance, America/New_York]" in out  # the week simulated
    assert out.count("$ shiftwork plan ") == 3
    # the embedded AWS has no AWS Backup API: the check is an error (one line), never a pass
    assert "ERROR   staging-orders  backup.validate: read: backup:ListRecoveryPointsByResource failed: HTTP 404: " \
           "Not Found" in out
    assert out.rstrip().endswith("failed: 3 (exit 1)")
    assert proc.returncode == 1

    (rules / "team.yaml").write_text(TEAM_RULES.replace("    match: {tags: {env: dev}}\n", ""))
    proc = shiftwork("demo", str(rules), env=no_credentials(tmp_path), clear_env=True, cwd=tmp_path)
    assert proc.returncode == 2 and "$ shiftwork simulate" not in proc.stdout
    assert "no 'match'" in proc.stderr
