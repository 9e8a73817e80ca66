"""An override holds a resource through its rule's action and ends by itself: the first tick after it reconciles."""
from __future__ import annotations

from datetime import datetime, timezone

import boto3
import pytest

from shiftwork.engine.dispatch.dispatcher import Dispatcher
from shiftwork.engine.dispatch.state import FileState, MemoryState
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.plan.override_targets import parse_ref, set_changes
from tests.handlers.test_dispatch import tick

# A `during` rule without enforce: it acts only on phase changes, and on the end of an override it honoured.
RULES = """
version: 1
timezone: Europe/London
regions: [eu-west-1]
rules:
  - name: dev-office-hours
    resource: ec2.instance
    match: {tags: {env: dev}}
    during: {days: mon-fri, hours: "08:00-19:00"}
    actions:
      inside: [ec2.start]
      outside: [ec2.stop]
"""
UNTIL = datetime(2026, 12, 21, 22, 0, tzinfo=timezone.utc)  # Monday 22:00 London (GMT in December)


def states() -> dict[str, str]:
    res = boto3.client("ec2", region_name="eu-west-1").describe_instances()["Reservations"]
    return {i["InstanceId"]: i["State"]["Name"] for r in res for i in r["Instances"]}


@pytest.fixture
def dev(aws: None) -> tuple[str, str]:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"]]
    return ids[0], ids[1]


def dispatcher(load_rules, state, writes: list[str]) -> Dispatcher:
    return Dispatcher(ruleset=load_rules(RULES), state=state, planning=Clients(read_only=True),
                      executor=Executor(Clients(observer=lambda s, op, p: writes.append(op))),
                      default_region="eu-west-1", log=lambda record: None)


@pytest.mark.parametrize("keep", [None, "running"])
def test_override_until_22_holds_through_the_19_stop_and_the_first_tick_after_stops_it(
        load_rules, dev: tuple[str, str], keep: str | None) -> None:
    held, other = dev
    Executor(Clients()).execute(set_changes([parse_ref(held, "eu-west-1")], UNTIL, keep,
                                            "arn:aws:iam::123456789012:user/alice", "late deploy"))
    writes: list[str] = []
    d = dispatcher(load_rules, MemoryState(), writes)
    d.handle(tick("2026-12-21T18:55:00Z"))  # inside: both running already, nothing to do
    assert states() == {held: "running", other: "running"} and writes == []
    d.handle(tick("2026-12-21T19:00:00Z"))  # the stop: the overridden one is skipped
    assert states() == {held: "running", other: "stopped"}
    skip = [s for o in d.outcomes if o.plan for s in o.plan.skips]
    assert [s.resource.id for s in skip] == [held]
    assert "override until 2026-12-21 Mon 22:00 GMT" in skip[0].reason and "late deploy" in skip[0].reason
    d.handle(tick("2026-12-21T21:55:00Z"))  # still overridden; no phase change, no enforce: nothing
    assert states()[held] == "running" and d.summary()["rules_fired"] == 0
    writes.clear()
    summary = d.handle(tick("2026-12-21T22:00:00Z"))  # the override has ended: reconcile to 'outside'
    assert states() == {held: "stopped", other: "stopped"}
    assert summary["rules_fired"] == 1 and writes == ["StopInstances"]
    assert "override that held back resources ended at 2026-12-21 Mon 22:00 GMT" in d.outcomes[0].decision.reason
    writes.clear()
    assert d.handle(tick("2026-12-21T22:05:00Z"))["rules_fired"] == 0 and writes == []


def test_a_missed_expiry_tick_reconciles_at_the_next_one_and_survives_a_state_file(load_rules, dev, tmp_path) -> None:
    held, _ = dev
    Executor(Clients()).execute(set_changes([parse_ref(held, "eu-west-1")], UNTIL, None, "me", ""))
    path = tmp_path / "state.json"
    dispatcher(load_rules, FileState(path), []).handle(tick("2026-12-21T19:00:00Z"))
    assert states()[held] == "running"
    # a new process (the next Lambda invocation), and the 22:00 tick never came
    d = dispatcher(load_rules, FileState(path), [])
    assert d.handle(tick("2026-12-21T21:55:00Z"))["rules_fired"] == 0
    assert d.handle(tick("2026-12-21T22:10:00Z"))["rules_fired"] == 1
    assert states()[held] == "stopped"


def test_keep_running_lets_the_morning_start_through(load_rules, dev) -> None:
    """keep running: a start agrees with it, so an overridden stopped instance is still started at 08:00."""
    held, other = dev
    boto3.client("ec2", region_name="eu-west-1").stop_instances(InstanceIds=[held, other])
    until = datetime(2026, 12, 22, 12, 0, tzinfo=timezone.utc)
    Executor(Clients()).execute(set_changes([parse_ref(held, "eu-west-1")], until, "running", "me", ""))
    d = dispatcher(load_rules, MemoryState(), [])
    d.handle(tick("2026-12-22T08:00:00Z"))
    assert states() == {held: "running", other: "running"}


def test_plan_shows_the_override_and_when_it_ends(load_rules, dev, capsys: pytest.CaptureFixture[str],
                                                  tmp_path) -> None:
    from shiftwork.engine.cli.main import main

    held, other = dev
    Executor(Clients()).execute(set_changes([parse_ref(held, "eu-west-1")], UNTIL, "running", "me", "demo"))
    rules = tmp_path / "office.yaml"
    rules.write_text(RULES)
    assert main(["plan", str(rules), "--at", "2026-12-21T19:00", "--region", "eu-west-1"]) == 0
    out = capsys.readouterr().out
    assert f"change  {other}  ec2:StopInstances" in out
    assert (f"skip    {held}  ec2.stop: override until 2026-12-21 Mon 22:00 GMT (2026-12-21 22:00 UTC) "
            "(keep running) by me: demo") in out
    assert ("note: 1 resource under an override; the first ends 2026-12-21 Mon 22:00 GMT (2026-12-21 22:00 UTC); "
            "the first tick from then reconciles it") in out
