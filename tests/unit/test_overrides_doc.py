"""docs/overrides.md: every `shiftwork` command it shows parses, and every resource it names is one `override` takes."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from shiftwork.engine.cli.main import build_parser
from shiftwork.engine.plan.override_targets import parse_ref

DOC = Path(__file__).resolve().parents[2] / "docs" / "overrides.md"
FENCE = re.compile(r"^```(sh|text)\n(.*?)^```", re.S | re.M)


def commands() -> list[list[str]]:
    found = []
    for _, block in FENCE.findall(DOC.read_text()):
        for line in block.splitlines():
            text = line.strip()  # a command, not the message text that starts "shiftwork rule ..."
            if re.match(r"shiftwork (override|overrides|drift) ", text):
                found.append(shlex.split(text)[1:])
    return found


def test_the_page_shows_each_command() -> None:
    assert {argv[0] for argv in commands()} == {"override", "overrides", "drift"}


def test_every_command_parses_and_names_resources_override_accepts() -> None:
    parser = build_parser()
    for argv in commands():
        args = parser.parse_args(argv)
        assert args.run is not None, argv
        if argv[0] == "override":
            for ref in args.resources:
                assert parse_ref(ref, "eu-west-1").type in ("ec2.instance", "rds.instance"), ref
