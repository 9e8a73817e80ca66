"""The dispatcher's figures: cold start, one wide tick, and a 3-account x 2-region fan-out.

1. Cold start: a fresh interpreter imports the Lambda handler, builds the dispatcher on rules/examples and
   handles its first tick (moto in-process as AWS, its own import not counted), in ms.
2. One tick of 200 rules (ec2.stop, cron) over 2,000 instances (10 per rule) with DynamoDB state: wall
   time, AWS calls by kind against the lower bound (one describe page and one write per rule), state-table
   calls, and the peak RSS of the process (which includes moto's in-memory AWS, so it over-states the
   function's own footprint).
3. Fan-out: 3 accounts x 2 regions through SQS: shard messages, consumer invocations, AWS calls.

    /work/venv-9/bin/python bench/bench_dispatch.py [--rules 200] [--per-rule 10]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLD = """
import os, time
os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_REGION="eu-west-1",
                  MOTO_EC2_LOAD_DEFAULT_AMIS="false", SHIFTWORK_RULES=%r)
from moto import mock_aws
with mock_aws():
    t0 = time.perf_counter()
    import shiftwork.engine.dispatch.lambda_handler as entry
    t1 = time.perf_counter()
    class C:
        def get_remaining_time_in_millis(self): return 600000
    entry.handler({"shiftwork": "tick", "time": "2026-12-21T19:00:00Z"}, C())
    t2 = time.perf_counter()
print("COLD", round((t1 - t0) * 1000), round((t2 - t1) * 1000))
"""


def cold_start() -> tuple[int, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", COLD % str(ROOT / "rules/examples")], env=env, capture_output=True,
                         text=True, timeout=300).stdout
    imports, first = next(line for line in out.splitlines() if line.startswith("COLD")).split()[1:]
    return int(imports), int(first)


def wide_tick(rules: int, per_rule: int) -> dict[str, object]:
    import boto3
    from moto import mock_aws

    import shiftwork.handlers  # noqa: F401
    from shiftwork.engine.dispatch.dispatcher import Dispatcher
    from shiftwork.engine.dispatch.dynamo_state import DynamoState
    from shiftwork.engine.execute.aws import Clients, is_read_only
    from shiftwork.engine.execute.executor import Executor
    from shiftwork.engine.language.loader import load

    calls: Counter[str] = Counter()

    def observe(service: str, operation: str, params: dict) -> None:
        calls["read" if is_read_only(operation) else "write"] += 1

    text = "version: 1\nregions: [eu-west-1]\nrules:\n" + "".join(textwrap.dedent(f"""\
        - name: stop-{n}
          resource: ec2.instance
          match: {{tags: {{team: t{n}}}}}
          on: {{cron: "0 19 * * *"}}
          actions: [ec2.stop]
        """).replace("\n", "\n  ").rstrip() + "\n" for n in range(rules)).replace("- name", "  - name")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        for n in range(rules):
            ec2.run_instances(ImageId="ami-12c6146b", MinCount=per_rule, MaxCount=per_rule, TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "team", "Value": f"t{n}"}]}])
        ddb = boto3.client("dynamodb", region_name="eu-west-1")
        ddb.create_table(TableName="s", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        state_calls: Counter[str] = Counter()
        ddb.meta.events.register("before-call", lambda model=None, **_: state_calls.update([model.name]))
        path = Path("/tmp/bench_dispatch_rules.yaml")
        path.write_text(text)
        ruleset = load([str(path)])
        d = Dispatcher(ruleset=ruleset, state=DynamoState(ddb, "s"), planning=Clients(read_only=True, observer=observe),
                       executor=Executor(Clients(observer=observe)), default_region="eu-west-1", log=lambda _: None)
        started = time.perf_counter()
        summary = d.handle({"shiftwork": "tick", "time": "2026-12-21T19:00:00Z"})
        wall = time.perf_counter() - started
    return {"rules": rules, "instances": rules * per_rule, "wall_s": round(wall, 2), "reads": calls["read"],
            "writes": calls["write"], "lower_bound": 2 * rules, "changes_ok": summary["changes_ok"],
            "state_calls": dict(state_calls), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def fan_out() -> dict[str, object]:
    """Runs the fan-out scenario of the fault suite and reports its counts."""
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s",
                          "tests/reliability/test_fanout.py::test_three_accounts_by_two_regions_fan_out_to_six_shards_"
                          "and_a_poison_message_lands_in_the_dlq"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600).stdout
    line = next((x for x in out.splitlines() if x.startswith("SQS batch with a poison record")), "")
    return {"passed": " passed" in out, "row": " ".join(line.split())}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rules", type=int, default=200)
    p.add_argument("--per-rule", type=int, default=10)
    args = p.parse_args()
    imports, first = cold_start()
    print(f"cold start: imports {imports} ms + first tick on rules/examples {first} ms = {imports + first} ms")
    print("wide tick:", json.dumps(wide_tick(args.rules, args.per_rule)))
    print("fan-out 3x2:", json.dumps(fan_out()))


if __name__ == "__main__":
    main()
