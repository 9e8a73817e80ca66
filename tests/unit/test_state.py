from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from shiftwork.engine.dispatch.dynamo_state import DynamoState
from shiftwork.engine.dispatch.state import FileState, MemoryState, RuleState

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


def test_rule_state_is_written_only_at_the_version_it_was_read(store) -> None:
    mine, theirs = store.get("r"), store.get("r")
    assert store.put("r", RuleState(T, "inside", None, version=mine.version))
    assert not store.put("r", RuleState(T - timedelta(minutes=5), "outside", None, version=theirs.version))
    assert store.get("r") == RuleState(T, "inside", None)  # the stale writer did not roll it back
    fresh = store.get("r")
    assert store.put("r", RuleState(T + timedelta(minutes=5), "inside", None, version=fresh.version))
    assert store.get("r").last_evaluated == T + timedelta(minutes=5)


def test_a_key_can_be_marked_done_and_read_back(store) -> None:
    assert store.claim("event#e-1#r", T, timedelta(minutes=15))
    assert store.holder("event#e-1#r", T) == "busy"
    store.mark("event#e-1#r", T, timedelta(days=2), "done")
    assert store.holder("event#e-1#r", T + timedelta(hours=1)) == "done"
    assert store.holder("event#e-1#r", T + timedelta(days=3)) is None
    assert store.holder("never", T) is None


def test_work_records_round_trip(store) -> None:
    records = {f"r#occ#-#eu-west-1#i-{n}#ec2.stop#stop_instances": {"status": "ok", "params": {"n": n}}
               for n in range(30)}  # more than one DynamoDB batch write
    store.put_records(records, T, timedelta(days=7))
    got = store.get_records(list(records) + ["missing"])
    assert set(got) == set(records)
    assert got["r#occ#-#eu-west-1#i-7#ec2.stop#stop_instances"]["params"] == {"n": 7}


def test_an_unreadable_state_item_raises_bad_state_for_that_rule_only(tmp_path) -> None:
    from shiftwork.engine.dispatch.state import BadState

    store = MemoryState()
    store.rules["broken"] = {"state": {"last_evaluated": "yesterday"}, "version": 1}
    with pytest.raises(BadState, match="rule 'broken': unreadable state item"):
        store.get("broken")
    assert store.get("fine") == RuleState()


def test_two_file_stores_on_one_file_never_lose_each_others_writes(tmp_path) -> None:
    import threading

    path = tmp_path / "state.json"
    a, b = FileState(path), FileState(path)

    def write(store: FileState, prefix: str) -> None:
        for n in range(20):
            store.put(f"{prefix}{n}", RuleState(T, "inside", None))
            store.claim(f"key-{prefix}{n}", T, timedelta(hours=1))

    threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    again = FileState(path)
    assert all(again.get(f"{p}{n}").last_phase == "inside" for p in "ab" for n in range(20))
    assert not any(again.claim(f"key-{p}{n}", T, timedelta(hours=1)) for p in "ab" for n in range(20))


def test_durations_are_bounded_so_no_date_arithmetic_overflows() -> None:
    from shiftwork.engine.language.durations import duration_problem, parse_duration

    assert parse_duration("3660d") == timedelta(days=3660)
    for text in ("999999999d", "99999999999999999999s", "3661d"):
        assert "longer than the maximum duration 3660d" in (duration_problem(text) or "")
        with pytest.raises(ValueError):
            parse_duration(text)


def test_the_state_file_drops_expired_keys_and_records(tmp_path) -> None:
    store = FileState(tmp_path / "state.json")
    store.claim("old", T, timedelta(minutes=15))
    store.claim("new", T, timedelta(days=2))
    store.put_records({"u1": {"status": "ok"}}, T, timedelta(days=7))
    store.put_records({"u0": {"status": "ok"}}, T - timedelta(days=8), timedelta(days=7))
    store.expire(T + timedelta(hours=1))
    again = FileState(tmp_path / "state.json")
    assert again.holder("new", T + timedelta(hours=1)) == "busy" and set(again.get_records(["u0", "u1"])) == {"u1"}
    assert "old" not in (tmp_path / "state.json").read_text()
