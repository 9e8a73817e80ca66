"""Plans are data: Change records for writes, Finding records for read-only checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from shiftwork.engine.plan.resources import Resource


@dataclass(frozen=True, slots=True)  # one per selected resource: no __dict__ each
class Change:
    """One write the executor would make for one resource.

    `call` is the boto3 client method (snake_case) on `service`; `params` are its arguments for
    this resource alone. Changes with equal (account, region, service, call, params except
    `batch_param`) are merged by the executor into one call of up to `batch_size` ids.
    """

    rule: str
    action: str
    resource: Resource
    service: str
    call: str
    params: Mapping[str, Any]
    reason: str
    before: str = ""
    after: str = ""
    batch_param: str | None = None
    batch_size: int = 1

    @property
    def operation(self) -> str:
        """The AWS operation name as in IAM and CloudTrail, e.g. StopInstances."""
        return "".join(part.capitalize() for part in self.call.split("_"))


@dataclass(frozen=True)
class Skip:
    """A resource the rule selected but will not touch, and why (opt-out, ASG member, limits...)."""

    rule: str
    action: str
    resource: Resource
    reason: str


@dataclass(frozen=True)
class Finding:
    """The outcome of a read-only check on one resource: pass, fail or error."""

    rule: str
    action: str
    resource: Resource
    status: str  # "pass" | "fail" | "error"
    check: str = ""
    observed: str = ""
    required: str = ""
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)  # one per selected resource: no __dict__ each
class Result:
    """What happened to one Change when executed: ok, skipped or failed, and why."""

    change: Change
    status: str  # "ok" | "skipped" | "failed" | "planned" (DryRunExecutor: would be made)
    reason: str = ""
    error_code: str = ""
