"""Performs a plan: the only code in shiftwork that writes to AWS.

Changes run in *steps*: step k holds the k-th change of every resource whose earlier changes
succeeded, so "save the capacity tag, then scale" never scales a resource whose tag write failed.
Within a step, batchable changes with the same (account, region, service, call, params other than
`batch_param`) are merged into calls of up to `batch_size` ids.

Faults by kind. Throttling and 5xx are retried by botocore's standard retry mode; a batch that still
gets a 5xx is sent whole once more, never split (splitting only multiplies the calls). A batch rejected
with an error that names a resource or its state (IncorrectInstanceState, InvalidInstanceID.NotFound)
is split in halves, so one bad resource costs about 2*log2(batch) extra calls and never blocks the
others. Errors about the whole call (access denied, expired credentials) fail the batch at once. When
the outcome is unknown (a read timeout after the request was sent) or AWS says the resource is in the
wrong state, a registered verifier re-reads the resource and reports what is true: an instance found
stopping after a timed-out StopInstances is ok, not failed.

`DryRunExecutor` groups the same way but calls nothing; its results have status "planned".
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (ClientError, ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError,
                                 ReadTimeoutError)

from shiftwork.engine.errors import one_line
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.plan.changes import Change, Result
from shiftwork.engine.language.model import Account

# Error codes that describe the request or the caller, not one resource in it: never bisected.
WHOLE_CALL_ERRORS = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure", "ExpiredToken",
    "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
    "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
    "OptInRequired", "DryRunOperation",
})
# Server-side errors: the whole batch is sent again (once), never split.
SERVER_ERRORS = frozenset({
    "ServiceUnavailable", "ServiceUnavailableException", "Unavailable", "InternalError", "InternalFailure",
    "InternalServerError", "InternalServiceError", "InternalServerException", "ServiceException",
})
# Errors that name a resource or its state: split the batch to isolate the resource.
RESOURCE_ERROR = re.compile(r"NotFound|Malformed|Invalid\w*(ID|Id)\b|Invalid\w*State|Incorrect\w*State|"
                            r"StateFault|Unsupported|InvalidParameterValue")
STATE_ERROR = re.compile(r"Invalid\w*State|Incorrect\w*State|StateFault")
UNKNOWN_OUTCOME = (ReadTimeoutError, ConnectionClosedError)  # the request may have been acted on
NO_EFFECT = (EndpointConnectionError, ConnectTimeoutError)  # the request never reached AWS
BATCH_RETRIES = 1  # whole-batch resends after botocore's own retries

# (service, call) -> check(response, ids) -> {id: reason} for ids AWS did not act on.
ResponseCheck = Callable[[Mapping[str, Any], Sequence[str]], dict[str, str]]
RESPONSE_CHECKS: dict[tuple[str, str], ResponseCheck] = {}
# (service, call) -> verify(client, change) -> why the resource is already as the change wants, or None.
Verifier = Callable[[Any, Change], "str | None"]
VERIFIERS: dict[tuple[str, str], Verifier] = {}


def verifier(service: str, call: str) -> Callable[[Verifier], Verifier]:
    """Register how to re-read a resource after an unknown outcome (handlers use this)."""
    def register(fn: Verifier) -> Verifier:
        VERIFIERS[(service, call)] = fn
        return fn
    return register


def response_check(service: str, call: str) -> Callable[[ResponseCheck], ResponseCheck]:
    """Register how to read per-resource outcomes from a successful batch response (handlers use this)."""
    def register(fn: ResponseCheck) -> ResponseCheck:
        RESPONSE_CHECKS[(service, call)] = fn
        return fn
    return register


@dataclass(frozen=True)
class Batch:
    """Changes merged into one API call (a single change when not batchable)."""

    items: tuple[tuple[int, Change], ...]  # (position in the plan, change)

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(c for _, c in self.items)

    @property
    def head(self) -> Change:
        return self.changes[0]

    def ids(self) -> list[str]:
        param = self.head.batch_param
        return [i for c in self.changes for i in (c.params[param] if param else [])]

    def params(self) -> dict[str, Any]:
        params = dict(self.head.params)
        if self.head.batch_param:
            params[self.head.batch_param] = self.ids()
        return params

    def halves(self) -> tuple[Batch, Batch]:
        mid = len(self.items) // 2
        return Batch(self.items[:mid]), Batch(self.items[mid:])


def resource_key(change: Change) -> tuple[str, str, str, str]:
    r = change.resource
    return (r.account or "", r.region, r.type, r.id)


def batch_key(change: Change) -> tuple[Any, ...]:
    """Changes with equal keys may share one call."""
    r = change.resource
    others = {k: v for k, v in change.params.items() if k != change.batch_param}
    return (r.account or "", r.region, change.service, change.call, change.batch_param, change.batch_size,
            json.dumps(others, sort_keys=True, default=str))


def steps(changes: Sequence[Change]) -> list[list[int]]:
    """Indexes of `changes` by position in their resource's sequence: step k = every k-th change."""
    seen: dict[tuple[str, str, str, str], int] = {}
    out: list[list[int]] = []
    for i, change in enumerate(changes):
        k = seen.get(resource_key(change), 0)
        seen[resource_key(change)] = k + 1
        if k == len(out):
            out.append([])
        out[k].append(i)
    return out


