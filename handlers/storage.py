"""Resource types that only backup.validate acts on: EBS volumes, DynamoDB tables, EFS file systems."""
from __future__ import annotations

from engine.actions import Selector
from engine.registry import resource


@resource("ebs.volume", service="ec2", summary="EBS volumes, by tags, ids or Name tag.",
          match=("tags", "ids", "names"), permissions=("ec2:DescribeVolumes",))
class VolumeSelector(Selector):
    resource_type = "ebs.volume"


@resource("dynamodb.table", service="dynamodb", summary="DynamoDB tables, by tags or names.",
          match=("tags", "names"),
          permissions=("dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:ListTagsOfResource"))
class TableSelector(Selector):
    resource_type = "dynamodb.table"


@resource("efs.filesystem", service="efs", summary="EFS file systems, by tags, ids or Name tag.",
          match=("tags", "ids", "names"), permissions=("elasticfilesystem:DescribeFileSystems",))
class FileSystemSelector(Selector):
    resource_type = "efs.filesystem"
