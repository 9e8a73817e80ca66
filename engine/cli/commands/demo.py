"""`shiftwork demo`: validate, simulate, plan and run the example rules against an embedded AWS."""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.cli.demo_fleet import ACCOUNT
from shiftwork.engine.cli.embedded import fake_credentials, moto_server
from shiftwork.engine.errors import UsageError

DEFAULT_RULES = "rules/examples"
ALARM_EVENT = {
    "version": "0", "id": "demo-alarm", "detail-type": "CloudWatch Alarm State Change",
    "source": "aws.cloudwatch", "account": "111122223333", "time": "2026-12-21T15:42:10Z", "region": "eu-west-1",
    "resources": ["arn:aws:cloudwatch:eu-west-1:111122223333:alarm:api-cpu-high"],
    "detail": {"alarmName": "api-cpu-high", "state": {"value": "ALARM"}, "previousState": {"value": "OK"}},
}


def register(sub) -> None:
    p = sub.add_parser("demo", help="see shiftwork work on an embedded AWS with a small fleet (no account needed)")
    p.add_argument("path", nargs="?", default=DEFAULT_RULES, metavar="PATH",
                   help=f"rule files or a directory of them (default: {DEFAULT_RULES})")
    p.set_defaults(run=run)


def _step(title: str, command: str, explain: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n  $ {command}\n  {explain}\n{'-' * 100}", flush=True)


def _cli(argv: list[str]) -> int:
    from shiftwork.engine.cli.main import main

    return main(argv)


def _show_inbox(clients: Clients, queue: str | None, target: str) -> None:
    """Print what the notify target received (an SQS queue subscribed to its SNS topic)."""
    if not queue:
        return
    sqs = clients.client("sqs", "eu-west-1")
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    print(f"\n  The '{target}' SNS topic received {len(messages)} message(s):")
    for message in messages:
        for line in message["Body"].splitlines():
            print(f"  | {line}")


def run(args) -> int:
    path = args.path
    if not Path(path).exists():
        raise UsageError(f"{path}: no such file or directory; run the demo from a shiftwork checkout "
                         "or give a rules path: shiftwork demo PATH")
    from shiftwork.engine.cli.demo_fleet import seed

    with fake_credentials(account=ACCOUNT), moto_server() as url:
        os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
        clients = Clients(boto3.Session(region_name="eu-west-1"), endpoint_url=url)
        fleet = seed(clients)
        print(f"shiftwork demo: an embedded AWS (moto) listens on {url} (loopback only), seeded with "
              f"{len(fleet.instances)} EC2 instances, an Auto Scaling group, {len(fleet.services)} ECS services "
              "(one with an autoscaling target), an RDS instance and an Aurora cluster.")
        where = ["--endpoint-url", url]
        _step("1. Validate the rule files", f"shiftwork validate {path}",
              "Every error of every file at once, as file:line:col; exit 2 on any error.")
        if _cli(["validate", path]) != 0:
            return 2
        _step("2. Simulate a week: what fires when, in local time", f"shiftwork simulate {path} --from 2026-12-21 "
              "--to 2026-12-27 --rule dev-office-hours",
              "No AWS needed. Christmas and Boxing Day are England bank holidays: the window stays shut.")
        _cli(["simulate", path, "--from", "2026-12-21", "--to", "2026-12-27", "--rule", "dev-office-hours"])
        _step("3. Plan Monday 19:00 (each rule's local time): a dry run that cannot write",
              f"shiftwork plan {path} --at 2026-12-21T19:00 --endpoint-url {url}",
              "Office hours end: dev instances stop; the one tagged shiftwork:skip=true is reported, not touched.")
        _cli(["plan", path, "--at", "2026-12-21T19:00", *where])
        with tempfile.TemporaryDirectory() as tmp:
            event_file = Path(tmp) / "alarm.json"
            event_file.write_text(json.dumps(ALARM_EVENT, indent=2))
            _step("4. Plan for an event: the api-cpu-high alarm fires",
                  f"shiftwork plan {path} --event alarm.json --endpoint-url {url}",
                  "Event rules match EventBridge patterns; the api service has an autoscaling target, so it "
                  "scales through the target's min/max.")
            _cli(["plan", path, "--event", str(event_file), *where])
        _step("5. Run Monday 21:00 for real (on the embedded AWS): batch workers scale to zero",
              f"shiftwork run {path} --at 2026-12-21T21:00 --rule batch-off-overnight --no-state --endpoint-url {url}",
              "The previous size is saved in a tag first, so the morning restore is exact.")
        _cli(["run", path, "--at", "2026-12-21T21:00", "--rule", "batch-off-overnight", "--no-state", *where])
        _show_inbox(clients, fleet.inboxes.get("ops"), "ops")
        _step("6. Run the same tick again: a converged fleet costs zero writes",
              f"shiftwork run {path} --at 2026-12-21T21:00 --rule batch-off-overnight --no-state --endpoint-url {url}",
              "Actions are idempotent; the saved size is not overwritten by zero.")
        _cli(["run", path, "--at", "2026-12-21T21:00", "--rule", "batch-off-overnight", "--no-state", *where])
        _step("7. Tuesday 07:00: restore exactly", f"shiftwork run {path} --at 2026-12-22T07:00 --rule "
              f"batch-off-overnight --no-state --endpoint-url {url}", "Back to the sizes saved last night.")
        _cli(["run", path, "--at", "2026-12-22T07:00", "--rule", "batch-off-overnight", "--no-state", *where])
        # The embedded AWS stamps snapshots with the real clock, so this step's time is tomorrow morning.
        tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT06:15")
        _step("8. Validate backups (reads only): one volume passes, one fails",
              f"shiftwork run {path} --at {tomorrow} --rule prod-volumes-snapshotted --fail-on findings "
              f"--no-state --endpoint-url {url}",
              "Snapshots were taken just now, so this runs at 06:15 tomorrow. Exit 1: a check failed; the "
              "on-call topic gets one summary of the failures.")
        code = _cli(["run", path, "--at", tomorrow, "--rule", "prod-volumes-snapshotted", "--fail-on", "findings",
                     "--no-state", *where])
        print(f"  (exit code {code})")
        _show_inbox(clients, fleet.inboxes.get("backups-oncall"), "backups-oncall")
        print("\nNext: write your own rules (docs/rules.md), `shiftwork validate` and `simulate` them, then "
              "`shiftwork plan` them against your account (read-only); docs/operations.md says how to run the "
              "Lambda.")
    return 0
