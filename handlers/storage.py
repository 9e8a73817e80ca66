"""Resource types that only backup.validate acts on: EBS volumes, DynamoDB tables, EFS file systems."""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from shiftwork.engine.plan.actions import PlanContext, Selector
from shiftwork.engine.language.model import Account, Match, Rule
from shiftwork.engine.language.registry import resource
from shiftwork.engine.plan.resources import Resource, name_matches, tags_match

MAX_PAGES = 1000  # a bound on every paginated listing; far above any real fleet
GONE_VOLUME_STATES = frozenset({"deleting", "deleted"})
GONE_TABLE_STATES = frozenset({"DELETING"})
GONE_FS_STATES = frozenset({"deleting", "deleted"})


def partition_of(region: str) -> str:
    """The ARN partition of a region (aws, aws-cn, aws-us-gov)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def pages(client: Any, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page of a paginated read, bounded by MAX_PAGES."""
    for count, page in enumerate(client.get_paginator(operation).paginate(**params)):
        if count >= MAX_PAGES:
            raise RuntimeError(f"{operation} returned more than {MAX_PAGES} pages; stopped to stay bounded")
        yield page


def tag_dict(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """AWS [{Key, Value}] tag lists as a plain mapping."""
    return {t["Key"]: t.get("Value", "") for t in tags or ()}


def ec2_filters(match: Match) -> list[dict[str, Any]]:
    """Server-side EC2 filters for a `match`: tag:KEY (globs are EC2 wildcards), tag-key, ids, Name."""
    filters: list[dict[str, Any]] = []
    for key, values in match.tags.items():
        if values:
            filters.append({"Name": f"tag:{key}", "Values": list(values)})
        else:
            filters.append({"Name": "tag-key", "Values": [key]})
    if match.names:
        filters.append({"Name": "tag:Name", "Values": list(match.names)})
    return filters


def selected(match: Match, id_: str, name: str | None, tags: Mapping[str, str]) -> bool:
    """The exact client-side test every selector applies after any server-side filtering."""
    if match.ids and id_ not in match.ids:
        return False
    return tags_match(tags, match.tags) and name_matches(name, match.names)


def account_id(ctx: PlanContext, region: str, account: Account | None) -> str:
    """The account being read: the configured one, else whoever the credentials belong to."""
    if account is not None:
        return account.id
    return str(ctx.clients.client("sts", region, None).get_caller_identity()["Account"])


@resource("ebs.volume", service="ec2", summary="EBS volumes, by tags, ids or Name tag.",
          match=("tags", "ids", "names"), permissions=("ec2:DescribeVolumes",))
class VolumeSelector(Selector):
    """Volumes in one region: tag, id and Name filters run server-side, one read per page."""

    resource_type = "ebs.volume"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        ec2 = ctx.clients.client("ec2", region, account)
        filters = ec2_filters(rule.match)
        if rule.match.ids:
            filters.append({"Name": "volume-id", "Values": list(rule.match.ids)})
        params: dict[str, Any] = {"Filters": filters} if filters else {}
        owner: str | None = None
        found: list[Resource] = []
        for page in pages(ec2, "describe_volumes", **params):
            for vol in page.get("Volumes", []):
                tags = tag_dict(vol.get("Tags"))
                name = tags.get("Name")
                if vol.get("State") in GONE_VOLUME_STATES or not selected(rule.match, vol["VolumeId"], name, tags):
                    continue
                owner = owner or account_id(ctx, region, account)
                arn = f"arn:{partition_of(region)}:ec2:{region}:{owner}:volume/{vol['VolumeId']}"
                found.append(Resource("ebs.volume", vol["VolumeId"], region, owner, name, arn,
                                      vol.get("State"), tags, vol))
        return found


@resource("dynamodb.table", service="dynamodb", summary="DynamoDB tables, by tags or names.",
          match=("tags", "names"),
          permissions=("dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:ListTagsOfResource"))
class TableSelector(Selector):
    """Tables in one region: names filter before any describe; tags read only when the rule matches on them."""

    resource_type = "dynamodb.table"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        ddb = ctx.clients.client("dynamodb", region, account)
        names = [n for page in pages(ddb, "list_tables") for n in page.get("TableNames", [])]
        found: list[Resource] = []
        for table_name in names:
            if not name_matches(table_name, rule.match.names):
                continue
            table = ddb.describe_table(TableName=table_name)["Table"]
            if table.get("TableStatus") in GONE_TABLE_STATES:
                continue
            arn = table["TableArn"]
            tags: dict[str, str] = {}
            if rule.match.tags:
                for page in pages(ddb, "list_tags_of_resource", ResourceArn=arn):
                    tags.update(tag_dict(page.get("Tags")))
                if not tags_match(tags, rule.match.tags):
                    continue
            found.append(Resource("dynamodb.table", table_name, region, arn.split(":")[4], table_name, arn,
                                  table.get("TableStatus"), tags, table))
        return found


@resource("efs.filesystem", service="efs", summary="EFS file systems, by tags, ids or Name tag.",
          match=("tags", "ids", "names"), permissions=("elasticfilesystem:DescribeFileSystems",))
class FileSystemSelector(Selector):
    """File systems in one region; their tags come with the describe call, so one read per page."""

    resource_type = "efs.filesystem"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        efs = ctx.clients.client("efs", region, account)
        found: list[Resource] = []
        for page in pages(efs, "describe_file_systems"):
            for fs in page.get("FileSystems", []):
                tags = tag_dict(fs.get("Tags"))
                name = fs.get("Name") or tags.get("Name")
                if fs.get("LifeCycleState") in GONE_FS_STATES or not selected(rule.match, fs["FileSystemId"],
                                                                              name, tags):
                    continue
                found.append(Resource("efs.filesystem", fs["FileSystemId"], region, fs.get("OwnerId"), name,
                                      fs.get("FileSystemArn"), fs.get("LifeCycleState"), tags, fs))
        return found
