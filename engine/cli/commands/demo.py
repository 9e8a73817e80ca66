"""`shiftwork demo [PATH]`: the bundled examples narrated on an embedded AWS, or your rules tried on it."""
from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3

from shiftwork.engine.cli.demo_fleet import ACCOUNT, Fleet
from shiftwork.engine.cli.embedded import fake_credentials, moto_server
from shiftwork.engine.cli.progress import progress
from shiftwork.engine.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, ShiftworkError, UsageError
from shiftwork.engine.execute.aws import Clients

ALARM_EVENT = {
    "version": "0", "id": "demo-alarm", "detail-type": "CloudWatch Alarm State Change",
    "source": "aws.cloudwatch", "account": "111122223333", "time": "2026-12-21T15:42:10Z", "region": "eu-west-1",
    "resources": ["arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-cpu-high"],
    "detail": {"alarmName": "api-cpu-high", "state": {"value": "ALARM"}, "previousState": {"value": "OK"}},
}
RUN = ("--no-state", "--yes")  # the demo's runs: no state file left in your directory, no questions asked
INBOX_LINES = 1  # of each notification shown: what happened; the rest lists the resources the table showed
WEEK = ("2026-12-21", "2026-12-27")  # Monday to Sunday, with Christmas and Boxing Day in it
PLAN_TIMES = (("Monday 08:00", "2026-12-21T08:00"), ("Monday 19:00", "2026-12-21T19:00"),
              ("Saturday 12:00", "2026-12-26T12:00"))  # each rule's local time


def register(sub) -> None:
    p = sub.add_parser("demo", help="see shiftwork work on an embedded AWS with a small fleet (no account needed)",
                       description="Without PATH: the bundled example rules, narrated step by step. With PATH: "
                                   "your rules validated, simulated over a week and planned at a few times on "
                                   "the demo's embedded fleet; exit non-zero when a step fails.")
    p.add_argument("path", nargs="?", metavar="PATH", help="your rule files or a directory of them "
                                                           "(default: the examples bundled with shiftwork)")
    p.set_defaults(run=run)


def bundled_examples() -> str:
    """The directory of example rules installed with the package (shiftwork.examples)."""
    spec = importlib.util.find_spec("shiftwork.examples")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir() and any(Path(location).glob("*.yaml")):
            return location
    raise ShiftworkError("the bundled examples are missing from this installation; reinstall shiftwork, "
                         "or give a rules path: shiftwork demo PATH")


def _step(title: str, command: list[str], explain: str = "") -> None:
    print(f"\n── {title}" + (f". {explain}" if explain else "") + f"\n   $ shiftwork {' '.join(command)}", flush=True)


def _cli(argv: list[str]) -> int:
    from shiftwork.engine.cli.main import main

    return main(argv)


def _show_inbox(clients: Clients, queue: str | None, target: str) -> None:
    """Print what the notify target received (an SQS queue subscribed to its SNS topic)."""
    if not queue:
        return
    sqs = clients.client("sqs", "eu-west-1")
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    print(f"  The '{target}' SNS topic received {len(messages)} message(s):")
    for message in messages:  # the first lines: what happened; the rest lists the resources again
        lines = [line for line in message["Body"].splitlines() if line.strip()]
        for line in lines[:INBOX_LINES]:
            print(f"  | {line}")
        if len(lines) > INBOX_LINES:
            print(f"  | ... ({len(lines) - INBOX_LINES} more lines)")


@contextmanager
def embedded_fleet() -> Iterator[tuple[str, Clients, Fleet]]:
    """moto_server on loopback with the demo fleet; progress on a terminal while it starts (a few seconds)."""
    from shiftwork.engine.cli.demo_fleet import seed

    progress("starting an embedded AWS (moto) and seeding the demo fleet...")
    with fake_credentials(account=ACCOUNT), moto_server() as url:
        os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
        clients = Clients(boto3.Session(region_name="eu-west-1"), endpoint_url=url)
        fleet = seed(clients)
        progress(None)
        print(f"shiftwork demo: an embedded AWS (moto) on {url} (loopback only): {len(fleet.instances)} EC2 "
              f"instances, an Auto Scaling group, {len(fleet.services)} ECS services, RDS and Aurora, in account "
              f"{ACCOUNT}, eu-west-1 and us-east-1.")
        yield url, clients, fleet


def run(args) -> int:
    if args.path is None:
        return narrate(bundled_examples())
    if not Path(args.path).exists():
        raise UsageError(f"{args.path}: no such file or directory")
    return try_rules(args.path)


def try_rules(path: str) -> int:
    """Your rules on the demo fleet: nothing is narrated that the rules do not say; exit 0 only if every step did."""
    step = _stepper()
    if step("1. Validate", ["validate", path]) != EXIT_OK:
        return EXIT_USAGE  # nothing else can run on rules that do not load
    step(f"2. Simulate a week ({WEEK[0]} .. {WEEK[1]}), no AWS needed",
         ["simulate", path, "--from", WEEK[0], "--to", WEEK[1]])
    with embedded_fleet() as (url, _, _):
        for n, (label, at) in enumerate(PLAN_TIMES, start=3):
            step(f"{n}. Plan {label} (each rule's local time) on the demo fleet: a dry run",
                 ["plan", path, "--at", at, "--endpoint-url", url])
    failed = step.failed  # type: ignore[attr-defined]
    print(f"\n{'every step succeeded' if not failed else 'failed: ' + ', '.join(failed)}")
    return EXIT_FAILED if failed else EXIT_OK


