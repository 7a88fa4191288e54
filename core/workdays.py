"""Working-day arithmetic for statutory time limits (法定/承诺办结时限).

A day is a working day when it is Monday–Friday and not a public holiday, or when the State
Council's holiday notice makes a weekend day a working day (调休上班). The built-in schedule holds
the published notices; administrators add later years through the API (``CalendarDay`` rows
override the built-in data). Limits count from the day after the starting event (期限从次日起算).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# 国务院办公厅关于部分节假日安排的通知 (2025: 国办发明电〔2024〕12号; 2026: 国办发明电〔2025〕7号)
BUILTIN_HOLIDAYS: dict[str, str] = {
    "2025-01-01": "元旦",
    **{f"2025-01-{d}": "春节" for d in ("28", "29", "30", "31")},
    **{f"2025-02-0{d}": "春节" for d in ("1", "2", "3", "4")},
    **{f"2025-04-0{d}": "清明节" for d in ("4", "5", "6")},
    **{f"2025-05-0{d}": "劳动节" for d in ("1", "2", "3", "4", "5")},
    "2025-05-31": "端午节",
    "2025-06-01": "端午节",
    "2025-06-02": "端午节",
    **{f"2025-10-0{d}": "国庆节、中秋节" for d in ("1", "2", "3", "4", "5", "6", "7", "8")},
    **{f"2026-01-0{d}": "元旦" for d in ("1", "2", "3")},
    **{f"2026-02-{d}": "春节" for d in ("15", "16", "17", "18", "19", "20", "21", "22", "23")},
    **{f"2026-04-0{d}": "清明节" for d in ("4", "5", "6")},
    **{f"2026-05-0{d}": "劳动节" for d in ("1", "2", "3", "4", "5")},
    **{f"2026-06-{d}": "端午节" for d in ("19", "20", "21")},
    **{f"2026-09-{d}": "中秋节" for d in ("25", "26", "27")},
    **{f"2026-10-0{d}": "国庆节" for d in ("1", "2", "3", "4", "5", "6", "7")},
}
BUILTIN_MAKEUP_WORKDAYS: dict[str, str] = {
    "2025-01-26": "春节调休",
    "2025-02-08": "春节调休",
    "2025-04-27": "劳动节调休",
    "2025-09-28": "国庆节调休",
    "2025-10-11": "国庆节调休",
    "2026-01-04": "元旦调休",
    "2026-02-14": "春节调休",
    "2026-02-28": "春节调休",
    "2026-05-09": "劳动节调休",
    "2026-09-20": "国庆节调休",
    "2026-10-10": "国庆节调休",
}


class Calendar:
    """Holidays and make-up working days; everything else follows the Monday–Friday week."""

    def __init__(self, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)

    @classmethod
    def builtin(cls) -> Calendar:
        return cls(
            (dt.date.fromisoformat(d) for d in BUILTIN_HOLIDAYS),
            (dt.date.fromisoformat(d) for d in BUILTIN_MAKEUP_WORKDAYS),
        )

    def with_overrides(self, overrides: Iterable[tuple[dt.date, str]]) -> Calendar:
        """Apply administrator rows: kind ``holiday`` or ``workday`` (a later row for a day wins)."""
        holidays, workdays = set(self.holidays), set(self.workdays)
        for day, kind in overrides:
            holidays.discard(day)
            workdays.discard(day)
            (holidays if kind == "holiday" else workdays).add(day)
        return Calendar(holidays, workdays)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date on which a limit of ``days`` working days, counted from the day after ``start``, ends."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        remaining = days
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the interval (start, end]; 0 when ``end`` is not after ``start``."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        return self.add_working_days(day, 1)


_current = Calendar.builtin()


def current() -> Calendar:
    return _current


def install(calendar: Calendar) -> None:
    global _current
    _current = calendar
