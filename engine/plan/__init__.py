"""Stage 4, the plan: what each firing rule would change, as data; reads AWS, never writes.

Owns the contract with the handlers (actions: Selector, Action, PlanContext), selected resources
(resources), the planner (limits, opt-outs, per-rule isolation) and its records (changes: Change, Skip,
Finding, Result; findings: rendering backup findings).

Hands on: `RulePlan` = [Change] + skips + findings (engine.plan.planner), to the execute stage.
"""
