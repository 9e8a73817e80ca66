"""Conflict checks compare only rules that may overlap: the same warnings as checking every pair of rules."""
from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import Account, Match, Rule, RuleSet
from shiftwork.engine.schedule.conflicts import (MESSAGE_START, _clash, find_conflicts, overlap_keys, rules_disjoint,
                                                 segments)
from shiftwork.engine.schedule.overlap import candidate_pairs, may_overlap
from shiftwork.engine.schedule.walltime import wall_label
from tests.unit.ruletools import act, cron_rule, utc, window_rule

START = utc("2027-03-22 00:00")
DAYS = 7
RESOURCES = ("ec2.instance", "rds.instance", "ecs.service")
TAG_VALUES = {"env": ("dev", "prod", "test", "d*", "pr?d"), "team": ("web", "data", "ops"), "tier": ("a", "b")}


def _values(rng: random.Random, choices: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(rng.sample(choices, rng.choice((0, 1, 1, 1, 2))))


def random_match(rng: random.Random) -> Match:
    tags = {k: _values(rng, v) for k, v in TAG_VALUES.items() if rng.random() < 0.5}
    ids = _values(rng, ("i-1", "i-2", "i-3")) if rng.random() < 0.2 else ()
    names = _values(rng, ("web-1", "web-*", "db-1", "db-[12]")) if rng.random() < 0.2 else ()
    cluster = rng.choice((None, None, "batch", "web", "arn:aws:ecs:eu-west-1:1:cluster/web"))
    return Match(tags=tags, ids=ids, names=names, cluster=cluster)


def random_rule(rng: random.Random, n: int) -> Rule:
    resource = rng.choice(RESOURCES)
    verb = rng.choice(("start", "stop"))
    family = resource.split(".")[0]
    if rng.random() < 0.5:
        minute, hour = rng.choice((0, 30)), rng.choice((7, 8, 12, 19))
        rule = cron_rule(f"{minute} {hour} * * {rng.choice(('*', 'mon-fri', 'fri'))}", name=f"r{n}",
                         actions=(act(f"{family}.{verb}"),), resource=resource)
    else:
        days = rng.choice(("mon-fri", "sat-sun", "wed"))
        hours = rng.choice(("08:00-19:00", "18:00-22:00", "20:00-07:00", None))
        inside = (act(f"{family}.{verb}"),)
        outside = rng.choice(((), (act(f"{family}.{'stop' if verb == 'start' else 'start'}"),)))
        rule = window_rule(days, hours, name=f"r{n}", inside=inside, outside=outside, resource=resource)
    regions = tuple(rng.sample(("eu-west-1", "us-east-1", "eu-central-1"), rng.choice((0, 0, 1, 2))))
    accounts = tuple(Account(a) for a in rng.sample(("111111111111", "222222222222"), rng.choice((0, 0, 1))))
    return dataclasses.replace(rule, match=random_match(rng), regions=regions, accounts=accounts,
                               loc=Loc(f"f{n % 3}.yaml", n + 1, 5))


def all_pairs(rules: list[Rule]) -> list[tuple[str | None, str]]:
    """The oracle: every pair of probed rules, in order, through the per-pair checks."""
    end = START + timedelta(days=DAYS)
    probed = [(r, s) for r in rules if (s := segments(r, START, end))]
    out = []
    for i, (a, sa) in enumerate(probed):
        for b, sb in probed[i + 1:]:
            clash = None if rules_disjoint(a, b) else _clash(sa, sb)
            if clash is not None:
                at, what_a, what_b = clash[0], sa[clash[1]][3], sb[clash[2]][3]
                out.append((b.name, f"{MESSAGE_START} '{a.name}' ({a.loc}): both may select the same {b.resource} "
                                    f"resources and drive them opposite ways: {what_b} here, {what_a} there, first "
                                    f"at {wall_label(at, b.timezone)}"))
    return out


def test_grouped_conflicts_equal_all_pairs_on_random_rule_sets() -> None:
    rng = random.Random(14)
    warned = 0
    for size in (5, 30, 80, 150):
        for _ in range(4):
            rules = [random_rule(rng, n) for n in range(size)]
            found = [(d.rule, d.message) for d in find_conflicts(RuleSet(tuple(rules), ("t.yaml",)), START, DAYS)]
            assert found == all_pairs(rules)
            warned += len(found)
    assert warned > 100  # the random sets do clash, so the comparison says something


def test_disjoint_keys_mean_disjoint_rules() -> None:
    """What the grouping relies on: rules whose keys share nothing in some dimension never select the same."""
    rng = random.Random(9)
    rules = [random_rule(rng, n) for n in range(300)]
    keys = [overlap_keys(r) for r in rules]
    for i in range(0, 300, 3):
        for j in range(300):
            if not may_overlap(keys[i], keys[j]):
                assert rules_disjoint(rules[i], rules[j]), (rules[i].match, rules[j].match)


def test_candidate_pairs_are_exactly_the_overlapping_pairs() -> None:
    rng = random.Random(3)
    for size in (0, 1, 13, 200):
        keys = [overlap_keys(random_rule(rng, n)) for n in range(size)]
        expected = [(i, j) for i in range(size) for j in range(i + 1, size) if may_overlap(keys[i], keys[j])]
        assert candidate_pairs(keys) == expected
