"""Finished appointments are rateable (好差评 of the hall visit)."""

from __future__ import annotations

import uuid

from appointments.tables import Appointment
from core import rows
from evaluations import subjects
from regions.tables import Hall


async def appointment_subject(appointment_id: uuid.UUID) -> subjects.Subject | None:
    row = await rows.one(Appointment, appointment_id)
    if row is None:
        return None
    hall = await Hall.select(Hall.name, Hall.region).where(Hall.id == row["hall"]).first()
    return subjects.Subject(
        kind="appointment",
        id=row["id"],
        owner_key=row["owner_key"],
        label=row["matter_name"] or (f"{hall['name']}预约办事" if hall else "大厅预约办事"),
        rateable=row["status"] == "done",
        department_id=row["department"],
        matter_id=row["matter"],
        hall_id=row["hall"],
        region_code=hall["region"] if hall else "",
        row={**row, "kind": "appointment"},
    )


subjects.register("appointment", appointment_subject)
