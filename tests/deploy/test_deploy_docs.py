"""docs/deploy.md: every `shiftwork` command in it parses, and the deployer's policy holds every call the deploy makes."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from shiftwork.engine.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deploy.md").read_text()
COMMANDS = [line.split("#")[0].strip() for line in re.findall(r"^(shiftwork .+)$", DOC, re.M)]
# API operations whose IAM action has another name (Service Authorization Reference for S3: a HEAD request is
# authorised as the read it stands for; PutPublicAccessBlock is s3:PutBucketPublicAccessBlock).
HEADS = {"head_bucket": "s3:ListBucket", "head_object": "s3:GetObject",
         "put_public_access_block": "s3:PutBucketPublicAccessBlock"}
SERVICES = {"cfn": "cloudformation", "self.cfn": "cloudformation", "s3": "s3"}


@pytest.mark.parametrize("command", COMMANDS)
def test_documented_commands_parse(command: str) -> None:
    words = [w for w in shlex.split(command.replace(">", " ")) if w != "member.json"]
    args, extras = build_parser().parse_known_args(words[1:])
    assert extras == [] and args.run is not None


def test_deployer_policy_holds_every_call_of_the_deploy() -> None:
    block = re.search(r"```json\n(.*?)```", DOC, re.S)[1]
    policy = json.loads(block)
    allowed = {a for s in policy["Statement"] for a in s["Action"]}
    source = (ROOT / "deploy" / "stack.py").read_text() + (ROOT / "engine/cli/commands/deploy.py").read_text()
    called = {HEADS.get(method) or f"{SERVICES[client]}:{''.join(p.title() for p in method.split('_'))}"
              for client, method in re.findall(r"\b(self\.cfn|cfn|s3)\.(\w+)\(", source) if method != "get_waiter"}
    if "get_caller_identity" in source:
        called.add("sts:GetCallerIdentity")
    assert len(called) >= 12 and called <= allowed, sorted(called - allowed)
