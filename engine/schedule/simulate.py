"""What fires when over a date range: every cron firing and window phase change, per rule, as data.

The timeline is computed from the schedules (occurrences and window intervals), not by stepping a
clock, and equals what the dispatcher's minute ticks would decide with no tick missed. Dates are
local dates in each rule's own timezone; `last` is inclusive (the whole day).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from shiftwork.engine.schedule.cron import schedule
from shiftwork.engine.schedule.jsontext import indented
from shiftwork.engine.errors import Diagnostic
from shiftwork.engine.language.gcpause import gc_paused
from shiftwork.engine.language.model import AlarmTrigger, CronTrigger, EventTrigger, Rule, RuleSet, WindowTrigger
from shiftwork.engine.schedule.walltime import UTC, local, resolve
from shiftwork.engine.schedule.windows import INSIDE, intervals, phase_at, suppressed, transitions

FIRE, PHASE, SUPPRESSED = "fire", "phase", "suppressed"
JSON_VERSION = 1


@dataclass(frozen=True)
class Event:
    """One line of a rule's timeline."""

    kind: str  # FIRE (cron), PHASE (window change), SUPPRESSED (a calendar removed a day's window)
    at: datetime  # UTC
    phase: str | None = None  # the new phase, for PHASE
    actions: tuple[str, ...] = ()
    note: str = ""
    day: date | None = None  # SUPPRESSED: the local day
    calendar: str | None = None  # SUPPRESSED: which calendar
    reason: str | None = None  # SUPPRESSED: why, e.g. "Good Friday"


@dataclass(frozen=True)
class Timeline:
    rule: Rule
    kind: str  # "cron", "window", "event", "alarm"
    start: datetime  # UTC, inclusive: local midnight starting the first day
    end: datetime  # UTC, exclusive: local midnight after the last day
    initial_phase: str | None = None
    events: tuple[Event, ...] = ()
    inside: tuple[tuple[datetime, datetime], ...] = ()  # window rules: merged inside intervals (clipped)
    note: str = ""


@dataclass
class Simulation:
    first: date
    last: date
    timelines: list[Timeline]
    warnings: list[Diagnostic] = field(default_factory=list)


def trigger_kind(rule: Rule) -> str:
    return {CronTrigger: "cron", WindowTrigger: "window", EventTrigger: "event",
            AlarmTrigger: "alarm"}[type(rule.trigger)]


def _names(actions: tuple) -> tuple[str, ...]:
    return tuple(a.type for a in actions)


def rule_timeline(rule: Rule, first: date, last: date, memo: dict[tuple, Timeline] | None = None) -> Timeline:
    """One rule's timeline; with `memo`, rules with the same schedule, timezone and action names share one."""
    tz, kind = rule.timezone, trigger_kind(rule)
    start, end = resolve(tz, first, 0), resolve(tz, last + timedelta(days=1), 0)
    trigger = rule.trigger
    if isinstance(trigger, (EventTrigger, AlarmTrigger)):
        what = f"alarm {trigger.alarm} in state {trigger.state}" if isinstance(trigger, AlarmTrigger) else \
            "matching EventBridge events"
        return Timeline(rule, kind, start, end, note=f"event-driven: fires on {what}, never on the schedule")
    if not rule.enabled:
        return Timeline(rule, kind, start, end, note="disabled (enabled: false): never fires")
    # a trigger's equality ignores where it was written: equal triggers give equal occurrences
    key = (trigger, tz, start, end, _names(rule.actions), _names(rule.inside), _names(rule.outside))
    if memo is not None and key in memo:
        return replace(memo[key], rule=rule)
    timeline = _scheduled(rule, kind, start, end)
    if memo is not None:
        memo[key] = timeline
    return timeline


def _scheduled(rule: Rule, kind: str, start: datetime, end: datetime) -> Timeline:
    """The timeline of an enabled cron or window rule, from its occurrences and window intervals."""
    tz, trigger = rule.timezone, rule.trigger
    if isinstance(trigger, CronTrigger):
        events = []
        for occ in schedule(trigger.cron, tz, start - timedelta(microseconds=1), end - timedelta(microseconds=1)):
            note = f"{occ.wall:%H:%M} does not exist on this day (DST gap): runs at the end of the gap" \
                if occ.shifted else ""
            events.append(Event(FIRE, occ.at, actions=_names(rule.actions), note=note))
        return Timeline(rule, kind, start, end, events=tuple(events))
    assert isinstance(trigger, WindowTrigger)
    events = [Event(PHASE, at, phase=phase, actions=_names(rule.inside if phase == INSIDE else rule.outside))
              for at, phase in transitions(trigger, tz, start, end) if at < end]
    events += [Event(SUPPRESSED, s.at, actions=(), note=f"{s.day} {s.reason} ({s.calendar}): window suppressed",
                     day=s.day, calendar=s.calendar, reason=s.reason)
               for s in suppressed(trigger, tz, start, end)]
    events.sort(key=lambda e: (e.at, e.kind != SUPPRESSED))
    inside = tuple((max(s, start), min(e, end)) for s, e in intervals(trigger, tz, start, end) if s < end and e > start)
    return Timeline(rule, kind, start, end, initial_phase=phase_at(trigger, tz, start), events=tuple(events),
                    inside=inside)


@gc_paused  # thousands of timelines stay alive until rendered: GC passes over them only cost time
def simulate(ruleset: RuleSet, first: date, last: date, names: list[str] | None = None,
             warnings: list[Diagnostic] | None = None) -> Simulation:
    """The timelines of the named rules (all when None), in rule-file order."""
    rules = [r for r in ruleset.rules if names is None or r.name in names]
    memo: dict[tuple, Timeline] = {}  # rule sets repeat schedules: each is computed once
    return Simulation(first, last, [rule_timeline(r, first, last, memo) for r in rules], list(warnings or []))


