"""What AWS documents about each IAM action shiftwork uses: the resource types it can be scoped to.

Facts from the AWS Service Authorization Reference, "Actions, resources, and condition keys for ..."
(https://docs.aws.amazon.com/service-authorization/latest/reference/), the pages for Amazon EC2
(list_amazonec2.html), Amazon RDS (list_amazonrds.html), Amazon ECS (list_amazonelasticcontainerservice.html),
Amazon EC2 Auto Scaling (list_amazonec2autoscaling.html), Application Auto Scaling
(list_applicationautoscaling.html), Amazon SNS (list_amazonsns.html), AWS Backup (list_awsbackup.html),
Amazon DynamoDB (list_amazondynamodb.html), Amazon EFS (list_amazonelasticfilesystem.html), Amazon SQS
(list_amazonsqs.html), Amazon CloudWatch Logs (list_amazoncloudwatchlogs.html) and AWS STS
(list_awssecuritytokenservice.html). An action whose "Resource types" column is empty there takes only
`Resource: "*"`; every resource type listed here also lists the `aws:ResourceTag/${TagKey}` condition key.
"""
from __future__ import annotations

# IAM resource type (as the reference names it) -> its ARN; {name} is the part a rule may narrow.
ARNS = {
    "instance": "arn:{partition}:ec2:{region}:{account}:instance/{name}",
    "db": "arn:{partition}:rds:{region}:{account}:db:{name}",
    "snapshot": "arn:{partition}:rds:{region}:{account}:snapshot:{name}",
    "cluster": "arn:{partition}:rds:{region}:{account}:cluster:{name}",
    "cluster-snapshot": "arn:{partition}:rds:{region}:{account}:cluster-snapshot:{name}",
    "service": "arn:{partition}:ecs:{region}:{account}:service/{cluster}/{name}",
    "ScalableTarget": "arn:{partition}:application-autoscaling:{region}:{account}:scalable-target/{name}",
    "autoScalingGroup": "arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{name}",
    # arn:${Partition}:${Vendor}:${Region}:*:${ResourceType}:${RecoveryPointId}: the vendor is the backed-up
    # service (an EBS snapshot is arn:aws:ec2:REGION::snapshot/ID), so only the region narrows it. Six
    # segments, as an ARN has (cfn-lint E3510); a trailing * matches an empty account too.
    "recoveryPoint": "arn:{partition}:*:{region}:*:*",
    "table": "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    "file-system": "arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{name}",
    "topic": "arn:{partition}:sns:{region}:{account}:{name}",
    "queue": "arn:{partition}:sqs:{region}:{account}:{name}",
    "log-group": "arn:{partition}:logs:{region}:{account}:log-group:{name}",
    "log-stream": "arn:{partition}:logs:{region}:{account}:log-group:{name}:log-stream:*",
    "role": "arn:{partition}:iam::{account}:role/{name}",
}

# IAM action -> the resource types the reference lists for it (only those shiftwork can name); () = none.
RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "ec2:DescribeInstances": (),
    "ec2:DescribeSnapshots": (),
    "ec2:DescribeVolumes": (),
    "ec2:StartInstances": ("instance",),
    "ec2:StopInstances": ("instance",),
    "rds:DescribeDBInstances": ("db",),
    "rds:DescribeDBClusters": ("cluster",),
    "rds:DescribeDBSnapshots": ("db", "snapshot"),
    "rds:DescribeDBClusterSnapshots": ("cluster", "cluster-snapshot"),
    "rds:ListTagsForResource": ("db", "cluster"),
    "rds:StartDBInstance": ("db",),
    "rds:StopDBInstance": ("db",),
    "rds:StartDBCluster": ("cluster",),
    "rds:StopDBCluster": ("cluster",),
    "ecs:ListClusters": (),
    "ecs:ListServices": (),
    "ecs:DescribeServices": ("service",),
    "ecs:ListTagsForResource": ("service",),
    "ecs:UpdateService": ("service",),
    "ecs:TagResource": ("service",),
    "ecs:UntagResource": ("service",),
    "application-autoscaling:DescribeScalableTargets": (),
    "application-autoscaling:RegisterScalableTarget": ("ScalableTarget",),
    "autoscaling:DescribeAutoScalingGroups": (),
    "autoscaling:UpdateAutoScalingGroup": ("autoScalingGroup",),
    "autoscaling:CreateOrUpdateTags": ("autoScalingGroup",),
    "autoscaling:DeleteTags": ("autoScalingGroup",),
    "backup:ListRecoveryPointsByResource": (),
    "backup:ListBackupJobs": (),
    "backup:ListCopyJobs": (),
    "backup:ListRestoreJobsByProtectedResource": (),
    "backup:DescribeRecoveryPoint": ("recoveryPoint",),
    "dynamodb:ListTables": (),
    "dynamodb:ListBackups": (),
    "dynamodb:DescribeTable": ("table",),
    "dynamodb:ListTagsOfResource": ("table",),
    "dynamodb:GetItem": ("table",),
    "dynamodb:PutItem": ("table",),
    "dynamodb:UpdateItem": ("table",),
    "dynamodb:DeleteItem": ("table",),
    "dynamodb:Query": ("table",),
    "elasticfilesystem:DescribeFileSystems": ("file-system",),
    "sns:Publish": ("topic",),
    "sqs:SendMessage": ("queue",),
    "sqs:ReceiveMessage": ("queue",),
    "sqs:DeleteMessage": ("queue",),
    "sqs:GetQueueAttributes": ("queue",),
    "sqs:ChangeMessageVisibility": ("queue",),
    "logs:CreateLogGroup": ("log-group",),
    "logs:CreateLogStream": ("log-stream",),
    "logs:PutLogEvents": ("log-stream",),
    "sts:AssumeRole": ("role",),
}

# Calls shiftwork makes that need no permission: AWS answers them for any principal (the STS reference page).
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})

# API operations an IAM action allows besides its namesake: SQS's batch actions cannot be granted themselves,
# the single action's permission grants them (Amazon SQS Developer Guide, "Amazon SQS batch actions",
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html).
ALSO_ALLOWS: dict[str, tuple[str, ...]] = {
    "sqs:SendMessage": ("SendMessageBatch",),
    "sqs:DeleteMessage": ("DeleteMessageBatch",),
    "sqs:ChangeMessageVisibility": ("ChangeMessageVisibilityBatch",),
}

# The IAM resource types that are (or belong to) a shiftwork resource type: where a rule's scope applies.
SAME_THING: dict[str, frozenset[str]] = {
    "ec2.instance": frozenset({"instance"}),
    "ebs.volume": frozenset(),  # every EC2 read shiftwork makes on volumes has no resource type
    "rds.instance": frozenset({"db", "snapshot"}),
    "rds.cluster": frozenset({"cluster", "cluster-snapshot"}),
    "ecs.service": frozenset({"service", "ScalableTarget"}),
    "asg.group": frozenset({"autoScalingGroup"}),
    "dynamodb.table": frozenset({"table"}),
    "efs.filesystem": frozenset({"file-system"}),
}

# Calls that act on one selected resource (not a listing): they get the rule's tag condition and names,
# because the request names that resource and AWS evaluates aws:ResourceTag against its tags.
ACTS_ON_SELECTED = frozenset({
    "ec2:StartInstances", "ec2:StopInstances",
    "rds:StartDBInstance", "rds:StopDBInstance", "rds:StartDBCluster", "rds:StopDBCluster",
    "ecs:UpdateService", "ecs:TagResource", "ecs:UntagResource",
    "autoscaling:UpdateAutoScalingGroup", "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags",
})
