"""Turns one firing rule into a plan: select, drop opt-outs, apply limits, let each action plan.

Planning only reads AWS. Every region x account is selected and planned on its own, so a failure
there (no access, an unimplemented action) becomes an entry in `errors` and the rest still plan.

Limits, exactly:
- `max_resources: N`: when more than N resources are in scope (selected, minus opt-outs) across all
  regions and accounts, nothing is planned; checked before any action reads AWS.
- `max_percent: P`: when the resources the plan would change (those with at least one Change) are
  more than P% of the resources selected *before* opt-outs, nothing is planned. So a rule matching
  40 instances with `max_percent: 25` may change 10 of them in one firing, not 11.
Either way `limited` says why, every in-scope resource gets a Skip naming the limit, findings
(read-only checks) are kept, and the rule's summaries (notify) are still planned, with the limit, so
the people the rule reports to hear that it did nothing.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shiftwork.engine.plan.actions import Action, PlanContext
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.errors import NotSupportedYet, aws_error_text
from shiftwork.engine.language.model import Account, ActionSpec, Rule, WindowTrigger
from shiftwork.engine.language.registry import Registry, registered
from shiftwork.engine.plan.overrides import Override, active_override, when
from shiftwork.engine.plan.eventscope import event_scope
from shiftwork.engine.plan.resources import Resource, opt_out


@dataclass
class RulePlan:
    """Everything one rule would do now, and everything it decided not to do."""

    rule: Rule
    actions: tuple[ActionSpec, ...]
    resources: list[Resource] = field(default_factory=list)  # selected, in scope
    changes: list[Change] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)  # opt-out tags, ASG members, limits, already in target state
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # selection/planning errors, per region/account, isolated
    limited: str | None = None  # set when limits stopped the rule: nothing planned, says why
    selected: int = 0  # resources the selectors returned, before opt-outs
    overrides: list[tuple[Resource, Override]] = field(default_factory=list)  # active overrides, in scope or not

    def next_expiry(self, now: datetime) -> datetime | None:
        """The earliest end of an override this plan honoured: when the rule must reconcile again."""
        ends = [o.until for _, o in self.overrides if o.until is not None and o.until > now]
        return min(ends) if ends else None

    @property
    def accounts(self) -> dict[str, Account]:
        """Account id -> Account, for `Executor(clients, accounts)` to reach each change's resource."""
        return {a.id: a for a in self.rule.accounts}


def where(region: str, account: Account | None) -> str:
    return f"{account.id}/{region}" if account else region


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, NotSupportedYet):
        return str(exc)
    return aws_error_text(exc)


def stable(resources: list[Resource]) -> list[Resource]:
    return sorted(resources, key=lambda r: (r.account or "", r.region, r.id))


