"""Small builders for Rule objects in unit tests (no YAML needed)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import ActionSpec, AlarmTrigger, Calendar, CronTrigger, Match, Rule, WindowSpec, WindowTrigger

UTC = timezone.utc
HERE = Loc("test.yaml", 1, 1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def act(name: str, **options: object) -> ActionSpec:
    return ActionSpec(name, options, HERE)


def cron_rule(cron: str, tz: str = "UTC", name: str = "c", catch_up: timedelta = timedelta(hours=1),
              actions: tuple[ActionSpec, ...] = (), tags: dict | None = None, resource: str = "ec2.instance",
              enabled: bool = True) -> Rule:
    return Rule(name=name, resource=resource, match=Match(tags={k: tuple(v) for k, v in (tags or {}).items()}),
                trigger=CronTrigger(cron, HERE), actions=actions or (act("ec2.stop"),), timezone=tz,
                catch_up=catch_up, enabled=enabled, loc=HERE)


def window_rule(days: str | None, hours: str | None, tz: str = "UTC", name: str = "w",
                calendars: tuple[Calendar, ...] = (), enforce: bool = False, inside: tuple | None = None,
                outside: tuple | None = None, tags: dict | None = None, resource: str = "ec2.instance",
                enabled: bool = True, loc: Loc = HERE) -> Rule:
    spec = WindowSpec((days,) if days else None, hours, None, None, calendars)
    return Rule(name=name, resource=resource, match=Match(tags={k: tuple(v) for k, v in (tags or {}).items()}),
                trigger=WindowTrigger((spec,), HERE),
                inside=(act("ec2.start"),) if inside is None else inside,
                outside=(act("ec2.stop"),) if outside is None else outside,
                timezone=tz, enforce=enforce, enabled=enabled, loc=loc)


def alarm_rule(name: str = "a") -> Rule:
    return Rule(name=name, resource="ec2.instance", match=Match(), trigger=AlarmTrigger("cpu", "ALARM", HERE),
                actions=(act("ec2.start"),), loc=HERE)
