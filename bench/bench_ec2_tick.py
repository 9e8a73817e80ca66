"""Requests per tick of an ec2.stop rule on 5,000 instances, against the lower bound.

Starts moto_server on loopback in this process, launches the fleet (half tagged env=dev), then plans
and executes one tick of a `dev-evening-stop` rule and a second, converged tick. Every request is
counted through the client factory's observer. Lower bound per tick: the describe pages the matching
instances need, plus ceil(changes / batch size) writes.

    /work/main/.venv/bin/python bench/bench_ec2_tick.py [--instances 5000]
"""
from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from engine.actions import PlanContext  # noqa: E402
from engine.aws import Clients, is_read_only  # noqa: E402
from engine.executor import Executor  # noqa: E402
from engine.loader import load  # noqa: E402
from engine.planner import plan_rule  # noqa: E402
from handlers.ec2 import BATCH_SIZE  # noqa: E402

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


def launch_fleet(endpoint: str, count: int) -> None:
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    for env, left in (("dev", count // 2), ("prod", count - count // 2)):
        while left > 0:
            size = min(500, left)  # run_instances calls of up to 500
            ec2.run_instances(ImageId="ami-12c6146b", MinCount=size, MaxCount=size, InstanceType="t3.micro",
                              TagSpecifications=[{"ResourceType": "instance",
                                                  "Tags": [{"Key": "env", "Value": env}]}])
            left -= size


def tick(endpoint: str, rules_file: str, label: str) -> int:
    calls: list[tuple[str, str]] = []
    observe = lambda service, op, _params: calls.append((service, op))  # noqa: E731
    rule = load([rules_file]).rules[0]
    started = time.perf_counter()
    ctx = PlanContext(clients=Clients(read_only=True, endpoint_url=endpoint, observer=observe, config=PATIENT),
                      now=datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc))
    plan = plan_rule(ctx, rule, rule.actions, REGION)
    planned = time.perf_counter() - started
    executor = Executor(Clients(endpoint_url=endpoint, observer=observe, config=PATIENT))
    results = executor.execute(plan.changes)
    wall = time.perf_counter() - started
    ops = Counter(op for _, op in calls)
    writes = sum(n for op, n in ops.items() if not is_read_only(op))
    pages = ops["DescribeInstances"]
    pages_needed = max(1, math.ceil(len(plan.resources) / PAGE))
    bound = pages_needed + math.ceil(len(plan.changes) / BATCH_SIZE)  # on AWS
    failed = sum(1 for r in results if r.status != "ok")
    print(f"{label}: selected {len(plan.resources)}, changes {len(plan.changes)}, skips {len(plan.skips)}, "
          f"failed {failed}, errors {len(plan.errors)}")
    print(f"  describe pages {pages} (AWS, 1,000 instances a page: {pages_needed}; moto pages by reservation), "
          f"writes {writes} ({dict((o, n) for o, n in ops.items() if not is_read_only(o))})")
    writes_needed = math.ceil(len(plan.changes) / BATCH_SIZE)
    print(f"  requests {len(calls)}; lower bound {pages + writes_needed} with moto's {pages} page(s), "
          f"{bound} on AWS ({pages_needed} pages + ceil({len(plan.changes)} changes / {BATCH_SIZE}))")
    for error in plan.errors:
        print(f"  error: {error}")
    print(f"  wall {wall:.2f} s (plan {planned:.2f} s, mostly moto rendering the describe; "
          f"execute {wall - planned:.2f} s)")
    return writes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=5000)
    args = parser.parse_args()
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                        "AWS_DEFAULT_REGION": REGION, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():
        os.environ[name] = value
    os.environ.pop("AWS_PROFILE", None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto_server's per-request access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        started = time.perf_counter()
        launch_fleet(endpoint, args.instances)
        print(f"fleet: {args.instances} instances ({args.instances // 2} env=dev) launched in "
              f"{time.perf_counter() - started:.1f} s on {endpoint}")
        with tempfile.TemporaryDirectory() as tmp:
            rules_file = str(Path(tmp) / "rules.yaml")
            Path(rules_file).write_text(RULES)
            tick(endpoint, rules_file, "tick 1")
            second = tick(endpoint, rules_file, "tick 2 (converged)")
        print(f"second tick writes: {second}")
        return 0 if second == 0 else 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
