"""The choices a template is built with, checked once so the builders can trust them."""
from __future__ import annotations

import re
from dataclasses import dataclass

ARCHITECTURES = ("x86_64", "arm64")
TICK_SOURCES = ("scheduler", "eventbridge")
# Lambda timeouts a stack may choose; each maps to its queue visibility timeout (below).
FUNCTION_TIMEOUTS = (60, 120, 180, 300, 600, 900)
# AWS's guidance for an SQS event source: visibility timeout at least six times the function timeout.
VISIBILITY_FACTOR = 6
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)
TICK_RATE_PATTERN = r"^(1 (minute|hour)|([2-9]|[1-9][0-9]+) (minutes|hours))$"  # rate() wants "1 minute"
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class TemplateOptions:
    """Build-time choices; the values that may change per deployment are template Parameters instead."""

    function_name: str = "shiftwork-dispatcher"  # also names its log group, /aws/lambda/<function_name>
    tick: str = "scheduler"  # "eventbridge": a rate() EventBridge rule instead of an EventBridge Scheduler schedule
    tick_rate: str = "5 minutes"  # the TickRate parameter's default
    arch: str = "x86_64"  # the Architecture parameter's default; must match the package's wheels
    python: str = "3.12"  # the only Runtime the package's compiled wheels (cp312) load in
    memory: int = 256
    timeout: int = 300
    log_retention_days: int = 30
    shard_batch_size: int = 1  # one (account, region) shard per invocation: Lambda concurrency is the fan-out
    description: str = "shiftwork: the rule dispatcher Lambda, its tick, event rules, state table and fan-out queue"

    def __post_init__(self) -> None:
        problems = []
        if not _FUNCTION_NAME.match(self.function_name):
            problems.append(f"function_name {self.function_name!r}: 1-64 letters, digits, '-' or '_'")
        if self.tick not in TICK_SOURCES:
            problems.append(f"tick {self.tick!r}: one of {', '.join(TICK_SOURCES)}")
        if not re.match(TICK_RATE_PATTERN, self.tick_rate):
            problems.append(f"tick_rate {self.tick_rate!r}: like '1 minute' or '5 minutes'")
        if self.arch not in ARCHITECTURES:
            problems.append(f"arch {self.arch!r}: one of {', '.join(ARCHITECTURES)}")
        if not re.match(r"^3\.\d+$", self.python):
            problems.append(f"python {self.python!r}: like '3.12'")
        if not 128 <= self.memory <= 10240:
            problems.append(f"memory {self.memory}: 128 to 10240 MB")
        if self.timeout not in FUNCTION_TIMEOUTS:
            problems.append(f"timeout {self.timeout}: one of {', '.join(map(str, FUNCTION_TIMEOUTS))} seconds")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            problems.append(f"log_retention_days {self.log_retention_days}: a CloudWatch Logs retention value")
        if not 1 <= self.shard_batch_size <= 10:
            problems.append(f"shard_batch_size {self.shard_batch_size}: 1 to 10")
        if problems:
            raise ValueError("invalid template options: " + "; ".join(problems))

    @property
    def runtime(self) -> str:
        return f"python{self.python}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"
