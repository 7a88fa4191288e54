"""The working-day calendar with the State Council holiday schedule."""

from __future__ import annotations

import datetime as dt

from core.workdays import Calendar

CAL = Calendar.builtin()
D = dt.date


def test_weekends_holidays_and_makeup_days() -> None:
    assert CAL.is_working_day(D(2026, 11, 25))  # a Wednesday
    assert not CAL.is_working_day(D(2026, 11, 28))  # Saturday
    assert not CAL.is_working_day(D(2026, 10, 1))  # National Day
    assert CAL.is_working_day(D(2026, 10, 10))  # Saturday made a working day (国庆调休)
    assert not CAL.is_working_day(D(2026, 2, 17))  # Spring Festival
    assert CAL.is_working_day(D(2026, 2, 14))  # Saturday before Spring Festival, 调休上班


def test_limits_count_from_the_next_day_and_skip_holidays() -> None:
    # Accepted on Wednesday 30 September 2026: 1 Oct–7 Oct is the holiday, 10 Oct (Sat) is worked.
    assert CAL.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert CAL.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert CAL.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    assert CAL.add_working_days(D(2026, 11, 25), 0) == D(2026, 11, 25)
    assert CAL.add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)  # Friday → Monday


def test_counting_between_days_matches_adding() -> None:
    start = D(2026, 1, 30)
    for days in range(0, 40):
        end = CAL.add_working_days(start, days)
        assert CAL.working_days_between(start, end) == days


def test_overrides_replace_the_builtin_schedule() -> None:
    changed = CAL.with_overrides([(D(2026, 11, 26), "holiday"), (D(2026, 10, 1), "workday")])
    assert not changed.is_working_day(D(2026, 11, 26))
    assert changed.is_working_day(D(2026, 10, 1))
    assert CAL.is_working_day(D(2026, 11, 26))  # the original is untouched
