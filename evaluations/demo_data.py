"""Demo ratings: 张秀英 rates the answer to her question 非常满意; 李华 rates his answered complaint
不满意, which opens a rectification."""

from __future__ import annotations

from typing import Any

from auth.context import Caller, Principal
from evaluations import service
from hotline.tables import Ticket

ORDER = 60


async def seed(ctx: Any) -> None:
    resident = ctx.residents.get("resident")
    if resident is None:
        return
    caller = Caller(
        session_id="demo",
        kind="resident",
        account_id=resident,
        name="李华",
        csrf_token="",
        principal=Principal("person", resident, "李华"),
    )
    answered = (
        await Ticket.select()
        .where((Ticket.reporter_key == f"person:{resident}") & (Ticket.status == "replied"))
        .first()
    )
    grandma = ctx.residents.get("grandma")
    if grandma is not None:
        asked = (
            await Ticket.select()
            .where((Ticket.reporter_key == f"person:{grandma}") & (Ticket.status == "replied"))
            .first()
        )
        if asked is not None:
            elder = Caller(
                session_id="demo",
                kind="resident",
                account_id=grandma,
                name="张秀英",
                csrf_token="",
                principal=Principal("person", grandma, "张秀英"),
            )
            await service.rate(elder, kind="ticket", item_id=asked["id"], level=5, tags=["指引清晰"], comment="")
    if answered is not None:
        await service.rate(
            caller,
            kind="ticket",
            item_id=answered["id"],
            level=2,
            tags=["超时未办"],
            comment="油烟问题还没有彻底解决，晚上仍有噪音。",
        )
