"""长辈版 (elder mode): the simplified home list the PWA shows elderly residents and their agents."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec
from litestar import Router, get
from litestar.params import FromQuery

from api import problems
from api.deps import SECURITY, CallerDep, resident
from auth.tables import Resident
from notify import audience
from proxies import elder


class Task(msgspec.Struct, kw_only=True):
    matter_id: uuid.UUID
    basic_code: str
    """The same for every region's implementation of the matter: the list holds each once."""
    name: str
    summary: str
    themes: list[str]
    instant: bool
    region_code: str
    times_used: int
    """How often the principal applied for it before."""
    reason: Literal["mine", "area", "elder_theme", "popular"]
    """Why it is listed: used before, much used nearby, an elderly theme, or popular."""


class ElderHome(msgspec.Struct, kw_only=True):
    elder_mode: bool
    """The account's 长辈版 switch (the PWA follows it: larger text, fewer items, no pop-ups)."""
    elderly: bool
    """Elder mode on or aged 60 or over: SMS is then the default notification channel."""
    acting_for: str | None
    tasks: list[Task]


@get(
    "/tasks",
    summary="The few tasks to show first in 长辈版",
    responses=problems.responses(401, 403),
    description=(
        "The principal's most used tasks first (five by default): matters they applied for most, then what "
        "residents nearby applied for most in the past year, then 养老/医保/社保/救助/残疾人 matters. Only matters "
        "that can be done on a phone, one per matter (the implementation nearest the principal). An agent acting "
        "for someone gets the principal's list, limited to what the grant lets them apply for."
    ),
)
async def tasks(caller: CallerDep, limit: FromQuery[int] = 5) -> ElderHome:
    resident(caller)
    me = await Resident.select().where(Resident.id == caller.account_id).first()
    assert me is not None
    chosen = await elder.tasks(caller, limit=max(1, min(limit, 20)))
    summaries = await elder.summaries([row["id"] for row, _, _ in chosen])
    return ElderHome(
        elder_mode=bool(me["elder_mode"]),
        elderly=audience.is_elderly(me),
        acting_for=caller.principal.name if caller.basis == "proxy" and caller.principal else None,
        tasks=[
            Task(
                matter_id=row["id"],
                basic_code=row["basic_code"],
                name=row["name"],
                summary=summaries.get(row["id"], ""),
                themes=[t for t in row["themes"].split(",") if t],
                instant=row["instant"],
                region_code=row["region_code"],
                times_used=used,
                reason=reason,  # type: ignore[arg-type]
            )
            for row, used, reason in chosen
        ],
    )


ROUTES = [Router(path="/api/elder", route_handlers=[tasks], tags=["长辈版 Elder mode"], security=SECURITY)]
