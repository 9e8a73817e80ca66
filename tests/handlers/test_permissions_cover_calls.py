"""Every AWS call the handlers make for the example rules is covered by `shiftwork permissions`."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.cli.commands.permissions import required_permissions
from shiftwork.engine.cli.demo_fleet import ACCOUNT, seed
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.registry import registered
from shiftwork.engine.dispatch.runner import Trigger, run_rules
from shiftwork.engine.events.trigger import At
from tests.e2e.helpers import ROOT

NEED_NO_PERMISSION = {"sts:GetCallerIdentity"}  # AWS answers it for any principal


def test_permissions_cover_every_call_of_plan_and_run(aws_env, monkeypatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)  # the examples' SNS topics live in this account
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "true")  # the demo fleet launches a public AMI
    from moto import mock_aws

    with mock_aws():
        seed(Clients())
        ruleset = load([str(ROOT / "rules" / "examples")])
        calls: set[str] = set()

        def observe(service: str, operation: str, params: dict) -> None:
            calls.add(f"{service}:{operation}")

        planning = Clients(read_only=True, observer=observe)
        executor = Executor(Clients(observer=observe), ruleset.accounts())
        tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT06:15")
        for at in ("2026-12-21T19:00", "2026-12-21T21:00", "2026-12-22T07:00", "2026-12-26T19:00", tomorrow):
            for outcome in run_rules(ruleset, Trigger(at=At.parse(at)), planning, "eu-west-1", executor=executor):
                assert outcome.error is None, outcome.error
        alarm = json.loads((ROOT / "tests/fixtures/events/eventbridge-alarm.json").read_text())
        run_rules(ruleset, Trigger.from_event(alarm), planning, "eu-west-1", executor=executor)

    granted = set(required_permissions(ruleset, registered()))
    missing = sorted(calls - granted - NEED_NO_PERMISSION)
    assert not missing, f"calls not covered by `shiftwork permissions`: {missing}"
    # the run did exercise the writers, so the check above means something
    assert {"ec2:StopInstances", "ecs:UpdateService", "ecs:TagResource", "sns:Publish", "rds:StopDBInstance",
            "rds:StopDBCluster", "autoscaling:UpdateAutoScalingGroup", "ec2:DescribeSnapshots"} <= calls
