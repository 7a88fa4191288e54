"""Answered tickets are rateable; rating one (in the app or on the callback) closes it."""

from __future__ import annotations

import uuid
from typing import Any

from core import rows
from evaluations import subjects
from hotline import service
from hotline.tables import Ticket


async def ticket_subject(ticket_id: uuid.UUID) -> subjects.Subject | None:
    row = await rows.one(Ticket, ticket_id)
    if row is None:
        return None
    return subjects.Subject(
        kind="ticket",
        id=row["id"],
        owner_key=row["reporter_key"] or f"ticket:{row['id']}",
        label=f"12345 工单 {row['number']}",
        rateable=row["status"] in ("replied", "closed"),
        department_id=row["department"],
        region_code=row["region_code"],
        row={**row, "kind": "ticket"},
    )


async def _close(subject: subjects.Subject, evaluation: dict[str, Any], actor: Any) -> None:
    row = await rows.one(Ticket, subject.id)
    if row is not None:
        await service.close_after_rating(row, actor)


subjects.register("ticket", ticket_subject, after_rated=_close)
