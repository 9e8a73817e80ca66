"""`shiftwork override RESOURCE... --until TIME | --clear`: hold resources out of their rules until a time."""
from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shiftwork.engine.errors import EXIT_FAILED, EXIT_OK, UsageError
from shiftwork.engine.language.durations import parse_duration
from shiftwork.engine.plan.overrides import KEEPS, Override

MAX_OVERRIDE = timedelta(days=31)  # longer than a month is an opt-out: tag shiftwork:skip=true instead
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def register(sub) -> None:
    p = sub.add_parser("override", help="keep resources out of their rules until a time (tags them; writes!)",
                       description="Tags EC2 instances, Auto Scaling groups, ECS services and RDS instances or "
                                   "clusters with an override that ends by itself: until then their rules leave "
                                   "them alone (with --keep, only actions that agree with it run); the first tick "
                                   "after it ends puts them where their rule wants them.")
    p.add_argument("resources", nargs="+", metavar="RESOURCE", help="an EC2 instance id, or an ARN of any of them")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--until", metavar="TIME", help="22:00 (the next 22:00), 2026-12-21T22:00 (local), "
                                                      "2026-12-21T22:00Z, or a duration such as 3h")
    what.add_argument("--clear", action="store_true", help="remove the override now")
    p.add_argument("--keep", choices=KEEPS, help="what to hold: rules may still move the resource towards it "
                                                 "(default: hold it as it is)")
    p.add_argument("--reason", default="", help="why, for the on-call and `shiftwork overrides`")
    p.add_argument("--timezone", metavar="ZONE", help="for --until without an offset (default: this machine's)")
    p.add_argument("--region", help="for EC2 instance ids (default: your AWS config); ARNs name their region")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--endpoint-url", metavar="URL", help="an AWS emulator, e.g. http://127.0.0.1:5000")
    p.set_defaults(run=run)


def parse_until(text: str, now: datetime, tz: str | None = None) -> datetime:
    """An instant after `now` and within MAX_OVERRIDE, from a clock time, a local or aware ISO time, or a duration."""
    text = text.strip()
    zone = _zone(tz)
    local_now = now.astimezone(zone) if zone else now.astimezone()
    clock = CLOCK.match(text)
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        if hour > 23 or minute > 59:
            raise UsageError(f"--until {text!r} is not a time of day")
        at = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if at <= local_now:
            at = _wall(at.replace(tzinfo=None) + timedelta(days=1), zone)
        until = at
    elif re.match(r"^\d+[smhdw]", text):
        try:
            until = now + parse_duration(text)
        except ValueError as exc:
            raise UsageError(f"--until: {exc}") from None
    else:
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--until {text!r} is not a time; write 22:00, 2026-12-21T22:00, 2026-12-21T22:00Z "
                             "or a duration such as 3h") from None
        until = at if at.tzinfo else _wall(at, zone)
    until = until.astimezone(timezone.utc).replace(second=0, microsecond=0)
    if until <= now:
        raise UsageError(f"--until {text!r} is {until:%Y-%m-%d %H:%M} UTC, which has passed; use --clear to end "
                         "an override")
    if until - now > MAX_OVERRIDE:
        raise UsageError(f"--until {text!r} is more than 31 days away; for a lasting opt-out tag the resource "
                         "shiftwork:skip=true")
    return until


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--timezone {name!r} is not an IANA zone such as Europe/London") from None


def _wall(naive: datetime, zone: ZoneInfo | None) -> datetime:
    return naive.replace(tzinfo=zone) if zone else naive.astimezone()


def caller(clients, region: str) -> str:
    """Who sets the override: the caller's ARN, as AWS names it."""
    return clients.client("sts", region).get_caller_identity()["Arn"]


def run(args, now: datetime | None = None) -> int:
    from shiftwork.engine.execute.executor import Executor
    from shiftwork.engine.execute.session import make_clients
    from shiftwork.engine.plan.override_targets import clear_changes, missing, parse_ref, set_changes

    now = now or datetime.now(timezone.utc)
    if args.clear and (args.keep or args.reason):
        raise UsageError("--clear removes the override; --keep and --reason go with --until")
    clients, region = make_clients(profile=args.profile, region=args.region, endpoint_url=args.endpoint_url,
                                   read_only=False)
    targets, failed = [], 0
    for res in [parse_ref(text, region) for text in args.resources]:
        why = missing(clients, res)
        if why:
            failed += 1
            print(f"  {res.label}: FAILED: {why}; not tagged", file=sys.stderr)
        else:
            targets.append(res)
    if args.clear:
        changes = clear_changes(targets)
    else:
        until = parse_until(args.until, now, args.timezone)
        by = caller(clients, region)
        changes = set_changes(targets, until, args.keep, by, args.reason)
        held = Override(until, args.keep, by, args.reason)
        print(f"{held.describe(args.timezone or 'UTC')}")
    results = Executor(clients).execute(changes)
    for r in results:
        res = r.change.resource
        if r.status == "ok":
            print(f"  {res.label}: {'cleared' if args.clear else 'set'}")
        else:
            failed += 1
            print(f"  {res.label}: FAILED: {': '.join(p for p in (r.error_code, r.reason) if p)}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK
