"""The in-app inbox (站内消息): always written, whatever happens to push and SMS."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from litestar import Router, get, post
from litestar.params import FromPath, FromQuery

from api import problems
from api.deps import SECURITY, CallerDep, resident
from notify import inbox


class InboxItemView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    event: str
    title: str
    body: str
    link: str
    application_id: uuid.UUID | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxPage(msgspec.Struct, kw_only=True):
    items: list[InboxItemView]
    unread: int
    next_before: uuid.UUID | None
    """Pass as ``before`` to get the next (older) page; null on the last page."""


class MarkedRead(msgspec.Struct):
    marked: int


def _view(row: dict[str, Any]) -> InboxItemView:
    return InboxItemView(
        id=row["id"],
        event=row["event"],
        title=row["title"],
        body=row["body"],
        link=row["link"],
        application_id=row["application_id"],
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


@get(
    "/",
    summary="My messages, newest first",
    responses=problems.responses(401, 403, 422),
    description=(
        "The inbox of whom I act as: myself, or the company I act for as its staff. An agent acting under a "
        "proxy grant sees their own inbox. `unread` counts the whole inbox; page with `before`."
    ),
)
async def list_inbox(
    caller: CallerDep,
    limit: FromQuery[int] = 30,
    before: FromQuery[uuid.UUID | None] = None,
    unread_only: FromQuery[bool] = False,
) -> InboxPage:
    resident(caller, verified=False)
    limit = max(1, min(limit, 100))
    rows = await inbox.listing(caller, limit=limit, before=before, unread_only=unread_only)
    return InboxPage(
        items=[_view(row) for row in rows],
        unread=await inbox.unread_count(caller),
        next_before=rows[-1]["id"] if len(rows) == limit else None,
    )


@get(
    "/{item_id:uuid}",
    summary="One message",
    responses=problems.responses(401, 403, 404),
    description="What the service worker fetches when a push message (which carries only this id) arrives.",
)
async def get_item(caller: CallerDep, item_id: FromPath[uuid.UUID]) -> InboxItemView:
    resident(caller, verified=False)
    return _view(await inbox.item(caller, item_id))


@post(
    "/{item_id:uuid}/read",
    summary="Mark a message read",
    status_code=200,
    responses=problems.responses(401, 403, 404),
)
async def read_item(caller: CallerDep, item_id: FromPath[uuid.UUID]) -> InboxItemView:
    resident(caller, verified=False)
    return _view(await inbox.mark_read(caller, item_id))


@post("/read-all", summary="Mark every message read", status_code=200, responses=problems.responses(401, 403))
async def read_all(caller: CallerDep) -> MarkedRead:
    resident(caller, verified=False)
    return MarkedRead(await inbox.mark_all_read(caller))


ROUTES = [
    Router(
        path="/api/me/inbox",
        route_handlers=[list_inbox, get_item, read_item, read_all],
        tags=["消息 Inbox"],
        security=SECURITY,
    )
]
