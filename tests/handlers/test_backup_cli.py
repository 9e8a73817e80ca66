"""The issue's acceptance through the CLI: AccessDenied on the recovery point listing is an error, exit 1."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

import shiftwork.engine.cli.commands.plan as plan_command
from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.cli.main import main

RULES = """version: 1
regions: [eu-west-1]
rules:
  - name: volumes-backed-up
    resource: ebs.volume
    match: {tags: {env: prod}}
    on: {cron: "0 6 * * *"}
    actions: [{type: backup.validate, source: aws-backup, max_age: 26h}]
"""


@pytest.mark.parametrize("fail_on", ["findings", "errors"])
def test_access_denied_is_an_error_finding_and_fails_the_run(aws, tmp_path, monkeypatch, capsys,
                                                             fail_on: str) -> None:
    (tmp_path / "rules.yaml").write_text(RULES)
    boto3.client("ec2", region_name="eu-west-1").create_volume(
        AvailabilityZone="eu-west-1a", Size=10,
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "env", "Value": "prod"}]}])
    clients = Clients(read_only=True)
    stubber = Stubber(clients.client("backup", "eu-west-1"))
    stubber.add_client_error("list_recovery_points_by_resource", service_error_code="AccessDeniedException",
                             service_message="User is not authorized to perform backup:ListRecoveryPointsByResource",
                             http_status_code=403)
    stubber.activate()
    monkeypatch.setattr(plan_command, "make_clients", lambda **_: (clients, "eu-west-1"))

    exit_code = main(["plan", str(tmp_path), "--at", "2026-12-21T06:00Z", "--format", "json", "--fail-on", fail_on])

    report = json.loads(capsys.readouterr().out)
    (finding,) = report["rules"][0]["findings"]
    assert finding["status"] == "error"
    assert "backup:ListRecoveryPointsByResource failed: AccessDeniedException" in finding["reason"]
    assert exit_code == 1  # an error is never a pass, whichever --fail-on
