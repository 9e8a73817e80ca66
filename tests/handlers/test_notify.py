"""notify: the summary text, and a publish that reaches an SNS topic's SQS subscriber (moto)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

from shiftwork.engine.plan.actions import PlanContext
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.plan.changes import Change, Finding, Result, Skip
from shiftwork.engine.errors import Loc
from shiftwork.engine.language.model import ActionSpec, CronTrigger, Match, NotifyTarget, Rule, RuleSet
from shiftwork.engine.plan.resources import Resource
from shiftwork.handlers.notify import (MAX_LISTED, MAX_MESSAGE_BYTES, Notify, NotifyError, subject_line, summarise,
                             summarise_results, topic_region)

REGION = "eu-west-1"
NOW = datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)
HERE = Loc("test.yaml", 1, 1)
RULE = "dev-evening-stop"


def instance(ident: str, name: str | None = None) -> Resource:
    return Resource(type="ec2.instance", id=ident, region=REGION, name=name)


def stop(ident: str, name: str | None = None) -> Change:
    return Change(RULE, "ec2.stop", instance(ident, name), "ec2", "stop_instances", {"InstanceIds": [ident]},
                  "outside the window: running -> stopped", batch_param="InstanceIds", batch_size=50)


def notify_rule(**options: Any) -> Rule:
    return Rule(name=RULE, resource="ec2.instance", match=Match(tags={"env": ("dev",)}),
                trigger=CronTrigger("0 19 * * mon-fri", HERE),
                actions=(ActionSpec("ec2.stop", {}, HERE), ActionSpec("notify", {"target": "ops", **options}, HERE)))


def context(clients: Any, topic: str, planned: list[Any] | None) -> PlanContext:
    ruleset = RuleSet(rules=(notify_rule(),), files=("rules.yaml",), notify={"ops": NotifyTarget("ops", topic)})
    ctx = PlanContext(clients=clients, now=NOW, ruleset=ruleset)
    if planned is not None:
        ctx.planned = planned  # type: ignore[attr-defined]  # what the planner gathered for this run
    return ctx


PLANNED = [
    stop("i-0aaa", "web-1"),
    stop("i-0bbb"),
    Skip(RULE, "ec2.stop", instance("i-0ccc", "db"), "tagged shiftwork:skip=true"),
    Skip("other-rule", "ec2.stop", instance("i-0zzz"), "not this rule's"),
]


def test_summary_counts_per_action_and_outcome_and_lists_the_resources() -> None:
    text = summarise(RULE, PLANNED[:3], at=NOW)
    assert text == (
        "shiftwork rule 'dev-evening-stop' at 2026-12-21 19:00 UTC plans: 2 to change, 1 skipped.\n"
        "\n"
        "ec2.stop: 2 to change, 1 skipped\n"
        "  to change:\n"
        "    i-0aaa (web-1): outside the window: running -> stopped\n"
        "    i-0bbb: outside the window: running -> stopped\n"
        "  skipped:\n"
        "    i-0ccc (db): tagged shiftwork:skip=true\n")


def test_summary_merges_several_changes_of_one_resource_and_lists_findings() -> None:
    svc = Resource(type="ecs.service", id="arn:svc/batch/w", region=REGION, name="w")
    items = [Change(RULE, "ecs.scale", svc, "ecs", "tag_resource", {}, "save desired 3"),
             Change(RULE, "ecs.scale", svc, "ecs", "update_service", {}, "scale: desired 3 -> 0"),
             Finding(RULE, "backup.validate", instance("db1"), "fail", check="recency", observed="30h",
                     required="26h")]
    text = summarise(RULE, items)
    assert ("ecs.scale: 1 to change\n  to change:\n"
            "    arn:svc/batch/w (w): save desired 3; scale: desired 3 -> 0\n") in text
    assert "backup.validate: 1 failed check\n  failed checks:\n    db1: recency, observed 30h, required 26h\n" in text
    assert text.startswith("shiftwork rule 'dev-evening-stop' plans: 1 to change, 1 failed check.\n")


def test_summary_is_capped_per_group_and_in_bytes() -> None:
    many = [stop(f"i-{n:05d}") for n in range(MAX_LISTED + 7)]
    text = summarise(RULE, many)
    assert text.count("\n    i-") == MAX_LISTED
    assert text.endswith("    ... and 7 more\n")
    huge = [Change(RULE, f"act-{n}", instance("i-1"), "ec2", "x", {}, "y" * 3000) for n in range(2000)]
    capped = summarise(RULE, huge)
    assert len(capped.encode("utf-8")) <= MAX_MESSAGE_BYTES
    assert "... message truncated (" in capped


def test_results_summary_puts_failures_first_with_the_error_code() -> None:
    ok, bad = stop("i-0aaa"), stop("i-0bbb")
    text = summarise_results(RULE, [Result(ok, "ok"), Result(bad, "failed", "instance is in an ASG",
                                                              "IncorrectInstanceState")])
    assert text == (
        "shiftwork rule 'dev-evening-stop' ran: 1 failed, 1 done.\n"
        "\n"
        "ec2.stop: 1 failed, 1 done\n"
        "  failed:\n"
        "    i-0bbb: StopInstances failed: IncorrectInstanceState: instance is in an ASG\n"
        "  done:\n"
        "    i-0aaa: outside the window: running -> stopped\n")


def test_subject_is_one_ascii_line_under_100_characters() -> None:
    assert subject_line("shiftwork: dev\nstop ✓") == "shiftwork: dev stop ?"
    assert len(subject_line("x" * 300)) == 99
    assert subject_line("x" * 300).endswith("...")


def test_topic_region_and_bad_arn() -> None:
    assert topic_region("arn:aws:sns:us-east-2:111122223333:ops-alerts") == "us-east-2"
    with pytest.raises(NotifyError, match="'ops' is not an SNS topic ARN"):
        topic_region("ops")


def test_undefined_target_is_a_clear_error() -> None:
    r = notify_rule()
    ctx = PlanContext(clients=None, now=NOW, ruleset=RuleSet(rules=(r,), files=(), notify={}))  # type: ignore[arg-type]
    with pytest.raises(NotifyError, match="rule 'dev-evening-stop': notify target 'ops' is not defined under "
                                          r"'notify:' \(defined: none\)"):
        Notify(r.actions[1], r).plan(ctx, [])


def test_nothing_to_report_sends_nothing() -> None:
    r = notify_rule()
    topic = f"arn:aws:sns:{REGION}:123456789012:ops"
    ctx = context(None, topic, [PLANNED[2]])
    assert Notify(r.actions[1], r).plan(ctx, []) == []
    assert ctx.notes == ["rule 'dev-evening-stop': notify 'ops': nothing changes and no check fails; no message"]


def test_publish_reaches_the_topic_subscribers(clients: Clients) -> None:
    sns, sqs = clients.client("sns", REGION), clients.client("sqs", REGION)
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    r = notify_rule(subject="dev fleet stopped")
    ctx = context(Clients(boto3.Session(region_name=REGION), read_only=True), topic, PLANNED)
    planned = Notify(r.actions[1], r).plan(ctx, [])
    assert len(planned) == 1
    change = planned[0]
    assert (change.service, change.call, change.resource.type, change.resource.id, change.resource.region) == (
        "sns", "publish", "sns.topic", topic, REGION)
    assert change.reason == "notify 'ops': summary of 2 planned changes"
    getattr(clients.client(change.service, change.resource.region), change.call)(**change.params)

    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)["Messages"]
    assert len(received) == 1
    envelope = json.loads(received[0]["Body"])
    assert envelope["Subject"] == "dev fleet stopped"
    assert envelope["Message"] == summarise(RULE, PLANNED[:3], at=NOW)
    assert "i-0zzz" not in envelope["Message"]


def test_summary_gives_a_local_rule_its_own_time_first() -> None:
    """An on-call engineer in New York reads 19:00 EST, with UTC beside it, as plan and simulate write it."""
    text = summarise(RULE, PLANNED[:1], at=datetime(2026, 12, 22, 0, 0, tzinfo=timezone.utc), tz="America/New_York")
    assert text.splitlines()[0] == ("shiftwork rule 'dev-evening-stop' at 2026-12-21 Mon 19:00 EST "
                                    "(2026-12-22 00:00 UTC) plans: 1 to change.")


def test_a_run_publishes_what_happened_not_what_was_planned(clients: Clients, load_rules) -> None:
    """After execution the message lists the failures with AWS's error, then what was done."""
    from shiftwork.engine.execute.execution import execute_plan
    from shiftwork.engine.execute.executor import Executor
    from shiftwork.engine.plan.planner import plan_rule

    ec2 = clients.client("ec2", REGION)
    ok, bad = (i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"])
    sns, sqs = clients.client("sns", REGION), clients.client("sqs", REGION)
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    rules = load_rules(f"""
        version: 1
        regions: [{REGION}]
        notify:
          ops: {{sns: "{topic}"}}
        rules:
          - name: dev-evening-stop
            resource: ec2.instance
            match: {{tags: {{env: dev}}}}
            on: {{cron: "0 19 * * *"}}
            actions: [ec2.stop, {{type: notify, target: ops}}]
        """)
    rule = rules.rules[0]
    ctx = PlanContext(clients=Clients(read_only=True), now=NOW, ruleset=rules)
    plan = plan_rule(ctx, rule, rule.actions, REGION)
    # AWS refuses to stop one of them (moto would stop anything): bisection isolates it
    from tests.handlers.test_ec2 import OneInstanceCannotStop

    results = execute_plan(Executor(OneInstanceCannotStop(bad)), plan, NOW)
    assert sorted(r.status for r in results) == ["failed", "ok", "ok"]  # stop bad, stop ok, publish
    body = sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"]
    assert "ran: 1 failed, 1 done." in body
    assert f"{bad}: StopInstances failed: IncorrectInstanceState" in body
    assert body.index("failed:") < body.index("done:")


def test_a_fifo_topic_gets_a_deduplication_id_stable_for_one_firing() -> None:
    from datetime import datetime, timezone

    from shiftwork.handlers.notify import dedup

    at = datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc)
    fifo = "arn:aws:sns:eu-west-1:111122223333:ops.fifo"
    first, retry = dedup(fifo, "dev-stop", at, "outside"), dedup(fifo, "dev-stop", at, "outside")
    assert first == retry and first["MessageGroupId"] == "dev-stop" and len(first["MessageDeduplicationId"]) == 64
    assert dedup(fifo, "dev-stop", at, "inside") != first  # another firing, another id
    assert dedup("arn:aws:sns:eu-west-1:111122223333:ops", "dev-stop", at, None) == {}  # standard topics take none
