"""The AWS side of a deploy: the code bucket, the change set, its execution, and CloudFormation's reason when it fails.

Every stack change goes through a change set, so what will happen is printed (and can be stopped)
before anything in the stack changes. Waits are bounded (botocore waiters with a fixed number of
attempts); a wait that runs out says so and leaves the stack to CloudFormation.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from shiftwork.engine.errors import ShiftworkError

from . import changes

INLINE_TEMPLATE_BYTES = 51_200  # CloudFormation's limit for TemplateBody; larger templates go through S3
CHANGE_SET_WAIT = {"Delay": 3, "MaxAttempts": 200}  # 10 minutes
STACK_WAIT = {"Delay": 10, "MaxAttempts": 360}  # 1 hour
CLOCK_SKEW = timedelta(minutes=2)  # our clock vs CloudFormation's event times
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# A stack in one of these cannot be updated: a failed first create leaves ROLLBACK_COMPLETE, which only a delete ends.
BLOCKED = {"ROLLBACK_COMPLETE": "its first create failed and was rolled back",
           "ROLLBACK_FAILED": "its first create failed and the rollback failed too",
           "DELETE_FAILED": "a delete failed", "UPDATE_ROLLBACK_FAILED": "an update's rollback failed"}


class DeployError(ShiftworkError):
    """CloudFormation or S3 refused or failed; the message carries AWS's reason."""


@dataclass(frozen=True)
class ChangeSet:
    name: str
    kind: str  # CREATE or UPDATE
    changes: list[changes.ResourceChange]
    started: datetime  # when it was requested: stack events before this are an earlier deploy's


def ensure_bucket(s3: Any, bucket: str, region: str) -> bool:
    """Create `bucket` (private) when it does not exist; True when it was created."""
    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        code = _code(exc)
        if code in ("403", "AccessDenied"):
            raise DeployError(f"bucket {bucket} exists but this identity may not use it (another account's, or "
                              "s3:ListBucket is missing): name another with --bucket") from None
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise DeployError(f"bucket {bucket}: {code} {_message(exc)}") from None
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    return True


def upload(s3: Any, bucket: str, key: str, path: Path) -> bool:
    """Put the file at `key` unless it is there already (keys are content hashes); True when uploaded."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return False
    except ClientError as exc:
        if _code(exc) not in ("404", "NoSuchKey", "NotFound"):
            raise DeployError(f"s3://{bucket}/{key}: {exc}") from None
    with open(path, "rb") as body:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return True


def template_source(s3: Any, template: Mapping[str, Any], bucket: str, region: str) -> dict[str, str]:
    """TemplateBody, or TemplateURL after an upload when the body is over CloudFormation's inline limit."""
    body = json.dumps(template, sort_keys=True, separators=(",", ":"))
    if len(body.encode()) <= INLINE_TEMPLATE_BYTES:
        return {"TemplateBody": body}
    key = f"shiftwork/templates/{hashlib.sha256(body.encode()).hexdigest()}.json"
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json")
    host = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return {"TemplateURL": f"https://{bucket}.{host}/{key}"}


