"""`shiftwork deploy` against moto_server: the stack is created, a removed rule loses its EventBridge rule, and the
handler in the deployed zip runs in a fresh interpreter that sees only the zip (and the runtime's boto3).

What moto cannot show: it skips AWS::Scheduler::Schedule, CloudWatch alarms and EventInvokeConfig (with a
warning), and it does not run the function; so the handler is run here by hand from the extracted zip.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import boto3
import pytest

from tests.e2e.helpers import ROOT, shiftwork

pytestmark = [pytest.mark.e2e, pytest.mark.network]

CACHE = ROOT / ".cache" / "wheels"
REGION = "eu-west-1"
HOST_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # compiled wheels must match the interpreter
# The event and alarm rules of rules/examples (scale-on-alarm.yaml); every other example runs on ticks.


def event_rules_in_examples() -> set[str]:
    """The rules of rules/examples with an event or alarm trigger, read from the files: each gets an EventBridge rule."""
    from shiftwork.engine.language.loader import load
    from shiftwork.engine.language.model import AlarmTrigger, EventTrigger

    return {r.name for r in load([str(ROOT / "rules/examples")]).rules
            if isinstance(r.trigger, (EventTrigger, AlarmTrigger))}


# What the Lambda runtime provides and the package leaves out (deploy/wheels.py RUNTIME_PROVIDED), by import name.
RUNTIME_MODULES = ("boto3", "botocore", "jmespath", "s3transfer", "urllib3", "dateutil", "six")


def deploy(rules: Path, tmp: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    proc = shiftwork("deploy", str(rules), "--stack", "demo", "--endpoint-url", url, "--region", REGION,
                     "--out", str(tmp / "dist"), "--wheel-cache", str(CACHE), "--python", HOST_PYTHON,
                     "--tick", "eventbridge", *extra)
    if proc.returncode and "unreachable" in proc.stderr:
        pytest.skip("the package index is unreachable")
    return proc


def client(service: str, url: str):
    return boto3.Session(region_name=REGION).client(service, endpoint_url=url)


def deployed_template(cfn) -> dict:
    body = cfn.get_template(StackName="demo")["TemplateBody"]  # boto3 parses a JSON body itself
    return json.loads(body) if isinstance(body, str) else body


def event_rules(url: str) -> dict[str, str]:
    """Rule name -> the shiftwork rule it was made for (the description names it)."""
    found = client("events", url).list_rules()["Rules"]
    return {r["Name"]: r.get("Description", "") for r in found}


def test_deploy_creates_the_stack_updates_it_and_the_zip_runs_alone(aws: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "examples", rules)

    first = deploy(rules, tmp_path, aws)
    assert first.returncode == 0, first.stderr
    assert "created bucket shiftwork-123456789012-eu-west-1" in first.stdout
    assert re.search(r"change set to create stack demo: \d+ to add, 0 to modify, 0 to remove", first.stdout)
    assert re.search(r"Add +Event\w+Rule +AWS::Events::Rule +rule incident-scale-up", first.stdout)
    assert "stack demo: created" in first.stdout  # moto reports no Outputs for a stack made by a change set

    cfn = client("cloudformation", aws)
    resources = {r["LogicalResourceId"]: r for r in cfn.list_stack_resources(StackName="demo")["StackResourceSummaries"]}
    physical = {k: r["PhysicalResourceId"] for k, r in resources.items()}
    function = client("lambda", aws).get_function(FunctionName=physical["Function"])["Configuration"]
    assert function["FunctionName"] == "demo" and function["Runtime"] == f"python{HOST_PYTHON}"
    assert function["Handler"] == "shiftwork.engine.dispatch.lambda_handler.handler"
    assert function["Environment"]["Variables"]["SHIFTWORK_HOLIDAYS"] == "/var/task/shiftwork_data/holidays.json"
    assert function["Environment"]["Variables"]["SHIFTWORK_MODELS"] == "/var/task/shiftwork_models"
    role = client("iam", aws).get_role(RoleName=physical["FunctionRole"])["Role"]
    assert function["Role"] == role["Arn"]
    table = client("dynamodb", aws).describe_table(TableName=physical["StateTable"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    sqs = client("sqs", aws)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=physical["DeadLetterQueue"], AttributeNames=["QueueArn"])
    redrive = sqs.get_queue_attributes(QueueUrl=physical["FanOutQueue"], AttributeNames=["RedrivePolicy"])
    assert json.loads(redrive["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"] == \
        dlq_arn["Attributes"]["QueueArn"]
    owners = deployed_template(cfn)["Metadata"]["shiftwork"]["rules"]
    ids = {rule: [i for i in owned if i.endswith("Rule")] for rule, owned in owners.items() if owned}
    assert set(ids) == event_rules_in_examples() and "incident-scale-up" in ids
    assert {physical[i[0]] for i in ids.values()} <= set(event_rules(aws))
    assert "TickRule" in physical  # --tick eventbridge: moto skips Scheduler schedules

    # Delete one rule from its file: its EventBridge rule goes, the others stay, nothing else is touched.
    text = (rules / "scale-on-alarm.yaml").read_text()
    (rules / "scale-on-alarm.yaml").write_text(text[: text.index("  - name: incident-scale-up")])
    gone = physical[ids["incident-scale-up"][0]]

    dry = deploy(rules, tmp_path, aws, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert re.search(r"change set to update stack demo: 0 to add, \d+ to modify, 2 to remove", dry.stdout)
    assert re.search(r"Remove +Event\w+Rule +AWS::Events::Rule +rule incident-scale-up", dry.stdout)
    assert gone in event_rules(aws), (dry.stdout, event_rules(aws))
    assert [c for c in cfn.list_change_sets(StackName="demo")["Summaries"] if c["ExecutionStatus"] == "AVAILABLE"] == []

    second = deploy(rules, tmp_path, aws, "--parameter", "FunctionMemory=512")
    assert second.returncode == 0, second.stderr
    assert "stack demo: updated" in second.stdout
    assert client("lambda", aws).get_function(FunctionName="demo")["Configuration"]["MemorySize"] == 512
    remaining = event_rules(aws)
    assert gone not in remaining
    assert {physical[ids[r][0]] for r in event_rules_in_examples() - {"incident-scale-up"}} <= set(remaining)

    # The deployed zip, alone: a fresh interpreter (-I: no environment, -S: no site-packages) imports the handler
    # from it and ticks.
    zip_path = Path(re.search(r"^package (\S+\.zip)$", second.stdout, re.M)[1])
    # The tick as the default template's EventBridge Scheduler schedule sends it (moto cannot run a schedule).
    printed = shiftwork("deploy", str(rules), "--print-template")
    assert printed.returncode == 0, printed.stderr
    schedule_input = json.loads(printed.stdout)["Resources"]["TickSchedule"]["Properties"]["Target"]["Input"]
    run_from_zip(zip_path, tmp_path, aws, physical["StateTable"], schedule_input)


def run_from_zip(zip_path: Path, tmp: Path, url: str, table: str, schedule_input: str) -> None:
    unpacked = tmp / "task"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(unpacked)
    runtime = tmp / "runtime"  # the Lambda runtime's boto3 and its dependencies, nothing else from this venv
    runtime.mkdir()
    for name in RUNTIME_MODULES:
        module = __import__(name)
        source = Path(module.__file__).parent if module.__file__.endswith("__init__.py") else Path(module.__file__)
        (runtime / source.name).symlink_to(source)
    # A Monday; at 19:00 in London dev-office-hours' window has ended.
    event = json.loads(schedule_input.replace("<aws.scheduler.scheduled-time>", "2026-12-21T19:00:00Z"))
    assert event["shiftwork"] == "tick" and "2026-12-21T19:00:00Z" in event.values()
    script = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(unpacked)!r}, {str(runtime)!r}]\n"
        # every module compiled from source: the package's own should come compiled (deploy.bytecode)
        "import importlib.machinery\n"
        "compiled, to_code = [], importlib.machinery.SourceFileLoader.source_to_code\n"
        "importlib.machinery.SourceFileLoader.source_to_code = "
        "lambda self, data, path, *a, **k: compiled.append(path) or to_code(self, data, path, *a, **k)\n"
        "from shiftwork.engine.dispatch import lambda_handler\n"
        "import shiftwork, yaml, importlib.util\n"
        "assert importlib.util.find_spec('holidays') is None, 'holidays is importable'\n"
        f"assert shiftwork.__file__.startswith({str(unpacked)!r}) and yaml.__file__.startswith({str(unpacked)!r})\n"
        "class Context:\n"
        "    def get_remaining_time_in_millis(self): return 600000\n"
        f"summary = lambda_handler.handler({event!r}, Context())\n"
        "print('SUMMARY ' + json.dumps(summary, default=str))\n"
        # every service model botocore parsed came from the package's trimmed models
        "loader = lambda_handler._dispatcher.planning._base._session.get_component('data_loader')\n"
        "parsed = [v[1] for k, v in loader._cache.items() if k[0] == 'load_data_with_path' and k[1].endswith('/service-2')]\n"
        "print('MODELS ' + json.dumps(parsed))\n"
        "print('JSONSCHEMA ' + json.dumps('jsonschema' in sys.modules))\n"  # the package validated the rules
        f"print('COMPILED ' + json.dumps([p for p in compiled if p.startswith({str(unpacked)!r})]))\n"
    )
    env = {"SHIFTWORK_RULES": str(unpacked / "shiftwork_rules"),
           "SHIFTWORK_HOLIDAYS": str(unpacked / "shiftwork_data" / "holidays.json"),
           "SHIFTWORK_MODELS": str(unpacked / "shiftwork_models"),
           "SHIFTWORK_TABLE": table, "SHIFTWORK_ENDPOINT_URL": url, "AWS_REGION": REGION,
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "PATH": "/usr/bin:/bin", "TZ": "UTC"}
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", script], env=env, cwd=tmp, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("SUMMARY "))[8:])
    assert summary["failed_rules"] == []
    parsed = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("MODELS "))[7:])
    assert {Path(p).parts[-3] for p in parsed} >= {"dynamodb", "ec2"}, parsed  # the state table, the examples' fleet
    assert all(p.startswith(str(unpacked / "shiftwork_models") + "/") for p in parsed), parsed
    assert "JSONSCHEMA false" in proc.stdout.splitlines()
    assert "COMPILED []" in proc.stdout.splitlines(), proc.stdout  # the zip holds the bytecode of its Python
    ddb = client("dynamodb", url)
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "rule#dev-office-hours"}})["Item"]
    saved = json.loads(item["state"]["S"])
    assert saved["last_phase"] == "outside" and saved["last_evaluated"].startswith("2026-12-21T19:00")
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "key#tick#2026-12-21T19:00:00+00:00"}})
