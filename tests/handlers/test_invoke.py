"""`shiftwork invoke` runs the Lambda handler as Lambda would: every fixture event gives a result, never a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from shiftwork.engine.cli.commands.invoke import Context
from shiftwork.engine.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests/fixtures/events").glob("*.json"))


def test_there_are_fixtures() -> None:
    assert len(FIXTURES) >= 6


@pytest.mark.parametrize("event", FIXTURES, ids=lambda p: p.stem)
def test_every_fixture_event_returns_a_result_never_a_traceback(aws, tmp_path, capsys, event: Path) -> None:
    code = main(["invoke", str(ROOT / "rules/examples"), "--event", str(event), "--state",
                 str(tmp_path / "state.json"), "--region", "eu-west-1", "--timeout", "60"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    result = json.loads(out)
    if code == 0:
        assert {"rules_evaluated", "rules_fired", "changes_ok", "failed_rules"} <= set(result)
    else:  # the handler raised: Lambda's error shape
        assert code == 1 and {"errorType", "errorMessage"} <= set(result)
    assert all(json.loads(line) for line in err.splitlines() if line.startswith("{"))  # logs: JSON lines


def test_invoke_with_a_table_ticks_and_a_second_delivery_is_already_done(aws, tmp_path, capsys) -> None:
    ddb = boto3.client("dynamodb", region_name="eu-west-1")
    ddb.create_table(TableName="state", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    args = ["invoke", str(ROOT / "rules/examples"), "--event", str(ROOT / "tests/fixtures/events/scheduler-tick.json"),
            "--table", "state", "--region", "eu-west-1"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["rules_evaluated"] > 0
    assert main(args) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["rules_evaluated"] == 0 and "tick already done" in captured.err
    assert "Item" in ddb.get_item(TableName="state", Key={"pk": {"S": "key#tick#2026-12-21T19:00:00+00:00"}})


def test_a_bad_event_file_is_a_usage_error_and_a_bad_event_is_lambdas_error_shape(aws, tmp_path, capsys) -> None:
    assert main(["invoke", str(ROOT / "rules/examples"), "--event", str(tmp_path / "none.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "odd.json").write_text('{"hello": "world"}')
    assert main(["invoke", str(ROOT / "rules/examples"), "--event", str(tmp_path / "odd.json"),
                 "--region", "eu-west-1"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["errorType"] == "BadEvent" and "unrecognised event" in result["errorMessage"]


def test_the_context_counts_down_from_the_timeout() -> None:
    ctx = Context(3)
    assert 2_000 < ctx.get_remaining_time_in_millis() <= 3_000
    assert Context(0.001).get_remaining_time_in_millis() >= 0
