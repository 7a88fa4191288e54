"""Operators' view of how one notice went, target by target (push subscriptions, SMS numbers)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from litestar import Router, get
from litestar.params import FromPath

from api import problems
from api.deps import SECURITY, CallerDep, clerk
from core.errors import ProblemError
from notify import subscriptions
from notify.tables import Delivery, OutboxMessage, PushSubscription


class DeliveryView(msgspec.Struct, kw_only=True):
    channel: str
    status: str
    """pending | sent | gone (subscription expired, deleted) | failed (refused for good) | skipped"""
    push_service: str
    """The push service's host for a push; empty for SMS (the number is never shown)."""
    attempts: int
    last_status: int
    last_error: str
    not_before: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None


@get(
    "/{message_id:uuid}/deliveries",
    summary="How one outbox message went, target by target (operators)",
    responses=problems.responses(401, 403, 404),
    description="For `notify` messages: one entry per push subscription or SMS number reached or tried. "
    "Recipients are not shown: no account, no endpoint, no phone number.",
)
async def deliveries_of(caller: CallerDep, message_id: FromPath[uuid.UUID]) -> list[DeliveryView]:
    clerk(caller, "admin", "auditor")
    if await OutboxMessage.count().where(OutboxMessage.id == message_id) == 0:
        raise ProblemError("outbox_message_not_found")
    rows = await Delivery.select().where(Delivery.message == message_id).order_by(Delivery.id)
    push_ids = [uuid.UUID(row["target"]) for row in rows if row["channel"] == "push"]
    hosts: dict[str, str] = {}
    if push_ids:
        found = await PushSubscription.select(PushSubscription.id, PushSubscription.endpoint).where(
            PushSubscription.id.is_in(push_ids)
        )
        hosts = {str(sub["id"]): subscriptions.push_service(sub["endpoint"]) for sub in found}
    return [_view(row, hosts) for row in rows]


def _view(row: dict[str, Any], hosts: dict[str, str]) -> DeliveryView:
    return DeliveryView(
        channel=row["channel"],
        status=row["status"],
        push_service=hosts.get(row["target"], "") if row["channel"] == "push" else "",
        attempts=row["attempts"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        not_before=row["not_before"],
        updated_at=row["updated_at"],
        sent_at=row["sent_at"],
    )


ROUTES = [
    Router(
        path="/api/admin/outbox",
        route_handlers=[deliveries_of],
        tags=["管理 Administration"],
        security=SECURITY,
    )
]
