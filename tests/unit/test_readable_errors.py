"""AWS errors are one line in tables, logs and notifications: an HTML or XML body becomes its status and title."""
from __future__ import annotations

from botocore.exceptions import ClientError

from shiftwork.engine.errors import aws_error_text, one_line

PROXY_PAGE = ("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
              "<p>The requested URL was not found on the server.</p>\n")


def client_error(code: str, message: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "ListRecoveryPointsByResource")


def test_an_html_error_page_is_its_status_and_title() -> None:
    assert aws_error_text(client_error("404", PROXY_PAGE, 404)) == "HTTP 404: Not Found"
    assert aws_error_text(client_error("BadGateway", "<html><head><title>502 Bad Gateway</title></head></html>",
                                       502)) == "BadGateway: HTTP 502: Bad Gateway"


def test_an_xml_error_body_is_its_message() -> None:
    body = "<?xml version='1.0'?><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    assert one_line(body, 400) == "HTTP 400: Rate exceeded"


def test_plain_messages_stay_as_they_are_on_one_line() -> None:
    assert aws_error_text(client_error("AccessDenied", "User: x is not\nauthorized", 403)) == (
        "AccessDenied: User: x is not authorized")
    assert aws_error_text(ValueError("a < b and c > d")) == "ValueError: a < b and c > d"
    assert len(one_line("x" * 1000)) == 300


def test_a_check_that_could_not_run_is_an_error_not_a_failed_check() -> None:
    """The notify summary called an error finding 'a failed check'."""
    from datetime import datetime, timezone

    from shiftwork.engine.language.model import NotifyTarget, RuleSet
    from shiftwork.engine.plan.actions import PlanContext
    from shiftwork.engine.plan.changes import Finding
    from shiftwork.engine.plan.resources import Resource
    from shiftwork.handlers.notify import Notify
    from tests.unit.ruletools import cron_rule

    rule = cron_rule("0 6 * * *", name="backups")
    db = Resource("rds.instance", "orders", "eu-west-1")
    errored = Finding("backups", "backup.validate", db, "error", check="read", reason="HTTP 404: Not Found")
    ruleset = RuleSet((rule,), (), notify={"ops": NotifyTarget("ops", "arn:aws:sns:eu-west-1:111122223333:ops")})
    ctx = PlanContext(clients=None, now=datetime(2026, 12, 21, 6, tzinfo=timezone.utc),  # type: ignore[arg-type]
                      ruleset=ruleset, planned=[errored])
    from shiftwork.engine.language.model import ActionSpec
    from shiftwork.engine.errors import Loc

    change, = Notify(ActionSpec("notify", {"target": "ops"}, Loc("x")), rule).plan(ctx, [db])
    assert change.reason == "notify 'ops': summary of 1 check error"
    assert "check error" in change.params["Message"] and "failed check" not in change.params["Message"]


def test_elapsed_times_read_as_words_to_the_minute() -> None:
    """A table said `1d59m1s`."""
    from datetime import timedelta

    from shiftwork.engine.language.durations import elapsed_words

    assert elapsed_words(timedelta(days=1, minutes=59, seconds=1)) == "1 d 0 h 59 m"
    assert elapsed_words(timedelta(hours=20, seconds=23)) == "20 h 0 m"
    assert elapsed_words(timedelta(minutes=25, seconds=59)) == "25 min"
    assert elapsed_words(timedelta(seconds=40)) == "40 s"
