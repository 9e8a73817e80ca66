"""Fault injection at the botocore level, a ledger of applied writes, and dispatchers on a shared state.

A fault either has "no effect" (raised or answered at `before-send`: the request never reaches AWS) or
is "written but unseen" (raised at `after-call`: AWS applied the write, the client saw an error). The
ledger records every write AWS applied, so a test can count writes applied twice to one resource.

botocore runs *every* `before-send` handler and takes the first response, and moto answers there too:
an injected answer switches moto's stubber off for that one request (and a last handler switches it
back on), so a "no effect" fault really has no effect in the mocked AWS.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ReadTimeoutError

from moto.core.models import botocore_stubber

from shiftwork.engine.dispatch.dispatcher import Dispatcher
from shiftwork.engine.execute.aws import Clients, is_read_only
from shiftwork.engine.execute.executor import Executor
from shiftwork.engine.language.model import Account, RuleSet

IDENTITY_KEYS = ("InstanceIds", "DBInstanceIdentifier", "service", "AutoScalingGroupName", "ResourceId",
                 "resourceArn", "TopicArn", "QueueUrl", "Tags")


@dataclass
class Fault:
    """Fail `operation` (e.g. "UpdateService") `times` times where `where` holds; stage "before" or "after"."""

    operation: str
    code: str = "AccessDenied"
    stage: str = "before"  # "before": no effect; "after": the write happened, the client saw an error
    times: int = 1_000_000
    region: str | None = None
    account: str | None = None
    body_contains: str | None = None
    status: int = 400
    fired: int = 0

    def applies(self, operation: str, region: str, account: str | None, body: str) -> bool:
        return (operation == self.operation and self.fired < self.times
                and (self.region is None or region == self.region)
                and (self.account is None or account == self.account)
                and (self.body_contains is None or self.body_contains in body))


def _raw(body: bytes) -> Any:
    class Raw:
        def stream(self, **_: Any):
            yield body
    return Raw()


def error_response(url: str, protocol: str, code: str, status: int) -> AWSResponse:
    """An AWS error answer in the service's own protocol, so botocore parses (and retries) it as real."""
    if protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": f"injected {code}"}).encode()
        return AWSResponse(url, status, {"x-amzn-ErrorType": code}, _raw(body))
    if protocol == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>injected {code}</Message></Error></Errors>"
                f"<RequestID>r</RequestID></Response>").encode()
    else:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected {code}</Message>"
                f"</Error><RequestId>r</RequestId></ErrorResponse>").encode()
    return AWSResponse(url, status, {}, _raw(body))


@dataclass
class Ledger:
    """Writes AWS applied, by (operation, resource identity)."""

    applied: list[tuple[str, str]] = field(default_factory=list)

    def duplicates(self, ignore: tuple[str, ...] = ()) -> int:
        counts: dict[tuple[str, str], int] = {}
        for key in self.applied:
            if key[0] not in ignore:
                counts[key] = counts.get(key, 0) + 1
        return sum(n - 1 for n in counts.values() if n > 1)

    def count(self, operation: str) -> int:
        return sum(op == operation for op, _ in self.applied)


def identity(params: dict[str, Any]) -> str:
    for key in IDENTITY_KEYS:
        if key in params:
            return json.dumps(params[key], sort_keys=True, default=str)
    return json.dumps(params, sort_keys=True, default=str)


class FaultyClients(Clients):
    """The engine's client factory with the faults and the ledger hooked into every client it makes."""

    def __init__(self, faults: list[Fault], ledger: Ledger, **kwargs: Any):
        super().__init__(**kwargs)
        self.faults = faults
        self.ledger = ledger
        self._hooked: set[int] = set()

    def client(self, service: str, region: str, account: Account | None = None) -> Any:
        client = super().client(service, region, account)
        if id(client) not in self._hooked:
            self._hooked.add(id(client))
            self._hook(client, region, account.id if account else None)
        return client

    def _hook(self, client: Any, region: str, account: str | None) -> None:
        events = client.meta.events
        protocol = client.meta.service_model.protocol

        def keep_params(params: Any = None, context: Any = None, **_: Any) -> None:
            if context is not None:
                context["api_params"] = dict(params or {})

        def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
            operation = event_name.rsplit(".", 1)[-1]
            body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
            for fault in self.faults:
                if fault.stage == "before" and fault.applies(operation, region, account, body):
                    fault.fired += 1
                    botocore_stubber.enabled = False  # moto must not act on a request that "never arrived"
                    return error_response(request.url, protocol, fault.code, fault.status)
            return None

        def moto_back_on(**_: Any) -> None:
            botocore_stubber.enabled = True

        def after_call(http_response: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
            if model is None or is_read_only(model.name) or http_response is None \
                    or http_response.status_code >= 300:
                return
            params = (context or {}).get("api_params", {})
            self.ledger.applied.append((model.name, identity(params)))
            body = json.dumps(params, default=str)
            for fault in self.faults:
                if fault.stage == "after" and fault.applies(model.name, region, account, body):
                    fault.fired += 1
                    raise ReadTimeoutError(endpoint_url=f"https://{model.service_model.endpoint_prefix}.{region}")

        events.register("before-parameter-build", keep_params)
        events.register_first("before-send", before_send)  # ahead of moto, which answers every request
        events.register_last("before-send", moto_back_on)
        events.register("after-call", after_call)


class Clock:
    """The wall clock the dispatcher uses for lease expiry; tests move it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def tick(when: str) -> dict[str, Any]:
    return {"source": "aws.events", "detail-type": "Scheduled Event", "time": when, "detail": {}, "id": f"t-{when}"}


def alarm(event_id: str, when: str, name: str = "api-cpu-high") -> dict[str, Any]:
    return {"id": event_id, "source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
            "time": when, "region": "eu-west-1", "detail": {"alarmName": name, "state": {"value": "ALARM"}}}


def dispatcher(ruleset: RuleSet, state: Any, faults: list[Fault], ledger: Ledger, clock: Clock | None = None,
               logs: list[dict[str, Any]] | None = None) -> Dispatcher:
    writing = FaultyClients(faults, ledger)
    return Dispatcher(ruleset=ruleset, state=state, planning=FaultyClients(faults, ledger, read_only=True),
                      executor=Executor(writing, ruleset.accounts()), default_region="eu-west-1",
                      log=(logs.append if logs is not None else (lambda _: None)),
                      clock=clock or Clock(datetime(2026, 12, 21, 7, 0, tzinfo=timezone.utc)))


def handle(d: Dispatcher, event: dict[str, Any]) -> dict[str, Any]:
    """One invocation; a failed one (DispatchFailed) is what Lambda would retry, not a test error."""
    from shiftwork.engine.dispatch.dispatcher import DispatchFailed

    try:
        return d.handle(event)
    except DispatchFailed as exc:
        return exc.summary


def client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)


Check = Callable[[], bool]
