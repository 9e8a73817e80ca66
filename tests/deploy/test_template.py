"""The CloudFormation template: cfn-lint finds nothing, and a removed rule removes exactly its resources.

Most tests build the rules as plain data (deploy.rules_view), so they run without the engine; the
ones on `rules/examples/` load real rule files through the engine's loader.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

try:
    from shiftwork.deploy import logical_ids, rules_view, template, triggers
    from shiftwork.deploy.layout import ENV_QUEUE_URL, ENV_RULES, ENV_TABLE, HANDLER
    from shiftwork.deploy.options import FUNCTION_TIMEOUTS, TemplateOptions
except ModuleNotFoundError:  # before the packages move under `shiftwork`
    from deploy import logical_ids, rules_view, template, triggers
    from deploy.layout import ENV_QUEUE_URL, ENV_RULES, ENV_TABLE, HANDLER
    from deploy.options import FUNCTION_TIMEOUTS, TemplateOptions

from_cfnlint = pytest.importorskip("cfnlint.api", reason="cfn-lint is a test dependency")

EXAMPLES = Path(__file__).resolve().parents[2] / "rules" / "examples"
RuleView, RulesView = rules_view.RuleView, rules_view.RulesView
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances"],
     "Resource": "*"}]}


def alarm_pattern(name: str, state: str) -> dict:
    return {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
            "detail": {"alarmName": [name], "state": {"value": [state]}}}


HAND_MADE = RulesView((
    RuleView("dev-office-hours", rules_view.WINDOW),
    RuleView("backups-fresh", rules_view.CRON, notify_topics=("arn:aws:sns:eu-west-1:111122223333:ops",)),
    RuleView("api-scale-out", rules_view.ALARM, alarm_pattern("api-cpu-high", "ALARM"), "api-cpu-high", "ALARM",
             location="rules/scale.yaml:9:5"),
    RuleView("api-scale-in", rules_view.ALARM, alarm_pattern("api-*", "OK"), "api-*", "OK"),
    RuleView("incident-scale-up", rules_view.EVENT,
             {"source": ["acme.incidents"], "detail": {"severity": [{"numeric": [">=", 2]}]}}),
    RuleView("paused-incident", rules_view.EVENT, {"source": ["acme.incidents"]}, enabled=False),
    RuleView("db-1", rules_view.EVENT, {"source": ["acme.db"]}),
    RuleView("db1", rules_view.EVENT, {"source": ["acme.db"]}),
))


def lint(tmpl: dict) -> list[str]:
    """cfn-lint's findings at every level (errors, warnings, informational), as readable lines."""
    config = from_cfnlint.ManualArgs(regions=["eu-west-1", "us-east-1"], include_checks=["I"])
    return [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})"
            for m in from_cfnlint.lint(json.dumps(tmpl, indent=1), config=config)]


@pytest.mark.parametrize("tick", ["scheduler", "eventbridge"])
def test_hand_made_rules_lint_clean(tick: str) -> None:
    tmpl = template.build_template(HAND_MADE, policy=POLICY, options=TemplateOptions(tick=tick))
    assert lint(tmpl) == []


def test_template_is_plain_json_and_deterministic() -> None:
    first = template.build_template(HAND_MADE, policy=POLICY)
    shuffled = RulesView(tuple(reversed(HAND_MADE.rules)))
    assert json.loads(json.dumps(first)) == first
    assert json.dumps(template.build_template(shuffled, policy=POLICY), sort_keys=True) == \
        json.dumps(first, sort_keys=True)


@pytest.mark.parametrize("rule", HAND_MADE.rules, ids=lambda r: r.name)
def test_removing_a_rule_removes_exactly_its_resources(rule: rules_view.RuleView) -> None:
    full = template.build_template(HAND_MADE, policy=POLICY)["Resources"]
    smaller = template.build_template(HAND_MADE.without(rule.name), policy=POLICY)["Resources"]
    removed = set(full) - set(smaller)
    assert removed == (set(triggers.event_rule_ids(rule)) if rule.is_event else set())
    assert set(smaller) <= set(full)
    assert all(smaller[k] == full[k] for k in smaller)  # nothing else changed, not even a property


