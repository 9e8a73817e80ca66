"""AWS requests per dispatcher tick with `notice: 15m`, an override, and `on_drift: notify`, on moto in-process.

Prints, for each tick of a Monday evening, the requests the dispatcher made by operation: what the heads-up,
the override's expiry and the drift report cost on top of the rule itself. Usage:
    python bench/bench_notice.py [--instances N] [--no-drift]
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import textwrap
from datetime import datetime, timezone
from pathlib import Path

os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-1",
                   "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"})

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

import shiftwork.handlers  # noqa: E402,F401  (registers the actions)
from shiftwork.engine.dispatch.dispatcher import Dispatcher  # noqa: E402
from shiftwork.engine.dispatch.state import MemoryState  # noqa: E402
from shiftwork.engine.execute.aws import Clients  # noqa: E402
from shiftwork.engine.execute.executor import Executor  # noqa: E402
from shiftwork.engine.language.loader import load  # noqa: E402
from shiftwork.engine.plan.override_targets import parse_ref, set_changes  # noqa: E402

RULES = """
version: 1
timezone: Europe/London
regions: [eu-west-1]
notify:
  ops: {sns: "arn:aws:sns:eu-west-1:123456789012:ops"}
rules:
  - name: dev-office-hours
    resource: ec2.instance
    match: {tags: {env: dev}}
    during: {days: mon-fri, hours: "08:00-19:00"}
    notice: 15m
    on_drift: notify
    actions:
      inside: [ec2.start]
      outside: [ec2.stop, {type: notify, target: ops}]
"""
TICKS = ("18:40", "18:45", "18:50", "19:00", "19:05", "21:55", "22:00", "22:05")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--no-drift", action="store_true", help="without on_drift: notify")
    args = parser.parse_args()
    n = args.instances
    rules = RULES.replace("    on_drift: notify\n", "") if args.no_drift else RULES
    with mock_aws(), tempfile.TemporaryDirectory() as tmp:
        boto3.client("sns").create_topic(Name="ops")
        ec2 = boto3.client("ec2")
        ids = [i["InstanceId"] for i in ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=n, MaxCount=n, TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"]]
        Executor(Clients()).execute(set_changes([parse_ref(ids[0], "eu-west-1")],
                                                datetime(2026, 12, 21, 22, 0, tzinfo=timezone.utc), "running", "b", ""))
        path = Path(tmp) / "rules.yaml"
        path.write_text(textwrap.dedent(rules))
        calls: collections.Counter[str] = collections.Counter()

        def count(service: str, operation: str, params: dict) -> None:
            calls[operation] += 1

        d = Dispatcher(load([str(path)]), MemoryState(), Clients(read_only=True, observer=count),
                       Executor(Clients(observer=count)), "eu-west-1", log=lambda record: None)
        print(f"{n} dev instances, one overridden until 22:00 (keep running), notice 15m"
              f"{'' if args.no_drift else ', on_drift: notify'}; requests per tick:")
        for hhmm in TICKS:
            calls.clear()
            d.handle({"source": "aws.events", "detail-type": "Scheduled Event", "time": f"2026-12-21T{hhmm}:00Z",
                      "detail": {}})
            print(f"  {hhmm}  {sum(calls.values()):4d}  " + ", ".join(f"{op} {k}" for op, k in sorted(calls.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
