"""`shiftwork saved`: the capacities scale-downs saved, across the rules' fleet, with when, by whom and age."""
from __future__ import annotations

import json

import boto3

from shiftwork.engine.cli.main import main
from shiftwork.engine.plan.capacity import SAVED_TAG

RULES = """version: 1
regions: [eu-west-1]
rules:
  - name: batch-off
    resource: ecs.service
    match: {cluster: batch}
    on: {cron: "0 20 * * *"}
    actions: [{type: ecs.scale, desired: 0}]
  - name: workers-off
    resource: asg.group
    match: {tags: {tier: worker}}
    on: {cron: "0 20 * * *"}
    actions: [{type: asg.scale, min: 0, desired: 0, max: 0}]
"""


def test_saved_lists_each_tagged_resource_once_with_its_age(aws, tmp_path, capsys) -> None:
    ecs = boto3.client("ecs", region_name="eu-west-1")
    ecs.create_cluster(clusterName="batch")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    for name, tag in (("worker", "desired=4 at=2026-12-20T20:00Z rule=batch-off"), ("idle", None),
                      ("broken", "desired=\u00b3")):
        tags = [{"key": SAVED_TAG, "value": tag}] if tag else []
        ecs.create_service(cluster="batch", serviceName=name, taskDefinition="app", desiredCount=0, tags=tags)
    asg = boto3.client("autoscaling", region_name="eu-west-1")
    asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-12c6146b", InstanceType="t3.micro")
    asg.create_auto_scaling_group(AutoScalingGroupName="workers", LaunchConfigurationName="lc", MinSize=0,
                                  DesiredCapacity=0, MaxSize=0, AvailabilityZones=["eu-west-1a"], Tags=[
                                      {"Key": "tier", "Value": "worker", "PropagateAtLaunch": False},
                                      {"Key": SAVED_TAG, "Value": "min=1 desired=2 max=4 at=2026-12-21T19:30Z "
                                       "rule=workers-off", "PropagateAtLaunch": False}])
    (tmp_path / "rules.yaml").write_text(RULES)
    code = main(["saved", str(tmp_path / "rules.yaml"), "--at", "2026-12-22T08:00Z", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    by_name = {e["name"]: e for e in report["saved"]}
    assert set(by_name) == {"worker", "broken", "workers"}
    assert (by_name["worker"]["saved"], by_name["worker"]["saved_by"], by_name["worker"]["age"]) == (
        "desired 4", "batch-off", "1d 12h")
    assert by_name["workers"]["saved"] == "min 1 / desired 2 / max 4" and by_name["workers"]["age"] == "12h 30m"
    assert "unreadable" in by_name["broken"]["error"]
    assert code == 1  # an unreadable tag needs a person
    main(["saved", str(tmp_path / "rules.yaml"), "--at", "2026-12-22T08:00Z"])
    lines = capsys.readouterr().out.splitlines()
    assert "ecs.service worker (eu-west-1): desired 4; saved 2026-12-20T20:00Z by batch-off, 1d 12h ago" in lines
    assert lines[-1] == "3 saved capacities"
