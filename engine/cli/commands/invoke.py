"""`shiftwork invoke [PATH] --event FILE`: run the Lambda handler locally exactly as Lambda would.

The handler gets the event and a context with a time budget (`get_remaining_time_in_millis`), on the
rules at PATH (default: the rules the function would load), with the state in a DynamoDB table
(`--table`), a local file (`--state`) or memory. It prints the handler's return value as JSON, or, when
the handler raises, Lambda's error shape (`errorType`, `errorMessage`) and exits 1: never a traceback.
The dispatcher's log lines go to stderr.
"""
from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from shiftwork.engine.errors import EXIT_FAILED, EXIT_OK, UsageError


class Context:
    """The parts of Lambda's context object the handler and a user's code read."""

    def __init__(self, timeout_s: float, function_name: str = "shiftwork", memory_mb: int = 256):
        self.deadline = time.monotonic() + timeout_s
        self.function_name = function_name
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def register(sub) -> None:
    p = sub.add_parser("invoke", help="run the Lambda handler locally on an event, as Lambda would")
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="rule files or a directory (default: the rules the function would load, SHIFTWORK_RULES)")
    p.add_argument("--event", metavar="FILE", required=True, help="the event, as JSON (EventBridge, SNS, SQS, ...)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--table", metavar="NAME", help="the DynamoDB state table (default: SHIFTWORK_TABLE)")
    where.add_argument("--state", metavar="FILE", help="a local state file instead of a table")
    p.add_argument("--endpoint-url", metavar="URL", help="an AWS emulator, e.g. http://127.0.0.1:5000")
    p.add_argument("--region", help="the function's region (default: AWS_REGION, your AWS config)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS",
                   help="the function's timeout: the time budget the context reports (default 900)")
    p.set_defaults(run=run)


def _event(path: str) -> Any:
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"--event {path}: no such file")
    try:
        return json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"--event {path}: not JSON ({exc})") from None


def run(args) -> int:
    import shiftwork.engine.dispatch.lambda_handler as entry
    from shiftwork.engine.dispatch.state import FileState, MemoryState
    from shiftwork.engine.execute.session import make_clients

    event = _event(args.event)
    if args.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")
    clients, region = make_clients(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url,
                                   read_only=True)
    env = dict(os.environ)
    env.update(AWS_REGION=region, SHIFTWORK_RULES=args.path or entry.default_rules())
    if args.endpoint_url:
        env["SHIFTWORK_ENDPOINT_URL"] = args.endpoint_url
    if args.table:
        env["SHIFTWORK_TABLE"] = args.table
    if args.state:
        env.pop("SHIFTWORK_TABLE", None)
    if args.path and not Path(args.path).exists():
        raise UsageError(f"{args.path}: no such file or directory")
    state = FileState(args.state) if args.state else None
    if state is None and not env.get("SHIFTWORK_TABLE"):
        state = MemoryState()
        _to_stderr({"level": "WARNING", "message": "no --table or --state: state lives in memory for this "
                    "invocation only"})
    dispatcher = entry.build(env, state=state, session=clients.session_for(None))
    dispatcher.log = _to_stderr
    entry._dispatcher = dispatcher
    try:
        result = entry.handler(event, Context(args.timeout))
    except Exception as exc:  # noqa: BLE001 (as Lambda reports a raised error: its type and message)
        payload: dict[str, Any] = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
        if isinstance(getattr(exc, "summary", None), dict):
            payload["summary"] = exc.summary
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return EXIT_FAILED
    finally:
        entry._dispatcher = None
    sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    return EXIT_OK


def _to_stderr(record: dict[str, Any]) -> None:
    sys.stderr.write(json.dumps(record, default=str, sort_keys=True) + "\n")
