"""Runs the Cloud Custodian (c7n) policy equivalent to the bench's dev-evening-stop rule, if c7n is installed.

Bench-only and optional: shiftwork never imports c7n. The policy runs in this process through c7n's Python
API (load, validate, run), against the bench's moto_server, which AWS_ENDPOINT_URL points at for the run.
c7n's cache is off, its output goes to a temporary directory and the account id is given (no STS call), so
what reaches the server is the describe and the action, as for shiftwork's tick.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.config import Config

ACCOUNT = "123456789012"  # moto's default account
ENABLE = "pip install c7n"
# The equivalent of shiftwork's `match: {tags: {env: dev}}` + ec2.stop, in c7n's own words: c7n filters
# run client-side on what DescribeInstances returned; `query` would narrow the describe server-side.
POLICY: dict[str, Any] = {
    "name": "dev-evening-stop",
    "resource": "aws.ec2",
    "filters": [{"tag:env": "dev"}, {"State.Name": "running"}],
    "actions": ["stop"],
}
# The same policy with the describe narrowed server-side, as shiftwork's selector does (--c7n-query).
QUERY_POLICY: dict[str, Any] = {**POLICY, "query": [{"instance-state-name": "running"}, {"tag:env": "dev"}]}


def available() -> bool:
    """True when c7n can be imported (it is never a shiftwork dependency)."""
    return importlib.util.find_spec("c7n") is not None


def version() -> str:
    from c7n.version import version as c7n_version

    return str(c7n_version)


@dataclass(frozen=True)
class C7nRun:
    """What one policy run did: resources that passed the filters, and seconds spent."""

    matched: int
    load: float  # policy load + validation, not counted in the tick's wall time
    wall: float  # the policy run: describe, filters, action


@contextmanager
def pointed_at(endpoint: str) -> Iterator[None]:
    """Point every botocore client made inside the block at the endpoint (boto3 >= 1.28 honours the variable)."""
    before = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = before


def run_policy(endpoint: str, region: str, client_config: Config, policy: dict[str, Any] | None = None) -> C7nRun:
    """Load and run the policy once, as a fresh `custodian run` would (no session or resource cache kept)."""
    from c7n.config import Config as C7nConfig
    from c7n.credentials import SessionFactory
    from c7n.loader import PolicyLoader
    from c7n.provider import clouds
    from c7n.utils import reset_session_cache

    for name in ("custodian", "c7n"):
        logging.getLogger(name).setLevel(logging.WARNING)
    reset_session_cache()  # c7n keeps sessions per region for 45 minutes; each run starts cold
    with tempfile.TemporaryDirectory(prefix="c7n-bench-") as out, pointed_at(endpoint):
        started = time.perf_counter()
        options = C7nConfig.empty(region=region, regions=[region], account_id=ACCOUNT, output_dir=out,
                                  cache="", cache_period=0, metrics_enabled=False)
        options = clouds["aws"]().initialize(options)
        sessions = SessionFactory(region)
        # The same patient client settings as shiftwork's bench clients: moto's describe is slow, never retry it.
        sessions.set_subscribers([lambda session: session._session.set_default_client_config(client_config)])
        policies = PolicyLoader(options).load_data({"policies": [policy or POLICY]}, file_uri="bench:c7n",
                                                   session_factory=sessions)
        for item in policies:
            item.expand_variables(item.get_variables())
            item.validate()
        loaded = time.perf_counter()
        matched = sum(len(item() or ()) for item in policies)
        return C7nRun(matched, loaded - started, time.perf_counter() - loaded)
