"""A cold Lambda tick: a fresh interpreter imports the handler and handles one tick of `rules/examples`.

AWS is the in-process fake of `fake_aws.py` (every reply empty and valid, no HTTP), so the figures are
shiftwork's own: imports, loading the rules, evaluating and planning every firing rule. Printed: CPU time
of the whole process (interpreter start included) and its peak RSS (VmHWM), the median of --runs
fresh processes. Targets (issue 14): under 500 ms CPU and 80 MB peak.

Measured as deployed: with what the package ships of its own, written to a temporary folder and
imported from there without writing bytecode (Lambda's /var/task is read-only): the code and its
bytecode (deploy.bytecode; --no-bytecode: without), the rules with the digest that lets the function
skip the schema pass (deploy.package), the AWS models (deploy.service_models, cut from the installed
botocore; SHIFTWORK_MODELS) and the resolved holidays (deploy.holidays_data; SHIFTWORK_HOLIDAYS).
Then, for comparison, as a development install runs: the rules validated in full, botocore's complete
models and the `holidays` package.

    python bench/cold_start.py [--runs 5] [--no-bytecode] [--rules rules/examples] [--at 2027-03-22T19:00:00Z]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


class _LineCounter:
    """A stdout that counts lines and keeps none, as a Lambda's stdout (shipped to CloudWatch Logs) does."""

    def __init__(self) -> None:
        self.lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        return len(text)

    def flush(self) -> None:
        pass


