"""The simulation HTML rendered by real headless Chromium: the script-built calendar shows the right cells."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shiftwork.engine.cli.main import main
from tests.e2e.helpers import ROOT

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def example_rules() -> int:
    """How many rules rules/examples holds, counted in the files themselves."""
    return sum(len(re.findall(r"^  - name: ", p.read_text(), re.M)) for p in (ROOT / "rules/examples").glob("*.yaml"))


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
    weeks = dom.split('id="overview"')[1].split("</table>", 1)[1]  # the week views, after the fleet overview
    holidays = re.findall(r'<th class="day holiday" data-date="([\d-]+)" title="([^"]+)"', weeks)
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


def test_the_fleet_overview_fits_a_screen_and_marks_the_fall_back_days(tmp_path: Path, capsys) -> None:
    """Nine rules over two weeks were 8,200 px of per-rule grids; the page now opens on one row per rule."""
    page = tmp_path / "fleet.html"
    assert main(["simulate", "rules/examples", "--from", "2027-10-25", "--to", "2027-11-21", "--format", "html",
                 "--out", str(page)]) == 0
    capsys.readouterr()
    dom = render(page, tmp_path, "--dump-dom", "--window-size=1400,900")
    overview = re.search(r'<table class="overview" id="overview" data-bottom="(\d+)" data-width="(\d+)">(.*?)'
                         r'</table>', dom, re.S)
    assert overview, "the overview table is missing or was not measured"
    bottom, width, table = int(overview.group(1)), int(overview.group(2)), overview.group(3)
    rows = re.findall(r'<tr data-rule="([^"]+)"><th class="rule"><a href="#rule-(\d+)"', table)
    assert len(rows) == example_rules()  # a row per rule
    assert bottom <= 900 * -(-len(rows) // 20) and width <= 1400  # one screen height per 20 rules, no scrolling
    days = re.findall(r'<th class="day[^"]*" data-date="([\d-]+)"', table)
    assert len(days) == 28 and days[0] == "2027-10-25" and days[-1] == "2027-11-21"
    # clocks go back: London on 31 October, New York on 7 November (01:00-02:00 happens twice)
    dst = dict(re.findall(r'<th class="day[^"]* dst" data-date="([\d-]+)" title="([^"]+)"', table))
    assert dst == {"2027-10-31": "Europe/London: 01:00-02:00 repeated",
                   "2027-11-07": "America/New_York: 01:00-02:00 repeated"}
    holidays = re.findall(r'<th class="day holiday" data-date="([\d-]+)" title="([^"]+)"', table)
    assert holidays == [("2027-11-11", "Veterans Day (us-holidays)")]
    cells = {(rule, d): (cls, text) for rule, body in re.findall(r'<tr data-rule="([^"]+)">(.*?)</tr>', table, re.S)
             for cls, d, text in re.findall(r'<td class="([^"]+)" data-date="([\d-]+)"[^>]*>([^<]*)</td>', body)}
    assert cells[("dev-office-hours", "2027-11-01")] == ("o-part", "")  # 08:00-19:00
    assert cells[("dev-office-hours", "2027-10-30")] == ("o-out", "")  # Saturday
    assert cells[("dev-office-hours", "2027-10-31")] == ("o-out o-dst", "")  # Sunday, the London change
    assert cells[("staging-db-weekdays", "2027-11-11")] == ("o-hol", "")
    assert cells[("prod-databases-backed-up", "2027-11-02")] == ("o-fire", "1")
    assert cells[("prod-aurora-restore-tested", "2027-11-02")] == ("o-none", "")  # Mondays only
    assert cells[("api-scale-out", "2027-11-02")][0] == "o-event"
    # click-through: the name links to that rule's section with its week view
    target = dict((name, i) for name, i in rows)["dev-office-hours"]
    assert re.search(rf'<section class="rule" id="rule-{target}" data-rule="dev-office-hours">', dom)
    # the week view marks the repeated hour of the fall-back day (01:00 local, twice)
    week = dom.split(f'id="rule-{target}"')[1].split("</section>")[0]
    repeated = re.findall(r'<td class="cell ([a-z ]+)" data-date="([\d-]+)" data-hour="(\d+)"', week)
    assert [(d, int(h)) for cls, d, h in repeated if "rep" in cls.split()] == [("2027-10-31", 1)]


def test_a_day_of_the_overview_zooms_to_its_hours(tmp_path: Path, capsys) -> None:
    """Clicking a day header sets #day-DATE; opened with that address, the page shows every rule's hours."""
    page = tmp_path / "fleet.html"
    assert main(["simulate", "rules/examples", "--from", "2027-10-25", "--to", "2027-11-21", "--format", "html",
                 "--out", str(page)]) == 0
    capsys.readouterr()
    _require_chromium()
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                             page.as_uri() + "#day-2027-10-31"], capture_output=True, text=True, timeout=90)
    zoom = re.search(r'<table class="week zoom" data-date="2027-10-31">(.*?)</table>', result.stdout, re.S)
    assert zoom, "no zoomed day"
    rows = dict(re.findall(r'<tr data-rule="([^"]+)">(.*?)</tr>', zoom.group(1), re.S))
    assert len(rows) == example_rules()  # a row per rule
    office = re.findall(r'<td class="cell ([a-z ]+)"[^>]* data-hour="(\d+)"', rows["dev-office-hours"])
    assert len(office) == 24
    assert [int(h) for cls, h in office if "rep" in cls.split()] == [1]  # London repeats 01:00 that Sunday
    assert {cls.split()[0] for cls, _ in office} == {"out"}  # a Sunday: outside all day
    backups = re.findall(r'<td class="cell ([a-z ]+)"[^>]* data-hour="(\d+)"', rows["prod-databases-backed-up"])
    assert [int(h) for cls, h in backups if "fire" in cls.split()] == [6]
    assert {cls for cls, _ in re.findall(r'<td class="cell ([a-z ]+)"[^>]* data-hour="(\d+)"', rows["api-scale-in"])} \
        == {"off"}
