"""`target: event`: plan only for the resource the event names, in the event's own account and region."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shiftwork.engine.events.targets import Name, is_named, named_resources
from shiftwork.engine.language.model import Account, Rule
from shiftwork.engine.plan.resources import Resource


@dataclass(frozen=True)
class EventScope:
    """Where to look and what to keep; `why` says why there is nothing to do."""

    scopes: list[tuple[str, Account | None]] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    account: str | None = None
    why: str | None = None

    def keeps(self, res: Resource) -> bool:
        """Named by the event, and not in another account (a resource ARN names its account)."""
        arn_account = res.arn.split(":")[4] if res.arn and res.arn.count(":") >= 5 else None
        if self.account and (res.account or arn_account) not in (None, self.account):
            return False
        return is_named(res, self.names)


def event_scope(rule: Rule, event: Mapping[str, Any] | None, default_region: str) -> EventScope:
    """The one (region, account) the event comes from, if the rule may act there, and what it names."""
    if not event:
        return EventScope(why="'target: event' needs an event; nothing to act on")
    names = named_resources(event, rule.resource)
    region, account_id = event.get("region"), event.get("account")
    if not names:
        return EventScope(why=f"the event names no {rule.resource}; nothing to act on")
    if not isinstance(region, str) or not region:
        return EventScope(why="the event has no region; nothing to act on")
    allowed = rule.regions or (default_region,)
    if region not in allowed:
        return EventScope(why=f"the event is from {region}, outside the rule's regions ({', '.join(allowed)})")
    if rule.accounts:
        account = next((a for a in rule.accounts if a.id == account_id), None)
        if account is None:
            return EventScope(why=f"the event is from account {account_id}, not one of the rule's accounts")
        return EventScope([(region, account)], names, account.id)
    return EventScope([(region, None)], names, account_id if isinstance(account_id, str) else None)
