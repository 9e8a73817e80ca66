"""Shared moto fixtures for handler tests: fake credentials, one mocked AWS, a Clients factory."""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from moto import mock_aws

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.model import RuleSet
from shiftwork.engine.language.registry import registered

REGION = "eu-west-1"
NOW = datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)  # a Monday evening; time comes from the trigger


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials so nothing can reach a real account, and a default region."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
                        "AWS_DEFAULT_REGION": REGION,
                        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():  # 0.7 s per test otherwise
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws(aws_env: None) -> Iterator[None]:
    """One in-memory AWS for the test."""
    registered()
    with mock_aws():
        yield


@pytest.fixture
def clients(aws: None) -> Clients:
    """The engine's client factory (writes allowed), inside the mocked AWS."""
    return Clients()


@pytest.fixture
def read_only_clients(aws: None) -> Clients:
    """A dry-run client factory: every non-read operation is refused before it is sent."""
    return Clients(read_only=True)


@pytest.fixture
def ctx(read_only_clients: Clients) -> PlanContext:
    """A planning context at NOW that can only read."""
    return PlanContext(clients=read_only_clients, now=NOW)


@pytest.fixture
def load_rules(tmp_path: Path) -> Callable[[str], RuleSet]:
    """Load rule-file text through the real loader (schema and semantic checks included)."""
    def load_text(text: str) -> RuleSet:
        path = tmp_path / f"rules{len(list(tmp_path.iterdir()))}.yaml"
        path.write_text(textwrap.dedent(text))
        return load([str(path)])
    return load_text
