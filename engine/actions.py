"""The contract between the engine and handlers: selectors find resources, actions plan changes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Mapping, Sequence

from engine.aws import Clients
from engine.changes import Change, Finding, Skip
from engine.errors import NotSupportedYet
from engine.model import Account, ActionSpec, Rule, RuleSet
from engine.resources import Resource


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

    def client_for(self, service: str, resource: Resource) -> Any:
        """The read client for the account and region a selected resource lives in."""
        account = self.accounts.get(resource.account) if resource.account else None
        return self.clients.client(service, resource.region, account)


class Selector:
    """Finds the resources of one type that a rule's `match` selects, in one region and account."""

    resource_type: ClassVar[str]

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        raise NotSupportedYet(f"selecting {self.resource_type} resources is not implemented yet")


class Action:
    """One configured action of one rule. `plan` reads AWS and returns data; it never writes."""

    action_name: ClassVar[str]
    # A summarising action (notify) plans once per rule run, after the others, seeing `ctx.planned`.
    summarises: ClassVar[bool] = False

    def __init__(self, spec: ActionSpec, rule: Rule):
        self.spec = spec
        self.rule = rule
        self.options = dict(spec.options)

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        raise NotSupportedYet(f"action '{self.action_name}' is registered but not implemented yet; "
                              "it made no change")
