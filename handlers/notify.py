"""notify: one SNS message per rule run summarising what changed."""
from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shiftwork.engine.plan.actions import Action, PlanContext
from shiftwork.engine.plan.changes import Change, Finding, Result, Skip
from shiftwork.engine.errors import ShiftworkError
from shiftwork.engine.language.model import Rule
from shiftwork.engine.language.registry import ANY_RESOURCE, action
from shiftwork.engine.plan.resources import Resource
from shiftwork.engine.schedule.walltime import wall_label

MAX_SUBJECT = 99  # SNS: ASCII, no line breaks, fewer than 100 characters
MAX_MESSAGE_BYTES = 200_000  # SNS takes 256 KB; stay well below it, a person reads this
MAX_LISTED = 50  # resources listed per action and outcome before "... and N more"
MAX_LINE = 400  # characters of one resource line
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[\w-]+(\.fifo)?$")

# (outcome key, heading) in the order they are listed: what needs attention first.
PLAN_OUTCOMES = (("change", "to change"), ("fail", "failed checks"), ("error", "check errors"),
                 ("pass", "passed checks"), ("skip", "skipped"))
RESULT_OUTCOMES = (("failed", "failed"), ("ok", "done"), ("skipped", "not run"))

Entry = tuple[str, str, Resource, str]  # (action, outcome, resource, detail)


class NotifyError(ShiftworkError):
    """A notify action that cannot say where to publish (a bad or undefined target)."""


def topic_region(topic_arn: str) -> str:
    found = TOPIC_ARN.match(topic_arn)
    if not found:
        raise NotifyError(f"'{topic_arn}' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")
    return found.group(1)


def subject_line(text: str) -> str:
    """A subject SNS accepts: printable ASCII on one line, under 100 characters."""
    clean = "".join(ch if " " <= ch <= "~" else "?" for ch in " ".join(text.split()))
    return (clean if len(clean) <= MAX_SUBJECT else clean[:MAX_SUBJECT - 3] + "...") or "shiftwork"


def _planned_entry(item: Change | Skip | Finding) -> Entry:
    if isinstance(item, Change):
        return item.action, "change", item.resource, item.reason
    if isinstance(item, Skip):
        return item.action, "skip", item.resource, item.reason
    detail = item.reason or ", ".join(p for p in (item.check, item.observed and f"observed {item.observed}",
                                                  item.required and f"required {item.required}") if p)
    return item.action, item.status, item.resource, detail


def _result_entry(result: Result) -> Entry:
    change = result.change
    if result.status == "failed":
        detail = f"{change.operation} failed: " + ": ".join(p for p in (result.error_code, result.reason) if p)
    elif result.status == "skipped":
        detail = f"{change.operation} not run: {result.reason}"
    else:
        detail = change.reason
    return change.action, result.status, change.resource, detail


def _one(heading: str) -> str:
    return heading[:-1] if heading.endswith("checks") or heading.endswith("errors") else heading


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _render(rule_name: str, verb: str, entries: list[Entry], outcomes: Sequence[tuple[str, str]],
            at: datetime | None, phase: str | None, tz: str | None = None, description: str = "") -> str:
    """Counts per action and outcome (of resources), then the resources themselves, capped for SNS."""
    # action -> outcome -> resource label -> details, all in first-seen order
    grouped: dict[str, dict[str, dict[str, list[str]]]] = {}
    for act, outcome, res, detail in entries:
        details = grouped.setdefault(act, {}).setdefault(outcome, {}).setdefault(res.label, [])
        if detail and detail not in details:
            details.append(detail)
    headings = dict(outcomes)
    seen = {o for by_outcome in grouped.values() for o in by_outcome}
    order = [key for key, _ in outcomes] + sorted(seen - set(headings))

    def counts(sizes: dict[str, int]) -> str:  # "1 failed check", "2 failed checks"
        return ", ".join(f"{sizes[o]} {_one(headings.get(o, o)) if sizes[o] == 1 else headings.get(o, o)}"
                         for o in order if sizes.get(o))

    totals = {o: sum(len(by_outcome.get(o, {})) for by_outcome in grouped.values()) for o in order}
    when = f" at {at:%Y-%m-%d %H:%M %Z}".rstrip() if at else ""
    if at and tz and tz != "UTC":  # the on-call reads the rule's own time first, as in plan and simulate
        when = f" at {wall_label(at, tz)} ({at:%Y-%m-%d %H:%M} UTC)"
    window = f" (window phase: {phase})" if phase else ""
    lines = [f"shiftwork rule '{rule_name}'{when}{window} {verb}: {counts(totals) or 'nothing to do'}."]
    if description:
        lines.append(" ".join(description.split()))
    for act, by_outcome in grouped.items():
        lines += ["", f"{act}: {counts({o: len(labels) for o, labels in by_outcome.items()})}"]
        for outcome in order:
            labels = by_outcome.get(outcome)
            if not labels:
                continue
            lines.append(f"  {headings.get(outcome, outcome)}:")
            for label, details in list(labels.items())[:MAX_LISTED]:
                lines.append(_clip(f"    {label}: {'; '.join(details)}" if details else f"    {label}", MAX_LINE))
            if len(labels) > MAX_LISTED:
                lines.append(f"    ... and {len(labels) - MAX_LISTED} more")
    return _cap("\n".join(lines) + "\n")


def _cap(text: str) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= MAX_MESSAGE_BYTES:
        return text
    cut = raw[:MAX_MESSAGE_BYTES - 100].decode("utf-8", errors="ignore")
    cut = cut[:cut.rfind("\n") + 1]
    return cut + f"... message truncated ({len(raw) - len(cut.encode('utf-8'))} more bytes)\n"


