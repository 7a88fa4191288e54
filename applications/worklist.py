"""The clerk's worklist: their department's applications in their region, soonest deadline first."""

from __future__ import annotations

from typing import Any, Literal

from applications import legal_clock, states
from applications.tables import Application
from auth.context import Caller
from core import timeutil, workdays

Flag = Literal["near_due", "overdue"]
Assigned = Literal["me", "unassigned", "any"]


async def worklist(
    caller: Caller,
    *,
    status: str | None = None,
    flag: Flag | None = None,
    assigned: Assigned = "any",
    q: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    where = (Application.department == caller.department_id) & (
        (Application.handling_region == caller.region_code) | (Application.receiving_region == caller.region_code)
    )
    if status:
        where &= Application.status == status
    else:
        where &= Application.status.is_in(sorted(states.OPEN_FOR_CLERKS))
    today = timeutil.today()
    if flag == "overdue":
        where &= (Application.clock_state == "running") & (Application.due_on < today)
    elif flag == "near_due":
        horizon = workdays.current().add_working_days(today, legal_clock.NEAR_DUE_WORKING_DAYS)
        where &= (
            (Application.clock_state == "running") & (Application.due_on >= today) & (Application.due_on <= horizon)
        )
    if assigned == "me":
        where &= Application.assigned_clerk == caller.account_id
    elif assigned == "unassigned":
        where &= Application.assigned_clerk.is_null()
    if q:
        where &= (
            Application.number.like(f"%{q}%")
            | Application.matter_name.like(f"%{q}%")
            | Application.applicant_name.like(f"%{q}%")
        )
    total = await Application.count().where(where)
    rows = (
        await Application.select()
        .where(where)
        .order_by(Application.due_on)
        .order_by(Application.submitted_at)
        .limit(limit)
        .offset(offset)
    )
    # Undated items (not yet accepted) come after dated ones on PostgreSQL and before on SQLite;
    # put them last on both so the most urgent deadlines always lead.
    rows.sort(key=lambda row: (row["due_on"] is None, row["due_on"] or today))
    return rows, total
