"""A small realistic fleet for `shiftwork demo`, seeded into the embedded AWS.

It matches rules/examples: dev/demo/prod EC2 instances (one opted out), an ETL Auto Scaling group,
ECS services with and without an autoscaling target, staging RDS instances and an Aurora cluster.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from shiftwork.engine.execute.aws import Clients

EU, US = "eu-west-1", "us-east-1"
ACCOUNT = "111122223333"  # the account in rules/examples ARNs; the demo sets MOTO_ACCOUNT_ID to it


@dataclass
class Fleet:
    instances: dict[str, str] = field(default_factory=dict)  # Name -> instance id
    services: dict[str, str] = field(default_factory=dict)  # name -> service ARN
    inboxes: dict[str, str] = field(default_factory=dict)  # notify target -> SQS queue URL subscribed to it


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k.replace("_", ":"), "Value": v} for k, v in tags.items()]


def _instances(clients: Clients, region: str, fleet: Fleet, specs: list[tuple[str, dict[str, str], bool]]) -> None:
    ec2 = clients.client("ec2", region)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    for name, tags, running in specs:
        inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small",
                                 TagSpecifications=[{"ResourceType": "instance",
                                                     "Tags": [{"Key": "Name", "Value": name},
                                                              *[{"Key": k, "Value": v} for k, v in tags.items()]]}],
                                 )["Instances"][0]
        fleet.instances[name] = inst["InstanceId"]
        if not running:
            ec2.stop_instances(InstanceIds=[inst["InstanceId"]])


def _asg(clients: Clients) -> None:
    ec2, asg = clients.client("ec2", EU), clients.client("autoscaling", EU)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.create_launch_template(LaunchTemplateName="etl", LaunchTemplateData={"ImageId": image,
                                                                             "InstanceType": "t3.medium"})
    asg.create_auto_scaling_group(AutoScalingGroupName="etl-workers", MinSize=2, MaxSize=6, DesiredCapacity=3,
                                  LaunchTemplate={"LaunchTemplateName": "etl", "Version": "$Latest"},
                                  AvailabilityZones=[f"{EU}a", f"{EU}b"],
                                  Tags=[{"Key": "team", "Value": "data", "PropagateAtLaunch": True},
                                        {"Key": "tier", "Value": "etl", "PropagateAtLaunch": True}])


def _ecs(clients: Clients, fleet: Fleet) -> None:
    ecs = clients.client("ecs", EU)
    ecs.register_task_definition(family="app", containerDefinitions=[
        {"name": "app", "image": "public.ecr.aws/docker/library/busybox:latest", "memory": 128}])
    for cluster, service, count, tags in (("batch", "worker", 4, {"tier": "worker"}),
                                          ("batch", "reports", 2, {"tier": "worker"}),
                                          ("web", "api", 3, {"tier": "frontend"}),
                                          ("web", "checkout", 4, {"tier": "frontend"})):
        ecs.create_cluster(clusterName=cluster)
        svc = ecs.create_service(cluster=cluster, serviceName=service, taskDefinition="app", desiredCount=count,
                                 tags=[{"key": k, "value": v} for k, v in tags.items()])["service"]
        fleet.services[service] = svc["serviceArn"]
    clients.client("application-autoscaling", EU).register_scalable_target(
        ServiceNamespace="ecs", ResourceId="service/web/api", ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=3, MaxCapacity=12)


def _rds(clients: Clients) -> None:
    rds = clients.client("rds", US)
    rds.create_db_instance(DBInstanceIdentifier="staging-orders", DBInstanceClass="db.t3.medium",
                           Engine="postgres", MasterUsername="admin", MasterUserPassword="not-a-secret-1",
                           AllocatedStorage=20, Tags=[{"Key": "env", "Value": "staging"},
                                                      {"Key": "backup", "Value": "daily"}])
    rds.create_db_cluster(DBClusterIdentifier="staging-ledger", Engine="aurora-postgresql",
                          MasterUsername="admin", MasterUserPassword="not-a-secret-1",
                          Tags=[{"Key": "env", "Value": "staging"}])


def _topics(clients: Clients, fleet: Fleet) -> None:
    """The SNS topics rules/examples notify, each with an SQS inbox so the demo can show the message."""
    sns, sqs = clients.client("sns", EU), clients.client("sqs", EU)
    for name in ("ops", "incidents", "backups-oncall"):
        topic = sns.create_topic(Name=name)["TopicArn"]
        queue = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        fleet.inboxes[name] = queue


def _volumes(clients: Clients) -> None:
    """Two prod data volumes: one snapshotted nightly (encrypted, copied to Frankfurt), one neglected."""
    ec2, frankfurt = clients.client("ec2", EU), clients.client("ec2", "eu-central-1")
    good = ec2.create_volume(AvailabilityZone=f"{EU}a", Size=100, Encrypted=True, TagSpecifications=[
        {"ResourceType": "volume", "Tags": _tags(Name="orders-data", env="prod", role="data")}])["VolumeId"]
    bad = ec2.create_volume(AvailabilityZone=f"{EU}a", Size=100, TagSpecifications=[
        {"ResourceType": "volume", "Tags": _tags(Name="reports-data", env="prod", role="data")}])["VolumeId"]
    for night in range(7):
        snap = ec2.create_snapshot(VolumeId=good, Description=f"nightly {night}")["SnapshotId"]
        if night == 6:
            frankfurt.copy_snapshot(SourceRegion=EU, SourceSnapshotId=snap, Encrypted=True,
                                    Description=f"[Copied {snap} from {EU}]")
    ec2.create_snapshot(VolumeId=bad, Description="manual, once")


def seed(clients: Clients) -> Fleet:
    fleet = Fleet()
    _topics(clients, fleet)
    _volumes(clients)
    _instances(clients, EU, fleet, [
        ("dev-web-1", {"env": "dev", "team": "web"}, True),
        ("dev-web-2", {"env": "dev", "team": "web"}, True),
        ("dev-db-tools", {"env": "dev", "team": "data"}, False),
        ("dev-long-job", {"env": "dev", "team": "data", "shiftwork:skip": "true"}, True),
        ("prod-web-1", {"env": "prod", "team": "web"}, True),
    ])
    _instances(clients, US, fleet, [
        ("demo-sales-1", {"env": "demo"}, True),
        ("demo-sales-2", {"env": "demo"}, True),
    ])
    _asg(clients)
    _ecs(clients, fleet)
    _rds(clients)
    return fleet
