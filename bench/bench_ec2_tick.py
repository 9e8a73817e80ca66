"""Requests per tick of an ec2.stop rule on 5,000 instances, against the lower bound (and c7n, if installed).

Starts moto_server on loopback in this process, launches the fleet (half tagged env=dev), then plans
and executes one tick of a `dev-evening-stop` rule and a second, converged tick. Every HTTP request that
reaches the server is counted by a WSGI wrapper around moto's app, by operation. Lower bound per tick: the
describe pages the matching instances need, plus ceil(changes / batch size) writes.

If Cloud Custodian is importable (`pip install c7n`; never a shiftwork dependency), the stopped dev
instances are started again and the equivalent c7n policy runs twice on the same server, and both tools'
figures are printed side by side. `--no-c7n` leaves it out.

    /work/main/.venv/bin/python bench/bench_ec2_tick.py [--instances 5000] [--no-c7n] [--cli]
"""
from __future__ import annotations

import argparse
import io
import logging
import math
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs


import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto.moto_server.werkzeug_app import (DomainDispatcherApplication, MotoRequestHandler,  # noqa: E402
                                           create_backend_app)
from werkzeug.serving import make_server  # noqa: E402

import c7n_compare  # noqa: E402
from shiftwork.engine.plan.actions import PlanContext  # noqa: E402
from shiftwork.engine.execute.aws import Clients, is_read_only  # noqa: E402
from shiftwork.engine.execute.executor import Executor  # noqa: E402
import shiftwork.handlers  # noqa: E402,F401  (registers the actions, as the CLI does)
from shiftwork.engine.language.loader import load  # noqa: E402
from shiftwork.engine.plan.planner import plan_rule  # noqa: E402
from shiftwork.handlers.ec2 import BATCH_SIZE  # noqa: E402

REGION = "eu-west-1"
PAGE = 1000  # DescribeInstances page size the selector asks for (AWS's maximum)
# moto renders 2,500 instances' tags in O(n^2) (tens of seconds per describe): wait for it, never retry it.
PATIENT = Config(retries={"mode": "standard", "max_attempts": 1}, read_timeout=900, connect_timeout=10)
RULES = f"""version: 1
regions: [{REGION}]
rules:
  - name: dev-evening-stop
    resource: ec2.instance
    match: {{tags: {{env: dev}}}}
    on: {{cron: "0 19 * * mon-fri"}}
    actions: [ec2.stop]
"""


def operation_of(environ: dict[str, Any], body: bytes) -> str:
    """The AWS operation an HTTP request asks for: JSON target header, else the query protocol's Action."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    fields = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" not in fields and body and "urlencoded" in environ.get("CONTENT_TYPE", ""):
        fields = parse_qs(body.decode("utf-8", "replace"))
    if "Action" in fields:
        return fields["Action"][0]
    return f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '/')}"  # REST protocols


@dataclass(frozen=True)
class Figures:
    """One tick as the server saw it."""

    requests: Counter[str]
    replied: int  # response body bytes, so a describe of 5,000 instances weighs more than one of 2,500
    wall: float

    @property
    def reads(self) -> int:
        return sum(n for op, n in self.requests.items() if is_read_only(op))

    @property
    def writes(self) -> dict[str, int]:
        return {op: n for op, n in self.requests.items() if not is_read_only(op)}

    @property
    def total(self) -> int:
        return sum(self.requests.values())


class CountingMotoServer:
    """moto_server on 127.0.0.1 whose WSGI app counts every request it is sent, by operation, and the reply bytes."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.replied = 0  # response body bytes
        self._lock = threading.Lock()
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", 0, self._count, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _count(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads the body again
        operation = operation_of(environ, body)
        response = self._moto(environ, start_response)
        try:
            chunks = list(response)  # moto builds each reply whole anyway
        finally:
            getattr(response, "close", lambda: None)()
        with self._lock:
            self.requests[operation] += 1
            self.replied += sum(map(len, chunks))
        return chunks

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def take(self, wall: float = 0.0) -> Figures:
        """The requests and reply bytes counted since the last take."""
        with self._lock:
            taken = Figures(self.requests, self.replied, wall)
            self.requests, self.replied = Counter(), 0
        return taken

    def __enter__(self) -> CountingMotoServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=30)


