from __future__ import annotations

import pytest

from shiftwork.handlers.capacity import SAVED_TAG, BadSavedCapacity, Capacity, decode, saved, should_save


def test_round_trip_keeps_every_field() -> None:
    cap = Capacity(min=1, desired=3, max=6)
    assert cap.encode() == "min=1 desired=3 max=6"
    assert decode(cap.encode()) == cap


def test_desired_only_for_services_without_bounds() -> None:
    assert decode("desired=4") == Capacity(None, 4, None)
    assert str(decode("desired=4")) == "desired 4"


@pytest.mark.parametrize("text", ["", "min=1", "desired=x", "desired=1 desired=2", "size=3", "desired=-1"])
def test_unreadable_tag_is_an_error_not_a_guess(text: str) -> None:
    with pytest.raises(BadSavedCapacity):
        decode(text)


def test_saved_reads_the_tag_or_none() -> None:
    assert saved({}) is None
    assert saved({SAVED_TAG: "min=0 desired=2 max=5"}) == Capacity(0, 2, 5)


def test_zero_never_overwrites_a_saved_real_size() -> None:
    real = Capacity(1, 3, 6)
    zero = Capacity(0, 0, 0)
    assert should_save(real, None)
    assert not should_save(zero, real)  # the second scale-to-zero run
    assert not should_save(Capacity(2, 4, 8), real)  # only the matching restore replaces a saved size
    assert not should_save(real, real)  # nothing to write


@pytest.mark.parametrize("text", ["desired=\u00b3", "desired=\u0663", "min=5 desired=2 max=8", "min=1 desired=9 max=4"])
def test_non_ascii_digits_and_min_over_max_are_unreadable(text: str) -> None:
    with pytest.raises(BadSavedCapacity):
        decode(text)


def test_the_tag_says_when_and_by_which_rule() -> None:
    from datetime import datetime, timezone

    cap = Capacity(1, 3, 6).stamped(datetime(2026, 12, 21, 19, 0, tzinfo=timezone.utc), "batch-off")
    assert cap.encode() == "min=1 desired=3 max=6 at=2026-12-21T19:00Z rule=batch-off"
    back = decode(cap.encode())
    assert back == Capacity(1, 3, 6) and (back.at, back.rule) == ("2026-12-21T19:00Z", "batch-off")
