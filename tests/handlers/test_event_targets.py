"""`target: event`: a rule acts on the resource the event names, in the event's account and region only."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from shiftwork.engine.dispatch.runner import Trigger, run_rules
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.language.loader import check_paths

ACCOUNT = "123456789012"  # moto's account: the Lambda's own
RULES = """
version: 1
regions: [eu-west-1]
rules:
  - name: scale-the-alarmed-service
    resource: ecs.service
    match: {cluster: web}
    target: event
    on: {alarm: "*-cpu-high", state: ALARM}
    actions: [{type: ecs.scale, add: 1, max: 10}]
  - name: restart-stopped-dev
    resource: ec2.instance
    match: {tags: {env: dev}}
    target: event
    on:
      event:
        source: [aws.ec2]
        detail-type: [EC2 Instance State-change Notification]
        detail: {state: [stopped]}
    actions: [ec2.start]
  - name: restop-after-seven-days
    resource: rds.instance
    match: {tags: {env: staging}}
    target: event
    on:
      event:
        source: [aws.rds]
        detail: {EventID: [RDS-EVENT-0154]}
    actions: [rds.stop]
"""


def alarm(service: str, *, region: str = "eu-west-1", account: str = ACCOUNT) -> dict[str, Any]:
    metric = {"namespace": "AWS/ECS", "name": "CPUUtilization",
              "dimensions": {"ClusterName": "web", "ServiceName": service}}
    return {"version": "0", "id": f"a-{service}-{region}-{account}", "source": "aws.cloudwatch",
            "detail-type": "CloudWatch Alarm State Change", "account": account, "region": region,
            "time": "2026-12-21T19:00:00Z",
            "resources": [f"arn:aws:cloudwatch:{region}:{account}:alarm:{service}-cpu-high"],
            "detail": {"alarmName": f"{service}-cpu-high", "state": {"value": "ALARM"},
                       "configuration": {"metrics": [{"id": "m1", "metricStat": {"metric": metric}}]}}}


@pytest.fixture
def ruleset(aws: None, tmp_path: Path):
    ecs = boto3.client("ecs", region_name="eu-west-1")
    ecs.create_cluster(clusterName="web")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    for name in ("api", "worker"):
        ecs.create_service(cluster="web", serviceName=name, taskDefinition="app", desiredCount=2)
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    return check_paths([str(path)]).ruleset


def plan(ruleset, event: dict[str, Any]) -> dict[str, Any]:
    outcomes = run_rules(ruleset, Trigger.from_event(event), Clients(read_only=True), "eu-west-1")
    return {o.rule.name: o for o in outcomes if o.decision.fires}


def test_an_alarm_scales_only_the_service_in_its_dimensions(ruleset) -> None:
    (outcome,) = plan(ruleset, alarm("api")).values()
    assert [c.resource.name for c in outcome.plan.changes] == ["api"]
    (outcome,) = plan(ruleset, alarm("worker")).values()
    assert [c.resource.name for c in outcome.plan.changes] == ["worker"]


@pytest.mark.parametrize("event,why", [
    (alarm("api", region="us-east-1"), "the event is from us-east-1, outside the rule's regions (eu-west-1)"),
    (alarm("api", account="111122223333"), None),
    (alarm("billing"), None),
])
def test_another_region_account_or_service_is_never_acted_on(ruleset, event: dict[str, Any], why: str | None) -> None:
    (outcome,) = plan(ruleset, event).values()
    assert outcome.plan.changes == [] and outcome.plan.errors == []
    if why:
        assert f"rule 'scale-the-alarmed-service': {why}" in outcome.notes


def test_an_ec2_state_change_starts_that_instance_only(ruleset) -> None:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "dev"}]}])["Instances"]]
    ec2.stop_instances(InstanceIds=ids)
    event = {"version": "0", "id": "e-1", "source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification",
             "account": ACCOUNT, "region": "eu-west-1", "time": "2026-12-21T19:00:00Z",
             "resources": [f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/{ids[1]}"],
             "detail": {"instance-id": ids[1], "state": "stopped"}}
    (outcome,) = plan(ruleset, event).values()
    assert [(c.resource.id, c.operation) for c in outcome.plan.changes] == [(ids[1], "StartInstances")]


def test_an_rds_restart_after_seven_days_through_sns_restops_that_database(ruleset) -> None:
    rds = boto3.client("rds", region_name="eu-west-1")
    for name in ("orders", "billing"):
        rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                               MasterUsername="u", MasterUserPassword="password-1", AllocatedStorage=20,
                               Tags=[{"Key": "env", "Value": "staging"}])
    message = {"Event Source": "db-instance", "Event Time": "2026-12-21 19:00:41.123", "Source ID": "orders",
               "Source ARN": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders",
               "Event ID": "http://docs.amazonwebservices.com/AmazonRDS/latest/UserGuide/USER_Events.html"
                           "#RDS-EVENT-0154",
               "Event Message": "DB instance is being started due to it exceeding the maximum allowed time being "
                                "stopped."}
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"MessageId": "s-1", "Message": json.dumps(message)}}]}
    (outcome,) = plan(ruleset, event).values()
    assert [(c.resource.id, c.operation) for c in outcome.plan.changes] == [("orders", "StopDbInstance")]
