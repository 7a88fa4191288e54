"""Reading the in-app inbox: whose items a caller may see, listing, marking read.

The inbox a caller lists is that of the one they act as: themselves, or the company they act for as
staff. An agent acting under a proxy grant lists their *own* inbox — the principal's inbox holds the
notices about the agent's actions, which the agent must not read. A single item can be fetched by
any of the caller's own keys, so a push message for the person's own inbox still opens while their
session acts for a company — and a company's message opens for anyone currently authorised to act
for it, which is whom its push messages reach (see :mod:`notify.audience`).
"""

from __future__ import annotations

import uuid
from typing import Any

from auth import enterprises
from auth.context import Caller
from core import db, errors, timeutil
from core.errors import ProblemError
from notify.tables import InboxItem

errors.register("inbox_item_not_found", 404, "没有找到这条消息。", "There is no such message.")


def listing_key(caller: Caller) -> str:
    if caller.principal is not None and caller.basis == "staff":
        return caller.principal.key
    return f"person:{caller.account_id}"


def readable_keys(caller: Caller) -> list[str]:
    keys = [f"person:{caller.account_id}"]
    if caller.principal is not None and caller.basis == "staff":
        keys.append(caller.principal.key)
    return keys


async def listing(caller: Caller, *, limit: int, before: uuid.UUID | None, unread_only: bool) -> list[dict[str, Any]]:
    where = InboxItem.recipient_key == listing_key(caller)
    if before is not None:
        where &= InboxItem.id < before  # ids are UUIDv7: time-ordered
    if unread_only:
        where &= InboxItem.read_at.is_null()
    return await InboxItem.select().where(where).order_by(InboxItem.id, ascending=False).limit(limit)


async def unread_count(caller: Caller) -> int:
    return await InboxItem.count().where((InboxItem.recipient_key == listing_key(caller)) & InboxItem.read_at.is_null())


async def _may_read(caller: Caller, recipient_key: str) -> bool:
    if recipient_key in readable_keys(caller):
        return True
    kind, _, raw = recipient_key.partition(":")
    if kind != "enterprise" or caller.kind != "resident":
        return False
    try:
        enterprise_id = uuid.UUID(raw)
    except ValueError:
        return False
    return await enterprises.staff_link(caller.account_id, enterprise_id) is not None


async def item(caller: Caller, item_id: uuid.UUID) -> dict[str, Any]:
    row = await InboxItem.select().where(InboxItem.id == item_id).first()
    if row is None or not await _may_read(caller, row["recipient_key"]):
        raise ProblemError("inbox_item_not_found")
    return row


async def mark_read(caller: Caller, item_id: uuid.UUID) -> dict[str, Any]:
    row = await item(caller, item_id)
    if row["read_at"] is None:
        row["read_at"] = timeutil.now()
        async with db.write_tx():
            await InboxItem.update({InboxItem.read_at: row["read_at"]}).where(
                (InboxItem.id == item_id) & InboxItem.read_at.is_null()
            )
    return row


async def mark_all_read(caller: Caller) -> int:
    async with db.write_tx():
        changed = (
            await InboxItem.update({InboxItem.read_at: timeutil.now()})
            .where((InboxItem.recipient_key == listing_key(caller)) & InboxItem.read_at.is_null())
            .returning(InboxItem.id)
        )
    return len(changed)
