"""The simulation HTML rendered by real headless Chromium: the script-built calendar shows the right cells."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shiftwork.engine.cli.main import main

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(f"chromium not found at {CHROMIUM} in CI; run .ci/chromium.sh first")
    pytest.skip("chromium is not installed (run .ci/chromium.sh); the browser test needs it")


def render(page: Path, tmp_path: Path, *extra: str) -> str:
    _require_chromium()
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra,
                             page.as_uri()], capture_output=True, text=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_office_hours_calendar_renders(tmp_path: Path, capsys) -> None:
    page = tmp_path / "sim.html"
    assert main(["simulate", "rules/examples/office-hours.yaml", "--from", "2027-03-22", "--to", "2027-04-02",
                 "--format", "html", "--out", str(page)]) == 0
    capsys.readouterr()
    dom = render(page, tmp_path, "--dump-dom")
    assert 'data-rendered="yes"' in dom  # the inline script ran
    assert len(re.findall(r'<table class="week"', dom)) == 2  # weeks of 22 and 29 March
    cells = re.findall(r'<td class="cell ([a-z ]+)" data-date="([\d-]+)" data-hour="(\d+)"', dom)
    inside = sorted({(d, int(h)) for cls, d, h in cells if cls.split()[0] == "in"})
    # 8 working days x 11 hours (08:00-18:59 local); none on Good Friday, Easter Monday or the weekend
    days = ["2027-03-22", "2027-03-23", "2027-03-24", "2027-03-25",
            "2027-03-30", "2027-03-31", "2027-04-01", "2027-04-02"]
    assert inside == [(d, h) for d in days for h in range(8, 19)]
    # phase changes are marked in the 08:00 and 19:00 local cells, before and after the DST change
    edges = sorted((d, int(h)) for cls, d, h in cells if "edge" in cls.split())
    assert edges == sorted([(d, 8) for d in days] + [(d, 19) for d in days])
    # 01:00 does not exist in London on 2027-03-28
    assert [(d, int(h)) for cls, d, h in cells if cls.split()[0] == "gap"] == [("2027-03-28", 1)]
    # days after --to are blank
    assert {d for cls, d, h in cells if cls == "off"} == {"2027-04-03", "2027-04-04"}
    holidays = re.findall(r'<th class="day holiday" data-date="([\d-]+)" title="([^"]+)"', dom)
    assert holidays == [("2027-03-26", "Good Friday (england)"), ("2027-03-29", "Easter Monday (england)")]


def test_screenshot_is_produced(tmp_path: Path, capsys) -> None:
    page = tmp_path / "sim.html"
    assert main(["simulate", "rules/examples/office-hours.yaml", "--from", "2027-03-22", "--to", "2027-03-28",
                 "--format", "html", "--out", str(page)]) == 0
    capsys.readouterr()
    shot = tmp_path / "shot.png"
    render(page, tmp_path, f"--screenshot={shot}", "--window-size=1000,900")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


def test_cron_firings_and_the_dst_gap_render(tmp_path: Path, capsys) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\ntimezone: America/New_York\nrules:\n"
                     "  - {name: nightly, resource: ec2.instance, match: {all: true}, on: {cron: '30 2 * * *'}, actions: [ec2.stop]}\n")
    page = tmp_path / "sim.html"
    assert main(["simulate", str(rules), "--from", "2027-03-13", "--to", "2027-03-15", "--format", "html",
                 "--out", str(page)]) == 0
    capsys.readouterr()
    dom = render(page, tmp_path, "--dump-dom")
    cells = re.findall(r'<td class="cell ([a-z ]+)" data-date="([\d-]+)" data-hour="(\d+)"(?: title="([^"]*)")?', dom)
    fires = [(d, int(h), title) for cls, d, h, title in cells if "fire" in cls.split()]
    # 02:30 does not exist on 2027-03-14: that night's firing is drawn at 03:00 EDT
    assert fires == [("2027-03-13", 2, "02:30 EST fires: ec2.stop"), ("2027-03-14", 3, "03:00 EDT fires: ec2.stop"),
                     ("2027-03-15", 2, "02:30 EDT fires: ec2.stop")]
    assert [(d, int(h)) for cls, d, h, _ in cells if cls.split()[0] == "gap"] == [("2027-03-14", 2)]
