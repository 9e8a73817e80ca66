"""`run` and `plan` go through the Lambda's dispatcher: the same watermarks, cooldowns, event keys, leases
and work journal, with a local state file (run), a read-only view of it (plan) or none (`--no-state`)."""
from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from shiftwork.engine.cli.progress import Counter
from shiftwork.engine.dispatch.dispatcher import Dispatcher
from shiftwork.engine.dispatch.runner import RuleOutcome, Trigger
from shiftwork.engine.dispatch.state import FileState, MemoryState, ReadOnlyState, State
from shiftwork.engine.events.trigger import rule_pattern
from shiftwork.engine.language.model import RuleSet

DEFAULT_STATE = Path(".shiftwork") / "state.json"  # relative to the current directory
FAR = timedelta(hours=1)


def add_state_options(p: Any, *, run: bool) -> None:
    where = p.add_mutually_exclusive_group()
    if run:
        where.add_argument("--state", metavar="FILE", help=f"the state file that keeps watermarks, cooldowns and "
                           f"handled events between runs (default: {DEFAULT_STATE} in the current directory)")
        where.add_argument("--no-state", action="store_true",
                           help="keep no state: reconcile from scratch, no cooldowns or de-duplication")
        p.add_argument("--yes", action="store_true", help="do not ask for confirmation before writing")
    else:
        where.add_argument("--state", metavar="FILE", help="plan as `run --state FILE` would act, reading the "
                           "file's watermarks, cooldowns and handled events (never writing it); default: no state")


def state_for(args: Any, *, writing: bool) -> State:
    if not writing:
        return ReadOnlyState(FileState(args.state) if getattr(args, "state", None) else None)
    if args.no_state:
        return MemoryState()
    return FileState(args.state or DEFAULT_STATE)


def warn_if_far(trigger: Trigger, ruleset: RuleSet, now: datetime | None = None) -> str | None:
    """A warning when `--at` is more than an hour from now: state and cooldowns then move to that time."""
    if trigger.at is None or not ruleset.rules:
        return None
    now = now or datetime.now(timezone.utc)
    at = trigger.time_for(ruleset.rules[0])
    if abs(at - now) <= FAR:
        return None
    hours = abs(at - now).total_seconds() / 3600
    return (f"--at is {hours:.0f} h {'ahead of' if at > now else 'behind'} now; run executes as if it were "
            f"{at:%Y-%m-%d %H:%M}Z and records that time in its state")


def dispatch(ruleset: RuleSet, trigger: Trigger, planning: Any, region: str, executor: Any, state: State,
             only: Sequence[str] = (), delay: float = 2.0) -> list[RuleOutcome]:
    """One outcome per rule (as the report lists them), the rules the dispatcher ran and why the others did not.

    On a terminal, a plan that takes longer than `delay` seconds (many regions, accounts or resources) shows
    'planning rules n/N...' on stderr as each rule is decided; nothing when piped."""
    counter = Counter("planning rules", sum(1 for r in ruleset.rules if not only or r.name in only), delay=delay)

    def log(record: dict[str, Any]) -> None:
        if "fires" in record:  # the dispatcher's one decision line per rule
            counter()

    d = Dispatcher(ruleset=ruleset, state=state, planning=planning, executor=executor, default_region=region,
                   log=log, only=tuple(only))
    if trigger.event is not None:
        d.on_event(trigger.event)
    else:
        times: dict[datetime, list[str]] = {}
        for rule in ruleset.rules:
            if (not only or rule.name in only) and rule_pattern(rule) is None:
                times.setdefault(trigger.time_for(rule), []).append(rule.name)
        for t, names in times.items():  # a wall-clock --at is a different instant in each time zone
            d.only = tuple(names)
            d.tick(t)
    counter.close()
    if isinstance(state, FileState):
        state.expire(datetime.now(timezone.utc))  # the file keeps only unexpired keys and work records
    ran = {o.rule.name: o for o in d.outcomes}
    out = []
    for rule in ruleset.rules:
        if only and rule.name not in only:
            continue
        if rule.name in ran:
            out.append(ran[rule.name])
            continue
        decision = trigger.decide(rule)
        if rule.name in d.skipped:
            decision = replace(decision, fires=False, actions=(), reason=d.skipped[rule.name])
        out.append(RuleOutcome(rule, trigger.time_for(rule), decision))
    return out


def confirm(changes: int, stream: Any = None) -> bool:
    """Ask on a terminal; anything but y/yes is no."""
    stream = stream or sys.stderr
    stream.write(f"Apply {changes} change{'s' if changes != 1 else ''} to AWS? [y/N] ")
    stream.flush()
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")
