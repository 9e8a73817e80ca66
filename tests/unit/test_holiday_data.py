"""Bundled holidays (SHIFTWORK_HOLIDAYS): calendars and validation read the package's data, never the `holidays`
package, a year or calendar outside the data is an error, and the horizon warning starts 90 days before it ends."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from shiftwork.engine.dispatch import lambda_handler
from shiftwork.engine.language import holiday_bundle
from shiftwork.engine.language.holiday_bundle import HolidayDataError, horizon_warning, parse
from shiftwork.engine.language.loader import load
from shiftwork.engine.language.model import Calendar
from shiftwork.engine.schedule import calendars
from shiftwork.engine.schedule.windows import phase_at

EXAMPLES = Path(__file__).resolve().parents[2] / "rules" / "examples"
# Made-up days, so a pass cannot come from the holidays package: 2027-03-25 is a Thursday, no holiday in England.
DOCUMENT = {
    "format": 1, "years": [2026, 2029], "holidays_version": "test",
    "sources": {"england": {"country": "GB", "subdiv": "ENG"}, "us-holidays": {"country": "US", "subdiv": None}},
    "calendars": {"england": {"2027-03-25": "Shiftwork Day", "2028-01-03": "New Year's Day (observed)"},
                  "us-holidays": {"2027-07-05": "Independence Day (observed)"}},
}


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The document at SHIFTWORK_HOLIDAYS, with the holidays package made unimportable."""
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    monkeypatch.setenv(holiday_bundle.ENV, str(path))
    monkeypatch.setitem(sys.modules, "holidays", None)  # `import holidays` raises ImportError
    calendars.public_holidays.cache_clear()
    yield path
    calendars.public_holidays.cache_clear()


def test_calendars_resolve_from_the_bundle_only(bundle: Path) -> None:
    england = Calendar("england", "GB", "ENG")
    assert calendars.reason(england, date(2027, 3, 25)) == "Shiftwork Day"
    assert calendars.reason(england, date(2027, 3, 26)) is None  # Good Friday, but not in this bundle
    assert calendars.public_holidays("US", None, 2027) == {date(2027, 7, 5): "Independence Day (observed)"}
    with pytest.raises(HolidayDataError, match=r"cover 2026-2029, not 2030; package and deploy again"):
        calendars.reason(england, date(2030, 1, 1))
    with pytest.raises(HolidayDataError, match=r"no holidays for GB/SCT"):
        calendars.reason(Calendar("scotland", "GB", "SCT"), date(2027, 1, 4))


def test_validation_accepts_the_bundled_calendars_without_the_holidays_package(bundle: Path) -> None:
    ruleset = load([str(EXAMPLES)])
    office = next(r for r in ruleset.rules if r.name == "dev-office-hours")
    # Thursday 25 March 2027, 10:00 in London: inside office hours, but the bundle's holiday closes the window.
    assert phase_at(office.trigger, "Europe/London", datetime(2027, 3, 25, 10, tzinfo=timezone.utc)) == "outside"
    assert phase_at(office.trigger, "Europe/London", datetime(2027, 3, 24, 10, tzinfo=timezone.utc)) == "inside"


def test_validation_flags_a_calendar_redefined_after_packaging(bundle: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text((EXAMPLES / "office-hours.yaml").read_text().replace("subdiv: ENG", "subdiv: SCT"))
    with pytest.raises(Exception, match=r"bundled holidays of calendar 'england' are for GB/ENG, not GB/SCT"):
        load([str(rules)])


def test_unreadable_bundle_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(holiday_bundle.ENV, str(tmp_path / "missing.json"))
    with pytest.raises(HolidayDataError, match="cannot read the bundled holidays"):
        holiday_bundle.bundled()
    with pytest.raises(HolidayDataError, match="format 2"):
        parse({**DOCUMENT, "format": 2})


def test_horizon_warning_from_90_days_before_the_last_day() -> None:
    data = parse(DOCUMENT)  # ends 2029-12-31
    assert horizon_warning(data, datetime(2029, 10, 1, 12, tzinfo=timezone.utc)) is None  # 91 days left
    record = horizon_warning(data, datetime(2029, 10, 2, 0, 5, tzinfo=timezone.utc))  # 90 days left
    assert record is not None and record["level"] == "WARNING" and record["days_left"] == 90
    assert "ends 2029-12-31, in 90 days" in record["message"] and "england, us-holidays" in record["message"]
    assert "ended 2029-12-31" in horizon_warning(data, datetime(2030, 1, 2, tzinfo=timezone.utc))["message"]
    assert horizon_warning(parse({**DOCUMENT, "sources": {}, "calendars": {}}),
                           datetime(2029, 12, 1, tzinfo=timezone.utc)) is None  # no calendars: nothing to run out


class _Dispatcher:
    remaining_ms = None

    def handle(self, event: dict) -> dict:
        return {"handled": event["time"]}


def test_lambda_handler_warns_once_a_day_from_the_ticks_time(bundle: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(lambda_handler, "_dispatcher", _Dispatcher())
    monkeypatch.setattr(holiday_bundle, "_WARNED", set())
    for time in ("2029-06-01T10:00:00Z", "2029-11-01T10:00:00Z", "2029-11-01T10:05:00Z", "2029-11-02T00:00:00Z"):
        assert lambda_handler.handler({"shiftwork": "tick", "time": time}, None) == {"handled": time}
    warnings = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [w["days_left"] for w in warnings] == [60, 59]  # not in June, once on 1 November, once on the 2nd