def peak_mb() -> float:
    """This process's peak RSS: VmHWM (per address space, so a parent's size before exec does not count,
    which ru_maxrss can inherit on Linux); ru_maxrss where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(rules: str, at: str, instances: int = 0, data: str | None = None) -> None:
    """In the fresh interpreter: what a Lambda cold start does, then the figures as one JSON line."""
    sys.path.insert(0, str(HERE))
    import boto3
    from fake_aws import FakeAws

    fake = FakeAws(instances)
    real = boto3.Session
    boto3.Session = lambda *a, **kw: fake.install(real(*a, **kw))  # every session the handler makes
    os.environ.update({"SHIFTWORK_RULES": rules, "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing"})
    os.environ.pop("SHIFTWORK_TABLE", None)
    if data:  # the package's code, as the function imports it: nothing can write __pycache__ in /var/task
        sys.path.insert(0, data)
        sys.dont_write_bytecode = True
    for name, relative in (("SHIFTWORK_MODELS", "models"), ("SHIFTWORK_HOLIDAYS", "holidays.json")):
        if data:
            os.environ[name] = os.path.join(data, relative)
        else:
            os.environ.pop(name, None)
    stdout, sys.stdout = sys.stdout, _LineCounter()  # the dispatcher's JSON logs, counted (CloudWatch keeps them)
    from shiftwork.engine.dispatch import lambda_handler

    event = {"version": "0", "id": "cold-start", "detail-type": "Scheduled Event", "source": "aws.scheduler",
             "time": at, "region": "eu-west-1", "detail": {}}
    start = resource.getrusage(resource.RUSAGE_SELF)
    summary = lambda_handler.handler(event, None)
    tick = resource.getrusage(resource.RUSAGE_SELF)
    logs, sys.stdout = sys.stdout.lines, stdout
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"cpu_ms": (use.ru_utime + use.ru_stime) * 1000, "peak_mb": peak_mb(),
                      "tick_cpu_ms": (tick.ru_utime + tick.ru_stime - start.ru_utime - start.ru_stime) * 1000,
                      "changes_ok": summary.get("changes_ok"), "stopped": fake.stopped,
                      "rules": summary.get("rules_evaluated", summary.get("rules")), "requests": fake.requests,
                      "modules": len(sys.modules), "log_lines": logs, "services": sorted(fake.services)}))


def floor(services: list[str], data: str | None) -> None:
    """What boto3 alone costs: import it and make one client per service the tick used, nothing else."""
    import boto3

    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    if data:  # as the function does (engine.execute.models)
        from shiftwork.engine.execute.models import use_trimmed_models

        assert use_trimmed_models(session, os.path.join(data, "models"), print), "the models were not used"
    for service in services:
        session.client(service)
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"cpu_ms": (use.ru_utime + use.ru_stime) * 1000, "peak_mb": peak_mb()}))


def write_package_data(folder: Path, rules: str, *, compiled: bool = True) -> Path:
    """What the package ships of its own: shiftwork/ (the code, with its bytecode for this Python unless
    `compiled` is false), shiftwork_rules/ (the rules and the digest that lets the function skip the schema
    pass), models/ (cut from the installed botocore) and holidays.json (the calendars the rules use)."""
    import shiftwork.handlers  # noqa: F401  (loading rules needs the registered actions)
    from shiftwork.deploy import bytecode, holidays_data
    from shiftwork.deploy.package import code_files, rule_files, validated_marker
    from shiftwork.deploy.rules_view import load_view
    from shiftwork.deploy.service_models import model_files

    view = load_view([rules])
    packed = rule_files(rules)
    code = code_files()
    files = {**code, **(bytecode.compile_files(code, sys.executable) if compiled else {}),**{f"models/{name}": data for name, data in model_files().items()},
             **packed, **validated_marker(view, packed),  # shiftwork_rules/: the rules and their digest
             "holidays.json": holidays_data.encode(holidays_data.holidays_document(view.calendars,
                                                                                  holidays_data.package_years()))}
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def measure(args: argparse.Namespace, data: str | None) -> None:
    extra = ["--data", data] if data else []
    rules = os.path.join(data, "shiftwork_rules") if data else args.rules
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--child", "--rules", rules, "--at", args.at, *extra],
                             capture_output=True, text=True, check=True, timeout=120)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cpu = statistics.median(r["cpu_ms"] for r in runs)
    peak = statistics.median(r["peak_mb"] for r in runs)
    last = runs[-1]
    which = ("as packaged (bytecode, validated rules, trimmed AWS models, resolved holidays)" if args.compiled else
             "as packaged without bytecode") if data else \
        "as installed (botocore's complete models, the holidays package)"
    print(f"cold tick on {args.rules} at {args.at}, {which}: CPU {cpu:.0f} ms (target < 500), "
          f"peak RSS {peak:.1f} MB (target < 80), median of {len(runs)} fresh processes")
    print(f"  {last['modules']} modules imported; AWS requests: "
          + ", ".join(f"{k} {v}" for k, v in sorted(last["requests"].items())))
    base = [json.loads(subprocess.run([sys.executable, __file__, "--floor", ",".join(last["services"]), *extra],
                                      capture_output=True, text=True, check=True, timeout=120).stdout)
            for _ in range(args.runs)]
    print(f"  of which boto3 alone (import, one client per service: {', '.join(last['services'])}): "
          f"CPU {statistics.median(b['cpu_ms'] for b in base):.0f} ms, "
          f"peak RSS {statistics.median(b['peak_mb'] for b in base):.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rules", default=str(HERE.parent / "rules" / "examples"))
    parser.add_argument("--at", default="2027-03-22T19:00:00Z", help="the tick (a Monday evening: rules fire)")
    parser.add_argument("--no-bytecode", dest="compiled", action="store_false",
                        help="the package without bytecode, as built where the target Python is missing")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor", help=argparse.SUPPRESS)  # services, comma-separated
    parser.add_argument("--data", help=argparse.SUPPRESS)  # the package data folder, for a child
    parser.add_argument("--instances", type=int, default=0, help=argparse.SUPPRESS)  # the fake fleet (scaling.py)
    args = parser.parse_args()
    if args.floor:
        floor(args.floor.split(","), args.data)
        return
    if args.child:
        child(args.rules, args.at, args.instances, args.data)
        return
    with tempfile.TemporaryDirectory(prefix="shiftwork-package-data-") as folder:
        measure(args, str(write_package_data(Path(folder), args.rules, compiled=args.compiled)))
    measure(args, None)


if __name__ == "__main__":
    main()
