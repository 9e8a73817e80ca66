"""The dispatcher: what the one Lambda does with a tick or an event, with state, isolation and logs.

Ticks: a tick lock (conditional write) so overlapping invocations never double-act; per rule,
evaluate against its watermark and last phase, honour cooldowns, plan and execute, then advance
the watermark only when the rule succeeded (a failed rule is retried by the next invocation).
Events: an idempotency key per (event id, rule) makes a Lambda retry safe. One failing rule never
stops the others; failures raise at the end so Lambda error metrics and alarms fire.
"""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.errors import ShiftworkError
from shiftwork.engine.schedule.evaluate import Decision, evaluate_tick
from shiftwork.engine.events.shapes import deliveries, event_key, event_time, is_tick

from shiftwork.engine.dispatch.metrics import emf_document, findings_emf
from shiftwork.engine.language.model import Rule, RuleSet
from shiftwork.engine.execute.execution import execute_plan
from shiftwork.engine.plan.planner import plan_rule
from shiftwork.engine.dispatch.drift_alerts import report_drift
from shiftwork.engine.dispatch.notices import announce
from shiftwork.engine.dispatch.runner import RuleOutcome
from shiftwork.engine.dispatch.runner import RuleOutcome, decide_isolated
from shiftwork.engine.dispatch.eventwork import hold
from shiftwork.engine.dispatch.state import State
from shiftwork.engine.events.trigger import decide_event, event_index, rule_pattern

TICK_LOCK_TTL = timedelta(minutes=15)
DONE_TTL = timedelta(days=2)
MIN_REMAINING_MS = 15_000  # stop starting new rules when less time than this is left


class DispatchFailed(ShiftworkError):
    """Some rules failed; raised after every rule ran so the Lambda reports an error."""

    def __init__(self, summary: dict[str, Any]):
        failed = ", ".join(summary["failed_rules"])
        super().__init__(f"{len(summary['failed_rules'])} rule(s) failed: {failed}")
        self.summary = summary


def json_log(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, default=str, sort_keys=True) + "\n")


