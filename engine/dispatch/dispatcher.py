"""The dispatcher: what the one Lambda (and `shiftwork run`) does with a tick or an event, with state.

Ticks: a tick lock so a duplicate delivery does nothing ("already done"); per rule, a lease so two
overlapping invocations never evaluate one rule at once, then evaluate against the watermark and phase
read under the lease, honour cooldowns, plan, execute through the work journal (each change recorded
before it is written, its outcome after), and advance the state with a conditional write, only forward.
Events: a key per (event identity, rule), held while the work runs and kept as "done" once it completed;
released when it did not, so a retry redoes only what is missing. One failing rule never stops the
others; failures raise at the end so Lambda error metrics and alarms fire. Out of time: stop starting
rules and remember where, so the next invocation starts there (no rule starves).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.errors import ShiftworkError
from shiftwork.engine.schedule.evaluate import Decision, evaluate_tick
from shiftwork.engine.events.shapes import Delivery, deliveries, event_key, event_time, is_tick

from shiftwork.engine.dispatch import fanout
from shiftwork.engine.dispatch.journal import Journal, occurrence_of
from shiftwork.engine.dispatch.sqs import handle_sqs, is_sqs_batch
from shiftwork.engine.dispatch.logs import json_log, log_outcome
from shiftwork.engine.dispatch.metrics import emf, summarise
from shiftwork.engine.dispatch.shards import fan_out, run_shard
from shiftwork.engine.language.model import Rule, RuleSet
from shiftwork.engine.execute.execution import execute_plan
from shiftwork.engine.plan.planner import plan_rule
from shiftwork.engine.dispatch.drift_alerts import report_drift
from shiftwork.engine.dispatch.eventwork import hold
from shiftwork.engine.dispatch.notices import announce
from shiftwork.engine.dispatch.runner import RuleOutcome, decide_isolated
from shiftwork.engine.dispatch.state import RuleState, State
from shiftwork.engine.events.trigger import decide_event, event_index, rule_pattern

__all__ = ["Dispatcher", "DispatchFailed", "json_log"]

TICK_LOCK_TTL = timedelta(minutes=15)  # a Lambda runs at most 15 minutes: a crashed holder frees it by then
RULE_LEASE_TTL = timedelta(minutes=15)
DONE_TTL = timedelta(days=2)
CURSOR_KEY, CURSOR_TTL = "cursor#ticks", timedelta(days=7)
MIN_REMAINING_MS = 15_000  # stop starting new rules when less time than this is left


class DispatchFailed(ShiftworkError):
    """Some rules failed; raised after every rule ran so the Lambda reports an error."""

    def __init__(self, summary: dict[str, Any]):
        failed = ", ".join(summary["failed_rules"])
        super().__init__(f"{len(summary['failed_rules'])} rule(s) failed: {failed}")
        self.summary = summary


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Dispatcher:
    ruleset: RuleSet
    state: State
    planning: Clients  # read-only
    executor: Any  # engine.execute.executor.Executor (or DryRunExecutor for a plan)
    default_region: str
    log: Callable[[dict[str, Any]], None] = json_log
    remaining_ms: Callable[[], int] | None = None
    clock: Callable[[], datetime] = wall_clock  # lease expiry only; decisions use the trigger's time
    event_identity: Callable[[dict[str, Any]], str] = event_key  # its own id (id, SNS message id, alarm ARN+state+time)
    only: tuple[str, ...] = ()  # run only these rules (the CLI's --rule)
    queue: fanout.Queue | None = None  # SHIFTWORK_QUEUE_URL: fan-out shards and continuations
    fanout_threshold: int = fanout.DEFAULT_THRESHOLD
    outcomes: list[RuleOutcome] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # rules not evaluated, and why (for the CLI's report)
    conflicts: list[str] = field(default_factory=list)
    repeated: int = 0
    rejected: list[str] = field(default_factory=list)  # unreadable records of a batch: reported, not acted on

    def handle(self, raw: Any) -> dict[str, Any]:
        self.outcomes, self.deferred, self.busy, self.conflicts, self.repeated = [], [], [], [], 0
        self.skipped, self.rejected = {}, []
        started = time.monotonic()
        sent = self.queue.sent if self.queue else 0
        failures = None
        if is_sqs_batch(raw):
            failures = handle_sqs(self, raw)  # partial failures are reported, not raised
        else:
            for delivery in deliveries(raw):
                self.dispatch(delivery)
        summary = self.summary()
        summary["shards_enqueued"] = (self.queue.sent if self.queue else 0) - sent
        summary["duration_ms"] = int((time.monotonic() - started) * 1000)
        self.log({"level": "WARNING" if summary["deferred_rules"] else "INFO", "message": "dispatch summary",
                  **summary})
        self.log(emf(summary))
        if failures is not None:
            return {**summary, "batchItemFailures": failures}
        if summary["failed_rules"]:
            raise DispatchFailed(summary)
        return summary

    def dispatch(self, delivery: Delivery) -> bool:
        """Run one delivery; False when it could not be read (logged, and listed in `rejected_records`)."""
        if delivery.error or delivery.note:
            self.log({"level": "ERROR" if delivery.error else "INFO", "record": delivery.record,
                      "message": delivery.error or delivery.note})
        if delivery.error:
            self.rejected.append(f"{delivery.record}: {delivery.error}" if delivery.record else delivery.error)
            return False
        event = delivery.event
        if event is None:  # understood, nothing to do (a test notification)
            return True
        if event.get("shiftwork") == "shard":
            self.on_shard(event)
        elif is_tick(event):
            self.tick(event_time(event) or _now_floor())
        else:
            self.on_event(event)
        return True

    def now_floor(self) -> datetime:
        return _now_floor()

    def _rules(self, events: bool) -> list[Rule]:
        return [r for r in self.ruleset.rules if (rule_pattern(r) is not None) == events
                and (not self.only or r.name in self.only)]

    # -- ticks ----------------------------------------------------------------------------------------------
    def tick(self, t: datetime) -> None:
        now = self.clock()
        lock = f"tick#{t.isoformat()}"
        if not self.state.claim(lock, now, TICK_LOCK_TTL):
            done = self.state.holder(lock, now) == "done"
            message = "tick already done" if done else "tick already being handled by another invocation"
            self.log({"level": "INFO", "tick": t, "message": message})
            self.skipped.update({r.name: message for r in self._rules(events=False)})
            return
        rules = self._rotated(self._rules(events=False), now)
        if self.queue is not None and fanout.wide(rules, self.default_region, self.fanout_threshold):
            complete = self._fan_out(t, rules)
            if complete:
                self.state.mark(lock, now, DONE_TTL, "done")
            else:
                self.state.release(lock)
            return
        complete = True
        for n, rule in enumerate(rules):
            if self._out_of_time():
                self.deferred = [r.name for r in rules[n:] if self._pending(r, t)]
                self.skipped.update({name: "out of time: deferred to the next invocation" for name in self.deferred})
                self.state.mark(CURSOR_KEY, now, CURSOR_TTL, rules[n].name)  # the next invocation starts here
                self.log({"level": "WARNING", "tick": t, "message": "out of time: rules deferred to the next "
                          "invocation", "deferred": self.deferred})
                if self.queue is not None and self.deferred:  # the queue's consumer carries on from the cursor
                    self.queue.send([{"shiftwork": "tick", "time": t.isoformat()}])
                break
            complete = self._tick_rule(rule, t) and complete
        if complete and not self.deferred:
            self.state.mark(lock, now, DONE_TTL, "done")
        else:
            self.state.release(lock)  # let the retry (or the next tick) pick up what did not complete

    def _pending(self, rule: Rule, t: datetime) -> bool:
        """Has this rule still to be evaluated for tick `t`? (An unreadable state counts as pending.)"""
        try:
            last = self.state.get(rule.name).last_evaluated
        except Exception:  # noqa: BLE001
            return True
        return last is None or last < t

    def _rotated(self, rules: list[Rule], now: datetime) -> list[Rule]:
        cursor = self.state.holder(CURSOR_KEY, now)
        names = [r.name for r in rules]
        return rules[names.index(cursor):] + rules[:names.index(cursor)] if cursor in names else rules

    def _tick_rule(self, rule: Rule, t: datetime) -> bool:
        """One rule for tick `t` under its lease; True when nothing is left to do for it."""
        lease = f"lease#{rule.name}"
        if not self.state.claim(lease, self.clock(), RULE_LEASE_TTL):
            self.busy.append(rule.name)
            self.skipped[rule.name] = "another invocation is running this rule; the next tick picks it up"
            self.log({"level": "INFO", "rule": rule.name, "tick": t,
                      "message": "another invocation is running this rule; the next tick picks it up"})
            return False
        try:
            try:
                st = self.state.get(rule.name)
                if st.last_evaluated is not None and t <= st.last_evaluated:  # a late or duplicate tick
                    self.skipped[rule.name] = f"already evaluated up to {st.last_evaluated:%Y-%m-%d %H:%M}Z"
                    return True
                decision = evaluate_tick(rule, t, st.last_evaluated, st.last_phase, st.held_until)
                decision = self._cooldown(rule, decision, st.last_fired, t)
            except Exception as exc:  # noqa: BLE001 (unreadable state, a bad rule: that rule only)
                self._error(rule, t, exc)
                return False
            occurrence = occurrence_of(decision, st, t)
            outcome = self._run(rule, decision, t, None, occurrence)
            aside = {"ruleset": self.ruleset, "state": self.state, "planning": self.planning,
                     "executor": self.executor, "default_region": self.default_region, "log": self.log}
            announce(rule, t, **aside)  # heads-up notices (rules with `notice`)
            if rule.on_drift and not decision.fires and not outcome.failed:
                report_drift(rule, t, **aside)
            if outcome.failed:
                return False
            fired = st.last_fired if not decision.fires else t
            phase = decision.phase if decision.phase is not None else st.last_phase
            return self._advance(rule.name, replace(st, last_evaluated=t, last_phase=phase, last_fired=fired,
                                                    held_until=held_until(st.held_until, decision, outcome, t)))
        finally:
            self.state.release(lease)

    def _fan_out(self, t: datetime, rules: list[Rule]) -> bool:
        return fan_out(self, t, rules)

    def on_shard(self, message: dict[str, Any]) -> None:
        run_shard(self, message)

    def _advance(self, name: str, new: RuleState) -> bool:
        """Store the rule's new state; False when it could not be written (the next tick redoes the
        evaluation, and the work records keep its changes from being made twice)."""
        try:
            if self.state.put(name, new):
                return True
        except Exception as exc:  # noqa: BLE001 (the state table throttled or failed: keep the tick retryable)
            self.log({"level": "ERROR", "rule": name, "message": "could not store the rule's state",
                      "reason": f"{type(exc).__name__}: {exc}"})
            return False
        self.conflicts.append(name)
        self.log({"level": "WARNING", "rule": name, "message": "lost a conditional-write race: another "
                  "invocation advanced this rule's state first; not rolling it back"})
        return True

    # -- events ---------------------------------------------------------------------------------------------
    def on_event(self, event: dict[str, Any]) -> None:
        t = event_time(event) or _now_floor()
        event_id = self.event_identity(event)
        candidates = event_index(self.ruleset).candidates(event)  # rules whose source/detail-type can match
        for i, rule in enumerate(self.ruleset.rules):
            if i not in candidates or (self.only and rule.name not in self.only):
                continue
            decided = decide_isolated(rule, t, lambda r: decide_event(r, event))
            decision = decided.decision
            if decided.error:  # this rule's failure only; every other rule still gets the event
                self.outcomes.append(decided)
                log_outcome(self.log, {"rule": rule.name, "location": str(rule.loc), "tick": t}, decided)
                continue
            if not decision.fires:
                continue
            key, now = f"event#{event_id}#{rule.name}", self.clock()
            if not self.state.claim(key, now, RULE_LEASE_TTL):
                held = self.state.holder(key, now)
                message = "event already handled" if held == "done" else "event being handled by another invocation"
                self.log({"level": "INFO", "rule": rule.name, "event": event_id, "message": message})
                self.skipped[rule.name] = f"{message} (event {event_id})"
                continue
            completed = False
            try:
                completed = self._event_rule(rule, decision, t, event, event_id)
            finally:
                if completed:
                    self.state.mark(key, self.clock(), DONE_TTL, "done")
                else:
                    self.state.release(key)  # a retry of this event redoes what is missing

    def _event_rule(self, rule: Rule, decision: Decision, t: datetime, event: dict[str, Any], eid: str) -> bool:
        lease = f"lease#{rule.name}"
        if not self.state.claim(lease, self.clock(), RULE_LEASE_TTL):
            self._error(rule, t, RuntimeError("another invocation is running this rule; retry the event"))
            return False
        try:
            try:
                st = self.state.get(rule.name)
            except Exception as exc:  # noqa: BLE001
                self._error(rule, t, exc)
                return False
            if rule.target != "event":  # a target: event rule cools down per resource (engine/dispatch/eventwork)
                decision = self._cooldown(rule, decision, st.last_fired, t)
            outcome = self._run(rule, decision, t, event, f"event:{eid}")
            if outcome.failed:
                return False
            if decision.fires and (st.last_fired is None or t > st.last_fired):
                self._advance(rule.name, replace(st, last_fired=t))
            return True
        finally:
            self.state.release(lease)

    # -- shared ---------------------------------------------------------------------------------------------
    def _cooldown(self, rule: Rule, decision: Decision, last_fired: datetime | None, t: datetime) -> Decision:
        if decision.fires and rule.cooldown and last_fired and t - last_fired < rule.cooldown:
            wait = last_fired + rule.cooldown
            return replace(decision, fires=False, actions=(),
                           reason=f"in cooldown until {wait:%Y-%m-%d %H:%M}Z ({decision.reason})")
        return decision

    def _error(self, rule: Rule, t: datetime, exc: Exception) -> None:
        outcome = RuleOutcome(rule, t, Decision(rule.name, False, (), None, "not evaluated"),
                              error=f"{type(exc).__name__}: {exc}")
        self.outcomes.append(outcome)
        log_outcome(self.log, {"rule": rule.name, "location": str(rule.loc), "tick": t}, outcome)

    def _run(self, rule: Rule, decision: Decision, t: datetime, event: dict[str, Any] | None,
             occurrence: str) -> RuleOutcome:
        outcome = RuleOutcome(rule, t, decision)
        self.outcomes.append(outcome)
        base = {"rule": rule.name, "location": str(rule.loc), "tick": t}
        self.log({"level": "INFO", **base, "fires": decision.fires, "phase": decision.phase,
                  "reason": decision.reason, "missed": decision.missed})
        if not decision.fires:
            return outcome
        started = time.monotonic()
        held = None
        try:
            ctx = PlanContext(clients=self.planning, now=t, ruleset=self.ruleset, event=event, phase=decision.phase)
            outcome.notes = ctx.notes  # why a rule acted on nothing (target: event outside its regions, ...)
            outcome.plan = plan_rule(ctx, rule, decision.actions, self.default_region)
            if event is not None and not rule.shadow and not outcome.plan.limited:
                held = hold(self.state, rule, outcome.plan, t, self.event_identity(event))  # per-resource cooldown
            if not rule.shadow:  # a limited plan holds only its alert (notify)
                executor = self.executor
                if getattr(executor, "live", True):
                    executor = Journal(executor, self.state, rule.name, occurrence, self.clock)
                outcome.results = execute_plan(executor, outcome.plan, t, decision.phase)
                self.repeated += getattr(executor, "repeated", 0)
            if held is not None:
                held.release_failed(outcome.results)
        except Exception as exc:  # noqa: BLE001 (isolation: one failing rule never stops the others)
            outcome.error = f"{type(exc).__name__}: {exc}"
            if held is not None and not outcome.results:
                held.release_all()  # the executor gave no per-change results: let the retry try every resource
        log_outcome(self.log, {**base, "duration_ms": int((time.monotonic() - started) * 1000)}, outcome)
        return outcome

    def _out_of_time(self) -> bool:
        return self.remaining_ms is not None and self.remaining_ms() < MIN_REMAINING_MS

    def summary(self) -> dict[str, Any]:
        return {**summarise(self.outcomes, self.repeated, self.deferred, self.busy, self.conflicts),
                "rejected_records": list(self.rejected)}


def held_until(before: datetime | None, decision: Decision, outcome: RuleOutcome, t: datetime) -> datetime | None:
    """When the rule must reconcile for an override: each firing's plan says anew; otherwise it is kept (a
    reconcile held off by a cooldown happens at a later tick)."""
    return outcome.plan.next_expiry(t) if decision.fires and outcome.plan is not None else before


def _now_floor() -> datetime:
    """Only for events that carry no time: the dispatcher's clock, floored to the minute."""
    return datetime.now(timezone.utc).replace(second=0, microsecond=0)
