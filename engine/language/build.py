"""Build the model from schema-valid YAML and run the checks a schema cannot express."""
from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

from shiftwork.engine.language import timecheck
from shiftwork.engine.language.calendarcheck import check_calendar
from shiftwork.engine.language.durations import duration_problem, parse_duration
from shiftwork.engine.errors import Diagnostic
from shiftwork.engine.language.model import (Account, ActionSpec, AlarmTrigger, Calendar, CronTrigger, EventTrigger, Limits, Match,
                          NotifyTarget, Rule, RuleSet, Trigger, WindowSpec, WindowTrigger)
from shiftwork.engine.language.eventtargets import unnameable
from shiftwork.engine.language.patterns import compile_pattern
from shiftwork.engine.language.regions import unknown_region
from shiftwork.engine.language.registry import registered
from shiftwork.engine.language.schemaerrors import diagnostic
from shiftwork.engine.language.suggest import did_you_mean
from shiftwork.engine.language.yamldoc import Document
from shiftwork.engine.language.zonecheck import zone_warning

DEFAULT_TIMEZONE = "UTC"
MIN_NOTICE, MAX_NOTICE = timedelta(minutes=1), timedelta(hours=24)  # MAX_NOTICE: the dispatcher's tick look-ahead


@lru_cache(maxsize=1)
def timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


