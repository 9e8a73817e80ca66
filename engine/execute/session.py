"""Turn the CLI's AWS options into a Clients factory, with a clear message when credentials are missing."""
from __future__ import annotations

import os

import boto3
import botocore.exceptions

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.errors import UsageError

NO_CREDENTIALS = (
    "no AWS credentials found. Provide them as for the AWS CLI (AWS_PROFILE or --profile, "
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance/SSO role), or point shiftwork at an "
    "AWS emulator with --endpoint-url http://127.0.0.1:PORT, or try `shiftwork demo`, which needs no account."
)


def make_clients(*, profile: str | None, region: str | None, endpoint_url: str | None,
                 read_only: bool, observer=None) -> tuple[Clients, str]:
    """Clients for the CLI and the region to use where a rule names none."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise UsageError(f"{exc}; list profiles with `aws configure list-profiles`") from None
    if endpoint_url and session.get_credentials() is None:
        # An emulator accepts any key; don't make newcomers invent one.
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                region_name=region or session.region_name)
    elif session.get_credentials() is None:
        raise UsageError(NO_CREDENTIALS)
    default_region = region or session.region_name or os.environ.get("AWS_REGION")
    return Clients(session, read_only=read_only, endpoint_url=endpoint_url, observer=observer), \
        default_region or "us-east-1"