class Stack:
    """One stack, through a CloudFormation client."""

    def __init__(self, cfn: Any, name: str, *, change_set_wait: Mapping[str, int] = CHANGE_SET_WAIT,
                 stack_wait: Mapping[str, int] = STACK_WAIT):
        self.cfn, self.name = cfn, name
        self.change_set_wait, self.stack_wait = dict(change_set_wait), dict(stack_wait)

    def describe(self) -> dict[str, Any] | None:
        try:
            return self.cfn.describe_stacks(StackName=self.name)["Stacks"][0]
        except ClientError as exc:
            if "does not exist" in str(exc):
                return None
            raise

    def current_template(self) -> dict[str, Any] | None:
        body = self.cfn.get_template(StackName=self.name, TemplateStage="Original")["TemplateBody"]
        return body if isinstance(body, dict) else json.loads(body)

    def create_change_set(self, source: Mapping[str, str], parameters: Mapping[str, str],
                          new_template: Mapping[str, Any]) -> ChangeSet | None:
        """Request and wait for a change set; None when it holds no changes (and is deleted again)."""
        existing = self.describe()
        status = (existing or {}).get("StackStatus", "")
        if status in BLOCKED:
            raise DeployError(f"stack {self.name} is {status}: {BLOCKED[status]}; delete it first "
                              f"(aws cloudformation delete-stack --stack-name {self.name}) and deploy again")
        kind = "UPDATE" if existing and status != "REVIEW_IN_PROGRESS" else "CREATE"
        old = self.current_template() if kind == "UPDATE" else None
        previous = {p["ParameterKey"] for p in (existing or {}).get("Parameters", [])} if kind == "UPDATE" else set()
        params = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())]
        declared = new_template.get("Parameters", {})
        params += [{"ParameterKey": k, "UsePreviousValue": True} for k in sorted(previous & declared.keys())
                   if k not in parameters]  # an operator's change in the console survives a redeploy
        started = datetime.now(timezone.utc) - CLOCK_SKEW
        name = f"shiftwork-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
        try:
            self.cfn.create_change_set(StackName=self.name, ChangeSetName=name, ChangeSetType=kind, Parameters=params,
                                       Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
                                       Description="shiftwork deploy", **source)
        except ClientError as exc:
            if any(text in _message(exc) for text in NO_CHANGES):  # some endpoints refuse an empty change set
                return None
            raise DeployError(f"CloudFormation refused the change set: {_message(exc)}") from None
        try:
            self.cfn.get_waiter("change_set_create_complete").wait(
                StackName=self.name, ChangeSetName=name, WaiterConfig=self.change_set_wait)
        except WaiterError:
            found = self.cfn.describe_change_set(StackName=self.name, ChangeSetName=name)
            reason = found.get("StatusReason") or found.get("Status", "?")
            if any(text in reason for text in NO_CHANGES):
                self.discard(ChangeSet(name, kind, [], started))
                return None
            raise DeployError(f"change set {name} failed: {reason}") from None
        owned = changes.owners(old, new_template)
        return ChangeSet(name, kind, changes.resource_changes(self._changes(name), owned), started)

    def _changes(self, name: str) -> list[dict[str, Any]]:
        found, token = [], None
        for _ in range(100):  # 100 pages: far more than a 500-resource stack needs
            page = self.cfn.describe_change_set(StackName=self.name, ChangeSetName=name,
                                                **({"NextToken": token} if token else {}))
            found.extend(page.get("Changes", []))
            token = page.get("NextToken")
            if not token:
                break
        return found

    def discard(self, change_set: ChangeSet) -> None:
        """Delete the change set, and the empty stack a CREATE change set leaves in REVIEW_IN_PROGRESS."""
        self.cfn.delete_change_set(StackName=self.name, ChangeSetName=change_set.name)
        if change_set.kind == "CREATE":
            self.cfn.delete_stack(StackName=self.name)

    def execute(self, change_set: ChangeSet) -> dict[str, str]:
        """Run the change set, wait for the stack, and return its outputs; on failure, CloudFormation's reason."""
        self.cfn.execute_change_set(StackName=self.name, ChangeSetName=change_set.name)
        waiter = "stack_create_complete" if change_set.kind == "CREATE" else "stack_update_complete"
        try:
            self.cfn.get_waiter(waiter).wait(StackName=self.name, WaiterConfig=self.stack_wait)
        except WaiterError as exc:
            status = (self.describe() or {}).get("StackStatus", "gone")
            if "Max attempts exceeded" in str(exc):
                raise DeployError(f"stack {self.name} is still {status} after the wait; CloudFormation carries on: "
                                  f"aws cloudformation describe-stack-events --stack-name {self.name}") from None
            raise DeployError(f"stack {self.name} is {status}: {self.first_failure(change_set.started)}") from None
        stack = self.describe() or {}
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def first_failure(self, since: datetime) -> str:
        """The first resource that failed in this deploy, with CloudFormation's reason.

        Events come newest first; this deploy's begin at the stack's own "User Initiated" *_IN_PROGRESS
        event (or, failing that, at `since` by our clock).
        """
        ours: list[dict[str, Any]] = []
        token = None
        for _ in range(20):  # 20 pages of 100 events reach well past the start of one deploy
            page = self.cfn.describe_stack_events(StackName=self.name, **({"NextToken": token} if token else {}))
            for event in page.get("StackEvents", []):
                if _starts_deploy(event, self.name) or _when(event, since) < since:
                    token = None
                    break
                ours.append(event)
            else:
                token = page.get("NextToken")
            if not token:
                break
        failed = [e for e in ours if e.get("ResourceStatus", "").endswith("_FAILED")
                  and e.get("LogicalResourceId") != self.name]
        if not failed:
            return "no resource reported a failure (see the stack's events)"
        first = failed[-1]  # the oldest
        return (f"{first['LogicalResourceId']} ({first.get('ResourceType', '?')}) {first['ResourceStatus']}: "
                f"{first.get('ResourceStatusReason') or 'no reason given'}")


def _starts_deploy(event: Mapping[str, Any], stack: str) -> bool:
    return (event.get("LogicalResourceId") == stack and event.get("ResourceStatusReason") == "User Initiated"
            and str(event.get("ResourceStatus", "")).endswith("_IN_PROGRESS"))


def _when(event: Mapping[str, Any], default: datetime) -> datetime:
    stamp = event.get("Timestamp")
    if not isinstance(stamp, datetime):
        return default
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message") or exc)
