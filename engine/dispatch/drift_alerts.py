"""`on_drift: notify`: on a tick where a `during` rule does not act, tell its notify target what has drifted.

One message per rule and set of drifted resources: the set is the idempotency record
(`drift#<rule>#<digest of the resources>`, kept a day), so a lingering drift is repeated daily, a new
drifted resource is told at once, and a failed publish is retried by the next tick.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from shiftwork.engine.dispatch.state import State
from shiftwork.engine.language.durations import format_duration
from shiftwork.engine.language.model import Rule, RuleSet
from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.plan.changes import Change
from shiftwork.engine.plan.drift import RuleDrift, drift_rule
from shiftwork.engine.plan.overrides import when
from shiftwork.engine.plan.notice import target_topic
from shiftwork.engine.plan.resources import Resource

REPEAT = timedelta(days=1)
MAX_LISTED = 100


def drift_message(report: RuleDrift, ruleset: RuleSet) -> Change:
    """The SNS publish that says what drifted, since when, and how to put it right."""
    rule, tz = report.rule, report.rule.timezone
    name, topic = target_topic(rule, ruleset, rule.all_actions())
    lines = [f"shiftwork rule '{rule.name}': {len(report.drifted)} resource(s) not in the state the rule wants at "
             f"{when(report.at, tz)} (phase '{report.phase}': {', '.join(report.wants)}).", ""]
    for d in report.drifted[:MAX_LISTED]:
        cost = f", ~{d.instance_hours:.1f} instance-hours" if d.instance_hours is not None else ""
        lines.append(f"  {d.resource.label} ({d.resource.region}) is {d.resource.state}: out of state "
                     f"{format_duration(report.at - d.since)} (since {when(d.since, tz)}: {d.since_source}){cost}; "
                     f"fix: {', '.join(d.fix)}")
    if len(report.drifted) > MAX_LISTED:
        lines.append(f"  ... and {len(report.drifted) - MAX_LISTED} more")
    lines += ["", "The rule acts on its next phase change (or every tick with `enforce: true`); "
              "`shiftwork drift` shows the same list."]
    subject = f"shiftwork: {rule.name}: {len(report.drifted)} drifted"
    res = Resource("sns.topic", topic, topic.split(":")[3], name=name, arn=topic)
    return Change(rule.name, "on_drift", res, "sns", "publish",
                  {"TopicArn": topic, "Subject": subject[:99], "Message": "\n".join(lines) + "\n"},
                  f"drift report to '{name}': {len(report.drifted)} resource(s)")


def report_drift(rule: Rule, t: datetime, *, ruleset: RuleSet, state: State, planning: Any, executor: Any,
                 default_region: str, log: Callable[[dict[str, Any]], None]) -> bool:
    """Tell the rule's notify target about drift at `t` unless already told; True when a message was sent."""
    base = {"rule": rule.name, "location": str(rule.loc), "tick": t, "action": "on_drift"}
    try:
        report = drift_rule(PlanContext(clients=planning, now=t, ruleset=ruleset), rule, default_region)
        if report.errors:
            log({"level": "ERROR", **base, "outcome": "error", "reason": "; ".join(report.errors)})
        if not report.drifted:
            return False
        ids = sorted(f"{d.resource.account or ''}/{d.resource.region}/{d.resource.id}" for d in report.drifted)
        key = f"drift#{rule.name}#{hashlib.sha256(' '.join(ids).encode()).hexdigest()[:16]}"
        if not state.claim(key, t, REPEAT):
            return False
        if rule.shadow:
            log({"level": "INFO", **base, "outcome": "shadow", "resources": ids})
            return False
        results = executor.execute([drift_message(report, ruleset)])
        failed = [r for r in results if r.status not in ("ok", "planned")]
        if failed:
            state.release(key)
            log({"level": "ERROR", **base, "outcome": "failed", "reason": failed[0].reason,
                 "error_code": failed[0].error_code})
            return False
        log({"level": "WARNING", **base, "outcome": "drift reported", "resources": ids})
        return True
    except Exception as exc:  # noqa: BLE001 (a drift report never stops the rules)
        log({"level": "ERROR", **base, "outcome": "error", "reason": f"{type(exc).__name__}: {exc}"})
        return False