# -- text and JSON ------------------------------------------------------------------------------------------
def _when(t: datetime, tz: str) -> str:
    lt = local(t, tz)
    return f"{lt:%Y-%m-%d %a %H:%M} {lt.tzname():<5}  ({t:%Y-%m-%d %H:%M} UTC)"


def _idle(phase: str | None) -> str:
    return f"(no '{phase}' actions: nothing runs)"


def render_text(sim: Simulation) -> str:
    lines = [f"simulation {sim.first} .. {sim.last} (whole days, each rule in its own timezone)", ""]
    for tl in sim.timelines:
        rule = tl.rule
        lines.append(f"{rule.name}  [{tl.kind}, {rule.resource}, {rule.timezone}]  {rule.loc}")
        if rule.enforce and not tl.note:
            lines.append("  enforce: the current phase's actions are also re-applied on every tick")
        if tl.note:
            lines += [f"  {tl.note}", ""]
            continue
        if tl.initial_phase:
            acts = _names(rule.inside if tl.initial_phase == INSIDE else rule.outside)
            lines.append(f"  {_when(tl.start, rule.timezone)}  starts {tl.initial_phase:<7}  "
                         + (f"{', '.join(acts)} (on the first tick)" if acts else _idle(tl.initial_phase)))
        for ev in tl.events:
            if ev.kind == SUPPRESSED:
                lines.append(f"  {ev.note}")
            elif ev.kind == PHASE:
                lines.append(f"  {_when(ev.at, rule.timezone)}  -> {ev.phase:<9}  "
                             f"{', '.join(ev.actions) or _idle(ev.phase)}")
            else:
                lines.append(f"  {_when(ev.at, rule.timezone)}  fires       {', '.join(ev.actions)}"
                             + (f"  ({ev.note})" if ev.note else ""))
        if not tl.events:
            lines.append("  nothing fires in this period")
        lines.append("")
    if sim.warnings:
        lines.append("warnings:")
        lines += [f"  {w}" for w in sim.warnings]
    return "\n".join(lines).rstrip() + "\n"


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rule_json(tl: Timeline, events: bool = True) -> dict[str, Any]:
    rule, tz = tl.rule, tl.rule.timezone
    return {
        "name": rule.name, "resource": rule.resource, "trigger": tl.kind, "timezone": tz,
        "enabled": rule.enabled, "enforce": rule.enforce, "file": rule.loc.file, "line": rule.loc.line,
        "start": _iso(tl.start), "end": _iso(tl.end), "initial_phase": tl.initial_phase,
        "note": tl.note or None,
        "events": _events_json(tl) if events else [],  # the last key: to_json_text splices its text in
    }


def _events_json(tl: Timeline) -> list[dict[str, Any]]:
    tz = tl.rule.timezone
    return [{"kind": ev.kind, "utc": _iso(ev.at), "local": local(ev.at, tz).isoformat(), "phase": ev.phase,
             "actions": list(ev.actions), "note": ev.note or None, "date": str(ev.day) if ev.day else None,
             "calendar": ev.calendar, "reason": ev.reason}
            for ev in tl.events]


def _json_doc(sim: Simulation, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": JSON_VERSION, "from": str(sim.first), "to": str(sim.last), "rules": rules,
            "warnings": [{"file": w.loc.file, "line": w.loc.line, "col": w.loc.col, "rule": w.rule,
                          "message": w.message, "text": str(w)} for w in sim.warnings]}


def to_json(sim: Simulation) -> dict[str, Any]:
    """The documented, stable JSON shape (docs/time.md); every key is always present."""
    return _json_doc(sim, [_rule_json(tl) for tl in sim.timelines])


EMPTY_EVENTS_END = '[]\n    }'  # how a rule's text ends with no events, at its depth in the document
RULES_SLOT = '\n  "rules": [],\n'  # where json.dumps(indent=2) puts an empty rule list in _json_doc's document


def to_json_text(sim: Simulation) -> str:
    """`json.dumps(to_json(sim), indent=2)`, encoded one rule at a time.

    The whole document at once held every rule's dict and every encoded fragment in memory together
    (~2 chunks per value): at 5,000 rules that heap made each rule slower to encode than at 1,000.
    Rules are encoded by jsontext.indented, which leaves no garbage cycles behind (json.dumps does), and
    rules sharing a schedule's events (simulate's memo) share their events' text, encoded once.
    """
    head = json.dumps(_json_doc(sim, []), indent=2)
    if not sim.timelines:
        return head
    shared: dict[tuple[int, str], str] = {}  # (id of an events tuple, timezone) -> its text; sim keeps them alive

    def rule_text(tl: Timeline) -> str:
        key = (id(tl.events), tl.rule.timezone)
        if key not in shared:
            shared[key] = indented(_events_json(tl), "      ")
        text = indented(_rule_json(tl, events=False), "    ")
        return "    " + text[:-len(EMPTY_EVENTS_END)] + shared[key] + EMPTY_EVENTS_END[2:]

    rules = ",\n".join(rule_text(tl) for tl in sim.timelines)
    at = head.index(RULES_SLOT)  # the first: no string value can contain a newline, so none can match earlier
    return f'{head[:at]}\n  "rules": [\n{rules}\n  ],\n{head[at + len(RULES_SLOT):]}'