def test_each_event_rule_has_its_pattern_and_a_permission_for_that_rule_only() -> None:
    tmpl = template.build_template(HAND_MADE, policy=POLICY)
    res = tmpl["Resources"]
    for rule in HAND_MADE.rules:
        owned = template.rule_resources(tmpl, rule.name)
        if not rule.is_event:
            assert owned == []
            continue
        rule_id, permission_id = triggers.event_rule_ids(rule)
        assert sorted(owned) == sorted([rule_id, permission_id])
        assert res[rule_id]["Type"] == "AWS::Events::Rule"
        assert res[rule_id]["Properties"]["EventPattern"] == rule.pattern
        assert res[rule_id]["Properties"]["State"] == ("ENABLED" if rule.enabled else "DISABLED")
        assert res[permission_id]["Properties"]["SourceArn"] == {"Fn::GetAtt": [rule_id, "Arn"]}
    assert res["EventApiScaleOut4c046e8aRule"]["Properties"]["Description"] == \
        "shiftwork rule 'api-scale-out' (rules/scale.yaml:9:5)"


def test_logical_ids_are_stable_alphanumeric_and_keep_names_apart() -> None:
    assert logical_ids.rule_key("api-scale-out") == "ApiScaleOut4c046e8a"  # pinned: a change replaces resources
    assert logical_ids.rule_key("db-1") != logical_ids.rule_key("db1")
    longest = "a" + "-b" * 31 + "c"  # 64 characters, the longest rule name
    ident = logical_ids.logical_id("Event", longest, "Permission")
    assert ident.isalnum() and len(ident) <= logical_ids.MAX_LOGICAL_ID


def test_scheduler_tick_carries_its_scheduled_time_and_may_invoke_only_the_function() -> None:
    res = template.build_template(HAND_MADE, policy=POLICY)["Resources"]
    target = res["TickSchedule"]["Properties"]["Target"]
    assert json.loads(target["Input"]) == {"shiftwork": "tick", "time": "<aws.scheduler.scheduled-time>"}
    assert res["TickSchedule"]["Properties"]["ScheduleExpression"] == {"Fn::Sub": "rate(${TickRate})"}
    statements = res["TickScheduleRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[0]["Action"] == ["lambda:InvokeFunction"]
    assert "TickRule" not in res


def test_eventbridge_tick_is_a_rate_rule_with_its_permission() -> None:
    res = template.build_template(HAND_MADE, policy=POLICY, options=TemplateOptions(tick="eventbridge"))["Resources"]
    assert res["TickRule"]["Properties"]["ScheduleExpression"] == {"Fn::Sub": "rate(${TickRate})"}
    assert res["TickPermission"]["Properties"]["SourceArn"] == {"Fn::GetAtt": ["TickRule", "Arn"]}
    assert "TickSchedule" not in res and "TickScheduleRole" not in res


def test_function_role_table_and_queues() -> None:
    tmpl = template.build_template(HAND_MADE, policy=POLICY, options=TemplateOptions(function_name="ops-rules"))
    res = tmpl["Resources"]
    fn = res["Function"]["Properties"]
    assert fn["Handler"] == HANDLER == "shiftwork.engine.dispatch.lambda_handler.handler"
    assert fn["FunctionName"] == "ops-rules"
    assert res["FunctionLogGroup"]["Properties"]["LogGroupName"] == "/aws/lambda/ops-rules"
    env = fn["Environment"]["Variables"]
    assert env[ENV_TABLE] == {"Ref": "StateTable"} and env[ENV_QUEUE_URL] == {"Ref": "FanOutQueue"}
    assert env[ENV_RULES] == "/var/task/shiftwork_rules"
    assert env["SHIFTWORK_MODELS"] == "/var/task/shiftwork_models"  # engine.execute.models reads it
    policies = {p["PolicyName"]: p["PolicyDocument"] for p in res["FunctionRole"]["Properties"]["Policies"]}
    assert policies["rules"] == POLICY
    logs = next(s for s in policies["dispatcher"]["Statement"] if s["Sid"] == "Logs")
    assert logs["Resource"] == [{"Fn::GetAtt": ["FunctionLogGroup", "Arn"]}]
    table = res["StateTable"]["Properties"]  # engine/state.py DynamoState: key `pk`, TTL `expires`
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    queue = res["FanOutQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": 5}
    visibility = tmpl["Mappings"]["FunctionTimeouts"]
    assert tmpl["Parameters"]["FunctionTimeout"]["AllowedValues"] == [str(t) for t in FUNCTION_TIMEOUTS]
    assert all(visibility[str(t)]["Timeout"] == t for t in FUNCTION_TIMEOUTS)
    assert all(visibility[str(t)]["QueueVisibilityTimeout"] >= 6 * t for t in FUNCTION_TIMEOUTS)
    assert res["FanOutMapping"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert set(tmpl["Outputs"]) == {"FunctionArn", "FunctionRoleArn", "StateTableName", "FanOutQueueUrl",
                                    "DeadLetterQueueUrl"}


def test_alarms_notify_the_topic_only_when_one_is_given() -> None:
    tmpl = template.build_template(HAND_MADE, policy=POLICY)
    for name in ("FunctionErrorsAlarm", "DeadLetterAlarm"):
        assert tmpl["Resources"][name]["Properties"]["AlarmActions"] == \
            {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    assert tmpl["Parameters"]["AlarmTopicArn"]["Default"] == ""


def test_an_empty_rule_policy_is_left_out_and_a_malformed_one_refused() -> None:
    res = template.build_template(HAND_MADE, policy={"Version": "2012-10-17", "Statement": []})["Resources"]
    assert [p["PolicyName"] for p in res["FunctionRole"]["Properties"]["Policies"]] == ["dispatcher"]
    with pytest.raises(ValueError, match="IAM policy document"):
        template.build_template(HAND_MADE, policy={"Statement": "ec2:*"})


def test_bad_options_are_refused_all_at_once() -> None:
    with pytest.raises(ValueError) as err:
        TemplateOptions(tick="cron", timeout=301, tick_rate="1 minutes", function_name="a" * 65)
    for field in ("tick 'cron'", "timeout 301", "tick_rate '1 minutes'", "function_name"):
        assert field in str(err.value)


def test_member_template_trusts_only_the_hub_role_with_the_external_id() -> None:
    tmpl = template.build_member_template("HubRoleArn", "ops-rules", POLICY)
    assert lint(tmpl) == []
    trust = tmpl["Resources"]["MemberRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"AWS": {"Ref": "HubRoleArn"}}, "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"sts:ExternalId": "ops-rules"}}}]
    with pytest.raises(ValueError, match="no statements"):
        template.build_member_template("HubRoleArn", "ops-rules", {"Version": "2012-10-17", "Statement": []})