class Builder:
    """Collects calendars, notify targets and rules across files, with every problem found."""

    def __init__(self) -> None:
        self.registry = registered()
        self.problems: list[Diagnostic] = []
        self.calendars: dict[str, Calendar] = {}
        self.notify: dict[str, NotifyTarget] = {}
        self.rules: list[Rule] = []
        self.rule_locs: dict[str, str] = {}
        self.broken: set[tuple[str, str]] = set()  # (section, name) defined with schema errors: known, not usable
        self.bad: set[tuple] = set()  # the current file's paths with schema errors
        self.bad_above: set[tuple] = set()  # every prefix of those paths (themselves included)
        self.errors_seen = (0, 0)  # (problems counted, errors among them): error_count reads only new ones

    def set_bad(self, bad: set[tuple]) -> None:
        self.bad = set(bad)
        self.bad_above = {p[:k] for p in self.bad for k in range(len(p) + 1)}

    def hit(self, path: tuple) -> bool:
        """The value at path, or one of its parents, failed the schema: its shape is unknown."""
        return bool(self.bad) and any(path[:k] in self.bad for k in range(len(path) + 1))

    def dirty(self, path: tuple) -> bool:
        """Something at or below path failed the schema (already reported)."""
        return path in self.bad_above

    def error_count(self) -> int:
        """Errors so far; called for every rule, so it counts only what was added since the last call."""
        counted, errors = self.errors_seen
        errors += sum(self.problems[i].severity == "error" for i in range(counted, len(self.problems)))
        self.errors_seen = (len(self.problems), errors)
        return errors

    def error(self, doc: Document, path: tuple, message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(diagnostic(doc, path, message, hint, key=key))

    # -- file level -------------------------------------------------------------------------------------------
    def collect_shared(self, doc: Document, bad: set[tuple] = frozenset()) -> None:
        self.set_bad(bad)
        for section in ("calendars", "notify"):
            if not self.hit((section,)):
                self.broken.update((section, name) for name in doc.data.get(section) or {}
                                   if self.dirty((section, name)))
        calendars = {} if self.hit(("calendars",)) else doc.data.get("calendars") or {}
        notify = {} if self.hit(("notify",)) else doc.data.get("notify") or {}
        for name, spec in calendars.items():
            if ("calendars", name) in self.broken:
                continue
            cal = Calendar(name, spec.get("holidays"), spec.get("subdiv"), _tuple(spec.get("dates")),
                           doc.loc(("calendars", name), key=True))
            for sub, message, hint in check_calendar(cal):
                self.error(doc, ("calendars", name) + sub, message, hint)
            self._add_shared(doc, "calendars", self.calendars, name, cal)
        for name, spec in notify.items():
            if ("notify", name) in self.broken:
                continue
            target = NotifyTarget(name, spec["sns"], doc.loc(("notify", name), key=True))
            self._add_shared(doc, "notify", self.notify, name, target)

    def _add_shared(self, doc: Document, section: str, table: dict, name: str, item: Any) -> None:
        first = table.get(name)
        if first is not None and first != item:
            what = {"calendars": "calendar", "notify": "notify target"}[section]
            self.error(doc, (section, name), f"{what} '{name}' is defined differently at {first.loc}; "
                                             "names are shared by all rule files", key=True)
        table.setdefault(name, item)

    def check_timezone(self, doc: Document, path: tuple, name: str) -> bool:
        if name in timezones():
            if (problem := zone_warning(name)) is not None:
                self.problems.append(diagnostic(doc, path, *problem, severity="warning"))
            return True
        self.error(doc, path, f"unknown timezone '{name}'", did_you_mean(name, timezones()) or
                   "use an IANA name such as Europe/London or America/New_York")
        return False

    def check_regions(self, doc: Document, path: tuple, regions: Sequence[str]) -> None:
        for i, region in enumerate(regions):
            if (problem := unknown_region(region)) is not None:
                self.problems.append(diagnostic(doc, path + (i,), *problem, severity="warning"))

    # -- rules --------------------------------------------------------------------------------------------------
    def build_file(self, doc: Document, bad: set[tuple]) -> None:
        """Check every rule, also in a file with schema errors (those parts are skipped, already reported)."""
        self.set_bad(bad)
        data = doc.data
        tz = DEFAULT_TIMEZONE if self.dirty(("timezone",)) else data.get("timezone", DEFAULT_TIMEZONE)
        self.check_timezone(doc, ("timezone",), tz)
        accounts = () if self.dirty(("accounts",)) else data.get("accounts") or ()
        defaults = {"timezone": tz, "regions": () if self.dirty(("regions",)) else tuple(data.get("regions") or ()),
                    "accounts": tuple(Account(a["id"], a.get("role"), a.get("external_id")) for a in accounts)}
        self.check_regions(doc, ("regions",), defaults["regions"])
        for i, raw in enumerate([] if self.hit(("rules",)) else data.get("rules") or []):
            at = ("rules", i)
            if self.hit(at):
                continue  # not a mapping
            if not self.dirty(at + ("regions",)):
                self.check_regions(doc, at + ("regions",), raw.get("regions") or ())
            self.check_unique_name(doc, at, raw)
            rule = self.build_rule(doc, at, raw, defaults)
            if rule is not None:
                self.rules.append(rule)

    def check_unique_name(self, doc: Document, at: tuple, raw: dict[str, Any]) -> None:
        name = raw.get("name")
        if self.dirty(at + ("name",)) or not isinstance(name, str):
            return
        first = self.rule_locs.get(name)
        if first:
            self.error(doc, at + ("name",), f"duplicate rule name '{name}' (first defined at {first}); "
                                            "names must be unique across all rule files")
        else:
            self.rule_locs[name] = str(doc.loc(at))

    def build_rule(self, doc: Document, at: tuple, raw: dict[str, Any], defaults: dict[str, Any]) -> Rule | None:
        before = self.error_count()
        resource = None if self.dirty(at + ("resource",)) else raw["resource"]
        tz = raw.get("timezone", defaults["timezone"])
        if "timezone" in raw and not self.dirty(at + ("timezone",)):
            self.check_timezone(doc, at + ("timezone",), tz)
        trigger = self.build_trigger(doc, at, raw)
        match = Match()
        if resource is not None and "match" not in raw and raw.get("target") != "event":
            self.no_match(doc, at, raw, resource, defaults)  # `target: event` is a scope: what the event names
        elif resource is not None and not self.dirty(at + ("match",)):
            match = self.build_match(doc, at, raw.get("match") or {}, resource)
        actions, inside, outside = (), (), ()
        if not self.hit(at + ("actions",)):
            actions, inside, outside = self.build_actions(doc, at, raw, trigger, resource)
        if trigger is not None and raw.get("enforce") is True and not isinstance(trigger, WindowTrigger):
            self.error(doc, at + ("enforce",), "'enforce' applies only to 'during' rules", key=True)
        if trigger is not None and "catch_up" in raw and not isinstance(trigger, CronTrigger):
            self.error(doc, at + ("catch_up",), "'catch_up' applies only to 'on: {cron: ...}' rules", key=True)
        for field in ("catch_up", "cooldown"):
            if isinstance(raw.get(field), str) and (problem := duration_problem(raw[field])):
                self.error(doc, at + (field,), problem)
        if trigger is not None and "notice" in raw and not self.dirty(at + ("notice",)):
            self.check_notice(doc, at, raw, trigger, inside + outside + actions)
        if trigger is not None and "on_drift" in raw and not self.dirty(at + ("on_drift",)):
            self.check_on_drift(doc, at, trigger, inside + outside + actions)
        if raw.get("target") == "event" and trigger is not None and resource is not None:
            self.check_target(doc, at, trigger, resource)
        if self.error_count() != before or trigger is None or resource is None or self.dirty(at):
            return None
        accounts = defaults["accounts"]
        if "accounts" in raw:
            accounts = tuple(Account(a["id"], a.get("role"), a.get("external_id")) for a in raw["accounts"])
        limits = raw.get("limits") or {}
        return Rule(
            name=raw["name"], resource=resource, match=match, trigger=trigger,
            actions=actions, inside=inside, outside=outside, timezone=tz,
            regions=tuple(raw.get("regions") or defaults["regions"]), accounts=accounts,
            enforce=bool(raw.get("enforce", False)),
            catch_up=parse_duration(raw["catch_up"]) if "catch_up" in raw else timedelta(hours=1),
            cooldown=parse_duration(raw["cooldown"]) if "cooldown" in raw else None,
            notice=parse_duration(raw["notice"]) if "notice" in raw else None, on_drift=raw.get("on_drift"),
            target=raw.get("target", "match"),
            limits=Limits(limits.get("max_resources"), limits.get("max_percent")),
            shadow=bool(raw.get("shadow", False)), enabled=bool(raw.get("enabled", True)),
            description=raw.get("description", ""), loc=doc.loc(at),
        )

    def check_notice(self, doc: Document, at: tuple, raw: dict[str, Any], trigger: Trigger,
                     specs: tuple[ActionSpec, ...]) -> None:
        """`notice`: schedule rules only, between a minute and the dispatcher's look-ahead, with a notify target."""
        path = at + ("notice",)
        if not isinstance(trigger, (CronTrigger, WindowTrigger)):
            self.error(doc, path, "'notice' applies only to schedule rules ('on: {cron: ...}' or 'during')",
                       "an event cannot be announced before it happens", key=True)
            return
        notice = parse_duration(raw["notice"])
        if not MIN_NOTICE <= notice <= MAX_NOTICE:
            hours = int(MAX_NOTICE.total_seconds() // 3600)
            self.error(doc, path, f"notice {raw['notice']} is not between 1m and {hours}h",
                       f"the dispatcher looks {hours}h ahead on each tick")
        self.need_notify(doc, at, "notice", specs, "the heads-up")

    def check_on_drift(self, doc: Document, at: tuple, trigger: Trigger, specs: tuple[ActionSpec, ...]) -> None:
        """`on_drift`: `during` rules only (only they want a state), with a notify target."""
        if not isinstance(trigger, WindowTrigger):
            self.error(doc, at + ("on_drift",), "'on_drift' applies only to 'during' rules",
                       "only a window says which state a resource should be in", key=True)
            return
        self.need_notify(doc, at, "on_drift", specs, "the drift report")

    def need_notify(self, doc: Document, at: tuple, field: str, specs: tuple[ActionSpec, ...], what: str) -> None:
        if not self.hit(at + ("actions",)) and not any(s.type == "notify" for s in specs):
            self.error(doc, at + (field,), f"'{field}' needs a notify action in the rule: it says where {what} goes",
                       "add {type: notify, target: NAME} to the actions", key=True)
    def check_target(self, doc: Document, at: tuple, trigger: Trigger, resource: str) -> None:
        if not isinstance(trigger, (EventTrigger, AlarmTrigger)):
            self.error(doc, at + ("target",), "'target: event' applies only to event and alarm rules", key=True)
        elif (why := unnameable(trigger.compiled, resource)) is not None:
            self.error(doc, at + ("target",), why)

    def build_trigger(self, doc: Document, at: tuple, raw: dict[str, Any]) -> Trigger | None:
        on, during = raw.get("on"), raw.get("during")
        if "on" not in raw and "during" not in raw:
            self.error(doc, at, "no trigger", "add 'on:' (cron, event or alarm) or 'during:' (a time window)")
            return None
        if "on" in raw and "during" in raw:
            self.error(doc, at + ("during",), "a rule has exactly one trigger: both 'on' and 'during' are given",
                       "split it into two rules", key=True)
            return None
        if "during" in raw:
            return None if self.hit(at + ("during",)) else self.build_window(doc, at + ("during",), during)
        if self.dirty(at + ("on",)):
            return None
        kinds = [k for k in ("cron", "event", "alarm") if k in on]
        if len(kinds) != 1:
            self.error(doc, at + ("on",), "'on' takes exactly one of cron, event or alarm"
                       + (f", not {' and '.join(kinds)} together" if kinds else ""),
                       "split it into two rules" if kinds else None)
            return None
        if "state" in on and kinds != ["alarm"]:
            self.error(doc, at + ("on", "state"), "'state' applies only to 'alarm' triggers", key=True)
            return None
        loc = doc.loc(at + ("on",))
        if kinds == ["cron"]:
            for sub, message, hint in timecheck.check_cron(on["cron"]):
                self.error(doc, at + ("on", "cron") + sub, message, hint)
            return CronTrigger(on["cron"], loc)
        if kinds == ["event"]:
            return self.build_event(doc, at + ("on", "event"), on["event"], loc)
        trigger = AlarmTrigger(on["alarm"], on.get("state", "ALARM"), loc)
        trigger.compiled  # noqa: B018 (compiled once, at load)
        return trigger

    def build_event(self, doc: Document, at: tuple, pattern: dict[str, Any], loc: Any) -> EventTrigger | None:
        """Check the pattern as EventBridge would, each problem at its operator; keep it compiled."""
        compiled, problems = compile_pattern(pattern)
        for p in problems:
            self.problems.append(diagnostic(doc, at + p.path, p.message, p.hint, key=p.key, severity=p.severity))
        if compiled is None:
            return None
        trigger = EventTrigger(pattern, loc)
        trigger.__dict__["compiled"] = compiled  # the cached property, filled from this one compilation
        return trigger

    def build_window(self, doc: Document, at: tuple, during: Any) -> WindowTrigger | None:
        items = during if isinstance(during, list) else [during]
        windows = []
        for j, item in enumerate(items):
            path = at + (j,) if isinstance(during, list) else at
            if self.hit(path):
                continue
            if self.dirty(path):  # schema errors inside: still check the calendar names
                self.window_calendars(doc, path, item)
                continue
            if not any(k in item for k in ("days", "hours", "monthdays", "months")):
                self.error(doc, path, "empty window", "give at least one of days, hours, monthdays, months")
                continue
            for sub, message, hint in timecheck.check_window(item):
                self.error(doc, path + sub, message, hint)
            windows.append(WindowSpec(
                days=_tuple(item["days"]) if "days" in item else None, hours=item.get("hours"),
                monthdays=_tuple(item["monthdays"]) if "monthdays" in item else None,
                months=_tuple(item["months"]) if "months" in item else None,
                except_=self.window_calendars(doc, path, item), loc=doc.loc(path)))
        return WindowTrigger(tuple(windows), doc.loc(at))

    def window_calendars(self, doc: Document, path: tuple, item: dict[str, Any]) -> tuple[Calendar, ...]:
        if self.dirty(path + ("except",)):
            return ()
        cals = []
        for k, name in enumerate(_tuple(item.get("except"))):
            if name in self.calendars:
                cals.append(self.calendars[name])
            elif ("calendars", name) not in self.broken:
                where = path + ("except", k) if isinstance(item.get("except"), list) else path + ("except",)
                known = set(self.calendars) | {n for s, n in self.broken if s == "calendars"}
                self.error(doc, where, f"unknown calendar '{name}'",
                           did_you_mean(name, known) or
                           (f"defined calendars: {', '.join(sorted(known))}" if known
                            else "define it under 'calendars:' at the top of a rule file"))
        return tuple(cals)

    def no_match(self, doc: Document, at: tuple, raw: dict[str, Any], resource: str,
                 defaults: dict[str, Any]) -> None:
        """A rule without `match` would act on the whole fleet of its type: say how much, and how to say so."""
        regions = () if self.dirty(at + ("regions",)) else tuple(raw.get("regions") or defaults["regions"])
        where = (f"in {', '.join(regions)}" if regions
                 else "in the region it runs in (the Lambda's own, or --region)")
        accounts = [a["id"] for a in raw.get("accounts") or [] if isinstance(a, dict) and "id" in a]
        accounts = accounts or [a.id for a in defaults["accounts"]]
        of = f" of account{'s' if len(accounts) > 1 else ''} {', '.join(accounts)}" if accounts else ""
        *first, last = self.registry.resources[resource].match
        fields = f"{', '.join(first)} or {last}" if first else last
        self.error(doc, at + ("resource",), f"no 'match': this rule would act on every {resource}{of} {where}",
                   f"select by {fields} under 'match:', or write 'match: {{all: true}}' if every one is meant",
                   key=True)

    def build_match(self, doc: Document, at: tuple, raw: dict[str, Any], resource: str) -> Match:
        allowed = self.registry.resources[resource].match
        if raw.get("all") is True and len(raw) > 1:
            self.error(doc, at + ("match", "all"), "'all: true' selects every resource; it cannot be combined "
                       f"with {', '.join(k for k in raw if k != 'all')}", "remove 'all' or the other fields",
                       key=True)
        for key in raw:
            if key not in allowed and key != "all":
                self.error(doc, at + ("match", key), f"match field '{key}' does not apply to {resource}",
                           f"{resource} matches by {', '.join(allowed)}", key=True)
        tags = {k: _tuple(v) for k, v in (raw.get("tags") or {}).items()}
        return Match(tags=tags, ids=_tuple(raw.get("ids")), names=_tuple(raw.get("names")),
                     cluster=raw.get("cluster"), raw=raw)

    def build_actions(self, doc: Document, at: tuple, raw: dict[str, Any], trigger: Trigger | None,
                      resource: str | None):
        acts = raw["actions"]
        windowed = isinstance(trigger, WindowTrigger)
        if trigger is not None and windowed and isinstance(acts, list):
            self.error(doc, at + ("actions",), "a 'during' rule lists its actions under 'inside:' and/or 'outside:'")
            return (), (), ()
        if trigger is not None and not windowed and isinstance(acts, dict):
            self.error(doc, at + ("actions",), "'inside'/'outside' are only for 'during' rules; "
                                               "give a list of actions")
            return (), (), ()
        if isinstance(acts, list):
            return self._specs(doc, at + ("actions",), acts, resource), (), ()
        return ((), self._specs(doc, at + ("actions", "inside"), acts.get("inside") or [], resource),
                self._specs(doc, at + ("actions", "outside"), acts.get("outside") or [], resource))

    def _specs(self, doc: Document, at: tuple, items: list[Any], resource: str | None) -> tuple[ActionSpec, ...]:
        from shiftwork.engine.language.actioncheck import check_action  # option rules a schema cannot say

        if self.hit(at):
            return ()
        targets = {**self.notify, **{n: None for s, n in self.broken if s == "notify"}}
        specs = []
        for j, item in enumerate(items):
            path = at + (j,)
            if self.dirty(path):
                continue
            name = item if isinstance(item, str) else item["type"]
            options = {} if isinstance(item, str) else {k: v for k, v in item.items() if k != "type"}
            kind = self.registry.actions[name]
            if resource is not None and not kind.applies_to(resource):
                self.error(doc, path if isinstance(item, str) else path + ("type",),
                           f"action '{name}' does not apply to {resource}",
                           f"actions for {resource}: {', '.join(self.registry.actions_for(resource))}")
                continue
            for sub, message, hint in check_action(name, options, targets):
                self.error(doc, path + sub, message, hint)
            specs.append(ActionSpec(name, options, doc.loc(path)))
        return tuple(with_notify_summaries(specs))


def with_notify_summaries(specs: list[ActionSpec]) -> list[ActionSpec]:
    """An action's own `notify: TARGET` option means one summary per rule run: a `notify` action at the end."""
    targets = {s.options.get("target") for s in specs if s.type == "notify"}
    extra = []
    for spec in specs:
        target = spec.options.get("notify") if spec.type != "notify" else None
        if isinstance(target, str) and target not in targets:
            targets.add(target)
            extra.append(ActionSpec("notify", {"target": target}, spec.loc))
    return specs + extra


def build_ruleset(docs: list[tuple[Document, set[tuple]]]) -> tuple[RuleSet, list[Diagnostic]]:
    builder = Builder()
    for doc, bad in docs:
        builder.collect_shared(doc, bad)
    for doc, bad in docs:
        builder.build_file(doc, bad)
    ruleset = RuleSet(tuple(builder.rules), tuple(doc.file for doc, _ in docs), dict(builder.calendars),
                      dict(builder.notify))
    return ruleset, builder.problems
