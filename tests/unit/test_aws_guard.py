from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from shiftwork.engine.execute.aws import Clients, WriteRefused


def test_a_read_only_factory_does_not_guard_a_writer_sharing_its_session(monkeypatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        session = boto3.Session(region_name="eu-west-1")
        reader, writer = Clients(session, read_only=True), Clients(session)
        with pytest.raises(WriteRefused, match="ec2:CreateVpc"):
            reader.client("ec2", "eu-west-1").create_vpc(CidrBlock="10.0.0.0/16")
        assert writer.client("ec2", "eu-west-1").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        with pytest.raises(WriteRefused):  # and the reader stays guarded after the writer was made
            reader.client("ec2", "eu-west-1").create_vpc(CidrBlock="10.1.0.0/16")
