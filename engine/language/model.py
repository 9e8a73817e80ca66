"""The loaded rule language: frozen dataclasses, each node knowing its file:line:col."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any, Mapping, Union

from shiftwork.engine.errors import Loc
from shiftwork.engine.language.patterns import CompiledPattern, compiled


@dataclass(frozen=True)
class Account:
    id: str
    role: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class Calendar:
    """Days removed from windows: public holidays of a country (and subdivision), explicit dates."""

    name: str
    holidays: str | None = None  # ISO country code for the holidays package, e.g. "GB"
    subdiv: str | None = None  # e.g. "ENG"
    dates: tuple[str, ...] = ()  # "2026-12-24" or "2026-12-24..2027-01-02"
    loc: Loc = field(default=Loc("<none>"), compare=False)


@dataclass(frozen=True)
class NotifyTarget:
    name: str
    sns: str
    loc: Loc = field(default=Loc("<none>"), compare=False)


@dataclass(frozen=True)
class ActionSpec:
    """One action as written: `ec2.stop` or `{type: ecs.scale, desired: 0}`."""

    type: str
    options: Mapping[str, Any]
    loc: Loc = field(compare=False)


@dataclass(frozen=True)
class CronTrigger:
    """`on: {cron: ...}`: fires on each occurrence (edge)."""

    cron: str
    loc: Loc = field(compare=False)


@dataclass(frozen=True)
class EventTrigger:
    """`on: {event: <EventBridge pattern>}`."""

    pattern: Mapping[str, Any]
    loc: Loc = field(compare=False)

    @cached_property
    def compiled(self) -> CompiledPattern:
        """Compiled once (the loader touches it, so a rule set in memory never compiles again)."""
        return compiled(self.pattern)


@dataclass(frozen=True)
class AlarmTrigger:
    """`on: {alarm: name, state: ALARM}`: sugar over a CloudWatch alarm state-change pattern."""

    alarm: str
    state: str
    loc: Loc = field(compare=False)

    def pattern(self) -> dict[str, Any]:
        return {
            "source": ["aws.cloudwatch"],
            "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"alarmName": [{"wildcard": re.sub(r"\*+", "*", self.alarm.replace("\\", "\\\\"))}
                                     if "*" in self.alarm else self.alarm],
                       "state": {"value": [self.state]}},
        }

    @cached_property
    def compiled(self) -> CompiledPattern:
        return compiled(self.pattern())


@dataclass(frozen=True)
class WindowSpec:
    """One window of a `during` trigger, as written (parsed and checked by engine.windows)."""

    days: tuple[str, ...] | None
    hours: str | None
    monthdays: tuple[str, ...] | None
    months: tuple[str, ...] | None
    except_: tuple[Calendar, ...] = ()  # whole local days removed from this window
    loc: Loc = field(default=Loc("<none>"), compare=False)


@dataclass(frozen=True)
class WindowTrigger:
    """`during: ...`: a level trigger; the union of its windows."""

    windows: tuple[WindowSpec, ...]
    loc: Loc = field(compare=False)


Trigger = Union[CronTrigger, EventTrigger, AlarmTrigger, WindowTrigger]


@dataclass(frozen=True)
class Limits:
    max_resources: int | None = None
    max_percent: float | None = None


@dataclass(frozen=True)
class Match:
    """Which resources a rule selects; every given criterion must hold."""

    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key -> accepted values (globs); () = any
    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # globs
    cluster: str | None = None  # ECS cluster name or ARN
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Rule:
    name: str
    resource: str
    match: Match
    trigger: Trigger
    actions: tuple[ActionSpec, ...] = ()  # for on: triggers
    inside: tuple[ActionSpec, ...] = ()  # for during: triggers
    outside: tuple[ActionSpec, ...] = ()
    timezone: str = "UTC"
    regions: tuple[str, ...] = ()
    accounts: tuple[Account, ...] = ()
    enforce: bool = False
    catch_up: timedelta = timedelta(hours=1)
    cooldown: timedelta | None = None
    notice: timedelta | None = None  # heads-up this long before a scheduled stop or scale-down
    on_drift: str | None = None  # "notify": tell the notify target when resources drift from the window's state
    target: str = "match"  # "event": only the resource the event names, in its account and region
    limits: Limits = field(default_factory=Limits)
    shadow: bool = False
    enabled: bool = True
    description: str = ""
    loc: Loc = field(default=Loc("<none>"), compare=False)

    def all_actions(self) -> tuple[ActionSpec, ...]:
        return self.actions + self.inside + self.outside


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    files: tuple[str, ...]
    calendars: Mapping[str, Calendar] = field(default_factory=dict)
    notify: Mapping[str, NotifyTarget] = field(default_factory=dict)
    digest: str = ""  # of the rule files and the schema that accepted them (loader.rules_digest)

    def accounts(self) -> dict[str, Account]:
        """Every account a rule names, by id (how the executor reaches a change's resource)."""
        return {a.id: a for rule in self.rules for a in rule.accounts}

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)
