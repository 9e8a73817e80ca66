"""Every AWS call of a Lambda invocation ends within the time left: timeouts and attempts cut to fit."""
from __future__ import annotations

import socket
import threading
import time

import boto3
import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from shiftwork.engine.execute.aws import MAX_CALL_SECONDS, RETRY_CONFIG, Clients, bounded_config


def _tries(config) -> int:
    """Every try of one call: botocore's max_attempts counts the retries after the first."""
    return config.retries.get("total_max_attempts") or config.retries["max_attempts"] + 1


def _worst_case(config) -> float:
    return _tries(config) * (config.connect_timeout + config.read_timeout)


def test_a_budget_that_fits_leaves_the_config_alone() -> None:
    assert bounded_config(RETRY_CONFIG, 600) is RETRY_CONFIG  # 9 tries x (10 s + 30 s) = 360 s


def test_timeouts_shrink_first_then_attempts() -> None:
    cut = bounded_config(RETRY_CONFIG, 60)
    assert (cut.connect_timeout, cut.read_timeout, cut.retries) == (2.0, 10.0, {"mode": "standard",
                                                                                 "total_max_attempts": 5})
    one = bounded_config(RETRY_CONFIG, 5)
    assert _tries(one) == 1 and one.connect_timeout + one.read_timeout == pytest.approx(5)
    assert one.user_agent_extra == "shiftwork"  # the rest of the config is kept


@pytest.mark.parametrize("seconds", [-3, 0, 0.5, 1, 2, 7, 11.9, 12, 13, 30, 45, 100, 359, 360, 1000])
def test_the_worst_case_never_exceeds_the_budget(seconds: float) -> None:
    assert _worst_case(bounded_config(RETRY_CONFIG, seconds)) <= max(seconds, 1.0) + 1e-9


def test_a_hung_describe_fails_within_the_deadline() -> None:
    """A server that accepts and never answers: the call gives up in ~2 s, not 8 x 30 s."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1")
        clients = Clients(session, read_only=True, endpoint_url=f"http://127.0.0.1:{server.getsockname()[1]}")
        bounded = clients.with_deadline(2)
        ec2 = bounded.client("ec2", "eu-west-1")
        assert _worst_case(ec2.meta.config) <= 2
        start = time.monotonic()
        with pytest.raises((ReadTimeoutError, ConnectTimeoutError)):
            ec2.describe_instances()
        assert time.monotonic() - start < 6
        most = bounded_config(RETRY_CONFIG, MAX_CALL_SECONDS)  # a long time left: one call still ends in 45 s
        assert _worst_case(clients.with_deadline(10_000).config) == _worst_case(most) <= MAX_CALL_SECONDS
        assert _worst_case(bounded.with_deadline(600).config) == _worst_case(most)  # cut from the original
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


def test_the_lambda_handler_bounds_its_clients_by_the_time_left(monkeypatch) -> None:
    from shiftwork.engine.dispatch import lambda_handler
    from shiftwork.engine.execute.executor import Executor

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1")

    class Probe:
        planning, executor = Clients(session, read_only=True), Executor(Clients(session))
        remaining_ms = None

        def handle(self, event):
            return {"planning": self.planning.config, "writing": self.executor.clients.config}

    class Context:
        def get_remaining_time_in_millis(self) -> int:
            return 35_000  # 35 s left, 15 s kept in reserve: 20 s for each call

    monkeypatch.setattr(lambda_handler, "_dispatcher", Probe())
    seen = lambda_handler.handler({}, Context())
    assert _worst_case(seen["planning"]) <= 20 and _worst_case(seen["writing"]) <= 20
    assert _tries(seen["planning"]) >= 1
