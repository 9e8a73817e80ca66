"""Rendering findings: table, JSON lines, CloudWatch EMF, notify summary, exit codes (no AWS)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from shiftwork.engine.plan.changes import Finding
from shiftwork.engine.dispatch.metrics import findings_emf as emf
from shiftwork.engine.plan.findings import exit_code_for, json_lines, summary, table
from shiftwork.engine.plan.resources import Resource

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
ORDERS = Resource("rds.instance", "orders", "eu-west-1", "111122223333", "orders",
                  "arn:aws:rds:eu-west-1:111122223333:db:orders")
LEDGER = Resource("rds.cluster", "ledger", "eu-west-1", "111122223333", "ledger")
DATA = Resource("ebs.volume", "vol-0abc", "eu-west-1", "111122223333", "db-data")

PASS = Finding("db-backups", "backup.validate", ORDERS, "pass", check="exists,max_age",
               observed="newest completed backup 2h ago (2026-11-23T04:00Z), 7 completed",
               reason="2 checks passed", details={"loc": "rules/backups.yaml:9:7", "source": "any"})
FAIL = Finding("db-backups", "backup.validate", LEDGER, "fail", check="max_age",
               observed="newest completed backup 1d6h ago (2026-11-22T00:00Z)", required="at most 26h old",
               reason="max_age: newest completed backup 1d6h ago (2026-11-22T00:00Z), older than 26h",
               details={"loc": "rules/backups.yaml:9:7"})
ERROR = Finding("volume-backups", "backup.validate", DATA, "error", check="read",
                reason="backup:ListRecoveryPointsByResource failed: AccessDeniedException: denied")


def test_table_puts_errors_and_failures_first_with_totals() -> None:
    assert table([PASS, ERROR, FAIL]) == (
        "RULE            RESOURCE                       STATUS  CHECK           DETAIL\n"
        "db-backups      rds.cluster ledger             FAIL    max_age         newest completed backup 1d6h ago "
        "(2026-11-22T00:00Z); required at most 26h old\n"
        "db-backups      rds.instance orders            PASS    exists,max_age  newest completed backup 2h ago "
        "(2026-11-23T04:00Z), 7 completed\n"
        "volume-backups  ebs.volume vol-0abc (db-data)  ERROR   read            "
        "backup:ListRecoveryPointsByResource failed: AccessDeniedException: denied\n"
        "3 checked: 1 passed, 1 failed, 1 error\n")


def test_table_cuts_a_long_check_but_never_the_detail() -> None:
    long = Finding("r", "backup.validate", DATA, "fail", check="c" * 70, observed="x" * 100, required="y")
    row = table([long]).splitlines()[1]
    assert "c" * 59 + "…  " + "x" * 100 + "; required y" in row


def test_table_columns_line_up() -> None:
    lines = table([PASS, ERROR, FAIL]).splitlines()
    starts = {line.index(status) for line, status in zip(lines[1:], ("FAIL", "PASS", "ERROR"))}
    assert starts == {lines[0].index("STATUS")}
    assert lines[-1] == "3 checked: 1 passed, 1 failed, 1 error"


def test_json_lines_one_finding_per_line_with_location() -> None:
    lines = json_lines([FAIL, ERROR]).splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first == {
        "rule": "db-backups", "action": "backup.validate", "status": "fail",
        "resource": {"type": "rds.cluster", "id": "ledger", "name": "ledger", "region": "eu-west-1",
                     "account": "111122223333", "arn": None},
        "check": "max_age", "observed": "newest completed backup 1d6h ago (2026-11-22T00:00Z)",
        "required": "at most 26h old",
        "reason": "max_age: newest completed backup 1d6h ago (2026-11-22T00:00Z), older than 26h",
        "loc": "rules/backups.yaml:9:7",
    }
    assert json.loads(lines[1])["status"] == "error"
    assert "loc" not in json.loads(lines[1])


def test_json_lines_keep_other_details() -> None:
    assert json.loads(json_lines([PASS]))["details"] == {"source": "any"}


def test_emf_one_document_per_rule_at_the_trigger_time() -> None:
    docs = emf([PASS, FAIL, ERROR], NOW)
    assert docs == [
        {"_aws": {"Timestamp": 1795413600000, "CloudWatchMetrics": [{
            "Namespace": "shiftwork", "Dimensions": [["rule"]],
            "Metrics": [{"Name": "checked", "Unit": "Count"}, {"Name": "passed", "Unit": "Count"},
                        {"Name": "failed", "Unit": "Count"}, {"Name": "errored", "Unit": "Count"}]}]},
         "rule": "db-backups", "actions": ["backup.validate"], "checked": 2, "passed": 1, "failed": 1, "errored": 0},
        {"_aws": {"Timestamp": 1795413600000, "CloudWatchMetrics": [{
            "Namespace": "shiftwork", "Dimensions": [["rule"]],
            "Metrics": [{"Name": "checked", "Unit": "Count"}, {"Name": "passed", "Unit": "Count"},
                        {"Name": "failed", "Unit": "Count"}, {"Name": "errored", "Unit": "Count"}]}]},
         "rule": "volume-backups", "actions": ["backup.validate"], "checked": 1, "passed": 0, "failed": 0,
         "errored": 1},
    ]


def test_emf_every_metric_and_dimension_is_a_top_level_member() -> None:
    for doc in emf([PASS, FAIL, ERROR], NOW):
        directive = doc["_aws"]["CloudWatchMetrics"][0]
        for name in [m["Name"] for m in directive["Metrics"]] + [d for ds in directive["Dimensions"] for d in ds]:
            assert name in doc
        json.dumps(doc)


def test_summary_lists_failures_and_errors_only() -> None:
    s = summary([PASS, FAIL, ERROR])
    assert s.subject == "shiftwork 2 rules: 1 failed, 1 error of 3 checked"
    assert s.body == (
        "FAIL db-backups rds.cluster ledger (eu-west-1, 111122223333): max_age: newest completed backup 1d6h ago "
        "(2026-11-22T00:00Z); required at most 26h old\n"
        "ERROR volume-backups ebs.volume vol-0abc (db-data) (eu-west-1, 111122223333): read: "
        "backup:ListRecoveryPointsByResource failed: AccessDeniedException: denied\n"
        "3 checked: 1 passed, 1 failed, 1 error\n")


def test_summary_when_all_pass() -> None:
    s = summary([PASS])
    assert (s.subject, s.body) == ("shiftwork db-backups: all 1 passed", "1 checked: 1 passed, 0 failed, 0 errors\n")


def test_summary_body_is_bounded() -> None:
    many = [Finding("r", "backup.validate", Resource("ebs.volume", f"vol-{i}", "eu-west-1"), "fail", check="exists",
                    observed="no backups", required="at least one completed backup") for i in range(250)]
    lines = summary(many).body.splitlines()
    assert len(lines) == 202
    assert lines[-2] == "... and 50 more"


@pytest.mark.parametrize(("findings", "fail_on", "code"), [
    ([PASS], "fail", 0), ([PASS, FAIL], "fail", 1), ([PASS, ERROR], "fail", 1),
    ([PASS, FAIL], "error", 0), ([ERROR], "error", 1), ([FAIL, ERROR], "never", 0), ([], "fail", 0),
    ([PASS, FAIL], "findings", 1), ([PASS, FAIL], "errors", 0), ([ERROR], "errors", 1),
])
def test_exit_code_for(findings: list[Finding], fail_on: str, code: int) -> None:
    assert exit_code_for(findings, fail_on) == code


def test_exit_code_rejects_an_unknown_threshold() -> None:
    with pytest.raises(ValueError, match="fail_on must be one of fail, error, never, not 'warn'"):
        exit_code_for([PASS], "warn")
