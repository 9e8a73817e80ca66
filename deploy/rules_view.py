"""What deployment needs from a rule set, as plain data: the one place `deploy` touches the rule model.

The template and the package builder see only these frozen records, so they can be tested with
hand-made data and do not change when the rule model does. The model is imported inside the
functions that read it, so importing this module never needs the engine.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CRON, WINDOW, EVENT, ALARM = "cron", "window", "event", "alarm"
EVENT_KINDS = (EVENT, ALARM)  # triggers delivered by an EventBridge rule; the others run on ticks


@dataclass(frozen=True)
class AccountView:
    id: str
    role: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class RuleView:
    """One rule as the deployment sees it: its trigger and the outside things it reaches."""

    name: str
    kind: str  # CRON, WINDOW, EVENT or ALARM
    pattern: Mapping[str, Any] | None = None  # the EventBridge pattern of an EVENT or ALARM rule
    alarm: str | None = None
    state: str | None = None
    accounts: tuple[AccountView, ...] = ()
    notify_topics: tuple[str, ...] = ()  # SNS topic ARNs its actions publish to
    enabled: bool = True
    location: str = ""  # file:line:col, for resource descriptions

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS


@dataclass(frozen=True)
class HolidayCalendar:
    """A `calendars:` entry backed by the holidays package, and used by at least one rule."""

    name: str
    country: str
    subdiv: str | None = None


@dataclass(frozen=True)
class RulesView:
    rules: tuple[RuleView, ...]
    calendars: tuple[HolidayCalendar, ...] = field(default=())
    digest: str = ""  # of the rule files the engine loaded and validated (engine.language.loader.rules_digest)

    def without(self, name: str) -> RulesView:
        """The same view with one rule removed (what a deploy after deleting that rule sees): other rules, so
        no digest."""
        return RulesView(tuple(r for r in self.rules if r.name != name), self.calendars)


def view(ruleset: Any) -> RulesView:
    """Extract a RulesView from a loaded `RuleSet`."""
    return RulesView(tuple(_rule_view(ruleset, rule) for rule in ruleset.rules), holiday_calendars(ruleset),
                     getattr(ruleset, "digest", ""))


def load_view(paths: Sequence[str]) -> RulesView:
    """Load and validate rule files (raising the loader's errors) and extract their view."""
    from shiftwork.engine.language.loader import load

    return view(load(list(paths)))


def holiday_calendars(ruleset: Any) -> tuple[HolidayCalendar, ...]:
    """The holidays-backed calendars that some rule's window actually excludes, sorted by name."""
    from shiftwork.engine.language.model import WindowTrigger

    used: dict[str, HolidayCalendar] = {}
    for rule in ruleset.rules:
        if not isinstance(rule.trigger, WindowTrigger):
            continue
        for window in rule.trigger.windows:
            for calendar in window.except_:
                if calendar.holidays:
                    used[calendar.name] = HolidayCalendar(calendar.name, calendar.holidays, calendar.subdiv)
    return tuple(used[name] for name in sorted(used))


def _rule_view(ruleset: Any, rule: Any) -> RuleView:
    from shiftwork.engine.language.model import AlarmTrigger, CronTrigger, EventTrigger, WindowTrigger

    trigger = rule.trigger
    common: dict[str, Any] = {
        "name": rule.name, "enabled": rule.enabled, "location": str(rule.loc),
        "accounts": tuple(AccountView(a.id, a.role, a.external_id) for a in rule.accounts),
        "notify_topics": _notify_topics(ruleset, rule),
    }
    if isinstance(trigger, AlarmTrigger):
        return RuleView(kind=ALARM, pattern=trigger.pattern(), alarm=trigger.alarm, state=trigger.state, **common)
    if isinstance(trigger, EventTrigger):
        return RuleView(kind=EVENT, pattern=_plain(trigger.pattern), **common)
    if isinstance(trigger, CronTrigger):
        return RuleView(kind=CRON, **common)
    if isinstance(trigger, WindowTrigger):
        return RuleView(kind=WINDOW, **common)
    raise TypeError(f"rule '{rule.name}': unknown trigger {type(trigger).__name__}")


def _notify_topics(ruleset: Any, rule: Any) -> tuple[str, ...]:
    """SNS ARNs named by the rule's actions: `notify` (option `target`) and any action's `notify` option."""
    names: set[str] = set()
    for spec in rule.all_actions():
        if spec.type == "notify" and isinstance(spec.options.get("target"), str):
            names.add(spec.options["target"])
        if isinstance(spec.options.get("notify"), str):
            names.add(spec.options["notify"])
    return tuple(sorted(ruleset.notify[n].sns for n in names if n in ruleset.notify))


def _plain(value: Any) -> Any:
    """Mappings and tuples from the model as dicts and lists, so the template is plain JSON."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value

