"""How fast `shiftwork validate` reads a large rule set: 1,000 mixed rules in 10 files.

Run from the repository root: `python bench/bench_load.py [--rules N] [--files F] [--repeat R]`.
Prints the cold first run (imports, schema build) and the best of R warm runs; the CPU time is shown
too because wall time on a busy 2-core machine varies with the load.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


import shiftwork.handlers  # noqa: E402,F401  (registers the actions, as the CLI does)
from shiftwork.engine.language.loader import check_paths  # noqa: E402
from shiftwork.engine.schedule.conflicts import find_conflicts  # noqa: E402

HEADER = """\
version: 1
timezone: Europe/London
regions: [eu-west-1, eu-central-1]
calendars:
  england: {{holidays: GB, subdiv: ENG}}
  freeze-{f}: {{dates: ["2026-12-24..2027-01-02", "2027-04-02"]}}
notify:
  ops: {{sns: "arn:aws:sns:eu-west-1:111122223333:ops"}}
rules:
"""

# Ten shapes covering every trigger kind and most actions; {n} makes the name unique.
SHAPES = [
    """  - name: ec2-office-{n}
    resource: ec2.instance
    match: {{tags: {{env: dev, team: "team-{n}"}}}}
    during: {{days: mon-fri, hours: "08:00-19:00", except: [england, freeze-{f}]}}
    actions:
      inside: [ec2.start]
      outside: [{{type: ec2.stop, hibernate: true}}, {{type: notify, target: ops}}]
""",
    """  - name: ec2-evening-{n}
    resource: ec2.instance
    match: {{names: ["build-{n}-*"]}}
    on: {{cron: "{m} 19 * * mon-fri"}}
    catch_up: 2h
    actions: [ec2.stop]
""",
    """  - name: ecs-nights-{n}
    resource: ecs.service
    match: {{cluster: batch, tags: {{tier: worker}}}}
    during: {{days: mon-fri, hours: "20:00-07:00"}}
    actions:
      inside: [{{type: ecs.scale, desired: 0}}]
      outside: [ecs.restore]
""",
    """  - name: ecs-alarm-{n}
    resource: ecs.service
    match: {{cluster: web, names: [api-{n}]}}
    on: {{alarm: api-{n}-cpu-high, state: ALARM}}
    cooldown: 5m
    limits: {{max_resources: 1}}
    actions: [{{type: ecs.scale, add: 2, max: 20}}]
""",
    """  - name: asg-weekend-{n}
    resource: asg.group
    match: {{tags: {{tier: [etl, batch]}}}}
    during:
      - {{days: [sat, sun]}}
      - {{days: fri, hours: "18:00-07:00"}}
    enforce: true
    actions:
      inside: [{{type: asg.scale, min: 0, desired: 0, max: 0}}]
      outside: [asg.restore]
""",
    """  - name: rds-staging-{n}
    resource: rds.cluster
    match: {{tags: {{env: staging}}}}
    during: {{days: mon-fri, hours: "07:00-20:00"}}
    enforce: true
    actions:
      inside: [rds.start]
      outside: [rds.stop]
""",
    """  - name: rds-morning-{n}
    resource: rds.instance
    match: {{ids: [db-{n}]}}
    on: {{cron: "{m} 7 * * mon-fri"}}
    actions: [rds.start]
""",
    """  - name: backups-{n}
    resource: rds.instance
    match: {{tags: {{backup: daily}}}}
    on: {{cron: "{m} 6 * * *"}}
    actions: [{{type: backup.validate, max_age: 26h, min_points: 7, window: 7d, notify: ops}}]
""",
    """  - name: health-event-{n}
    resource: ec2.instance
    match: {{tags: {{env: dev}}}}
    on:
      event:
        source: [aws.health]
        detail-type: [AWS Health Event]
    shadow: true
    actions: [ec2.stop, {{type: notify, target: ops, subject: "retirement {n}"}}]
""",
    """  - name: month-end-{n}
    resource: rds.instance
    match: {{tags: {{app: reporting}}}}
    during: {{monthdays: [L, 1-2], months: jan-dec, hours: "06:00-22:00"}}
    timezone: America/New_York
    regions: [us-east-1]
    actions:
      inside: [rds.start]
      outside: [rds.stop]
""",
]


def generate(directory: Path, rules: int, files: int) -> None:
    per_file = rules // files
    for f in range(files):
        body = "".join(SHAPES[(f * per_file + i) % len(SHAPES)].format(n=f * per_file + i, f=f, m=i % 60)
                       for i in range(per_file))
        (directory / f"rules-{f:02d}.yaml").write_text(HEADER.format(f=f) + body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shiftwork-bench-") as tmp:
        generate(Path(tmp), args.rules, args.files)
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        times, cpu = [], []
        for _ in range(args.repeat + 1):
            start, start_cpu = time.perf_counter(), time.process_time()
            checked = check_paths([tmp], checks=(find_conflicts,))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if checked.ruleset is None:
                raise SystemExit("generated rules are invalid:\n" + "\n".join(map(str, checked.diagnostics[:10])))
        loaded = len(checked.ruleset.rules)
    cold, best = times[0], min(times[1:])
    print(f"rules: {loaded} in {args.files} files ({size / 1024:.0f} KiB)")
    print(f"cold first run (imports, schema build): {cold * 1000:.0f} ms")
    print(f"best of {args.repeat}: {best * 1000:.0f} ms = {best * 1000 * 1000 / loaded:.0f} ms per 1,000 rules, "
          f"{loaded / best:,.0f} rules/s (CPU time {min(cpu[1:]) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
