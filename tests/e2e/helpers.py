"""Run the CLI as a user would: a new process, from the repository root."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shiftwork(*args: str, env: dict[str, str] | None = None, clear_env: bool = False,
              cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would: a new process, from the repository root unless `cwd` says otherwise
    (`clear_env`: only `env`)."""
    full_env = {**({} if clear_env else os.environ), "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "shiftwork.engine", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=120)


def shiftwork_json(*args: str) -> dict:
    proc = shiftwork(*args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)