def launch_fleet(endpoint: str, count: int) -> list[str]:
    """Launch the fleet; return the env=dev instance ids."""
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    dev: list[str] = []
    for env, left in (("dev", count // 2), ("prod", count - count // 2)):
        while left > 0:
            size = min(500, left)  # run_instances calls of up to 500
            reply = ec2.run_instances(ImageId="ami-12c6146b", MinCount=size, MaxCount=size, InstanceType="t3.micro",
                                      TagSpecifications=[{"ResourceType": "instance",
                                                          "Tags": [{"Key": "env", "Value": env}]}])
            if env == "dev":
                dev += [i["InstanceId"] for i in reply["Instances"]]
            left -= size
    return dev


def restart(endpoint: str, ids: list[str]) -> None:
    """Bring the dev instances back to running, the fleet's starting state, for the next tool."""
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    for first in range(0, len(ids), 500):
        ec2.start_instances(InstanceIds=ids[first:first + 500])


def tick(server: CountingMotoServer, rules_file: str, label: str) -> Figures:
    endpoint = server.endpoint
    rule = load([rules_file]).rules[0]
    server.take()
    started = time.perf_counter()
    ctx = PlanContext(clients=Clients(read_only=True, endpoint_url=endpoint, config=PATIENT),
                      now=datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc))
    plan = plan_rule(ctx, rule, rule.actions, REGION)
    planned = time.perf_counter() - started
    executor = Executor(Clients(endpoint_url=endpoint, config=PATIENT))
    results = executor.execute(plan.changes)
    figures = server.take(time.perf_counter() - started)
    pages = figures.requests["DescribeInstances"]
    pages_needed = max(1, math.ceil(len(plan.resources) / PAGE))
    writes_needed = math.ceil(len(plan.changes) / BATCH_SIZE)
    failed = sum(1 for r in results if r.status != "ok")
    print(f"{label}: selected {len(plan.resources)}, changes {len(plan.changes)}, skips {len(plan.skips)}, "
          f"failed {failed}, errors {len(plan.errors)}")
    print(f"  describe pages {pages} (AWS, 1,000 instances a page: {pages_needed}; moto pages by reservation), "
          f"writes {sum(figures.writes.values())} ({figures.writes})")
    print(f"  requests {figures.total}; lower bound {pages + writes_needed} with moto's {pages} page(s), "
          f"{pages_needed + writes_needed} on AWS ({pages_needed} pages + ceil({len(plan.changes)} changes / "
          f"{BATCH_SIZE}))")
    for error in plan.errors:
        print(f"  error: {error}")
    print(f"  wall {figures.wall:.2f} s (plan {planned:.2f} s, mostly moto rendering the describe; "
          f"execute {figures.wall - planned:.2f} s)")
    return figures


def cli_tick(server: CountingMotoServer, rules_file: str, label: str) -> Figures:
    """The same tick through `shiftwork run` (its table printed for every change), as an operator runs it."""
    from contextlib import redirect_stderr, redirect_stdout

    from shiftwork.engine.cli.main import main as shiftwork

    Clients.__init__.__kwdefaults__["config"] = PATIENT  # moto's slow describe: wait, never retry (as tick())
    server.take()
    started = time.perf_counter()
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        # the state file beside the rules (fresh each run; shared by the two ticks), never ./.shiftwork
        code = shiftwork(["run", rules_file, "--at", "2026-12-21T19:00:00Z", "--endpoint-url", server.endpoint,
                          "--state", os.path.join(os.path.dirname(rules_file), "state.json")])
    figures = server.take(time.perf_counter() - started)
    lines = out.getvalue().splitlines()
    print(f"{label} (shiftwork run, exit {code}): {lines[-1] if lines else ''}")
    print(f"  requests {figures.total} {dict(figures.requests)}; table {len(lines)} lines; wall {figures.wall:.2f} s")
    return figures


def c7n_tick(server: CountingMotoServer, label: str, policy: dict[str, Any]) -> Figures:
    server.take()
    run = c7n_compare.run_policy(server.endpoint, REGION, PATIENT, policy)
    figures = server.take(run.wall)
    print(f"{label}: matched {run.matched}; requests {dict(figures.requests)}; wall {run.wall:.2f} s "
          f"(policy load and validation before it: {run.load:.2f} s)")
    return figures


def side_by_side(ours: list[Figures], theirs: list[Figures]) -> None:
    rows = [("describe requests", lambda f: str(f.reads)), ("write requests", lambda f: str(sum(f.writes.values()))),
            ("total requests", lambda f: str(f.total)), ("reply KB", lambda f: f"{f.replied / 1000:,.0f}"),
            ("wall time (s)", lambda f: f"{f.wall:.2f}")]
    print(f"\n{'':<20}{'tick 1 shiftwork':>18}{'tick 1 c7n':>12}{'tick 2 shiftwork':>18}{'tick 2 c7n':>12}")
    for name, cell in rows:
        print(f"{name:<20}{cell(ours[0]):>18}{cell(theirs[0]):>12}{cell(ours[1]):>18}{cell(theirs[1]):>12}")
    for tool, ticks in (("shiftwork", ours), ("c7n", theirs)):
        print(f"{tool} writes: tick 1 {ticks[0].writes or '{}'}, tick 2 {ticks[1].writes or '{}'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=5000)
    parser.add_argument("--no-c7n", action="store_true", help="skip the Cloud Custodian comparison")
    parser.add_argument("--cli", action="store_true", help="tick through `shiftwork run` (table output included)")
    parser.add_argument("--c7n-query", action="store_true",
                        help="give c7n server-side query filters too (instance-state-name, tag:env)")
    args = parser.parse_args()
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                        "AWS_DEFAULT_REGION": REGION, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():
        os.environ[name] = value
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto_server's per-request access log
    with CountingMotoServer() as server:
        endpoint = server.endpoint
        started = time.perf_counter()
        dev = launch_fleet(endpoint, args.instances)
        print(f"fleet: {args.instances} instances ({len(dev)} env=dev) launched in "
              f"{time.perf_counter() - started:.1f} s on {endpoint}")
        with tempfile.TemporaryDirectory() as tmp:
            rules_file = str(Path(tmp) / "rules.yaml")
            Path(rules_file).write_text(RULES)
            run_tick = cli_tick if args.cli else tick
            ours = [run_tick(server, rules_file, "tick 1"), run_tick(server, rules_file, "tick 2 (converged)")]
        second = sum(ours[1].writes.values())
        print(f"second tick writes: {second}")
        if args.no_c7n:
            return 0 if second == 0 else 1
        if not c7n_compare.available():
            print(f"c7n comparison skipped: Cloud Custodian is not installed (enable it with `{c7n_compare.ENABLE}`)")
            return 0 if second == 0 else 1
        restart(endpoint, dev)
        policy = c7n_compare.QUERY_POLICY if args.c7n_query else c7n_compare.POLICY
        print(f"\nc7n {c7n_compare.version()}: {len(dev)} dev instances started again; policy {policy}")
        theirs = [c7n_tick(server, "c7n run 1", policy), c7n_tick(server, "c7n run 2 (converged)", policy)]
        side_by_side(ours, theirs)
        return 0 if second == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
