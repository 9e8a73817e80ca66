"""The fault suite's fixtures: one mocked AWS with a state table, and the summary table it prints."""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from shiftwork.engine.dispatch.dynamo_state import DynamoState
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.language.registry import registered


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "eu-west-1",
                        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr("time.sleep", lambda _: None)  # botocore backs off between retries
    registered()
    with mock_aws():
        yield


@pytest.fixture
def table(aws: None) -> DynamoState:
    """The state table the deployed stack creates: partition key `pk`, TTL attribute `expires`."""
    client = boto3.client("dynamodb", region_name="eu-west-1")
    client.create_table(TableName="shiftwork-state", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    return DynamoState(client, "shiftwork-state")


@pytest.fixture
def rules(tmp_path: Path) -> Callable[[str], RuleSet]:
    def load_text(text: str) -> RuleSet:
        path = tmp_path / f"rules{len(list(tmp_path.glob('*.yaml')))}.yaml"
        path.write_text(textwrap.dedent(text))
        return load([str(path)])
    return load_text


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Record this scenario's row; rows travel with the test report (so they survive pytest-xdist), and
    tests/conftest.py prints them as a table at the end of the run."""
    def row(scenario: str, faults: int, ticks: int, duplicates: int, lost: int) -> None:
        request.node.user_properties.append(("reliability", (scenario, faults, ticks, duplicates, lost)))
    return row
