"""EC2 instances: selection, start, stop (with hibernate)."""
from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from shiftwork.engine.plan.actions import Action, PlanContext, Selector
from shiftwork.engine.plan.changes import Change, Finding, Skip
from shiftwork.engine.execute.executor import ResponseCheck, response_check
from shiftwork.engine.language.model import Account, Match, Rule
from shiftwork.engine.language.registry import action, registered, resource
from shiftwork.engine.plan.resources import Resource, name_matches, tags_match

# StartInstances/StopInstances take a list of ids. EC2 documents up to 1,000 instance ids for its
# instance-list calls (TerminateInstances), so one call per 1,000: fewer mutating calls means less
# throttling. A batch AWS rejects because of one instance is bisected, about 2*log2(1000) = 20 extra
# calls; should a region accept fewer ids, the bisection finds the size that works.
BATCH_SIZE = 1000
PAGE_SIZE = 1000  # DescribeInstances' maximum
MAX_PAGES = 10_000  # 10 million instances: a bound on the page loop, never reached
LIVE_STATES = ("pending", "running", "stopping", "stopped")  # never terminated or shutting-down
ASG_TAG = "aws:autoscaling:groupName"


def server_values(globs: Sequence[str]) -> list[str] | None:
    """Values EC2 can filter on itself (it knows * and ?, not [...]); None when it cannot."""
    return None if any("[" in g for g in globs) else list(globs)


def instance_filters(match: Match, states: Sequence[str] = LIVE_STATES) -> list[dict[str, Any]]:
    """Server-side filters narrowing a describe as far as EC2 can; the exact check is client-side."""
    filters: list[dict[str, Any]] = [{"Name": "instance-state-name", "Values": list(states)}]
    keys_only: list[str] = []
    for key, globs in match.tags.items():
        values = server_values(globs) if globs else None
        if values:
            filters.append({"Name": f"tag:{key}", "Values": values})
        else:
            keys_only.append(key)
    if keys_only:
        filters.append({"Name": "tag-key", "Values": keys_only[:1]})  # one key server-side, all client-side
    if match.ids:
        filters.append({"Name": "instance-id", "Values": list(match.ids)})  # unknown ids: no error
    if match.names and server_values(match.names):
        filters.append({"Name": "tag:Name", "Values": list(match.names)})
    return filters


# What actions read from `Resource.data` of an instance: ec2.stop whether hibernation is configured, the
# backup checks the ids of its EBS volumes. A whole record is ~19 KB in memory: a tick keeps one Resource
# per selected instance, so keeping whole records made 10,000 instances cost ~290 MB.
KEPT_FIELDS = ("HibernationOptions", "BlockDeviceMappings")


def kept_data(record: Mapping[str, Any]) -> dict[str, Any]:
    """KEPT_FIELDS of a record, reduced to the values read (no attach times, statuses, device names)."""
    data: dict[str, Any] = {}
    if (record.get("HibernationOptions") or {}).get("Configured"):  # absent reads as not configured
        data["HibernationOptions"] = {"Configured": True}
    if "BlockDeviceMappings" in record:
        data["BlockDeviceMappings"] = [{"Ebs": {"VolumeId": m["Ebs"]["VolumeId"]}}
                                       for m in record["BlockDeviceMappings"] or ()
                                       if (m.get("Ebs") or {}).get("VolumeId")]
    return data


def to_resource(record: Mapping[str, Any], owner: str, region: str, account: Account | None) -> Resource:
    """One DescribeInstances record as a Resource; `data` keeps what the actions read (kept_data)."""
    tags = {sys.intern(t["Key"]): t["Value"] for t in record.get("Tags") or ()}  # keys repeat on every instance
    iid = record["InstanceId"]
    return Resource("ec2.instance", iid, region, account.id if account else None, name=tags.get("Name"),
                    arn=f"arn:aws:ec2:{region}:{owner}:instance/{iid}", state=sys.intern(record["State"]["Name"]),
                    tags=tags, data=kept_data(record))


@resource("ec2.instance", service="ec2", summary="EC2 instances, selected by tags, ids or Name tag.",
          match=("tags", "ids", "names"), permissions=("ec2:DescribeInstances",))