def batches(changes: Sequence[Change], step: Sequence[int]) -> list[Batch]:
    """Group one step's changes into calls, in order of first appearance."""
    groups: dict[tuple[Any, ...], list[list[tuple[int, Change]]]] = {}
    order: list[list[tuple[int, Change]]] = []
    for i in step:
        change = changes[i]
        if not change.batch_param or change.batch_size <= 1:
            order.append([(i, change)])
            continue
        chunks = groups.setdefault(batch_key(change), [])
        if not chunks or len(chunks[-1]) >= change.batch_size:
            chunks.append([])
            order.append(chunks[-1])
        chunks[-1].append((i, change))
    return [Batch(tuple(chunk)) for chunk in order]


class Executor:
    """Makes the calls of a plan, one Result per Change, in the order of the input."""

    def __init__(self, clients: Clients, accounts: Mapping[str, Account] | None = None):
        self.clients = clients
        self.accounts = dict(accounts or {})
        self.calls = 0  # API calls made (after botocore retries), for reports and benchmarks

    def execute(self, changes: Sequence[Change]) -> list[Result]:
        results: dict[int, Result] = {}
        failed: dict[tuple[str, str, str, str], Change] = {}
        for step in steps(changes):
            todo: list[int] = []
            for i in step:
                change = changes[i]
                earlier = failed.get(resource_key(change))
                if earlier is not None:
                    results[i] = Result(change, "skipped", f"not run: earlier step {earlier.operation} "
                                                           f"({earlier.action}) failed for this resource")
                else:
                    todo.append(i)
            for batch in batches(changes, todo):
                for i, result in self._run(batch):
                    results[i] = result
                    if result.status == "failed":
                        failed[resource_key(result.change)] = result.change
        return [results[i] for i in range(len(changes))]

    def _client(self, change: Change) -> Any:
        account = self.accounts.get(change.resource.account) if change.resource.account else None
        return self.clients.client(change.service, change.resource.region, account)

    def _run(self, batch: Batch, attempt: int = 0) -> list[tuple[int, Result]]:
        head = batch.head
        try:
            method = getattr(self._client(head), head.call)
            self.calls += 1
            response = method(**batch.params())
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            code, message = str(error.get("Code", "")), one_line(str(error.get("Message", exc)), status or None)
            if code in SERVER_ERRORS or (status >= 500 and code not in WHOLE_CALL_ERRORS):
                if attempt < BATCH_RETRIES:
                    return self._run(batch, attempt + 1)  # the whole batch again: a split only multiplies calls
                return self._verified(batch, code, message)
            if len(batch.changes) > 1 and code not in WHOLE_CALL_ERRORS and RESOURCE_ERROR.search(code):
                first, second = batch.halves()
                return self._run(first) + self._run(second)
            if STATE_ERROR.search(code):
                return self._verified(batch, code, message)
            return [(i, Result(c, "failed", message, code)) for i, c in batch.items]
        except UNKNOWN_OUTCOME as exc:
            return self._verified(batch, type(exc).__name__, str(exc) or type(exc).__name__,
                                  retry=attempt < BATCH_RETRIES, attempt=attempt)
        except NO_EFFECT as exc:
            if attempt < BATCH_RETRIES:
                return self._run(batch, attempt + 1)
            return [(i, Result(c, "failed", str(exc), type(exc).__name__)) for i, c in batch.items]
        except Exception as exc:  # noqa: BLE001 (any failure is reported per resource, never raised past a plan)
            reason = one_line(str(exc)) or type(exc).__name__
            return [(i, Result(c, "failed", reason, type(exc).__name__)) for i, c in batch.items]
        return self._outcomes(batch, response)

    def _verified(self, batch: Batch, code: str, message: str, retry: bool = False,
                  attempt: int = 0) -> list[tuple[int, Result]]:
        """Re-read each resource: ok where it already is as wanted; the rest resent (`retry`) or failed."""
        check = VERIFIERS.get((batch.head.service, batch.head.call))
        out: list[tuple[int, Result]] = []
        rest: list[tuple[int, Change]] = []
        for i, change in batch.items:
            try:
                seen = check(self._client(change), change) if check else None
            except Exception:  # noqa: BLE001 (a failed re-read proves nothing either way)
                seen = None
            if seen:
                out.append((i, Result(change, "ok", f"{change.reason} (verified after {code}: {seen})")))
            else:
                rest.append((i, change))
        if rest and retry and check is not None:
            return out + self._run(Batch(tuple(rest)), attempt + 1)
        return out + [(i, Result(c, "failed", message, code)) for i, c in rest]

    def _outcomes(self, batch: Batch, response: Mapping[str, Any]) -> list[tuple[int, Result]]:
        head = batch.head
        check = RESPONSE_CHECKS.get((head.service, head.call))
        missing = check(response, batch.ids()) if check and head.batch_param else {}
        results = []
        for i, change in batch.items:
            ids = change.params[head.batch_param] if missing else ()
            problems = [missing[r] for r in ids if r in missing]
            if problems:
                results.append((i, Result(change, "failed", "; ".join(problems), "NotActedOn")))
            else:
                results.append((i, Result(change, "ok", change.reason)))
        return results


class DryRunExecutor:
    """Performs nothing: each Change gets Result status "planned", saying which call it would be in."""

    live = False

    def __init__(self, clients: Clients | None = None, accounts: Mapping[str, Account] | None = None):
        self.calls = 0  # calls the live executor would make on the happy path

    def execute(self, changes: Sequence[Change]) -> list[Result]:
        results: dict[int, Result] = {}
        for step in steps(changes):
            for batch in batches(changes, step):
                self.calls += 1
                size = len(batch.changes)
                where = f"would call {batch.head.service}:{batch.head.operation}"
                if size > 1:
                    where += f" with {size} ids"
                for i, change in batch.items:
                    results[i] = Result(change, "planned", f"{where}: {change.reason}")
        return [results[i] for i in range(len(changes))]
