"""Checks on calendar definitions: the holidays country and subdivision exist, dates parse."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from shiftwork.engine.language import holiday_bundle
from shiftwork.engine.language.holidaydata import country_codes, subdivisions
from shiftwork.engine.language.model import Calendar
from shiftwork.engine.language.suggest import did_you_mean

Problem = tuple[tuple[Any, ...], str, "str | None"]


@lru_cache(maxsize=1)
def supported() -> dict[str, list[str]]:
    """Every country's subdivisions: imports every country, so only for the hint on an unknown country."""
    import holidays

    return holidays.list_supported_countries()


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"invalid date {text!r}; write YYYY-MM-DD") from None


def date_range(text: str) -> tuple[date, date]:
    """'2026-12-24' or '2026-12-24..2027-01-02' (inclusive) as (first, last)."""
    if ".." in text:
        first_text, last_text = text.split("..", 1)
        first, last = parse_day(first_text), parse_day(last_text)
        if last < first:
            raise ValueError(f"date range {text!r} ends before it starts")
        return first, last
    day = parse_day(text)
    return day, day


def _country_hint(code: str, countries: dict[str, list[str]]) -> str:
    """Codes are too short for fuzzy matching; a subdivision given as the country is the usual slip."""
    owners = sorted(c for c, subdivs in countries.items() if code in subdivs and len(c) == 2)
    if len(owners) >= 2 and "GB" in owners and "UK" in owners:
        owners.remove("UK")  # an alias of GB
    if len(owners) == 1:
        return f"'{code}' is a subdivision of {owners[0]}: write holidays: {owners[0]}, subdiv: {code}"
    if owners:
        return f"'{code}' is a subdivision code (of {', '.join(owners[:4])}); give the country in 'holidays'"
    return "use an ISO 3166 country code that the holidays package knows, such as GB, US, DE or FR"


def check_calendar(cal: Calendar) -> list[Problem]:
    problems: list[Problem] = []
    data = holiday_bundle.bundled()  # in the Lambda package the `holidays` package is absent: trust the bundle
    if cal.holidays and data is not None:
        problems.extend((("holidays",), text, None) for text in data.problems(cal.name, cal.holidays, cal.subdiv))
    elif cal.holidays:
        if cal.holidays not in country_codes():
            problems.append((("holidays",), f"unknown holidays country '{cal.holidays}'",
                             _country_hint(cal.holidays, supported())))
        elif cal.subdiv and cal.subdiv not in (subdivs := subdivisions(cal.holidays)):
            problems.append((("subdiv",), f"unknown subdivision '{cal.subdiv}' for {cal.holidays}",
                             did_you_mean(cal.subdiv, subdivs) or f"{cal.holidays} has: {', '.join(subdivs[:20])}"))
    elif cal.subdiv:
        problems.append((("subdiv",), "'subdiv' needs 'holidays' (the country)", None))
    for i, text in enumerate(cal.dates):
        try:
            date_range(text)
        except ValueError as exc:
            problems.append((("dates", i), str(exc), None))
    return problems