def _stepper() -> Callable[..., int]:
    """Runs CLI steps, remembering which ones exited non-zero."""
    failed: list[str] = []

    def step(title: str, argv: list[str], explain: str = "") -> int:
        _step(title, argv, explain)
        code = _cli(argv)
        if code != EXIT_OK:
            failed.append(f"{title.split('.')[0]} (exit {code})")
        return code

    step.failed = failed  # type: ignore[attr-defined]
    return step


def narrate(path: str) -> int:
    """The bundled examples, with the story they were written for."""
    step = _stepper()
    if step("1. Validate the rule files: every error at once, as file:line:col; exit 2 on any",
            ["validate", path]) != EXIT_OK:
        return EXIT_USAGE
    step("2. Simulate a week: what fires when, in local time; no AWS needed", ["simulate", path, "--from", WEEK[0],
         "--to", WEEK[1], "--rule", "dev-office-hours"],
         "Christmas and Boxing Day are England bank holidays: the window stays shut.")
    with embedded_fleet() as (url, clients, fleet), tempfile.TemporaryDirectory() as tmp:
        where = ["--endpoint-url", url]
        step("3. Plan Monday 19:00 (each rule's local time): a dry run that cannot write",
             ["plan", path, "--at", "2026-12-21T19:00", *where],
             "Office hours end: dev instances stop; the one tagged shiftwork:skip=true is reported, not touched.")
        event_file = Path(tmp) / "alarm.json"
        event_file.write_text(json.dumps(ALARM_EVENT, indent=2))
        step("4. Plan for an event: the api-cpu-high alarm fires", ["plan", path, "--event", str(event_file), *where],
             "The api service has an autoscaling target, so it scales through the target's min/max.")
        batch = ["--rule", "batch-off-overnight", *RUN, *where]
        step("5. Run Monday 21:00 for real (on the embedded AWS): batch workers scale to zero",
             ["run", path, "--at", "2026-12-21T21:00", *batch], "The previous size is saved in a tag first.")
        _show_inbox(clients, fleet.inboxes.get("ops"), "ops")
        step("6. Run the same tick again: a converged fleet costs zero writes",
             ["run", path, "--at", "2026-12-21T21:00", *batch])
        step("7. Tuesday 07:00: restore exactly the sizes saved last night",
             ["run", path, "--at", "2026-12-22T07:00", *batch])
        # The embedded AWS stamps snapshots with the real clock, so this step's time is tomorrow morning.
        tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT06:15")
        code = _cli_step_expecting_failure(step, tomorrow, path, where)
        if code == EXIT_FAILED:
            print(f"  (exit code {code}: a check failed, as expected)")
        else:
            step.failed.append(f"8 (exit {code}, expected 1)")  # type: ignore[attr-defined]
        _show_inbox(clients, fleet.inboxes.get("backups-oncall"), "backups-oncall")
        _override_step(step, path, where, fleet.instances["dev-web-2"])
    failed = step.failed  # type: ignore[attr-defined]
    print("\nNext: write your own rules (docs/rules.md), try them here with `shiftwork demo PATH`, `validate` and "
          "`simulate` them, then `plan` them against your account (read-only); docs/operations.md says how to "
          "run the Lambda.")
    return EXIT_FAILED if failed else EXIT_OK


def _override_step(step: Callable[..., int], path: str, where: list[str], held: str) -> None:
    """An override through the evening stop that ends by itself; on the coming Monday, as overrides are real-time."""
    today = datetime.now(timezone.utc).date()
    day = (today + timedelta(days=7 - today.weekday())).isoformat()  # the next Monday after today
    step("9. Keep one dev instance on tonight: an override that ends by itself",
         ["override", held, "--until", f"{day}T22:00", "--timezone", "Europe/London", "--keep", "running",
          "--reason", "release test", "--region", "eu-west-1", *where],
         "The 19:00 stop skips it and says until when; the first run from 22:00 stops it.")
    for hour in ("19:00", "22:00"):
        step(f"9. Run {day} {hour}", ["run", path, "--at", f"{day}T{hour}", "--rule", "dev-office-hours", *RUN,
                                      *where])


def _cli_step_expecting_failure(step: Callable[..., int], at: str, path: str, where: list[str]) -> int:
    """Step 8 exits 1 on purpose (one volume's check fails): that is the story, not a failed demo."""
    argv = ["run", path, "--at", at, "--rule", "prod-volumes-snapshotted", "--fail-on", "findings", *RUN, *where]
    _step("8. Validate backups (reads only): one volume passes, one fails", argv,
          "Snapshots were taken just now, so this runs at 06:15 tomorrow; --fail-on findings exits 1.")
    return _cli(argv)
