"""Per-target delivery records: one row per outbox message × push subscription or SMS number.

A row is written with the first answer for its target (one short transaction per send, right after
it) — or earlier, as ``pending`` with ``not_before``, when quiet hours hold the target back. A
retried message (after a failure elsewhere, a crash, a lost lease) reads these rows first and skips
every target already reached. What can still repeat is only a send whose answer was never recorded
— the worker died between the push service's 201 and the commit — which is why the push payload
carries the inbox id: the service worker shows one notification per id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec

from core import db, rows, timeutil
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


_COLUMNS = (
    '"id", "key", "message", "inbox_item", "channel", "target", "account", "status", "not_before", "attempts", '
    '"last_status", "last_error", "created_at", "updated_at", "sent_at"'
)
_MARKS = "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"


def _values(message: dict[str, Any], target: Target, **row: Any) -> list[Any]:
    now = timeutil.now()
    return [
        timeutil.uuid7(),
        key(message["id"], target.target),
        message["id"],
        message["inbox_item"],
        target.channel,
        target.target,
        target.account,
        row.get("status", "pending"),
        row.get("not_before", target.not_before),
        row.get("attempts", 0),
        row.get("last_status", 0),
        row.get("last_error", ""),
        now,
        now,
        row.get("sent_at"),
    ]


async def of_message(message_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """The message's delivery rows by target."""
    return {row["target"]: row for row in await rows.many(Delivery, message_id, key="message", order_by="id")}


async def hold(message: dict[str, Any], targets: list[Target]) -> None:
    """Record targets that quiet hours hold back (``pending`` until ``not_before``)."""
    if not targets:
        return
    values: list[Any] = []
    for target in targets:
        values += _values(message, target)
    marks = ", ".join(_MARKS for _ in targets)
    async with db.write_tx():
        # Placeholders only are formatted in; every value is a bound parameter.
        await Delivery.raw(
            f'INSERT INTO "notify_delivery" ({_COLUMNS}) VALUES {marks} ON CONFLICT ("key") DO NOTHING',  # noqa: S608
            *values,
        )


async def retire(rows: list[dict[str, Any]]) -> None:
    """Pending rows whose target is no longer wanted (unsubscribed, channel switched off): ``skipped``."""
    if rows:
        async with db.write_tx():
            await Delivery.update({Delivery.status: "skipped", Delivery.updated_at: timeutil.now()}).where(
                Delivery.id.is_in([row["id"] for row in rows]) & (Delivery.status == "pending")
            )


async def record(message: dict[str, Any], target: Target, result: Result) -> str:
    """Store one answer at once (one transaction); a subscription answered 404/410 is deleted with it.

    A row already settled (``sent``, ``gone``…) is never changed back: the ``WHERE`` of the upsert
    only lets a pending row move on.
    """
    now = timeutil.now()
    status = "pending" if result.status == "retry" else result.status
    values = _values(
        message,
        target,
        status=status,
        not_before=now,
        attempts=1,
        last_status=result.http_status,
        last_error=result.error[:500],
        sent_at=now if status == "sent" else None,
    )
    subscription_id = target.subscription["id"] if target.subscription else None
    async with db.write_tx():
        await Delivery.raw(
            f'INSERT INTO "notify_delivery" ({_COLUMNS}) VALUES {_MARKS} ON CONFLICT ("key") DO UPDATE SET '  # noqa: S608
            '"status" = excluded."status", "attempts" = "notify_delivery"."attempts" + 1, '
            '"last_status" = excluded."last_status", "last_error" = excluded."last_error", '
            '"updated_at" = excluded."updated_at", "sent_at" = excluded."sent_at" '
            'WHERE "notify_delivery"."status" = \'pending\'',
            *values,
        )
        if subscription_id is not None and status == "gone":
            await PushSubscription.delete().where(PushSubscription.id == subscription_id)
        elif subscription_id is not None and status == "sent":
            await rows.update(PushSubscription, {"last_sent_at": now}, id=subscription_id)
    return status
