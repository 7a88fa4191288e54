"""Read a data source on someone's behalf and leave the trace the resident can see."""

from __future__ import annotations

import uuid

from audit import log as audit
from datahub.sources import SourceAnswer, get


async def read(
    source: str,
    kind: str,
    key: str,
    *,
    actor: audit.Actor,
    purpose: str,
    subject_kind: str,
    subject_id: uuid.UUID | str | None,
    application_id: uuid.UUID | str | None = None,
) -> SourceAnswer:
    """Query ``source`` and record who read whose data, why, and for which application."""
    answer = await get(source).query(kind, key)
    if subject_id:
        await audit.append(
            "data.read",
            actor=actor,
            object_type=f"source:{source}",
            object_id=kind,
            subject_kind=subject_kind,
            subject_id=subject_id,
            application_id=application_id or "",
            purpose=purpose,
            details={"source": source, "found": answer.found},
        )
    return answer
