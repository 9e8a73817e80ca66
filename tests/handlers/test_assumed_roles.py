"""Cross-account sessions refresh their AssumeRole credentials before they expire (a warm Lambda lives for hours)."""
from __future__ import annotations

from datetime import timedelta

from shiftwork.engine.execute.aws import Clients
from shiftwork.engine.language.model import Account

ROLE = Account("111122223333", "arn:aws:iam::111122223333:role/shiftwork-exec", "ops-rules")


def test_assumed_credentials_are_refreshed_after_they_expire(aws: None) -> None:
    calls: list[str] = []
    clients = Clients(observer=lambda service, operation, params: calls.append(operation))
    ec2 = clients.client("ec2", "eu-west-1", ROLE)
    ec2.describe_instances()
    assert calls.count("AssumeRole") == 1
    creds = clients.session_for(ROLE).get_credentials()
    first = creds.get_frozen_credentials().access_key
    expiry = creds._expiry_time
    creds._time_fetcher = lambda: expiry - timedelta(minutes=1)  # an hour later: about to expire
    ec2.describe_instances()  # the same cached client keeps working: its credentials were refreshed
    assert calls.count("AssumeRole") == 2
    assert creds.get_frozen_credentials().access_key != first
    assert creds._expiry_time > expiry
