"""Install the working-day calendar: the built-in schedule plus administrator overrides."""

from __future__ import annotations

from core import workdays
from core.tables import CalendarDay


async def load() -> workdays.Calendar:
    rows = await CalendarDay.select(CalendarDay.day, CalendarDay.kind).where(CalendarDay.active == True)  # noqa: E712
    calendar = workdays.Calendar.builtin().with_overrides((row["day"], row["kind"]) for row in rows)
    workdays.install(calendar)
    return calendar
