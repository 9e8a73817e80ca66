"""`shiftwork demo` as a newcomer runs it: a new process, no AWS credentials, loopback only."""
from __future__ import annotations

import os
import re

import pytest

from tests.e2e.helpers import shiftwork

pytestmark = pytest.mark.e2e


def test_demo_runs_without_credentials_and_shows_the_product(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                "AWS_EC2_METADATA_DISABLED": "true"})
    proc = shiftwork("demo", env=env, clear_env=True)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"listens on http://127\.0\.0\.1:\d+ \(loopback only\)", out)
    assert "ok: " in out and " rules in " in out  # validate
    assert "2026-12-25 Christmas Day (england): window suppressed" in out  # simulate
    # plan at Monday 19:00: the two running dev instances stop, the opted-out one is reported
    plan = out.split("3. Plan Monday 19:00")[1].split("4. Plan for an event")[0]
    assert plan.count("ec2:StopInstances") == 2
    assert "(dev-long-job)  ec2.stop: tagged shiftwork:skip=true" in plan
    assert "dry run: nothing was changed" in plan
    event = out.split("4. Plan for an event")[1].split("5. Run Monday 21:00")[0]
    assert "application-autoscaling:RegisterScalableTarget" in event  # api has a scalable target
    first, second, restore = (out.split(h)[1] for h in ("5. Run Monday 21:00", "6. Run the same tick", "7. Tuesday"))
    assert "5 changes made" in first.split("6. Run")[0] and "0 failed" in first.split("6. Run")[0]
    assert "The 'ops' SNS topic received 1 message(s)" in first
    assert "0 changes made" in second.split("7. Tuesday")[0]
    assert "(restore: desired 0 -> 4) -> ok" in restore.split("8. Validate backups")[0]
    backups = out.split("8. Validate backups")[1]
    assert re.search(r"FAIL +vol-\w+ \(reports-data\)  backup\.validate: min_points", backups)
    assert re.search(r"PASS +vol-\w+ \(orders-data\)", backups)
    assert "(exit code 1)" in backups  # --fail-on findings
    assert "The 'backups-oncall' SNS topic received 1 message(s)" in backups
    held = out.split("9. Keep one dev instance on tonight")[1]
    assert re.search(r"skip +i-\w+ \(dev-web-2\)  ec2\.stop: override until \S+ Mon 22:00 .* release test", held)
    assert re.search(r"Mon 22:00 .*\n(.*\n)*  change +i-\w+ \(dev-web-2\)  ec2:StopInstances", held)
    assert "Traceback" not in proc.stderr
    assert out.rstrip().endswith("docs/operations.md says how to run the Lambda.")  # no `deploy` command to promise
