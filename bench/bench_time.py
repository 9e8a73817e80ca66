"""Time engine figures: simulate 200 rules over 7 days (1-minute resolution) and evaluate one tick of 200 rules.

Targets: simulation < 2 s, one tick < 5 ms. Run: python bench/bench_time.py
"""
from __future__ import annotations

import gc
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path


from shiftwork.engine.schedule import walltime  # noqa: E402
from shiftwork.engine.errors import Loc  # noqa: E402
from shiftwork.engine.schedule.evaluate import evaluate_tick  # noqa: E402
from shiftwork.engine.language.model import (ActionSpec, AlarmTrigger, Calendar, CronTrigger, Match, Rule, RuleSet,  # noqa: E402
                          WindowSpec, WindowTrigger)
from shiftwork.engine.schedule.simulate import simulate  # noqa: E402

HERE = Loc("bench.yaml", 1, 1)
ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Tokyo", "UTC")
CALENDARS = (Calendar("england", "GB", "ENG"), Calendar("us", "US"), Calendar("freeze", dates=("2027-03-26",)))
CRONS = ("0 19 * * mon-fri", "*/15 * * * *", "30 2 * * *", "cron(0 8 ? * MON-FRI *)", "0 9 L * *",
         "cron(0 6 ? * 2#1 *)", "0 */2 * * *")
WINDOWS = (("mon-fri", "08:00-19:00"), ("mon-fri", "20:00-07:00"), ("sun-thu", "22:00-06:00"),
           ("sat-sun", None), ("mon-fri", "01:30-02:30"))


def action(name: str) -> ActionSpec:
    return ActionSpec(name, {}, HERE)


def make_rules(n: int = 200) -> tuple[Rule, ...]:
    rules = []
    for i in range(n):
        tz = ZONES[i % len(ZONES)]
        match = Match(tags={"env": (f"env{i}",)})
        if i % 10 == 9:
            trigger, extra = AlarmTrigger(f"alarm-{i}", "ALARM", HERE), {"actions": (action("ec2.start"),)}
        elif i % 2:
            trigger, extra = CronTrigger(CRONS[i % len(CRONS)], HERE), {"actions": (action("ec2.stop"),)}
        else:
            days, hours = WINDOWS[i % len(WINDOWS)]
            spec = WindowSpec((days,), hours, None, None, (CALENDARS[i % len(CALENDARS)],) if i % 4 == 0 else ())
            trigger = WindowTrigger((spec,), HERE)
            extra = {"inside": (action("ec2.start"),), "outside": (action("ec2.stop"),), "enforce": i % 8 == 0}
        rules.append(Rule(name=f"rule-{i}", resource="ec2.instance", match=match, trigger=trigger, timezone=tz,
                          loc=HERE, **extra))
    return tuple(rules)


def clear_caches() -> None:
    walltime.resolve.cache_clear()
    walltime.steady.cache_clear()


def main() -> None:
    rules = make_rules()
    ruleset = RuleSet(rules, ("bench.yaml",))
    first, last = date(2027, 3, 22), date(2027, 3, 28)  # includes the European DST change

    clear_caches()
    t0 = time.perf_counter()
    sim = simulate(ruleset, first, last)
    cold = time.perf_counter() - t0
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        simulate(ruleset, first, last)
        runs.append(time.perf_counter() - t0)
    events = sum(len(tl.events) for tl in sim.timelines)
    print(f"simulate 200 rules x 7 days: {cold * 1000:.0f} ms cold, {statistics.median(runs) * 1000:.0f} ms warm "
          f"({events} firings/phase changes/suppressions; target < 2000 ms)")

    t = datetime(2027, 3, 24, 12, 0, tzinfo=timezone.utc)
    phases = {r.name: evaluate_tick(r, t - timedelta(minutes=1), None, None).phase for r in rules}

    def tick(now: datetime) -> tuple[float, int]:
        """CPU time of one tick: on a shared machine, wall time mostly measures the neighbours."""
        t0 = time.process_time()
        fired = sum(evaluate_tick(r, now, now - timedelta(minutes=1), phases[r.name]).fires for r in rules)
        return time.process_time() - t0, fired

    cold = []
    for k in range(5):  # each with empty wall-time caches, as after a Lambda cold start
        clear_caches()
        gc.collect()
        cold.append(tick(t + timedelta(minutes=k))[0])
    warm, fired = [], 0
    for k in range(5, 55):
        took, fired = tick(t + timedelta(minutes=k))
        warm.append(took)
    warm.sort()
    print(f"one tick of 200 rules (CPU time): {statistics.median(cold) * 1000:.2f} ms cold (median of 5), "
          f"{statistics.median(warm) * 1000:.2f} ms warm (median of 50, p90 {warm[44] * 1000:.2f} ms; "
          f"{fired} fired on the last; target < 5 ms)")


if __name__ == "__main__":
    main()
