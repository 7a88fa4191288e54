"""Per-target delivery records: one row per outbox message × push subscription or SMS number.

The row is written before the first send and updated right after each answer, in its own short
transaction, so a retried message (after a failure elsewhere, a crash, a lost lease) skips every
target already reached. What can still repeat is only a send whose answer was never recorded —
the worker died between the push service's 201 and the commit — which is why the push payload
carries the inbox id: the service worker shows one notification per id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec

from core import db, timeutil
from notify.tables import Delivery, PushSubscription

Status = Literal["sent", "gone", "failed", "retry"]


class Result(msgspec.Struct, frozen=True):
    """How one send to one target went."""

    status: Status
    http_status: int = 0
    retry_after: float | None = None
    error: str = ""


class Target(msgspec.Struct, kw_only=True):
    """A place to deliver one notice: a push subscription or a resident's mobile number."""

    channel: Literal["push", "sms"]
    target: str
    account: uuid.UUID
    not_before: dt.datetime
    subscription: dict[str, Any] | None = None
    resident: dict[str, Any] | None = None


def key(message_id: uuid.UUID, target: str) -> str:
    return f"{message_id}:{target}"


async def ensure(message: dict[str, Any], targets: list[Target]) -> list[dict[str, Any]]:
    """Create the rows of targets not seen before; retire pending rows no longer planned.

    A subscription removed since the last attempt, or a resident who switched a channel off, is
    ``skipped`` rather than sent to. Returns every delivery row of the message.
    """
    message_id = message["id"]
    now = timeutil.now()
    async with db.write_tx():
        existing = {row["target"]: row for row in await Delivery.select().where(Delivery.message == message_id)}
        new = [t for t in targets if t.target not in existing]
        if new:
            marks = ", ".join("({}, {}, {}, {}, {}, {}, {}, 'pending', {}, 0, 0, '', {}, {})" for _ in new)
            values: list[Any] = []
            for t in new:
                values += [
                    timeutil.uuid7(),
                    key(message_id, t.target),
                    message_id,
                    message["inbox_item"],
                    t.channel,
                    t.target,
                    t.account,
                    t.not_before,
                    now,
                    now,
                ]
            # Placeholders only are formatted in; every value is a bound parameter.
            await Delivery.raw(
                'INSERT INTO "notify_delivery" ("id", "key", "message", "inbox_item", "channel", "target", '  # noqa: S608
                '"account", "status", "not_before", "attempts", "last_status", "last_error", "created_at", '
                f'"updated_at") VALUES {marks} ON CONFLICT ("key") DO NOTHING',
                *values,
            )
        planned = {t.target for t in targets}
        retired = [
            row["id"] for row in existing.values() if row["status"] == "pending" and row["target"] not in planned
        ]
        if retired:
            await Delivery.update({Delivery.status: "skipped", Delivery.updated_at: now}).where(
                Delivery.id.is_in(retired)
            )
        return await Delivery.select().where(Delivery.message == message_id)


async def record(delivery: dict[str, Any], result: Result, *, subscription_id: uuid.UUID | None = None) -> str:
    """Store one answer at once; a push subscription answered 404/410 is deleted with it."""
    now = timeutil.now()
    status = "pending" if result.status == "retry" else result.status
    changes: dict[Any, Any] = {
        Delivery.status: status,
        Delivery.attempts: Delivery.attempts + 1,
        Delivery.last_status: result.http_status,
        Delivery.last_error: result.error[:500],
        Delivery.updated_at: now,
    }
    if status == "sent":
        changes[Delivery.sent_at] = now
    async with db.write_tx():
        await Delivery.update(changes).where((Delivery.id == delivery["id"]) & (Delivery.status == "pending"))
        if subscription_id is not None and status == "gone":
            await PushSubscription.delete().where(PushSubscription.id == subscription_id)
        elif subscription_id is not None and status == "sent":
            await PushSubscription.update({PushSubscription.last_sent_at: now}).where(
                PushSubscription.id == subscription_id
            )
    return status


async def of_message(message_id: uuid.UUID) -> list[dict[str, Any]]:
    return await Delivery.select().where(Delivery.message == message_id).order_by(Delivery.id)