def plan_rule(ctx: PlanContext, rule: Rule, actions: Sequence[ActionSpec], default_region: str) -> RulePlan:
    """Select the rule's resources everywhere it applies and plan `actions` on them (reads only)."""
    registry = registered()
    plan = RulePlan(rule, tuple(actions))
    ctx = dataclasses.replace(ctx, accounts={**ctx.accounts, **{a.id: a for a in rule.accounts}},
                              actions=tuple(actions))
    scopes: list[tuple[str, Account | None]] = [
        (region, account) for account in (rule.accounts or (None,)) for region in (rule.regions or (default_region,))]
    targeted = event_scope(rule, ctx.event, default_region) if rule.target == "event" else None
    if targeted is not None:
        scopes = targeted.scopes
        if targeted.why:
            ctx.notes.append(f"rule '{rule.name}': {targeted.why}")
    rtype = registry.resources.get(rule.resource)
    if rtype is None or rtype.selector is None:
        plan.errors.append(f"resource type '{rule.resource}' has no selector")
        return plan
    selector = rtype.selector()
    groups: list[list[Resource]] = []
    for region, account in scopes:
        try:
            found = stable(selector.select(ctx, rule, region, account))
            if targeted is not None:
                found = [res for res in found if targeted.keeps(res)]
        except Exception as exc:  # noqa: BLE001 (isolated per region/account, reported, never a silent pass)
            plan.errors.append(f"{where(region, account)}: selecting {rule.resource}: {describe_error(exc)}")
            continue
        plan.selected += len(found)
        group = []
        for res in found:
            held = active_override(res.tags, ctx.now)
            if held is not None:
                plan.overrides.append((res, held))
            reason = opt_out(res, ctx.now)  # skip=true, and the older skip-until in its own words
            if reason is None and held is not None and held.keep is None:
                reason = held.describe(rule.timezone)
            if reason:
                plan.skips.extend(Skip(rule.name, spec.type, res, reason) for spec in actions)
            else:
                group.append(res)
        plan.resources.extend(group)
        if group:
            groups.append(group)

    summaries = [s for s in actions if s.type in registry.actions and registry.actions[s.type].cls.summarises]
    ends = plan.next_expiry(ctx.now)
    if ends is not None:  # plans say when a held resource comes back under the rule
        n = len(plan.overrides)
        then = ("the first tick from then reconciles it" if isinstance(rule.trigger, WindowTrigger)
                else "the rule's firings from then include it")
        ctx.notes.append(f"rule '{rule.name}': {n} resource{'' if n == 1 else 's'} under an override; the first "
                         f"ends {when(ends, rule.timezone)}; {then}")

    limit = rule.limits.max_resources
    if limit is not None and len(plan.resources) > limit:
        why = f"selected {len(plan.resources)} resources, limit max_resources={limit}: did nothing"
        return _alert(ctx, registry, summaries, limited(plan, why))

    for spec in actions:
        if spec in summaries:
            continue
        for group in groups:
            kept = held_back(plan, spec.type)
            plan.skips.extend(Skip(rule.name, spec.type, r, kept[key(r)].describe(rule.timezone))
                              for r in group if key(r) in kept)
            free = [r for r in group if key(r) not in kept]
            if free:
                _plan_action(ctx, plan, registry, spec, free)

    percent = rule.limits.max_percent
    if percent is not None and plan.changes:
        touched = len({(c.resource.account, c.resource.region, c.resource.id) for c in plan.changes})
        if touched * 100 > percent * plan.selected:
            why = (f"would change {touched} of {plan.selected} selected resources "
                   f"({touched * 100 / plan.selected:.0f}%), limit max_percent={percent:g}: did nothing")
            return _alert(ctx, registry, summaries, limited(plan, why))
    if summaries and plan.resources:  # once per rule run, after the limits, seeing everything planned
        seen = dataclasses.replace(ctx, planned=(*plan.changes, *plan.skips, *plan.findings))
        for spec in summaries:
            _plan_action(seen, plan, registry, spec, plan.resources)
    return plan


def key(res: Resource) -> tuple[str, str, str]:
    return (res.account or "", res.region, res.id)


def held_back(plan: RulePlan, action: str) -> dict[tuple[str, str, str], Override]:
    """Resources whose override (with `keep`) keeps this action off them."""
    return {key(res): o for res, o in plan.overrides if o.keep is not None and o.blocks(action)}


def _plan_action(ctx: PlanContext, plan: RulePlan, registry: Registry, spec: ActionSpec,
                 group: Sequence[Resource]) -> None:
    action_type = registry.actions.get(spec.type)
    if action_type is None:
        plan.errors.append(f"action '{spec.type}' is not registered")
        return
    try:
        act: Action = action_type.cls(spec, plan.rule)
        planned = act.plan(ctx, group)
    except Exception as exc:  # noqa: BLE001 (one action/region failing never stops the others)
        first = group[0]
        account = ctx.accounts.get(first.account) if first.account else None
        plan.errors.append(f"{where(first.region, account)}: {spec.type}: {describe_error(exc)}")
        return
    for item in planned:
        if isinstance(item, Change):
            plan.changes.append(item)
        elif isinstance(item, Skip):
            plan.skips.append(item)
        else:
            plan.findings.append(item)


def _alert(ctx: PlanContext, registry: Registry, summaries: Sequence[ActionSpec], plan: RulePlan) -> RulePlan:
    """A limited rule's summaries are planned anyway, told why: the only changes its plan keeps."""
    seen = dataclasses.replace(ctx, planned=(*plan.skips, *plan.findings), limited=plan.limited)
    for spec in summaries:
        _plan_action(seen, plan, registry, spec, plan.resources)
    return plan


def limited(plan: RulePlan, why: str) -> RulePlan:
    """Drop every change; each in-scope resource is reported skipped for the limit."""
    plan.limited = why
    plan.changes = []
    plan.skips = [s for s in plan.skips if s.resource not in plan.resources]  # keep the opt-outs
    plan.skips.extend(Skip(plan.rule.name, spec.type, res, why) for spec in plan.actions for res in plan.resources)
    return plan
