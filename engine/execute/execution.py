"""Execute one rule's plan: its changes first, then its summaries (notify), rewritten with the results."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from shiftwork.engine.plan.changes import Result
from shiftwork.engine.plan.planner import RulePlan
from shiftwork.engine.language.registry import registered


def execute_plan(executor: Any, plan: RulePlan, at: datetime, phase: str | None = None) -> list[Result]:
    """Run the plan's changes; a summarising action's message is rebuilt from what actually happened.

    The dry-run executor (`live = False`) gets the plan as it is: there are no results to report; nor
    does a plan stopped by its limits, whose only changes are the summaries that say so.
    """
    registry = registered()

    def summarises(change: Any) -> bool:
        kind = registry.actions.get(change.action)
        return kind is not None and kind.cls.summarises

    work = [c for c in plan.changes if not summarises(c)]
    summaries = [c for c in plan.changes if summarises(c)]
    if not summaries or not getattr(executor, "live", True) or plan.limited:
        return executor.execute(plan.changes)
    results = executor.execute(work)
    final = [registry.actions[c.action].cls.after_execution(c, plan.rule, results, plan.findings, at, phase)
             for c in summaries]
    return results + executor.execute(final)
