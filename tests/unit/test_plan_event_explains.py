"""`shiftwork plan --event`: every event rule matched or not and why; schedule rules in one line."""
from __future__ import annotations

from pathlib import Path

import pytest

from shiftwork.engine.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
RULES = """version: 1
regions: [eu-west-1]
rules:
  - name: api-scale-in
    resource: ecs.service
    match: {cluster: web}
    on: {alarm: web-api-cpu-high, state: OK}
    actions: [{type: ecs.scale, add: -1, min: 2}]
  - name: only-from-ec2
    resource: ec2.instance
    match: {all: true}
    on:
      event:
        source: [aws.ec2]
        detail: {state: [stopped]}
    actions: [ec2.start]
  - name: on-ecs-metric
    resource: ecs.service
    match: {all: true}
    on:
      event:
        detail:
          configuration:
            metrics: {metricStat: {metric: {namespace: [AWS/EC2]}}}
    actions: [{type: ecs.scale, add: 1}]
  - name: nightly
    resource: ec2.instance
    match: {all: true}
    on: {cron: "0 19 * * *"}
    actions: [ec2.stop]
  - name: office-hours
    resource: ec2.instance
    match: {all: true}
    during: {days: mon-fri, hours: "08:00-19:00"}
    actions: {inside: [ec2.start], outside: [ec2.stop]}
"""


@pytest.mark.parametrize("shape", ["eventbridge-alarm-ecs.json", "sns-alarm-ecs.json", "direct-alarm-action-ecs.json"])
def test_a_miss_names_the_first_failing_path_what_it_wanted_and_what_the_event_has(
        shape: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # nothing fires, so nothing reads AWS
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    code = main(["plan", str(rules), "--event", str(ROOT / "tests/fixtures/events" / shape), "--region", "eu-west-1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "\nschedule rules, not evaluated for an event (plan them with --at TIME): nightly, office-hours\n" in out
    assert "rule nightly " not in out and "rule office-hours " not in out
    assert 'does not fire: no match: detail.state.value: wanted ["OK"], event has "ALARM"' in out
    assert 'does not fire: no match: source: wanted ["aws.ec2"], event has "aws.cloudwatch"' in out
    assert ('does not fire: no match: detail.configuration.metrics.metricStat.metric.namespace: '
            'wanted ["AWS/EC2"], event has "AWS/ECS"') in out
    assert "5 rules evaluated, 0 fired" in out  # the two schedule rules are in the summary line above
