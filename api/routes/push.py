"""Web Push for the PWA: the VAPID public key, subscribing and unsubscribing a browser.

A subscription belongs to the resident account of the session that registered it (whoever they act
for), and reaches them with notices for themselves and for the companies they act for.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from litestar import Request, Response, Router, delete, get, post
from litestar.params import JSONBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, resident
from api.routes.applications import IdempotencyKey
from notify import subscriptions, vapid, webpush


class VapidKey(msgspec.Struct):
    public_key: str
    """The P-256 public key, base64url without padding: pass it as ``applicationServerKey``."""


class SubscriptionKeys(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: str
    auth: str


class NewSubscription(msgspec.Struct, forbid_unknown_fields=True, rename={"expiration_time": "expirationTime"}):
    """What ``PushSubscription.toJSON()`` gives, as the browser produced it."""

    endpoint: str
    keys: SubscriptionKeys
    expiration_time: int | None = None
    """Milliseconds since the epoch when the browser will drop the subscription (usually null)."""


class Unsubscribe(msgspec.Struct, forbid_unknown_fields=True):
    endpoint: str


class SubscriptionView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    push_service: str
    """The push service's host; the endpoint itself is a bearer URL and is never shown again."""
    user_agent: str
    created_at: dt.datetime
    updated_at: dt.datetime
    last_sent_at: dt.datetime | None


def _view(row: dict[str, Any]) -> SubscriptionView:
    return SubscriptionView(
        id=row["id"],
        push_service=subscriptions.push_service(row["endpoint"]),
        user_agent=row["user_agent"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        last_sent_at=row["last_sent_at"],
    )


@get(
    "/api/push/vapid-public-key",
    summary="The VAPID public key for pushManager.subscribe",
    responses=problems.responses(500),
    description="Public: the key the browser needs as `applicationServerKey`. It is generated on first run and "
    "kept outside the database; it does not change, so existing subscriptions stay valid.",
    tags=["消息 Inbox"],
)
async def vapid_public_key() -> VapidKey:
    return VapidKey(vapid.public_key())


@post(
    "/subscriptions",
    summary="Subscribe this browser to my notifications",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 422),
    description=(
        "Send `PushSubscription.toJSON()`: `{endpoint, keys: {p256dh, auth}}`. 201 for a new endpoint, 200 when "
        "the endpoint was known (its keys are replaced, and it now belongs to me if another account had it). "
        "The endpoint must be a known push service. At most 10 browsers per account: an eleventh replaces the "
        "one registered longest ago."
    ),
)
async def subscribe(
    caller: CallerDep,
    request: Request[Any, Any, Any],
    data: JSONBody[NewSubscription],
    idempotency_key: IdempotencyKey = None,
) -> Response[SubscriptionView]:
    resident(caller, verified=False)
    expires = (
        dt.datetime.fromtimestamp(data.expiration_time / 1000, dt.UTC) if data.expiration_time is not None else None
    )
    row, created = await subscriptions.upsert(
        caller.account_id,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        user_agent=request.headers.get("user-agent", ""),
        expires_at=expires,
    )
    return Response(_view(row), status_code=201 if created else 200)


@delete(
    "/subscriptions",
    summary="Unsubscribe a browser",
    status_code=204,
    responses=problems.responses(401, 403, 404, 422),
    description="Body `{endpoint}`. An endpoint that is not mine answers 404, like an unknown one.",
)
async def unsubscribe(caller: CallerDep, data: JSONBody[Unsubscribe]) -> None:
    resident(caller, verified=False)
    await subscriptions.remove(caller.account_id, data.endpoint)


@get(
    "/subscriptions",
    summary="Browsers that receive my notifications",
    responses=problems.responses(401, 403),
)
async def my_subscriptions(caller: CallerDep) -> list[SubscriptionView]:
    resident(caller, verified=False)
    return [_view(row) for row in await subscriptions.of_account(caller.account_id)]


async def on_shutdown(app: Any) -> None:
    await webpush.close()


ROUTES = [
    vapid_public_key,
    Router(
        path="/api/push",
        route_handlers=[subscribe, unsubscribe, my_subscriptions],
        tags=["消息 Inbox"],
        security=SECURITY,
    ),
]
