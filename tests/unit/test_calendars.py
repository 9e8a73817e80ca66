"""Calendars: public holidays by country and subdivision, explicit dates and inclusive ranges."""
from __future__ import annotations

from datetime import date

from shiftwork.engine.schedule.calendars import exclusion, is_excluded, public_holidays, reason
from shiftwork.engine.language.model import Calendar

ENGLAND = Calendar("england", "GB", "ENG")
SCOTLAND = Calendar("scotland", "GB", "SCT")


def test_public_holidays_by_subdivision() -> None:
    assert reason(ENGLAND, date(2027, 3, 26)) == "Good Friday"
    assert reason(ENGLAND, date(2027, 3, 29)) == "Easter Monday"
    assert reason(SCOTLAND, date(2027, 3, 29)) is None  # not a bank holiday in Scotland
    assert reason(SCOTLAND, date(2027, 1, 4)) is not None  # 2 January moved to Monday 4th
    assert not is_excluded(ENGLAND, date(2027, 3, 25))


def test_observed_holidays_count() -> None:
    # Christmas 2027 is a Saturday: the observed days off are Monday 27th and Tuesday 28th
    assert reason(ENGLAND, date(2027, 12, 27)) == "Christmas Day (observed)"
    assert reason(ENGLAND, date(2027, 12, 28)) == "Boxing Day (observed)"


def test_holiday_names_in_english_when_the_country_has_them() -> None:
    assert public_holidays("DE", "BY", 2027)[date(2027, 1, 6)] == "Epiphany"


def test_explicit_dates_and_inclusive_ranges() -> None:
    freeze = Calendar("freeze", dates=("2026-12-24..2027-01-02", "2027-04-02"))
    assert reason(freeze, date(2026, 12, 24)) == "dates 2026-12-24..2027-01-02"
    assert reason(freeze, date(2027, 1, 2)) == "dates 2026-12-24..2027-01-02"
    assert reason(freeze, date(2027, 1, 3)) is None
    assert reason(freeze, date(2027, 4, 2)) == "date 2027-04-02"
    assert reason(freeze, date(2026, 12, 23)) is None


def test_first_calendar_that_excludes_wins() -> None:
    freeze = Calendar("freeze", dates=("2027-03-26",))
    found = exclusion((freeze, ENGLAND), date(2027, 3, 26))
    assert found is not None and (found[0].name, found[1]) == ("freeze", "date 2027-03-26")
    assert exclusion((freeze, ENGLAND), date(2027, 3, 30)) is None
