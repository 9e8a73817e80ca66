"""Heads-up notices on ticks: announce each upcoming stop or scale-down once, before it happens.

Each firing announced is an idempotency record (`notice#<rule>#<firing time>`) claimed before the
message goes out and released when nothing needed saying or the publish failed, so the next tick
tries again (still before the firing) and a retried invocation never sends it twice.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from shiftwork.engine.dispatch.state import State
from shiftwork.engine.language.model import Rule, RuleSet
from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.plan.notice import plan_notice
from shiftwork.engine.schedule.notice import upcoming

KEEP_RECORD = timedelta(days=2)  # how long a sent notice is remembered after its firing


def announce(rule: Rule, t: datetime, *, ruleset: RuleSet, state: State, planning: Any, executor: Any,
             default_region: str, log: Callable[[dict[str, Any]], None]) -> int:
    """Send the heads-ups due at tick `t` for `rule`; returns how many were sent. Never raises: logged instead."""
    sent = 0
    for up in upcoming(rule, t):
        key = f"notice#{rule.name}#{up.at.isoformat()}"
        if not state.claim(key, t, up.at - t + KEEP_RECORD):
            continue  # already announced by an earlier tick
        base = {"rule": rule.name, "location": str(rule.loc), "tick": t, "action": "notice", "firing": up.at}
        try:
            notice = plan_notice(PlanContext(clients=planning, now=t, ruleset=ruleset), rule, up, default_region)
            if notice.message is None:
                state.release(key)  # nothing to say now; a later tick looks again
                log({"level": "INFO", **base, "outcome": "quiet", "reason": notice.plan.limited or
                     "nothing would stop or scale down" + "".join(f"; {e}" for e in notice.plan.errors)})
                continue
            ids = [r.id for r in notice.changing]
            if rule.shadow:
                log({"level": "INFO", **base, "outcome": "shadow", "resources": ids, "reason": notice.message.reason})
                continue
            results = executor.execute([notice.message])
            failed = [r for r in results if r.status not in ("ok", "planned")]  # planned: a dry run
            if failed:
                state.release(key)
                log({"level": "ERROR", **base, "outcome": "failed", "resources": ids,
                     "reason": failed[0].reason, "error_code": failed[0].error_code})
                continue
            sent += 1
            log({"level": "INFO", **base, "outcome": "sent", "resources": ids, "reason": notice.message.reason})
        except Exception as exc:  # noqa: BLE001 (a heads-up never stops the rules; the next tick retries)
            state.release(key)
            log({"level": "ERROR", **base, "outcome": "error", "reason": f"{type(exc).__name__}: {exc}"})
    return sent