def summarise(rule_name: str, items: Sequence[Change | Skip | Finding], at: datetime | None = None,
              phase: str | None = None, tz: str | None = None, description: str = "") -> str:
    """What a rule's run plans to do, for a person: counts per action and outcome, then the resources."""
    return _render(rule_name, "plans", [_planned_entry(i) for i in items], PLAN_OUTCOMES, at, phase, tz,
                   description)


def summarise_results(rule_name: str, results: Sequence[Result], at: datetime | None = None,
                      phase: str | None = None, findings: Sequence[Finding] = (), tz: str | None = None,
                      description: str = "") -> str:
    """What a rule's run did once executed: failures first, with the AWS error code; then its checks."""
    entries = [_result_entry(r) for r in results] + [_planned_entry(f) for f in findings]
    outcomes = RESULT_OUTCOMES + tuple(o for o in PLAN_OUTCOMES if o[0] in ("fail", "error", "pass"))
    return _render(rule_name, "ran", entries, outcomes, at, phase, tz, description)


def dedup(topic: str, rule: str, at: datetime, phase: str | None) -> dict[str, str]:
    """A FIFO topic drops a second publish with the same de-duplication id (within 5 minutes), so a retried
    notify of one firing is sent once; standard topics take no id (the work records keep those at most once)."""
    if not topic.endswith(".fifo"):
        return {}
    key = hashlib.sha256(f"{rule}#{at.isoformat()}#{phase or ''}".encode()).hexdigest()
    return {"MessageGroupId": rule, "MessageDeduplicationId": key}


def worth_telling(items: Sequence[Change | Skip | Finding]) -> bool:
    """A message is sent when something changes or a check does not pass; a converged fleet stays quiet."""
    return any(isinstance(i, Change) or (isinstance(i, Finding) and i.status != "pass") for i in items)


@action("notify", resources=[ANY_RESOURCE], permissions=["sns:Publish"], required=("target",),
        options={"target": {"type": "string", "description": "A name from the file's `notify` section."},
                 "subject": {"type": "string", "maxLength": 99}})
class Notify(Action):
    """Publish one summary of the rule's run (what changed, skipped or failed) to an SNS topic.

    Example::

        version: 1
        notify:
          ops: {sns: "arn:aws:sns:eu-west-1:111122223333:ops"}
        rules:
          - name: dev-evening-stop
            resource: ec2.instance
            match: {tags: {env: dev}}
            on: {cron: "0 19 * * mon-fri"}
            actions: [ec2.stop, {type: notify, target: ops}]
    """

    summarises = True  # one message per rule run, planned after the rule's other actions

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        topic = self.topic(ctx)
        region = topic_region(topic)
        planned: Sequence[Any] = ctx.planned
        mine = [i for i in planned if getattr(i, "rule", None) == self.rule.name and i.action != self.action_name]
        if not worth_telling(mine) and not ctx.limited:
            ctx.notes.append(f"rule '{self.rule.name}': notify '{self.options['target']}': nothing changes and "
                             "no check fails; no message")
            return []
        changed = sum(isinstance(i, Change) for i in mine)
        checks = sum(isinstance(i, Finding) and i.status == "fail" for i in mine)
        errors = sum(isinstance(i, Finding) and i.status == "error" for i in mine)  # could not check: not a fail
        subject = subject_line(self.options.get("subject") or f"shiftwork: {self.rule.name}"
                               + (" stopped by limits" if ctx.limited else ""))
        message = summarise(self.rule.name, mine, at=ctx.now, phase=ctx.phase, tz=self.rule.timezone,
                            description=self.rule.description)
        reason = f"notify '{self.options['target']}': summary of " + " and ".join(
            f"{n} {what}{'' if n == 1 else 's'}" for n, what in ((changed, "planned change"), (checks, "failed check"),
                                                                        (errors, "check error"))
            if n)
        if ctx.limited:  # the alert: nothing changed, and the on-call should know why
            message = f"STOPPED BY LIMITS, nothing was changed: {ctx.limited}\n\n{message}"
            reason = f"notify '{self.options['target']}': the rule was stopped by its limits"
        topic_resource = Resource(type="sns.topic", id=topic, region=region, name=self.options["target"], arn=topic)
        return [Change(self.rule.name, self.action_name, topic_resource, "sns", "publish",
                       {"TopicArn": topic, "Subject": subject, "Message": message}, reason)]

    @classmethod
    def after_execution(cls, change: Change, rule: Rule, results: Sequence[Any], findings: Sequence[Finding],
                        at: datetime, phase: str | None) -> Change:
        """The message the on-call gets says what happened (failures first), not what was planned."""
        mine = [r for r in results if isinstance(r, Result) and r.change.rule == rule.name]
        message = summarise_results(rule.name, mine, findings=[f for f in findings if f.rule == rule.name],
                                    at=at, phase=phase, tz=rule.timezone, description=rule.description)
        failed = sum(r.status == "failed" for r in mine)
        reason = change.reason + (f"; {failed} change(s) failed" if failed else "")
        return dataclasses.replace(change, params={**change.params, "Message": message,
                                                   **dedup(change.params["TopicArn"], rule.name, at, phase)},
                                   reason=reason)

    def topic(self, ctx: PlanContext) -> str:
        name = str(self.options.get("target"))
        targets = ctx.ruleset.notify if ctx.ruleset is not None else {}
        if name not in targets:
            defined = ", ".join(sorted(targets)) or "none"
            raise NotifyError(f"rule '{self.rule.name}': notify target '{name}' is not defined under 'notify:' "
                              f"(defined: {defined})")
        return targets[name].sns
