"""End-to-end fixtures: one moto_server on loopback per session, reset before each test."""
from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import boto3
import pytest

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.cli.embedded import FAKE_CREDENTIALS, moto_server


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture()
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A clean embedded AWS for this test, and fake credentials in the environment."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10)
    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    yield moto_url


@pytest.fixture()
def writer(aws: str) -> Clients:
    """Clients that may write to the embedded AWS (to seed and inspect it)."""
    return Clients(boto3.Session(region_name="eu-west-1"), endpoint_url=aws)
