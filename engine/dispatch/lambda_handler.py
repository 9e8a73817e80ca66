"""The Lambda entry point: build the dispatcher once per cold start, then handle each event."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import boto3

import shiftwork.handlers  # noqa: F401  (an entry point: the handlers register their actions)
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.execute.models import ENV as MODELS_ENV, use_trimmed_models
from shiftwork.engine.dispatch.dispatcher import MIN_REMAINING_MS, Dispatcher, json_log
from shiftwork.engine.events.shapes import BadEvent, event_time
from shiftwork.engine.language import holiday_bundle
from shiftwork.engine.language.loader import load, validated_digest
from shiftwork.engine.dispatch.dynamo_state import DynamoState
from shiftwork.engine.dispatch.fanout import DEFAULT_THRESHOLD, Queue
from shiftwork.engine.dispatch.state import MemoryState, State

_dispatcher: Dispatcher | None = None


def default_rules(env: dict[str, str] | None = None) -> str:
    """The rules the function loads: SHIFTWORK_RULES, else `rules/` next to the package's `engine/`."""
    env = dict(os.environ if env is None else env)
    return env.get("SHIFTWORK_RULES") or str(Path(__file__).resolve().parents[2] / "rules")


def build(env: dict[str, str] | None = None, *, state: State | None = None,
          session: boto3.Session | None = None) -> Dispatcher:
    """From the environment: SHIFTWORK_RULES (path of the bundled rules), SHIFTWORK_TABLE (DynamoDB),
    SHIFTWORK_QUEUE_URL (the fan-out queue), SHIFTWORK_FANOUT_THRESHOLD (default 4 (account, region) pairs)
    and SHIFTWORK_MODELS (the package's trimmed AWS models, engine.execute.models).

    `state` and `session` override the table and the default session (`shiftwork invoke --state`)."""
    from shiftwork.engine.execute.executor import Executor

    env = dict(os.environ if env is None else env)
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = env.get("SHIFTWORK_ENDPOINT_URL")  # an emulator, for end-to-end tests only
    session = session or boto3.Session(region_name=region)
    use_trimmed_models(session, env.get(MODELS_ENV), json_log)  # before any client parses a model
    table = env.get("SHIFTWORK_TABLE")
    writing = Clients(session, endpoint_url=endpoint)
    if state is None:
        state = DynamoState(writing.client("dynamodb", region), table) if table else MemoryState()
        if not table:
            json_log({"level": "WARNING", "message": "SHIFTWORK_TABLE is not set: state lives in memory only, so "
                      "every cold start re-evaluates windows from scratch and the tick lock does not span "
                      "invocations"})
    rules = default_rules(env)
    ruleset = load([rules], validated=validated_digest(rules))  # the package validated them: no schema pass
    queue_url = env.get("SHIFTWORK_QUEUE_URL")
    queue = Queue(writing.client("sqs", region), queue_url) if queue_url else None
    threshold = int(env.get("SHIFTWORK_FANOUT_THRESHOLD") or DEFAULT_THRESHOLD)
    return Dispatcher(ruleset=ruleset, state=state, planning=Clients(session, read_only=True, endpoint_url=endpoint),
                      executor=Executor(writing, ruleset.accounts()), default_region=region, queue=queue,
                      fanout_threshold=threshold)


def handler(event: Any, context: Any) -> dict[str, Any]:
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = build()
    _dispatcher.remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if _dispatcher.remaining_ms is not None:  # every AWS call ends before the Lambda's time is up
        seconds = (_dispatcher.remaining_ms() - MIN_REMAINING_MS) / 1000
        _dispatcher.planning = _dispatcher.planning.with_deadline(seconds)
        if isinstance(getattr(_dispatcher.executor, "clients", None), Clients):
            _dispatcher.executor.clients = _dispatcher.executor.clients.with_deadline(seconds)
    holiday_bundle.warn_once_a_day(_when(event), json_log)
    return _dispatcher.handle(event)


def _when(event: Any) -> datetime:
    """The tick's (or event's) own time when it carries one, else now: what the holidays horizon is measured from."""
    try:
        return (event_time(event) if isinstance(event, dict) else None) or datetime.now(timezone.utc)
    except BadEvent:
        return datetime.now(timezone.utc)  # the dispatcher reports the bad time itself
