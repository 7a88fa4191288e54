"""Turn a hall's opening hours into bookable 30-minute slots, day by day.

``opening_hours`` (see ``demo/halls.py``) lists periods with ISO weekday ranges. Which periods
apply on a date follows the working-day calendar:

* an ordinary working day uses the periods of its weekday (evening periods, 延时服务, included);
* a make-up working day (调休上班) on a weekend uses Monday's periods;
* an ordinary weekend day uses its own weekday's periods (错时/周末服务);
* a public holiday uses Sunday's periods, so only halls that open on Sundays — 365 天不打烊 —
  are bookable then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import msgspec

from core import timeutil, workdays

SLOT_MINUTES = 30
EVENING_FROM = dt.time(17, 0)


class SlotSpec(msgspec.Struct, frozen=True):
    starts_at: dt.datetime
    ends_at: dt.datetime
    kind: str  # regular | evening | weekend | holiday


def _weekdays(spec: str) -> set[int]:
    days: set[int] = set()
    for part in str(spec).split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("-")
        start, end = int(first), int(last or first)
        days.update(range(start, end + 1))
    return days


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def day_kind(day: dt.date, calendar: workdays.Calendar) -> tuple[str, int]:
    """(kind of day, the weekday whose opening periods apply)."""
    weekday = day.isoweekday()
    if calendar.is_working_day(day):
        return "workday", weekday if weekday <= 5 else 1
    if day in calendar.holidays:
        return "holiday", 7
    return "weekend", weekday


def slots_for_day(
    day: dt.date, opening_hours: Iterable[dict[str, Any]], calendar: workdays.Calendar | None = None
) -> list[SlotSpec]:
    calendar = calendar or workdays.current()
    kind_of_day, weekday = day_kind(day, calendar)
    out: list[SlotSpec] = []
    step = dt.timedelta(minutes=SLOT_MINUTES)
    for period in opening_hours:
        if weekday not in _weekdays(period.get("days", "")):
            continue
        opens, closes = _time(period["open"]), _time(period["close"])
        start = dt.datetime.combine(day, opens, timeutil.CST)
        end = dt.datetime.combine(day, closes, timeutil.CST)
        if kind_of_day == "workday":
            kind = "evening" if opens >= EVENING_FROM else "regular"
        else:
            kind = kind_of_day
        while start + step <= end:
            out.append(SlotSpec(start.astimezone(dt.UTC), (start + step).astimezone(dt.UTC), kind))
            start += step
    return sorted(out, key=lambda spec: spec.starts_at)


def decode_hours(value: Any) -> list[dict[str, Any]]:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else list(value or [])
