"""`shiftwork deploy DIR --stack NAME`: package, upload, and create or update the stack through a change set."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shiftwork.deploy.changes import summary
from shiftwork.deploy.policy import INLINE_ROLE_POLICY_CHARS, size
from shiftwork.deploy.options import TICK_SOURCES, TemplateOptions
from shiftwork.deploy.rules_view import view
from shiftwork.deploy.stack import DeployError, Stack, ensure_bucket, template_source, upload
from shiftwork.deploy.stack_policy import member_stack, stack_policy
from shiftwork.deploy.template import build_template
from shiftwork.engine.cli.commands.package import add_build_options, build, describe, validated
from shiftwork.engine.errors import EXIT_OK, UsageError
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.language.registry import registered


def register(sub) -> None:
    p = sub.add_parser("deploy", help="package the rules and create or update their CloudFormation stack")
    p.add_argument("path", metavar="DIR", help="the directory of rule files (*.yaml) to deploy")
    p.add_argument("--stack", metavar="NAME", help="the stack (also names the function and its log group)")
    p.add_argument("--bucket", metavar="B", help="S3 bucket for the package (default shiftwork-ACCOUNT-REGION, "
                                                  "created when missing)")
    p.add_argument("--region", metavar="R", help="the stack's region (default: the profile's)")
    p.add_argument("--profile", metavar="P", help="the AWS profile to deploy with")
    p.add_argument("--endpoint-url", metavar="URL", help="an AWS emulator's endpoint, for tests")
    p.add_argument("--dry-run", action="store_true",
                   help="print the change set and delete it: nothing is uploaded and the stack does not change")
    p.add_argument("--tick", choices=TICK_SOURCES, default="scheduler",
                   help="what ticks the dispatcher: an EventBridge Scheduler schedule (default) or an EventBridge "
                        "rate() rule")
    p.add_argument("--parameter", metavar="NAME=VALUE", action="append", default=[],
                   help="set a stack parameter (FunctionMemory, FunctionTimeout, TickRate, LogRetentionDays, "
                        "AlarmTopicArn); one not given keeps its deployed value")
    p.add_argument("--print-template", action="store_true", help="print the stack's template and stop")
    p.add_argument("--print-member-template", action="store_true",
                   help="print the member-account role's template (for a StackSet over the organization) and stop")
    add_build_options(p)
    p.set_defaults(run=run)


def options(args: argparse.Namespace) -> TemplateOptions:
    try:
        return TemplateOptions(tick=args.tick, arch=args.arch, python=args.python,
                               **({"function_name": args.stack} if args.stack else {}))
    except ValueError as exc:
        raise UsageError(str(exc).replace("function_name", "--stack (it names the function)")) from None


MANAGED = ("Architecture", "Runtime", "CodeBucket", "CodeKey")  # set from the package on every deploy


def given_parameters(pairs: list[str], template: dict[str, Any]) -> dict[str, str]:
    """`--parameter NAME=VALUE`s, checked against the template's parameters."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        settable = sorted(set(template["Parameters"]) - set(MANAGED))
        if not sep or name not in settable:
            raise UsageError(f"--parameter {pair!r}: NAME=VALUE with NAME one of {', '.join(settable)}")
        out[name] = value
    return out


def run(args: argparse.Namespace) -> int:
    ruleset = validated(args.path)
    registry = registered()
    if args.print_member_template:
        print(json.dumps(member_stack(ruleset, registry), indent=2))
        return EXIT_OK
    rules = view(ruleset)
    policy = stack_policy(ruleset, registry)
    template = build_template(rules, policy=policy, options=options(args))
    role_chars = sum(size(p["PolicyDocument"]) for p in template["Resources"]["FunctionRole"]["Properties"]["Policies"])
    if role_chars > INLINE_ROLE_POLICY_CHARS:
        print(f"warning: the function role's policies have about {role_chars:,} characters; IAM allows "
              f"{INLINE_ROLE_POLICY_CHARS:,} per role, so creating the role may fail: split the rules into "
              "several stacks", file=sys.stderr)
    if args.print_template:
        print(json.dumps(template, indent=2))
        return EXIT_OK
    if not args.stack:
        raise UsageError("--stack NAME is required to deploy (or give --print-template)")
    given_parameters(args.parameter, template)  # a typo fails before the package is built
    built = build(args, rules)
    print(f"package {describe(built)}")
    try:
        return _deploy(args, template, built)
    except (ClientError, BotoCoreError) as exc:
        raise DeployError(f"AWS: {exc}") from None


def _deploy(args: argparse.Namespace, template: dict[str, Any], built: Any) -> int:
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    region = session.region_name
    if not region:
        raise UsageError("no region: give --region, or set one in the profile or AWS_REGION")
    clients = Clients(session, endpoint_url=args.endpoint_url)
    s3 = clients.client("s3", region)
    bucket = args.bucket or f"shiftwork-{clients.client('sts', region).get_caller_identity()['Account']}-{region}"
    key = f"shiftwork/{built.sha256}.zip"
    if args.dry_run:
        print(f"dry run: the package would go to s3://{bucket}/{key}; nothing is uploaded")
    else:
        if ensure_bucket(s3, bucket, region):
            print(f"created bucket {bucket} in {region} (private: public access blocked)")
        uploaded = upload(s3, bucket, key, built.path)
        print(f"{'uploaded' if uploaded else 'already uploaded'}: s3://{bucket}/{key}")
    stack = Stack(clients.client("cloudformation", region), args.stack)
    parameters = {**given_parameters(args.parameter, template),
                  "Architecture": args.arch, "Runtime": f"python{args.python}", "CodeBucket": bucket, "CodeKey": key}
    change_set = stack.create_change_set(template_source(s3, template, bucket, region), parameters, template)
    if change_set is None:
        print(f"stack {args.stack} is up to date: no changes")
        return EXIT_OK
    print(summary(args.stack, change_set.kind, change_set.changes))
    if args.dry_run:
        stack.discard(change_set)
        print(f"dry run: change set {change_set.name} deleted; stack {args.stack} is unchanged")
        return EXIT_OK
    outputs = stack.execute(change_set)
    print(f"stack {args.stack}: {'created' if change_set.kind == 'CREATE' else 'updated'}")
    for name, value in sorted(outputs.items()):
        print(f"  {name}: {value}")
    if not outputs:
        print("  (the stack reported no outputs)")
    return EXIT_OK
