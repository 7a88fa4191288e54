"""The legal clock of an application, in working days.

It starts when the application is accepted and counts from the next working day. A supplement
request or a suspension stops it (补正、中止期间不计入办理时限); the answer or the resumption
restarts it with the days already used kept. A department head may extend it once, up to the
matter's cap. Functions take the application row and return the column updates to store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from core import workdays

NEAR_DUE_WORKING_DAYS = 2


class ClockStatus(msgspec.Struct, frozen=True):
    state: str  # idle | running | stopped | done
    limit_days: int
    extension_days: int
    used_days: int
    remaining_days: int | None
    due_on: dt.date | None
    near_due: bool
    overdue: bool
    stop_reason: str = ""


def _due(since: dt.date, remaining: int) -> dt.date:
    return workdays.current().add_working_days(since, max(remaining, 0))


def start(row: dict[str, Any], *, limit_days: int, on: dt.date) -> dict[str, Any]:
    return {
        "clock_state": "running",
        "clock_limit_days": limit_days,
        "clock_used_days": 0,
        "clock_since": on,
        "clock_stop_reason": "",
        "due_on": _due(on, limit_days),
    }


def _used_until(row: dict[str, Any], on: dt.date) -> int:
    since = row["clock_since"]
    return row["clock_used_days"] + (workdays.current().working_days_between(since, on) if since else 0)


def stop(row: dict[str, Any], *, on: dt.date, reason: str) -> dict[str, Any]:
    if row["clock_state"] != "running":
        return {}
    return {
        "clock_state": "stopped",
        "clock_used_days": _used_until(row, on),
        "clock_since": None,
        "clock_stop_reason": reason,
        "due_on": None,
    }


def resume(row: dict[str, Any], *, on: dt.date) -> dict[str, Any]:
    if row["clock_state"] != "stopped":
        return {}
    remaining = row["clock_limit_days"] + row["extension_days"] - row["clock_used_days"]
    return {"clock_state": "running", "clock_since": on, "clock_stop_reason": "", "due_on": _due(on, remaining)}


def finish(row: dict[str, Any], *, on: dt.date) -> dict[str, Any]:
    if row["clock_state"] == "running":
        return {"clock_state": "done", "clock_used_days": _used_until(row, on), "clock_since": None}
    if row["clock_state"] == "stopped":
        return {"clock_state": "done"}
    return {}


def extend(row: dict[str, Any], *, days: int, cap: int) -> dict[str, Any] | None:
    """The updates for a one-time extension of ``days``, or None when it is not allowed."""
    if row["clock_state"] not in ("running", "stopped") or row["extension_days"] or days < 1 or days > cap:
        return None
    updates: dict[str, Any] = {"extension_days": days}
    if row["clock_state"] == "running" and row["due_on"] is not None:
        updates["due_on"] = workdays.current().add_working_days(row["due_on"], days)
    return updates


def status(row: dict[str, Any], *, today: dt.date) -> ClockStatus:
    state = row["clock_state"]
    limit, extension = row["clock_limit_days"], row["extension_days"]
    if state == "running":
        used = _used_until(row, today)
        remaining = limit + extension - used
        due = row["due_on"]
        overdue = due is not None and today > due
        return ClockStatus(
            state,
            limit,
            extension,
            used,
            remaining,
            due,
            near_due=not overdue and remaining <= NEAR_DUE_WORKING_DAYS,
            overdue=overdue,
        )
    if state == "stopped":
        used = row["clock_used_days"]
        return ClockStatus(
            state, limit, extension, used, limit + extension - used, None, False, False, row["clock_stop_reason"]
        )
    return ClockStatus(state, limit, extension, row["clock_used_days"], None, row["due_on"], False, False)
