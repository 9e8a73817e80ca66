"""The contract between the engine and handlers: selectors find resources, actions plan changes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Mapping, Protocol, Sequence

from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.errors import NotSupportedYet
from shiftwork.engine.language.model import Account, ActionSpec, Rule, RuleSet
from shiftwork.engine.plan.resources import Resource


class Clients(Protocol):
    """What planning needs of AWS: a client per (service, region, account).

    engine.execute.aws.Clients is the one implementation (a later stage); planning is handed a read-only one.
    """

    def client(self, service: str, region: str, account: Account | None = None) -> Any: ...


@dataclass
class PlanContext:
    """What planning may use: read-only clients, the trigger time, the event (if any)."""

    clients: Clients
    now: datetime  # the trigger time, aware UTC; never the wall clock
    ruleset: RuleSet | None = None
    event: dict[str, Any] | None = None
    phase: str | None = None  # "inside" / "outside" for window rules
    notes: list[str] = field(default_factory=list)
    accounts: Mapping[str, Account] = field(default_factory=dict)  # Resource.account id -> how to reach it
    planned: Sequence[Any] = ()  # for summarising actions: what the rule's other actions planned
    actions: Sequence[ActionSpec] = ()  # the actions this firing will plan (selectors may narrow by them)
    limited: str | None = None  # for summarising actions: why the rule's limits stopped it (then they alert)

    def client_for(self, service: str, resource: Resource) -> Any:
        """The read client for the account and region a selected resource lives in."""
        account = self.accounts.get(resource.account) if resource.account else None
        return self.clients.client(service, resource.region, account)


class Selector:
    """Finds the resources of one type that a rule's `match` selects, in one region and account."""

    resource_type: ClassVar[str]

    @staticmethod
    def states_to_change(ctx: PlanContext, rule: Rule, registry: Any) -> tuple[str, ...] | None:
        """The union of the firing's actions' `acts_on` states, or None when every state must be read.

        None too under `max_percent`: its denominator is every resource the rule matches, converged or not.
        """
        if rule.limits.max_percent is not None:
            return None
        states: set[str] = set()
        for spec in ctx.actions:
            cls = registry.actions[spec.type].cls
            if cls.summarises:
                continue
            if cls.acts_on is None:
                return None
            states.update(cls.acts_on)
        return tuple(sorted(states)) if ctx.actions else None

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        raise NotSupportedYet(f"selecting {self.resource_type} resources is not implemented yet")


class Action:
    """One configured action of one rule. `plan` reads AWS and returns data; it never writes."""

    action_name: ClassVar[str]
    # A summarising action (notify) plans once per rule run, after the others, seeing `ctx.planned`.
    summarises: ClassVar[bool] = False
    # The resource states this action can change (None: it looks at every resource). When every action
    # of a firing says, a selector may ask AWS only for those states: a converged fleet reads ~nothing.
    acts_on: ClassVar[tuple[str, ...] | None] = None

    def __init__(self, spec: ActionSpec, rule: Rule):
        self.spec = spec
        self.rule = rule
        self.options = dict(spec.options)

    @classmethod
    def after_execution(cls, change: Change, rule: Rule, results: Sequence[Any], findings: Sequence[Finding],
                        at: datetime, phase: str | None) -> Change:
        """A summarising action's change, rewritten once the rule's other changes ran (default: unchanged)."""
        return change

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        raise NotSupportedYet(f"action '{self.action_name}' is registered but not implemented yet; "
                              "it made no change")
