"""Emit a notification inside the caller's transaction (the outbox pattern).

The inbox item and one outbox row are inserted with the change that caused them, so an
application is never saved without its notification and a rolled-back change never notifies.
The dispatcher later fans the outbox row out to push and SMS according to the recipient's
preferences; the row carries only ids, never personal data.
"""

from __future__ import annotations

import uuid

import msgspec

from core import db, rows, timeutil
from notify.events import render
from notify.tables import InboxItem, OutboxMessage


async def emit(
    event: str,
    recipient_key: str,
    *,
    dedupe_key: str,
    link: str = "",
    application_id: uuid.UUID | None = None,
    **values: object,
) -> uuid.UUID:
    """Write the inbox item and its outbox row; returns the inbox item id.

    ``dedupe_key`` names the cause (e.g. ``"app:<id>:accepted"``) so that a retried cause never
    produces a second message.
    """
    title, body = render(event, **values)
    async with db.write_tx():
        item_id = timeutil.uuid7()
        now = timeutil.now()
        payload = msgspec.json.encode({"inbox_item": str(item_id), "event": event}).decode()
        inserted = await OutboxMessage.raw(
            'INSERT INTO "outbox_message" ("id", "dedupe_key", "channel", "event", "recipient_key", "inbox_item", '
            '"payload", "status", "attempts", "available_at", "lease_owner", "last_error", "created_at") '
            "VALUES ({}, {}, 'notify', {}, {}, {}, {}, 'pending', 0, {}, '', '', {}) "
            'ON CONFLICT ("dedupe_key") DO NOTHING RETURNING "id"',
            timeutil.uuid7(),
            dedupe_key,
            event,
            recipient_key,
            item_id,
            payload,
            now,
            now,
        )
        if not inserted:  # the same cause already notified (a retried request)
            existing = (
                await OutboxMessage.select(OutboxMessage.inbox_item)
                .where(OutboxMessage.dedupe_key == dedupe_key)
                .first()
            )
            return existing["inbox_item"]
        await rows.insert(
            InboxItem,
            {
                "id": item_id,
                "recipient_key": recipient_key,
                "event": event,
                "title": title,
                "body": body,
                "link": link,
                "application_id": application_id,
                "created_at": now,
            },
        )
        return item_id
