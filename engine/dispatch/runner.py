"""Evaluate a rule set for one trigger and plan (and, for `run`, execute) each firing rule in isolation."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.plan.changes import Result
from shiftwork.engine.schedule.evaluate import Decision
from shiftwork.engine.errors import UsageError
from shiftwork.engine.events.shapes import event_time, is_tick, normalise
from shiftwork.engine.language.model import Rule, RuleSet
from shiftwork.engine.execute.execution import execute_plan
from shiftwork.engine.plan.planner import RulePlan, plan_rule
from shiftwork.engine.events.trigger import At, decide_event, decide_tick


@dataclass
class RuleOutcome:
    """Everything one rule did for one trigger: the decision, the plan, the results."""

    rule: Rule
    at: datetime
    decision: Decision
    plan: RulePlan | None = None
    results: list[Result] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.error or (self.plan and self.plan.errors) or any(r.status == "failed" for r in self.results))


@dataclass(frozen=True)
class Trigger:
    """A tick at a time, or one normalised event."""

    at: At | None = None
    event: dict[str, Any] | None = None

    @classmethod
    def from_event(cls, raw: Any) -> "Trigger":
        """One event; a schedule tick (EventBridge/Scheduler or shiftwork's own) is a tick at the event's time."""
        events = normalise(raw)
        if len(events) != 1:
            raise UsageError(f"the event file holds {len(events)} events; give one at a time")
        event = events[0]
        when = event_time(event)
        if when is None:
            raise UsageError("the event has no 'time'; add one (ISO 8601) so the run is reproducible")
        return cls(at=At(when)) if is_tick(event) else cls(event=event)

    def time_for(self, rule: Rule) -> datetime:
        if self.event is not None:
            when = event_time(self.event)
            if when is None:
                raise UsageError("the event has no 'time'; add one (ISO 8601) so the run is reproducible")
            return when
        assert self.at is not None
        return self.at.for_rule(rule)

    def decide(self, rule: Rule) -> Decision:
        if self.event is not None:
            return decide_event(rule, self.event)
        return decide_tick(rule, self.time_for(rule))


def decide_isolated(rule: Rule, at: datetime, decide: Callable[[Rule], Decision]) -> RuleOutcome:
    """Deciding (matching the event) runs inside the rule's isolation: a failure is this rule's error only."""
    try:
        return RuleOutcome(rule, at, decide(rule))
    except Exception as exc:  # noqa: BLE001 (isolation: report it, keep going)
        return RuleOutcome(rule, at, Decision(rule.name, False, (), None, "could not decide whether the rule fires"),
                           error=f"{type(exc).__name__}: {exc}")


def run_rules(ruleset: RuleSet, trigger: Trigger, clients: Clients, default_region: str,
              only: Sequence[str] = (), executor: Any = None) -> list[RuleOutcome]:
    """Plan every firing rule; execute too when an executor is given. One failing rule never stops the others."""
    outcomes = []
    for rule in ruleset.rules:
        if only and rule.name not in only:
            continue
        at = trigger.time_for(rule)
        outcome = decide_isolated(rule, at, trigger.decide)
        decision = outcome.decision
        outcomes.append(outcome)
        if not decision.fires:
            continue
        ctx = PlanContext(clients=clients, now=at, ruleset=ruleset, event=trigger.event, phase=decision.phase)
        outcome.notes = ctx.notes  # what the handlers noticed (a missing cluster, no message to send)
        try:
            outcome.plan = plan_rule(ctx, rule, decision.actions, default_region)
            if executor is not None and not rule.shadow:  # a limited plan holds only its alert (notify)
                outcome.results = execute_plan(executor, outcome.plan, at, decision.phase)
        except Exception as exc:  # noqa: BLE001 (isolation: report it, keep going)
            outcome.error = f"{type(exc).__name__}: {exc}"
    return outcomes
