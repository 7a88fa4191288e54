"""The legal clock: working days from acceptance, stopped by supplements and suspensions."""

from __future__ import annotations

import datetime as dt

from applications import legal_clock
from core import workdays

D = dt.date


def row(**values: object) -> dict:
    base = {
        "clock_state": "idle",
        "clock_limit_days": 0,
        "clock_used_days": 0,
        "clock_since": None,
        "clock_stop_reason": "",
        "due_on": None,
        "extension_days": 0,
    }
    base.update(values)
    return base


def apply(current: dict, updates: dict) -> dict:
    return {**current, **updates}


def test_due_date_skips_the_national_day_holiday() -> None:
    started = apply(row(), legal_clock.start(row(), limit_days=5, on=D(2026, 9, 29)))
    # 30 Sep (1), then holiday until 7 Oct, 8 Oct (2), 9 Oct (3), 10 Oct Saturday worked (4), 12 Oct (5)
    assert started["due_on"] == D(2026, 10, 12)
    status = legal_clock.status(started, today=D(2026, 10, 9))
    assert status.remaining_days == 2 and status.near_due and not status.overdue
    assert legal_clock.status(started, today=D(2026, 10, 13)).overdue


def test_supplement_stops_the_clock_and_the_answer_restarts_it() -> None:
    clock = apply(row(), legal_clock.start(row(), limit_days=10, on=D(2026, 11, 2)))  # Monday
    clock = apply(clock, legal_clock.stop(clock, on=D(2026, 11, 5), reason="request_supplement"))  # used: 3, 4, 5
    assert clock["clock_used_days"] == 3 and clock["due_on"] is None
    paused = legal_clock.status(clock, today=D(2026, 11, 30))
    assert paused.state == "stopped" and paused.remaining_days == 7 and not paused.overdue
    clock = apply(clock, legal_clock.resume(clock, on=D(2026, 11, 20)))  # a Friday, two weeks later
    # 7 working days left counted from the 21st: 23, 24, 25, 26, 27, 30 Nov, 1 Dec
    assert clock["due_on"] == D(2026, 12, 1)
    assert legal_clock.status(clock, today=D(2026, 11, 25)).remaining_days == 4


def test_one_capped_extension() -> None:
    clock = apply(row(), legal_clock.start(row(), limit_days=20, on=D(2026, 11, 2)))
    assert legal_clock.extend(clock, days=11, cap=10) is None
    extended = apply(clock, legal_clock.extend(clock, days=10, cap=10))
    assert extended["due_on"] == workdays.current().add_working_days(clock["due_on"], 10)
    assert legal_clock.extend(extended, days=1, cap=10) is None  # only once


def test_finishing_records_the_days_used() -> None:
    clock = apply(row(), legal_clock.start(row(), limit_days=10, on=D(2026, 11, 2)))
    done = apply(clock, legal_clock.finish(clock, on=D(2026, 11, 9)))
    assert done["clock_state"] == "done" and done["clock_used_days"] == 5