# -- real rule files --------------------------------------------------------------------------------------------
def _examples(*names: str) -> tuple[rules_view.RulesView, dict]:
    """The view and a policy from the registry, for rule files in rules/examples (needs the engine)."""
    pytest.importorskip("shiftwork.engine.language.loader", reason="the engine's post-move import paths")
    from shiftwork.engine.language.loader import load
    from shiftwork.engine.language.registry import registered

    ruleset = load([str(EXAMPLES / n) for n in names] or [str(EXAMPLES)])
    from shiftwork.deploy.stack_policy import stack_policy

    return rules_view.view(ruleset), stack_policy(ruleset, registered())


@pytest.mark.parametrize("files", [(), ("scale-on-alarm.yaml",), ("office-hours.yaml", "databases.yaml")],
                         ids=["all-examples", "scale-on-alarm", "office-and-databases"])
def test_example_rules_lint_clean(files: tuple[str, ...]) -> None:
    view, policy = _examples(*files)
    assert lint(template.build_template(view, policy=policy)) == []


def test_example_rules_removal_and_view() -> None:
    view, policy = _examples()
    kinds = {r.name: r.kind for r in view.rules}
    assert kinds["api-scale-out"] == "alarm" and kinds["incident-scale-up"] == "event"
    assert kinds["dev-office-hours"] == "window" and kinds["demo-env-friday-stop"] == "cron"
    full = template.build_template(view, policy=policy)["Resources"]
    for rule in view.rules:
        smaller = template.build_template(view.without(rule.name), policy=policy)["Resources"]
        assert set(full) - set(smaller) == (set(triggers.event_rule_ids(rule)) if rule.is_event else set())
        assert all(smaller[k] == full[k] for k in smaller)


def test_role_holds_deploy_policy_without_the_stacks_own_resources() -> None:
    """The `rules` policy is deploy.policy's (one copy); the table, queues and logs are granted by GetAtt instead."""
    view, policy = _examples()
    role = template.build_template(view, policy=policy)["Resources"]["FunctionRole"]["Properties"]
    assert role["Policies"][0] == {"PolicyName": "rules", "PolicyDocument": policy}
    text = json.dumps(policy)
    assert "shiftwork-state" not in text and "shiftwork-fanout" not in text and "log-group" not in text
    assert '"Fn::Sub": "arn:${AWS::Partition}:' in text and '"Fn::Sub": "arn:aws:' not in text
    dispatcher = json.dumps(role["Policies"][1])
    assert '"Fn::GetAtt": ["StateTable", "Arn"]' in dispatcher and "dynamodb:UpdateItem" in dispatcher
