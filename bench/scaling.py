"""How cost grows with size: validate/simulate by rules, a tick by instances (fake EC2), the run table by changes.

Each row prints its ratio to the smallest size of its section, next to the size ratio, so a quadratic
step shows at a glance (5x the rules should cost about 5x, not 25x). CPU time, not wall time: the
machine is shared. Every measurement runs in a fresh interpreter: a tick's peak RSS is per process, and a
`validate`/`simulate` run is timed once per process (after the imports and schema build, which are not
counted), best of --repeat processes, as a user runs the command: no run reuses the heap or the caches
(the schema validator's valid values, compiled windows) of an earlier run or a smaller size.

    python bench/scaling.py [--only validate,simulate,tick,table] [--rules 100,1000,5000,10000] [--repeat 2]
                            [--instances 1000,10000,50000] [--changes 1000,10000]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIM_FROM, SIM_TO = "2027-03-22", "2027-03-28"  # a week with a window, crons and an English bank holiday nearby


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def _rows(title: str, unit: str, sizes: Sequence[int], measure: Callable[[int], dict[str, float]]) -> None:
    """One line per size: the figures, and each figure's ratio to the smallest size's."""
    print(title)
    base: dict[str, float] = {}
    for n in sizes:
        figures = measure(n)
        base = base or figures
        cells = [f"{k} {v:,.0f} (x{v / base[k]:.2f})" if base[k] else f"{k} {v:,.0f}" for k, v in figures.items()]
        print(f"  {n:>7,} {unit} (x{n / sizes[0]:g}): " + ", ".join(cells))
    print()


def _cli_cpu_ms(argv: list[str], repeat: int = 2) -> float:
    """CPU time of one in-process `shiftwork` command (best of `repeat`; output discarded)."""
    from shiftwork.engine.cli.main import main

    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(argv)
        best = min(best, time.process_time() - start)
    return best * 1000


def _cli_child(argv: list[str]) -> None:
    """In a fresh interpreter: the imports and schema build first (not counted), then one run's CPU ms."""
    _cli_cpu_ms(["validate", str(HERE.parent / "rules" / "examples")], repeat=1)
    print(json.dumps({"CPU ms": _cli_cpu_ms(argv, repeat=1)}))


def rules_section(command: str, sizes: Sequence[int], repeat: int) -> None:
    sys.path.insert(0, str(HERE))
    from bench_load import generate  # the same ten rule shapes as bench_load.py

    def measure(n: int) -> dict[str, float]:
        with tempfile.TemporaryDirectory(prefix="shiftwork-scaling-") as tmp:
            generate(Path(tmp), n, 10)
            argv = ["validate", tmp] if command == "validate" else ["simulate", tmp, "--from", SIM_FROM,
                                                                     "--to", SIM_TO, "--format", "json"]
            runs = [subprocess.run([sys.executable, __file__, "--cli-child", *argv], capture_output=True,
                                   text=True, check=True, timeout=1800) for _ in range(repeat)]
        return {"CPU ms": min(json.loads(out.stdout.strip().splitlines()[-1])["CPU ms"] for out in runs)}

    _rows(f"{command} ({'7 days, ' if command == 'simulate' else ''}bench_load.py's rule shapes, 10 files)",
          "rules", sizes, measure)


def table_section(sizes: Sequence[int]) -> None:
    import shiftwork.handlers  # noqa: F401  (registers the actions, as the CLI does)
    from shiftwork.engine.cli.report import render_table
    from shiftwork.engine.dispatch.runner import RuleOutcome
    from shiftwork.engine.language.loader import load
    from shiftwork.engine.plan.changes import Change, Result
    from shiftwork.engine.plan.planner import RulePlan
    from shiftwork.engine.plan.resources import Resource
    from shiftwork.engine.schedule.evaluate import evaluate_tick
    from datetime import datetime, timezone

    rule = next(r for r in load([str(HERE.parent / "rules" / "examples")]).rules if r.resource == "ec2.instance")
    at = datetime(2027, 3, 22, 19, 0, tzinfo=timezone.utc)

    def measure(n: int) -> dict[str, float]:
        boxes = [Resource("ec2.instance", f"i-{i:017x}", "eu-west-1", name=f"dev-{i}", state="running",
                          tags={"env": "dev", "Name": f"dev-{i}"}) for i in range(n)]
        changes = [Change(rule.name, "ec2.stop", b, "ec2", "stop_instances", {"InstanceIds": [b.id]},
                          "running; stopping it", "running", "stopped", "InstanceIds", 1000) for b in boxes]
        plan = RulePlan(rule, rule.outside, resources=boxes, changes=changes)
        outcome = RuleOutcome(rule, at, evaluate_tick(rule, at, None, None), plan,
                              [Result(c, "ok", c.reason) for c in changes])
        start = time.process_time()
        text = render_table([outcome], executed=True, calls=-(-n // 1000))
        cpu = time.process_time() - start
        assert text.count(" -> ok") == n, "every change shows its result"
        return {"CPU ms": cpu * 1000}

    _rows("run table output (one rule, every change with its result)", "changes", sizes, measure)


TICK_RULES = """version: 1
regions: [eu-west-1]
rules:
  - name: dev-evening-stop
    resource: ec2.instance
    match: {tags: {env: dev}}
    on: {cron: "0 19 * * mon-fri"}
    actions: [ec2.stop]
"""


def tick_section(sizes: Sequence[int]) -> None:
    """A Lambda tick (fresh interpreter, cold, as packaged: see cold_start.py) stopping every instance of a fake
    EC2 fleet."""
    sys.path.insert(0, str(HERE))
    from cold_start import write_package_data

    def measure(n: int) -> dict[str, float]:
        with tempfile.TemporaryDirectory(prefix="shiftwork-scaling-") as tmp:
            (Path(tmp) / "rules").mkdir()
            (Path(tmp) / "rules" / "stop.yaml").write_text(TICK_RULES)
            data = write_package_data(Path(tmp) / "package", str(Path(tmp) / "rules"))
            out = subprocess.run([sys.executable, str(HERE / "cold_start.py"), "--child",
                                  "--rules", str(data / "shiftwork_rules"), "--data", str(data),
                                  "--at", "2027-03-22T19:00:00Z", "--instances", str(n)],
                                 capture_output=True, text=True, check=True, timeout=1800)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        assert figures["stopped"] == n == figures["changes_ok"], figures  # every instance stopped, once
        pages, writes = figures["requests"]["DescribeInstances"], figures["requests"]["StopInstances"]
        return {"peak MB": figures["peak_mb"], "tick CPU ms": figures["tick_cpu_ms"],
                "process CPU ms": figures["cpu_ms"], "requests": pages + writes}

    _rows("tick stopping every instance (Lambda handler, cold, fake EC2: 1,000 a page, 1,000 ids a StopInstances)",
          "instances", sizes, measure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="validate,simulate,tick,table")
    parser.add_argument("--rules", default="100,1000,5000,10000")
    parser.add_argument("--instances", default="1000,10000,50000")
    parser.add_argument("--changes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=2, help="validate/simulate: best of this many processes")
    parser.add_argument("--cli-child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cli_child:
        _cli_child(args.cli_child)
        return
    only = set(args.only.split(","))
    for command in ("validate", "simulate"):
        if command in only:
            rules_section(command, _sizes(args.rules), args.repeat)
    if "tick" in only:
        tick_section(_sizes(args.instances))
    if "table" in only:
        table_section(_sizes(args.changes))


if __name__ == "__main__":
    main()