class InstanceSelector(Selector):
    resource_type = "ec2.instance"

    def select(self, ctx: PlanContext, rule: Rule, region: str, account: Account | None) -> list[Resource]:
        """Select by state first: when the actions say which states they change, ask EC2 for only those."""
        client = ctx.clients.client("ec2", region, account)
        states = self.states_to_change(ctx, rule, registered()) or LIVE_STATES
        if states != LIVE_STATES:
            note = (f"rule '{rule.name}': asked EC2 only for {'/'.join(states)} instances, the states its actions "
                    "change; instances in other states are already where the rule would put them")
            if note not in ctx.notes:
                ctx.notes.append(note)
        # Pages by hand, not botocore's paginator: it holds the last page while it fetches and parses the
        # next, so two pages (~40 MB at 1,000 instances) were alive at once. Only the matches' slim
        # Resources outlive their page.
        found: list[Resource] = []
        kwargs: dict[str, Any] = {"Filters": instance_filters(rule.match, states), "MaxResults": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            page = client.describe_instances(**kwargs)
            token = page.get("NextToken")
            found += matching(page, rule, states, region, account)
            del page
            if not token:
                return found
            if token == kwargs.get("NextToken"):
                raise RuntimeError(f"DescribeInstances in {region} returned the same NextToken twice; stopped")
            kwargs["NextToken"] = token
        raise RuntimeError(f"DescribeInstances in {region} gave more than {MAX_PAGES} pages; stopped")


def matching(page: Mapping[str, Any], rule: Rule, states: Sequence[str], region: str,
             account: Account | None) -> list[Resource]:
    """The instances of one DescribeInstances page that the rule selects (no reference to the page kept)."""
    out = []
    for reservation in page.get("Reservations", ()):
        for record in reservation.get("Instances", ()):
            res = to_resource(record, reservation.get("OwnerId", ""), region, account)
            if res.state in states and tags_match(res.tags, rule.match.tags) \
                    and name_matches(res.name, rule.match.names) \
                    and (not rule.match.ids or res.id in rule.match.ids):
                out.append(res)
    return out


def instance_change(action: Action, res: Resource, call: str, reason: str, before: str, after: str,
                    **params: Any) -> Change:
    """A start/stop for one instance, batchable with others by its InstanceIds list."""
    return Change(action.rule.name, action.action_name, res, "ec2", call, {"InstanceIds": [res.id], **params},
                  reason, before=before, after=after, batch_param="InstanceIds", batch_size=BATCH_SIZE)


def not_reported(key: str, verb: str) -> ResponseCheck:
    """A response check: ids of the request that the response's `key` list does not mention failed."""
    def check(response: Mapping[str, Any], ids: Sequence[str]) -> dict[str, str]:
        acted = {i.get("InstanceId") for i in response.get(key) or ()}
        return {i: f"AWS did not report {verb} {i}" for i in ids if i not in acted}
    return check


response_check("ec2", "start_instances")(not_reported("StartingInstances", "starting"))
response_check("ec2", "stop_instances")(not_reported("StoppingInstances", "stopping"))


@action("ec2.start", resources=["ec2.instance"], permissions=["ec2:DescribeInstances", "ec2:StartInstances"])
class Start(Action):
    """Start stopped instances; running ones are left alone.

    Example::

        version: 1
        rules:
          - name: dev-morning-start
            resource: ec2.instance
            match: {tags: {env: dev}}
            on: {cron: "0 8 * * mon-fri"}
            actions: [ec2.start]
    """

    acts_on = ("stopped",)

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        out: list[Change | Skip | Finding] = []
        for res in resources:
            if res.state == "stopped":
                out.append(instance_change(self, res, "start_instances", "stopped; starting it", "stopped",
                                           "running"))
            elif res.state in ("pending", "running"):
                out.append(Skip(self.rule.name, self.action_name, res, f"already running ({res.state})"))
            else:
                out.append(Skip(self.rule.name, self.action_name, res,
                                f"{res.state}: cannot start until it has stopped"))
        return out


@action("ec2.stop", resources=["ec2.instance"],
        permissions=["ec2:DescribeInstances", "ec2:StopInstances"],  # group membership comes from the tag
        options={"hibernate": {"type": "boolean", "description": "Hibernate where the instance supports it, "
                                                                  "else stop."},
                 "force": {"type": "boolean", "description": "Force the stop (no clean OS shutdown)."}})
class Stop(Action):
    """Stop running instances, optionally hibernating; Auto Scaling group members are reported, not stopped.

    Example::

        version: 1
        rules:
          - name: dev-evening-stop
            resource: ec2.instance
            match: {tags: {env: dev}}
            on: {cron: "0 19 * * mon-fri"}
            actions: [{type: ec2.stop, hibernate: true}]
    """

    acts_on = ("pending", "running")

    def plan(self, ctx: PlanContext, resources: Sequence[Resource]) -> list[Change | Skip | Finding]:
        out: list[Change | Skip | Finding] = []
        for res in resources:
            group = res.tags.get(ASG_TAG)
            if group:
                out.append(Skip(self.rule.name, self.action_name, res, f"member of Auto Scaling group {group}; "
                                "scale the group with asg.* instead"))
            elif res.state in ("stopped", "stopping"):
                out.append(Skip(self.rule.name, self.action_name, res, f"already {res.state}"))
            elif res.state in ("pending", "running"):
                out.append(self.stop(res))
            else:
                out.append(Skip(self.rule.name, self.action_name, res, f"{res.state}: nothing to stop"))
        return out

    def stop(self, res: Resource) -> Change:
        params: dict[str, Any] = {}
        reason = f"{res.state}; stopping it"
        if self.options.get("hibernate"):
            if (res.data.get("HibernationOptions") or {}).get("Configured"):
                params["Hibernate"] = True
                reason = f"{res.state}; hibernating it"
            else:
                reason = f"{res.state}; hibernation is not configured on this instance, so a plain stop"
        if self.options.get("force"):
            params["Force"] = True
            reason += " (forced)"
        after = "stopped (hibernated)" if params.get("Hibernate") else "stopped"
        return instance_change(self, res, "stop_instances", reason, res.state or "", after, **params)
