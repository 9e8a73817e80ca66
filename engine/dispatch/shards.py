"""Fan-out on SQS, the dispatcher's side: decide a wide tick and enqueue its shards; run one shard.

What a shard carries and how it is addressed lives in `fanout`; this module is the part that needs the
dispatcher's state, leases, logs and journal (`d` is the Dispatcher).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from shiftwork.engine.dispatch.fanout import Firing, firings_of, narrow, shards
from shiftwork.engine.dispatch.journal import occurrence_of
from shiftwork.engine.dispatch.runner import RuleOutcome
from shiftwork.engine.events.shapes import event_time
from shiftwork.engine.language.model import Rule
from shiftwork.engine.schedule.evaluate import evaluate_tick

LEASE_TTL = timedelta(minutes=15)


def fan_out(d: Any, t: datetime, rules: list[Rule]) -> bool:
    """Decide every rule under its lease, enqueue one shard per (account, region), then advance."""
    held, decided, firings, complete = [], [], [], True
    try:
        for rule in rules:
            lease = f"lease#{rule.name}"
            if not d.state.claim(lease, d.clock(), LEASE_TTL):
                d.busy.append(rule.name)
                complete = False
                continue
            held.append(lease)
            try:
                st = d.state.get(rule.name)
                if st.last_evaluated is not None and t <= st.last_evaluated:
                    continue
                decision = d._cooldown(rule, evaluate_tick(rule, t, st.last_evaluated, st.last_phase),
                                          st.last_fired, t)
            except Exception as exc:  # noqa: BLE001
                d._error(rule, t, exc)
                complete = False
                continue
            d.outcomes.append(RuleOutcome(rule, t, decision))
            d.log({"level": "INFO", "rule": rule.name, "location": str(rule.loc), "tick": t,
                      "fires": decision.fires, "phase": decision.phase, "reason": decision.reason,
                      "missed": decision.missed, "fan_out": True})
            decided.append((rule, st, decision))
            if decision.fires:
                firings.append((rule, Firing(rule.name, decision.phase, occurrence_of(decision, st, t),
                                                    decision.reason)))
        assert d.queue is not None
        d.queue.send(shards(t, firings, d.default_region))
        for rule, st, decision in decided:  # enqueued: the shards carry the work from here
            fired = t if decision.fires else st.last_fired
            phase = decision.phase if decision.phase is not None else st.last_phase
            d._advance(rule.name, replace(st, last_evaluated=t, last_phase=phase, last_fired=fired))
    except Exception as exc:  # noqa: BLE001 (nothing advanced: the retry decides again, same occurrences)
        d.log({"level": "ERROR", "tick": t, "message": "fan-out failed", "reason": f"{type(exc).__name__}: {exc}"})
        for rule, _, _ in decided:
            d._error(rule, t, exc)
        complete = False
    finally:
        for lease in held:
            d.state.release(lease)
    return complete

def run_shard(d: Any, message: dict[str, Any]) -> None:
    """One (account, region) of a fanned-out tick: run each firing there, through the journal."""
    t = event_time(message) or d.now_floor()
    account, region = message.get("account"), str(message["region"])
    firings = firings_of(message)
    for n, firing in enumerate(firings):
        if d._out_of_time() and d.queue is not None:
            d.queue.send([{**message, "rules": [vars(f) for f in firings[n:]]}])
            d.deferred.extend(f.rule for f in firings[n:])
            return
        rule = d.ruleset.rule(firing.rule)
        d._run(narrow(rule, account, region), firing.decision(rule), t, None, firing.occurrence)
