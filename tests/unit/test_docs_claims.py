"""Every claim in docs/ about what `validate` accepts or rejects is checked here, with the claim's own words.

The examples (complete `version: 1` files) are loaded by test_docs_examples; this covers the stated
rejections and acceptances in prose. Each case names the doc and a phrase that must still be in it,
so rewording a claim means revisiting its test.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from shiftwork.engine.cli.main import main
from shiftwork.engine.language.cronexpr import CronError, parse
from shiftwork.engine.language.timecheck import check_cron

ROOT = Path(__file__).resolve().parents[2]
RULE = """version: 1
notify:
  ops: {{sns: "arn:aws:sns:eu-west-1:111122223333:ops"}}
rules:
  - name: claim
    resource: {resource}
{body}
"""
OK = None

# (doc, phrase in the doc, resource, rule body, None when accepted or a fragment of the error)
CLAIMS = [
    ("rules.md", "`hours: 8:00-19:00` (one-digit hour, unquoted) is accepted", "ec2.instance",
     "    match: {all: true}\n    during: {days: mon-fri, hours: 8:00-19:00}\n    actions: {inside: [ec2.start]}", OK),
    ("rules.md", '`hours: "08:00-25:00"` is rejected', "ec2.instance",
     "    match: {all: true}\n    during: {hours: \"08:00-25:00\"}\n    actions: {inside: [ec2.start]}",
     "invalid hours '08:00-25:00'"),
    ("rules.md", "`enforce` is only allowed on window rules", "ec2.instance",
     "    match: {all: true}\n    on: {cron: '0 19 * * *'}\n    enforce: true\n    actions: [ec2.stop]",
     "'enforce' applies only to 'during' rules"),
    ("rules.md", "`catch_up` only on cron rules", "ec2.instance",
     "    match: {all: true}\n    during: {days: mon-fri}\n    catch_up: 2h\n    actions: {inside: [ec2.start]}",
     "'catch_up' applies only to 'on: {cron: ...}' rules"),
    ("rules.md", "a rule without `match` is an error", "ec2.instance",
     "    on: {cron: '0 19 * * *'}\n    actions: [ec2.stop]", "no 'match'"),
    ("rules.md", "It cannot be combined\n  with the other fields, and only `true` is accepted", "ec2.instance",
     "    match: {all: true, ids: [i-1]}\n    on: {cron: '0 19 * * *'}\n    actions: [ec2.stop]",
     "cannot be combined with ids"),
    ("time.md", "both or neither `?` is an error", "ec2.instance",
     "    match: {all: true}\n    on: {cron: 'cron(0 19 ? * ? *)'}\n    actions: [ec2.stop]", "exactly one of"),
    ("time.md", "`rate(...)` expressions are rejected", "ec2.instance",
     "    match: {all: true}\n    on: {cron: 'rate(5 minutes)'}\n    actions: [ec2.stop]", "rate() expressions"),
    ("time.md", "Six fields without `cron(...)` are rejected", "ec2.instance",
     "    match: {all: true}\n    on: {cron: '0 0 19 * * MON-FRI'}\n    actions: [ec2.stop]", "found 6"),
    ("time.md", "(`0 6 31 4 *`: there is\nno 31 April; `0 6 30 2 *`) is an error too", "ec2.instance",
     "    match: {all: true}\n    on: {cron: '0 6 31 4 *'}\n    actions: [ec2.stop]", "never fires"),
    ("time.md", "`0 6 29 2 *` is fine", "ec2.instance",
     "    match: {all: true}\n    on: {cron: '0 6 29 2 *'}\n    actions: [ec2.stop]", OK),
    ("time.md", "(`{monthdays: 30, months: feb}`) is an error", "ec2.instance",
     "    match: {all: true}\n    during: {monthdays: 30, months: feb}\n    actions: {inside: [ec2.start]}",
     "never opens"),
    ("actions-ecs-rds.md", "`min` and `max` together with `desired` are rejected", "ecs.service",
     "    match: {cluster: web}\n    on: {cron: '0 19 * * *'}\n    actions: [{type: ecs.scale, desired: 2, max: 4}]",
     "with desired they have no effect"),
]
# Claims about run time, tested where the behaviour lives: backups.md "`source: snapshots` gives an `error`
# finding per file system" is tests/handlers/test_backup_snapshots.py (efs.filesystem has no snapshots).


@pytest.mark.parametrize("doc,phrase,resource,body,expected", CLAIMS, ids=[f"{c[0]}:{c[1][:40]}" for c in CLAIMS])
def test_claim(doc: str, phrase: str, resource: str, body: str, expected: str | None, tmp_path: Path,
               capsys: pytest.CaptureFixture[str]) -> None:
    assert phrase in (ROOT / "docs" / doc).read_text(), f"docs/{doc} no longer says: {phrase}"
    path = tmp_path / "claim.yaml"
    path.write_text(RULE.format(resource=resource, body=body))
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    if expected is None:
        assert code == 0, err
    else:
        assert code == 2 and expected in err, err


@pytest.mark.parametrize("written", ["0 0 19 * * MON-FRI", "0 19 * * MON-FRI *", "0 30 8 ? * MON-FRI",
                                     "0 19 * * 2-6 2027", "15 10 * * ? *", "0 0 6 1 * ?"])
def test_following_a_six_field_hint_gives_an_expression_that_validates(written: str) -> None:
    """The hint for a seconds-first cron led to a second error about '?'."""
    with pytest.raises(CronError) as info:
        parse(written)
    suggested = re.findall(r"'([^']+)'", info.value.hint or "")
    assert suggested, info.value.hint
    for candidate in suggested:
        assert check_cron(candidate) == [], candidate
