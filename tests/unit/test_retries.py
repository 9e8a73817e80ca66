"""Throttling is retried by botocore's standard retry mode, configured once in the client factory.

The fake AWS answers at botocore's `before-send` hook, below the retry loop (a Stubber answers above
it and would hide retries), so these tests see exactly the attempts botocore makes.
"""
from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.plan.changes import Change
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.plan.resources import Resource

THROTTLED = (b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded'
             b'</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>')


def stopped(ids: list[str]) -> bytes:
    items = "".join(f"<item><instanceId>{i}</instanceId><currentState><code>64</code><name>stopping</name>"
                    f"</currentState><previousState><code>16</code><name>running</name></previousState></item>"
                    for i in ids)
    return (f'<?xml version="1.0" encoding="UTF-8"?><StopInstancesResponse xmlns="http://ec2.amazonaws.com/'
            f'doc/2016-11-15/"><requestId>r</requestId><instancesSet>{items}</instancesSet>'
            f'</StopInstancesResponse>').encode()


class Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_: Any):
        yield self.body


class FakeEC2:
    """Answers StopInstances: `throttle` times RequestLimitExceeded, then success; counts attempts."""

    def __init__(self, throttle: int):
        self.throttle = throttle
        self.attempts = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        self.attempts += 1
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        ids = [part.split("=")[1] for part in body.split("&") if part.startswith("InstanceId.")]
        if self.attempts <= self.throttle:
            return AWSResponse(request.url, 503, {}, Raw(THROTTLED))
        return AWSResponse(request.url, 200, {}, Raw(stopped(ids)))


def changes(*ids: str) -> list[Change]:
    return [Change("r", "ec2.stop", Resource("ec2.instance", i, "eu-west-1", state="running"), "ec2",
                   "stop_instances", {"InstanceIds": [i]}, "stop", batch_param="InstanceIds", batch_size=1000)
            for i in ids]


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Clients:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setattr("time.sleep", lambda _: None)  # botocore backs off between attempts
    return Clients()


def fake(clients: Clients, throttle: int) -> FakeEC2:
    aws = FakeEC2(throttle)
    clients.client("ec2", "eu-west-1").meta.events.register("before-send", aws)
    return aws


def test_a_throttled_write_is_retried_and_then_succeeds(clients: Clients) -> None:
    aws = fake(clients, throttle=2)
    (result,) = Executor(clients).execute(changes("i-00000000000000001"))
    assert result.status == "ok"
    assert aws.attempts == 3  # two throttles, then success: one logical call


def test_throttling_past_the_retry_budget_fails_the_batch_without_bisecting(clients: Clients) -> None:
    aws = fake(clients, throttle=1000)
    results = Executor(clients).execute(changes("i-00000000000000001", "i-00000000000000002"))
    assert [(r.status, r.error_code) for r in results] == [("failed", "RequestLimitExceeded")] * 2
    assert aws.attempts == 9  # one call's attempts (1 + 8 retries): a throttled batch is not split
