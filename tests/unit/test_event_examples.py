"""The event examples (rules/examples/events.yaml, docs/events.md) fire for the events they are written for."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from shiftwork.engine.events.shapes import normalise
from shiftwork.engine.events.targets import named_resources
from shiftwork.engine.events.trigger import decide_event, rule_pattern
from shiftwork.engine.language.loader import load

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "events"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def alarm_ok() -> dict[str, Any]:
    event = fixture("eventbridge-alarm-ecs.json")
    event["detail"]["previousState"], event["detail"]["state"] = event["detail"]["state"], {"value": "OK"}
    return event


def cluster_restart() -> dict[str, Any]:
    event = copy.deepcopy(fixture("rds-event-restarted.json"))
    event["detail-type"] = "RDS DB Cluster Event"
    event["detail"].update(SourceType="CLUSTER", EventID="RDS-EVENT-0153", SourceIdentifier="orders-aurora")
    return event


def launch() -> dict[str, Any]:
    return {"version": "0", "id": "1b1d5a43-4cda-4f2e-9d6c-5d7b2a0c9e11", "source": "acme.releases",
            "detail-type": "Launch Scheduled", "account": "111122223333", "region": "eu-west-1",
            "time": "2026-12-21T08:00:00Z", "resources": [], "detail": {"expected_load": 3, "channel": "public"}}


# rule -> (event, the resource it names, or None for a match-based rule)
CASES = {
    "web-service-scale-out": (fixture("eventbridge-alarm-ecs.json"), ("ecs.service", {"cluster": "web", "name": "api"})),
    "web-service-scale-in": (alarm_ok(), ("ecs.service", {"cluster": "web", "name": "api"})),
    "restop-after-seven-days": (fixture("sns-rds-event.json"), ("rds.instance", {"id": "orders-db"})),
    "restop-cluster-after-seven-days": (cluster_restart(), ("rds.cluster", {"id": "orders-aurora"})),
    "always-on-stopped": (fixture("ec2-state-change-stopped.json"), ("ec2.instance", None)),
    "launch-day-prescale": (launch(), None),
}


@pytest.fixture(scope="module")
def examples():
    return load([str(ROOT / "rules" / "examples")])


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_example_fires_for_its_event_alone(examples, name: str) -> None:
    raw, named = CASES[name]
    (event,) = normalise(raw)
    fired = [r.name for r in examples.rules if rule_pattern(r) is not None and decide_event(r, event).fires]
    assert fired == [name]
    if named is not None:
        rtype, expected = named
        found = named_resources(event, rtype)
        assert found and (expected is None or expected in [{k: n[k] for k in expected} for n in found])


def test_every_event_example_has_a_case(examples) -> None:
    in_file = {r.name for r in examples.rules if str(r.loc).startswith(str(ROOT / "rules/examples/events.yaml"))}
    assert in_file == set(CASES)
