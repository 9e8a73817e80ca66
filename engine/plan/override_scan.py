"""Find the overrides in a rule set's scope: every resource its rules select that carries one (reads only)."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from shiftwork.engine.language.model import Account, RuleSet
from shiftwork.engine.language.registry import registered
from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.plan.overrides import Override, read_override
from shiftwork.engine.plan.planner import describe_error, where
from shiftwork.engine.plan.resources import Resource
from shiftwork.engine.schedule.expiry import after_expiry

RECENT = timedelta(hours=24)  # expired overrides are listed this long after they end


@dataclass(frozen=True)
class Held:
    """One override as one rule sees it."""

    rule: str
    timezone: str
    resource: Resource
    override: Override
    active: bool
    then: str  # what the rule does when it ends


def scan(ctx: PlanContext, ruleset: RuleSet, default_region: str, only: Sequence[str] = (),
         recent: timedelta = RECENT) -> tuple[list[Held], list[str]]:
    """Active overrides, and those that ended within `recent` of ctx.now, per rule; plus errors per scope."""
    registry = registered()
    held: list[Held] = []
    errors: list[str] = []
    for rule in ruleset.rules:
        if only and rule.name not in only:
            continue
        rtype = registry.resources.get(rule.resource)
        if rtype is None or rtype.selector is None:
            continue
        selector = rtype.selector()
        rctx = dataclasses.replace(ctx, accounts={**ctx.accounts, **{a.id: a for a in rule.accounts}}, actions=())
        scopes: list[tuple[str, Account | None]] = [
            (r, a) for a in (rule.accounts or (None,)) for r in (rule.regions or (default_region,))]
        for region, account in scopes:
            try:
                found = selector.select(rctx, rule, region, account)
            except Exception as exc:  # noqa: BLE001 (one scope failing never hides the others)
                errors.append(f"rule '{rule.name}': {where(region, account)}: {describe_error(exc)}")
                continue
            for res in sorted(found, key=lambda r: r.id):
                o = read_override(res.tags)
                if o is None:
                    continue
                active = o.active(ctx.now)
                if active or (o.until is not None and ctx.now - o.until <= recent):
                    then = after_expiry(rule, o.until) if o.until is not None else "unknown: the tag is unreadable"
                    held.append(Held(rule.name, rule.timezone, res, o, active, then))
    return held, errors
