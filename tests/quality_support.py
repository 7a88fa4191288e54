"""Helpers for the service-quality tests: closed applications, callers, test halls and clock trips."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec

from appointments import service as appointments
from appointments.tables import Slot, Window
from audit import log as audit
from auth import context
from core import db, timeutil
from regions.tables import Hall
from tests.factories import form_for, published_matter
from tests.support import Account, account, as_user, clerk_token

SYSTEM = audit.Actor(kind="system", label="test")


async def caller_for(token: str) -> context.Caller:
    caller = await context.load(token)
    assert caller is not None
    return caller


async def closed_application(app: Any, user: Account | None = None, matter: uuid.UUID | None = None) -> dict[str, Any]:
    """A test matter applied for, accepted, approved and closed (electronic result) in 南昌."""
    user = user or await account()
    matter = matter or await published_matter(materials=[])
    async with as_user(app, user.token) as http:
        created = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
        )
        assert created.status_code == 201, created.text
    app_id = created.json()["summary"]["id"]
    async with as_user(app, await clerk_token("nc-window")) as desk:
        accepted = await desk.post(f"/api/backoffice/applications/{app_id}/accept", json={})
        assert accepted.status_code == 200, accepted.text
    async with as_user(app, await clerk_token("nc-reviewer")) as desk:
        await desk.post(f"/api/backoffice/applications/{app_id}/review", json={})
        decided = await desk.post(
            f"/api/backoffice/applications/{app_id}/decide", json={"decision": "approve", "basis": "依法审查"}
        )
        assert decided.status_code == 200, decided.text
        closed = await desk.post(f"/api/backoffice/applications/{app_id}/issue-result", json={})
        assert closed.json()["summary"]["status"] == "closed", closed.text
    return {"id": app_id, "user": user, "matter": matter}


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Run the block with the platform clock set to ``moment``."""
    with timeutil.travel(moment - timeutil.now()):
        yield


def cst(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=timeutil.CST)


async def make_hall(region: str = "360100", hours: list[dict[str, str]] | None = None) -> uuid.UUID:
    """A hall of its own, so a test controls its windows and slots."""
    hall_id = timeutil.uuid7()
    async with db.write_tx():
        await Hall.insert(
            Hall(
                id=hall_id,
                name=f"测试大厅{str(hall_id)[-6:]}",
                region=region,
                opening_hours=msgspec.json.encode(
                    hours or [{"days": "1-7", "open": "00:00", "close": "23:30"}]
                ).decode(),
            )
        )
    return hall_id


async def make_window(hall_id: uuid.UUID, *, capacity: int = 3, kind: str = "comprehensive", department=None) -> dict:
    return await appointments.add_window(
        hall_id, code="A01", name="综合窗口", kind=kind, department_id=department, slot_capacity=capacity, actor=SYSTEM
    )


async def slot_at(window: dict[str, Any], starts_at: dt.datetime, *, capacity: int | None = None) -> uuid.UUID:
    """One slot at an exact time (tests need slots at chosen moments, not the generated grid)."""
    slot_id = timeutil.uuid7()
    async with db.write_tx():
        await Slot.insert(
            Slot(
                id=slot_id,
                key=f"{window['id']}:{starts_at.astimezone(dt.UTC).isoformat()}",
                hall=window["hall"],
                window=window["id"],
                day=timeutil.local_date(starts_at),
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=30),
                kind="regular",
                capacity=capacity if capacity is not None else window["slot_capacity"],
                booked=0,
            )
        )
    return slot_id


async def deactivate(window_id: uuid.UUID) -> None:
    async with db.write_tx():
        await Window.update({Window.active: False}).where(Window.id == window_id)


async def fresh_token(user: Account) -> str:
    """A new session for ``user`` at the current (possibly travelled) platform time."""
    from auth import sessions

    token, _ = await sessions.create(
        "resident", user.id, idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12)
    )
    return token
