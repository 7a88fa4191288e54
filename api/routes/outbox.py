"""The outbox worker in every app process, and the operators' view of messages that failed for good.

Each worker runs the dispatcher loop (not under ``ZB_ENV=test``, where tests drive it) unless
``ZB_DISPATCHER=off`` — then ``zhangban dispatch`` runs it as a separate process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import uuid
from typing import Any, Literal

import msgspec
from litestar import Router, get, post
from litestar.params import FromPath, FromQuery

from api import problems
from api.deps import SECURITY, CallerDep, clerk
from core import settings
from notify import dispatcher
from notify.tables import OutboxMessage


class OutboxView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    channel: str
    event: str
    status: str
    attempts: int
    available_at: dt.datetime
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def _view(row: dict[str, Any]) -> OutboxView:
    return OutboxView(
        id=row["id"],
        channel=row["channel"],
        event=row["event"],
        status=row["status"],
        attempts=row["attempts"],
        available_at=row["available_at"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
    )


@get(
    "/",
    summary="Outbox messages by status (operators)",
    responses=problems.responses(401, 403),
    description="`dead` lists what failed for good and waits for an operator; recipients are not shown.",
)
async def list_outbox(
    caller: CallerDep,
    status: FromQuery[Literal["pending", "sent", "dead"]] = "dead",
    channel: FromQuery[str | None] = None,
    limit: FromQuery[int] = 50,
) -> list[OutboxView]:
    clerk(caller, "admin", "auditor")
    where = OutboxMessage.status == status
    if channel:
        where &= OutboxMessage.channel == channel
    rows = await OutboxMessage.select().where(where).order_by(OutboxMessage.id, ascending=False).limit(min(limit, 200))
    return [_view(row) for row in rows]


@post(
    "/{message_id:uuid}/retry",
    summary="Send a failed message again",
    status_code=200,
    responses=problems.responses(401, 403, 404, 409),
)
async def retry_message(caller: CallerDep, message_id: FromPath[uuid.UUID]) -> OutboxView:
    clerk(caller, "admin")
    return _view(await dispatcher.send_again(message_id))


_stop: asyncio.Event | None = None
_task: asyncio.Task[Any] | None = None


async def on_startup(app: Any) -> None:
    global _stop, _task
    if settings.get().env != "test" and os.environ.get("ZB_DISPATCHER", "on") != "off":
        _stop = asyncio.Event()
        _task = asyncio.create_task(dispatcher.run_forever(_stop), name="outbox-dispatcher")


async def on_shutdown(app: Any) -> None:
    global _stop, _task
    if _task is not None and _stop is not None:
        _stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(_task, 10)
    _stop = _task = None


ROUTES = [
    Router(
        path="/api/admin/outbox",
        route_handlers=[list_outbox, retry_message],
        tags=["管理 Administration"],
        security=SECURITY,
    )
]
