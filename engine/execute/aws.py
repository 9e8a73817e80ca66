"""The one place that makes AWS clients: retry config, cross-account roles, the read-only guard.

Dry run is enforced here, not in the handlers: a read-only factory registers a botocore
`before-parameter-build` hook on its sessions that refuses every operation that is not a read, so a
dry run cannot mutate whatever a handler does.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import RefreshableCredentials

from shiftwork.engine.errors import ShiftworkError
from shiftwork.engine.language.model import Account

READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "Lookup", "BatchGet", "Query", "Scan", "Filter")
# Not reads, but they change nothing in the fleet: assuming a role and asking who we are.
READ_ALLOWED = frozenset({"AssumeRole", "GetCallerIdentity"})
RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8}, user_agent_extra="shiftwork",
                      connect_timeout=10, read_timeout=30)

MAX_CALL_SECONDS = 45.0  # one call with all its retries, in the Lambda: a hung describe fails in seconds
MIN_CONNECT_TIMEOUT, MIN_READ_TIMEOUT = 2.0, 10.0  # shrunk toward these before retries are given up

CallObserver = Callable[[str, str, dict[str, Any]], None]  # (service, operation, params)


def bounded_config(config: Config, seconds: float) -> Config:
    """`config` cut so that one call, every attempt timing out, ends within `seconds` (at least 1 s).

    Timeouts shrink first (to MIN_CONNECT_TIMEOUT/MIN_READ_TIMEOUT), then attempts; should one attempt
    at those floors not fit, the time left sets the timeouts. Backoff sleeps between attempts (standard
    mode: a few seconds at most) are not counted: the caller keeps a reserve (the dispatcher's 15 s).
    """
    seconds = max(float(seconds), 1.0)
    retries = dict(config.retries or {})
    # botocore: max_attempts counts retries after the first try, total_max_attempts every try
    attempts = int(retries.pop("total_max_attempts", 0) or retries.pop("max_attempts", 0) + 1)
    connect, read = float(config.connect_timeout), float(config.read_timeout)
    if attempts * (connect + read) <= seconds:
        return config
    per_try = seconds / attempts
    connect = min(connect, max(MIN_CONNECT_TIMEOUT, per_try * 0.2))
    read = min(read, max(MIN_READ_TIMEOUT, per_try - connect))
    attempts = max(1, min(attempts, int(seconds // (connect + read))))
    if connect + read > seconds:
        connect = min(connect, seconds / 4)
        read = seconds - connect
    return config.merge(Config(connect_timeout=connect, read_timeout=read,
                               retries={**retries, "total_max_attempts": attempts}))


class WriteRefused(ShiftworkError):
    """A mutating AWS call attempted through a read-only (dry-run) session."""

    def __init__(self, service: str, operation: str):
        super().__init__(f"dry run: refused {service}:{operation}, which is not a read-only operation; "
                         "plans may read AWS but never write")
        self.service = service
        self.operation = operation


def is_read_only(operation: str) -> bool:
    return operation in READ_ALLOWED or operation.startswith(READ_PREFIXES)


def _service_of(model: Any) -> str:
    return model.service_model.endpoint_prefix if model is not None else "?"


def refuse_writes(model: Any = None, **_: Any) -> None:
    """botocore hook, run before a request is even built: raise for any non-read operation."""
    if model is not None and not is_read_only(model.name):
        raise WriteRefused(_service_of(model), model.name)


class Clients:
    """Client factory keyed by (service, region, account), shared by planning and execution."""

    def __init__(self, session: boto3.Session | None = None, *, read_only: bool = False,
                 endpoint_url: str | None = None, observer: CallObserver | None = None,
                 config: Config = RETRY_CONFIG):
        self.read_only = read_only
        self.endpoint_url = endpoint_url
        self.observer = observer
        self.config = config
        self.unbounded = config  # what with_deadline cuts from, however often it is called
        self._base = session or boto3.Session()
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def with_deadline(self, seconds: float) -> Clients:
        """Clients (sharing sessions and assumed roles) whose calls each end within `seconds`, at most
        MAX_CALL_SECONDS: the Lambda's time left bounds every call, retries included."""
        bounded = Clients(self._base, read_only=self.read_only, endpoint_url=self.endpoint_url,
                          observer=self.observer, config=bounded_config(self.unbounded,
                                                                        min(seconds, MAX_CALL_SECONDS)))
        bounded.unbounded = self.unbounded
        bounded._sessions = self._sessions
        return bounded

    def _guard(self, client: Any) -> Any:
        """Hook this client's own event emitter (a session's emitter may be shared with writing clients)."""
        events = client.meta.events
        if self.observer is not None:
            observer = self.observer

            def observe(model: Any = None, params: Any = None, **_: Any) -> None:
                observer(_service_of(model), model.name, dict(params or {}))

            # before-parameter-build sees the API parameters as the caller gave them, for every protocol.
            events.register_first("before-parameter-build", observe, unique_id="shiftwork-observe")
        if self.read_only:
            events.register_first("before-parameter-build", refuse_writes, unique_id="shiftwork-read-only")
        return client

    def session_for(self, account: Account | None) -> boto3.Session:
        """The base session, or one whose AssumeRole credentials botocore refreshes before they expire
        (a warm Lambda outlives the one-hour role session)."""
        if account is None or not account.role:
            return self._base
        with self._lock:
            if account.id not in self._sessions:
                self._sessions[account.id] = self._assumed(account)
            return self._sessions[account.id]

    def _assumed(self, account: Account) -> boto3.Session:
        sts = self._guard(self._base.client("sts", config=self.config, endpoint_url=self.endpoint_url))
        kwargs: dict[str, Any] = {"RoleArn": account.role, "RoleSessionName": "shiftwork"}
        if account.external_id:
            kwargs["ExternalId"] = account.external_id

        def fetch() -> dict[str, str]:
            creds = sts.assume_role(**kwargs)["Credentials"]
            return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                    "token": creds["SessionToken"], "expiry_time": creds["Expiration"].isoformat()}

        core = botocore.session.get_session()
        # One loader for every session: each service model is parsed once however many accounts are
        # reached (a loader per session would parse EC2's again per account), from the same data path.
        core.register_component("data_loader", self._base._session.get_component("data_loader"))  # noqa: SLF001
        core._credentials = RefreshableCredentials.create_from_metadata(  # noqa: SLF001 (botocore's own pattern)
            metadata=fetch(), refresh_using=fetch, method="sts-assume-role")
        return boto3.Session(botocore_session=core, region_name=self._base.region_name)

    def client(self, service: str, region: str, account: Account | None = None) -> Any:
        key = (service, region, account.id if account else "")
        with self._lock:
            cached = self._clients.get(key)
        if cached is not None:
            return cached
        session = self.session_for(account)
        client = self._guard(session.client(service, region_name=region, config=self.config,
                                            endpoint_url=self.endpoint_url))
        with self._lock:
            self._clients.setdefault(key, client)
            return self._clients[key]