@dataclass
class Dispatcher:
    ruleset: RuleSet
    state: State
    planning: Clients  # read-only
    executor: Any  # engine.executor.Executor
    default_region: str
    log: Callable[[dict[str, Any]], None] = json_log
    remaining_ms: Callable[[], int] | None = None
    outcomes: list[RuleOutcome] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # unreadable records of a batch: reported, not retried

    def handle(self, raw: Any) -> dict[str, Any]:
        self.outcomes, self.deferred, self.rejected = [], [], []
        for delivery in deliveries(raw):
            event = delivery.event
            if delivery.error or delivery.note:
                self.log({"level": "ERROR" if delivery.error else "INFO", "record": delivery.record,
                          "message": delivery.error or delivery.note})
            if delivery.error:
                self.rejected.append(f"{delivery.record}: {delivery.error}" if delivery.record else delivery.error)
            if event is None:
                continue
            if is_tick(event):
                when = event_time(event) or _now_floor()
                self.tick(when)
            else:
                self.on_event(event)
        summary = self.summary()
        self.log({"level": "INFO", "message": "dispatch summary", **summary})
        self.log(emf(summary))
        if summary["failed_rules"]:
            raise DispatchFailed(summary)
        return summary

    # -- ticks ----------------------------------------------------------------------------------------------
    def tick(self, t: datetime) -> None:
        lock = f"tick#{t.isoformat()}"
        if not self.state.claim(lock, t, TICK_LOCK_TTL):
            self.log({"level": "INFO", "message": "tick already being handled by another invocation", "tick": t})
            return
        failed = False
        for rule in self.ruleset.rules:
            if rule_pattern(rule) is not None:
                continue
            if self._out_of_time():
                self.deferred.append(rule.name)
                continue
            done = f"done#{rule.name}#{t.isoformat()}"
            if not self.state.claim(done, t, DONE_TTL):
                continue  # a retried invocation: this rule already succeeded for this tick
            st = self.state.get(rule.name)
            decision = evaluate_tick(rule, t, st.last_evaluated, st.last_phase, st.held_until)
            decision = self._cooldown(rule, decision, st.last_fired, t)
            outcome = self._run(rule, decision, t, None)
            aside = {"ruleset": self.ruleset, "state": self.state, "planning": self.planning,
                     "executor": self.executor, "default_region": self.default_region, "log": self.log}
            announce(rule, t, **aside)  # heads-up notices (rules with `notice`)
            if rule.on_drift and not decision.fires and not outcome.failed:
                report_drift(rule, t, **aside)
            if outcome.failed:
                failed = True
                self.state.release(done)
                continue
            st.last_evaluated = t
            st.last_phase = decision.phase if decision.phase is not None else st.last_phase
            if decision.fires:
                st.last_fired = t
            st.held_until = held_until(st.held_until, decision, outcome, t)
            self.state.put(rule.name, st)
        if failed or self.deferred:
            self.state.release(lock)  # let the retry (or next tick) pick up what did not complete

    # -- events ---------------------------------------------------------------------------------------------
    def on_event(self, event: dict[str, Any]) -> None:
        t = event_time(event) or _now_floor()
        event_id = event_key(event)
        candidates = event_index(self.ruleset).candidates(event)  # rules whose source/detail-type can match
        for i, rule in enumerate(self.ruleset.rules):
            if i not in candidates:
                continue
            decided = decide_isolated(rule, t, lambda r: decide_event(r, event))
            decision = decided.decision
            if decided.error:  # this rule's failure only; every other rule still gets the event
                self.outcomes.append(decided)
                self._log_outcome({"rule": rule.name, "location": str(rule.loc), "tick": t}, decided)
                continue
            if not decision.fires:
                continue
            key = f"event#{event_id}#{rule.name}"
            if not self.state.claim(key, t, DONE_TTL):
                self.log({"level": "INFO", "rule": rule.name, "message": "event already handled", "event": event_id})
                continue
            st = self.state.get(rule.name)
            if rule.target != "event":  # a target: event rule cools down per resource (engine/dispatch/eventwork)
                decision = self._cooldown(rule, decision, st.last_fired, t)
            outcome = self._run(rule, decision, t, event)
            if outcome.failed:
                self.state.release(key)
            elif decision.fires:
                st.last_fired = t
                self.state.put(rule.name, st)

    # -- shared ---------------------------------------------------------------------------------------------
    def _cooldown(self, rule: Rule, decision: Decision, last_fired: datetime | None, t: datetime) -> Decision:
        if decision.fires and rule.cooldown and last_fired and t - last_fired < rule.cooldown:
            wait = last_fired + rule.cooldown
            return replace(decision, fires=False, actions=(),
                           reason=f"in cooldown until {wait:%Y-%m-%d %H:%M}Z ({decision.reason})")
        return decision

    def _run(self, rule: Rule, decision: Decision, t: datetime, event: dict[str, Any] | None) -> RuleOutcome:
        outcome = RuleOutcome(rule, t, decision)
        self.outcomes.append(outcome)
        base = {"rule": rule.name, "location": str(rule.loc), "tick": t}
        self.log({"level": "INFO", **base, "fires": decision.fires, "phase": decision.phase,
                  "reason": decision.reason, "missed": decision.missed})
        if not decision.fires:
            return outcome
        held = None
        try:
            ctx = PlanContext(clients=self.planning, now=t, ruleset=self.ruleset, event=event, phase=decision.phase)
            outcome.notes = ctx.notes  # why a rule acted on nothing (target: event outside its regions, ...)
            outcome.plan = plan_rule(ctx, rule, decision.actions, self.default_region)
            if event is not None and not rule.shadow and not outcome.plan.limited:
                held = hold(self.state, rule, outcome.plan, t, event_key(event))  # per-resource cooldown, once
            if not rule.shadow:  # a limited plan holds only its alert (notify)
                outcome.results = execute_plan(self.executor, outcome.plan, t, decision.phase)
            if held is not None:
                held.release_failed(outcome.results)
        except Exception as exc:  # noqa: BLE001 (isolation: one failing rule never stops the others)
            outcome.error = f"{type(exc).__name__}: {exc}"
            if held is not None and not outcome.results:
                held.release_all()  # the executor gave no per-change results: let the retry try every resource
        self._log_outcome(base, outcome)
        return outcome

    def _log_outcome(self, base: dict[str, Any], o: RuleOutcome) -> None:
        plan = o.plan
        if plan is not None:
            if plan.limited:
                self.log({"level": "WARNING", **base, "outcome": "limited", "reason": plan.limited})
            for skip in plan.skips:
                self.log({"level": "INFO", **base, "resource": skip.resource.id, "action": skip.action,
                          "outcome": "skipped", "reason": skip.reason})
            for f in plan.findings:
                self.log({"level": "INFO" if f.status == "pass" else "WARNING", **base, "resource": f.resource.id,
                          "action": f.action, "outcome": f.status, "check": f.check, "observed": f.observed,
                          "required": f.required, "reason": f.reason})
            for err in plan.errors:
                self.log({"level": "ERROR", **base, "outcome": "error", "reason": err})
            for doc in findings_emf(plan.findings, o.at):  # checked / passed / failed / errored, per rule
                self.log(doc)
            if o.rule.shadow:
                for c in plan.changes:
                    self.log({"level": "INFO", **base, "resource": c.resource.id, "action": c.action,
                              "call": f"{c.service}:{c.operation}", "outcome": "shadow", "reason": c.reason})
        for r in o.results:
            self.log({"level": "ERROR" if r.status == "failed" else "INFO", **base, "resource": r.change.resource.id,
                      "action": r.change.action, "call": f"{r.change.service}:{r.change.operation}",
                      "outcome": r.status, "reason": r.reason or r.change.reason, "error_code": r.error_code})
        for note in o.notes:
            self.log({"level": "INFO", **base, "outcome": "note", "reason": note})
        if o.error:
            self.log({"level": "ERROR", **base, "outcome": "error", "reason": o.error})

    def _out_of_time(self) -> bool:
        return self.remaining_ms is not None and self.remaining_ms() < MIN_REMAINING_MS

    def summary(self) -> dict[str, Any]:
        results = [r for o in self.outcomes for r in o.results]
        findings = [f for o in self.outcomes if o.plan for f in o.plan.findings]
        return {
            "rules_evaluated": len(self.outcomes), "rules_fired": sum(o.decision.fires for o in self.outcomes),
            "changes_ok": sum(r.status == "ok" for r in results),
            "changes_failed": sum(r.status == "failed" for r in results),
            "findings_failed": sum(f.status == "fail" for f in findings),
            "findings_errored": sum(f.status == "error" for f in findings),
            "rules_limited": sum(bool(o.plan and o.plan.limited) for o in self.outcomes),
            "failed_rules": sorted({o.rule.name for o in self.outcomes if o.failed}),
            "limited_rules": sorted({o.rule.name for o in self.outcomes if o.plan and o.plan.limited}),
            "deferred_rules": list(self.deferred),
            "rejected_records": list(self.rejected),
        }


def held_until(before: datetime | None, decision: Decision, outcome: RuleOutcome, t: datetime) -> datetime | None:
    """When the rule must reconcile for an override: each firing's plan says anew; otherwise it is kept (a
    reconcile held off by a cooldown happens at a later tick)."""
    return outcome.plan.next_expiry(t) if decision.fires and outcome.plan is not None else before


def emf(summary: dict[str, Any]) -> dict[str, Any]:
    """A CloudWatch Embedded Metric Format record for the invocation's totals."""
    names = ["rules_evaluated", "rules_fired", "rules_limited", "changes_ok", "changes_failed", "findings_failed",
             "findings_errored"]
    return emf_document({n: summary[n] for n in names}, int(time.time() * 1000),
                        failed_rules=len(summary["failed_rules"]))


def _now_floor() -> datetime:
    """Only for events that carry no time: the dispatcher's clock, floored to the minute."""
    return datetime.now(timezone.utc).replace(second=0, microsecond=0)
