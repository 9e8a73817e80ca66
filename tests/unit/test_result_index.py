"""Reports find each change's result through an index: the same answer the old scan over all results gave."""
from __future__ import annotations

import dataclasses
import random

from shiftwork.engine.execute.results import ResultIndex
from shiftwork.engine.plan.changes import Change, Result
from shiftwork.engine.plan.resources import Resource


def _change(rule: str, iid: str, call: str = "stop_instances", state: str = "running", **params) -> Change:
    box = Resource("ec2.instance", iid, "eu-west-1", "111122223333", name=iid, state=state, tags={"env": "dev"})
    return Change(rule, "ec2.stop", box, "ec2", call, {"InstanceIds": [iid], **params}, "running; stopping it")


def _scan(results: list[Result], change: Change) -> Result | None:
    """The lookup the table used to do: every result, compared by equality or by (rule, action, resource, call)."""
    for r in results:
        done = r.change
        if done is change or done == change or (done.rule, done.action, done.resource, done.call) == (
                change.rule, change.action, change.resource, change.call):
            return r
    return None


def test_a_rewritten_summary_finds_the_result_of_its_rewrite() -> None:
    planned = _change("r", "i-1", call="publish", Message="plan")
    sent = dataclasses.replace(planned, params={**planned.params, "Message": "what happened"})
    index = ResultIndex([Result(sent, "failed", "denied", "AccessDenied")])
    assert index.get(planned) == Result(sent, "failed", "denied", "AccessDenied")


def test_a_change_without_a_result_finds_none_and_differing_resources_do_not_match() -> None:
    index = ResultIndex([Result(_change("r", "i-1"), "ok")])
    assert index.get(_change("r", "i-2")) is None
    assert index.get(_change("other", "i-1")) is None
    assert index.get(_change("r", "i-1", state="stopped")) is None  # same id, another state: another resource
    assert index.get(_change("r", "i-1", call="start_instances")) is None


def test_index_agrees_with_the_scan_on_random_results() -> None:
    rng = random.Random(14)
    for _ in range(50):
        changes = [_change(rng.choice("ab"), f"i-{rng.randrange(6)}", rng.choice(("stop_instances", "publish")),
                           rng.choice(("running", "pending")), Hibernate=rng.random() < 0.3) for _ in range(12)]
        results = [Result(c, rng.choice(("ok", "failed")), str(i)) for i, c in enumerate(changes) if rng.random() < .7]
        index = ResultIndex(results)
        probes = changes + [_change("a", f"i-{n}") for n in range(6)]
        assert [index.get(c) for c in probes] == [_scan(results, c) for c in probes]
