from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from shiftwork.engine.dispatch.state import DynamoState, FileState, MemoryState, RuleState

T = datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "file", "dynamodb"])
def store(request, tmp_path, monkeypatch):
    if request.param == "memory":
        yield MemoryState()
    elif request.param == "file":
        yield FileState(tmp_path / "state.json")
    else:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.setenv(key, "testing")
        with mock_aws():
            client = boto3.client("dynamodb", region_name="eu-west-1")
            client.create_table(TableName="shiftwork", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                BillingMode="PAY_PER_REQUEST")
            yield DynamoState(client, "shiftwork")


def test_rule_state_round_trips(store) -> None:
    assert store.get("r") == RuleState()
    store.put("r", RuleState(T, "inside", T - timedelta(hours=1)))
    assert store.get("r") == RuleState(T, "inside", T - timedelta(hours=1))


def test_a_claim_is_exclusive_until_it_expires_or_is_released(store) -> None:
    assert store.claim("tick#1", T, timedelta(minutes=15))
    assert not store.claim("tick#1", T + timedelta(minutes=5), timedelta(minutes=15))
    assert store.claim("tick#1", T + timedelta(minutes=16), timedelta(minutes=15))  # expired
    store.release("tick#1")
    assert store.claim("tick#1", T + timedelta(minutes=17), timedelta(minutes=15))
    assert store.claim("tick#2", T, timedelta(minutes=15))  # keys are independent


def test_file_state_survives_a_restart(tmp_path) -> None:
    path = tmp_path / "state.json"
    first = FileState(path)
    first.put("r", RuleState(T, "outside", None))
    first.claim("k", T, timedelta(hours=1))
    again = FileState(path)
    assert again.get("r").last_phase == "outside"
    assert not again.claim("k", T, timedelta(hours=1))
