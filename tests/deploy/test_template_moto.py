"""The template creates and updates a stack in moto's CloudFormation (in process, no network).

moto 5 creates the function, role, log group, table, queues, event source mapping, EventBridge rules
and permissions; it skips (with a warning) the resource types it does not implement in
CloudFormation, listed in MOTO_SKIPS, and it does not apply the table's TTL or point-in-time recovery.
"""
from __future__ import annotations

import io
import json
import zipfile

import pytest

try:
    from shiftwork.deploy import rules_view, template, triggers
    from shiftwork.deploy.options import TemplateOptions
except ModuleNotFoundError:  # before the packages move under `shiftwork`
    from deploy import rules_view, template, triggers
    from deploy.options import TemplateOptions

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

REGION = "eu-west-1"
MOTO_SKIPS = {"AWS::Scheduler::Schedule", "AWS::CloudWatch::Alarm", "AWS::Lambda::EventInvokeConfig"}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:DescribeInstances"],
                                                  "Resource": "*"}]}
VIEW = rules_view.RulesView((
    rules_view.RuleView("dev-office-hours", rules_view.WINDOW),
    rules_view.RuleView("api-scale-out", rules_view.ALARM, {
        "source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {"alarmName": ["api-cpu-high"], "state": {"value": ["ALARM"]}}}, "api-cpu-high", "ALARM"),
    rules_view.RuleView("incident-scale-up", rules_view.EVENT, {"source": ["acme.incidents"]}),
))
PARAMETERS = [{"ParameterKey": "CodeBucket", "ParameterValue": "code"},
              {"ParameterKey": "CodeKey", "ParameterValue": "shiftwork.zip"}]


def _stack(cf, name: str) -> set[str]:
    return {r["LogicalResourceId"] for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]}


@pytest.mark.filterwarnings("ignore:Tried to parse")
@pytest.mark.parametrize("tick", ["scheduler", "eventbridge"])
def test_stack_creates_and_a_removed_rule_takes_exactly_its_resources(tick: str) -> None:
    options = TemplateOptions(tick=tick)
    full = template.build_template(VIEW, policy=POLICY, options=options)
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="code", CreateBucketConfiguration={"LocationConstraint": REGION})
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("shiftwork/__init__.py", "")
        s3.put_object(Bucket="code", Key="shiftwork.zip", Body=code.getvalue())
        cf = boto3.client("cloudformation", region_name=REGION)
        cf.create_stack(StackName="ops-rules", TemplateBody=json.dumps(full), Parameters=PARAMETERS,
                        Capabilities=["CAPABILITY_IAM"])
        stack = cf.describe_stacks(StackName="ops-rules")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        created = _stack(cf, "ops-rules")
        skipped = {k for k, r in full["Resources"].items() if r["Type"] in MOTO_SKIPS}
        assert set(full["Resources"]) - created <= skipped
        assert {o["OutputKey"] for o in stack["Outputs"]} == set(full["Outputs"])

        fn = boto3.client("lambda", region_name=REGION).get_function(FunctionName=options.function_name)
        assert fn["Configuration"]["Timeout"] == options.timeout
        sqs = boto3.client("sqs", region_name=REGION)
        url = next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "FanOutQueueUrl")
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert int(attributes["VisibilityTimeout"]) == 6 * options.timeout
        assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 5

        smaller = template.build_template(VIEW.without("api-scale-out"), policy=POLICY, options=options)
        cf.update_stack(StackName="ops-rules", TemplateBody=json.dumps(smaller), Parameters=PARAMETERS,
                        Capabilities=["CAPABILITY_IAM"])
        rule_id, permission_id = triggers.event_rule_ids(VIEW.rules[1])
        assert created - _stack(cf, "ops-rules") == {rule_id, permission_id}
        patterns = [r.get("EventPattern") for r in boto3.client("events", region_name=REGION).list_rules()["Rules"]]
        assert json.dumps({"source": ["acme.incidents"]}) in patterns and len([p for p in patterns if p]) == 1
