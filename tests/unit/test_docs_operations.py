"""docs/operations.md: its examples are what the code reads and accepts."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from shiftwork.engine.cli.main import build_parser
from shiftwork.engine.dispatch.fanout import firings_of
from shiftwork.engine.dispatch.metrics import emf, summarise

DOC = (Path(__file__).resolve().parents[2] / "docs/operations.md").read_text()


def test_the_documented_shard_message_is_what_a_shard_consumer_reads() -> None:
    (block,) = [b for b in re.findall(r"```json\n(.*?)```", DOC, re.S) if '"shard"' in b]
    message = json.loads(block)
    (firing,) = firings_of(message)
    assert (firing.rule, firing.phase, message["region"]) == ("dev-stop", None, "eu-west-1")


def test_the_documented_invoke_command_parses() -> None:
    (line,) = [x for x in DOC.splitlines() if x.startswith("shiftwork invoke ")]
    args = build_parser().parse_args(shlex.split(line)[1:])
    assert args.event.endswith("scheduler-tick.json") and args.state == "/tmp/s.json" and args.path == "rules/examples"


def test_every_documented_metric_is_in_the_emf_record() -> None:
    section = DOC.split("## Logs and metrics", 1)[1].split("##", 1)[0]
    named = set(re.findall(r"`([a-z_]+)`", section)) - {"shiftwork"}
    record = emf({**summarise([], 0, [], [], []), "shards_enqueued": 0})
    metrics = {m["Name"] for m in record["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert named and named <= metrics
