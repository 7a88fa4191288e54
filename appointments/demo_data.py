"""Demo windows for every demo hall and two weeks of slots, plus one booking for 李华."""

from __future__ import annotations

import datetime as dt
from typing import Any

from appointments import service
from appointments.tables import Slot
from audit import log as audit
from auth.context import Caller, Principal
from core import timeutil
from regions.tables import Department, Hall

ORDER = 40
ACTOR = audit.Actor(kind="system", label="演示数据")
SPECIALISED = (("B01", "市场监管专窗", "scjg"), ("B02", "社保医保专窗", "rsj"), ("B03", "公安户政专窗", "gaj"))


async def seed(ctx: Any) -> None:
    for hall in await Hall.select().order_by(Hall.name):
        township = len(hall["region"]) > 6
        comprehensive = 1 if township else 2
        for number in range(1, comprehensive + 1):
            await service.add_window(
                hall["id"],
                code=f"A{number:02d}",
                name=f"综合窗口{number}（无差别受理）",
                kind="comprehensive",
                department_id=None,
                slot_capacity=3,
                actor=ACTOR,
            )
        if township:
            continue
        for code, name, kind in SPECIALISED:
            department = (
                await Department.select(Department.id)
                .where((Department.code == kind) & (Department.region == hall["region"]))
                .first()
            )
            if department is not None:
                await service.add_window(
                    hall["id"],
                    code=code,
                    name=name,
                    kind="specialised",
                    department_id=department["id"],
                    slot_capacity=2,
                    actor=ACTOR,
                )
    await service.generate_slots()
    await _demo_booking(ctx)


async def _demo_booking(ctx: Any) -> None:
    """李华 has booked the 赣州市政务服务中心 comprehensive window for the next working morning."""
    resident = ctx.residents.get("resident")
    hall = await Hall.select(Hall.id).where(Hall.name == "赣州市政务服务中心").first()
    if resident is None or hall is None:
        return
    tomorrow = timeutil.today() + dt.timedelta(days=1)
    slot = (
        await Slot.select(Slot.id)
        .where((Slot.hall == hall["id"]) & (Slot.day >= tomorrow) & (Slot.kind == "regular"))
        .order_by(Slot.starts_at)
        .first()
    )
    if slot is None:
        return
    caller = Caller(
        session_id="demo",
        kind="resident",
        account_id=resident,
        name="李华",
        csrf_token="",
        principal=Principal("person", resident, "李华"),
    )
    await service.book(caller, slot_id=slot["id"], matter_id=None, note="咨询个体工商户登记")
