"""Web Push subscriptions: checked, stored per endpoint, owned by the resident who subscribed.

The endpoint is a URL the dispatcher will POST to, so it must point at a known push service (the
``ZB_PUSH_HOSTS`` list; loopback only outside production, where tests run their own service);
anything else would let a caller make the server send requests wherever they like. The keys are
checked the way the sender will use them: ``p256dh`` a point on P-256, ``auth`` 16 bytes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import ipaddress
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from core import db, errors, rows, settings, timeutil
from core.errors import FieldError, ProblemError, field_error
from notify.tables import PushSubscription

errors.register(
    "push_endpoint_invalid",
    422,
    "无法使用这个推送地址，请在浏览器里关闭后重新开启消息通知。",
    "This push endpoint cannot be used; turn notifications off and on again in the browser.",
)
errors.register(
    "push_keys_invalid",
    422,
    "推送密钥无效，请在浏览器里关闭后重新开启消息通知。",
    "The subscription keys are invalid; turn notifications off and on again in the browser.",
)
errors.register("push_subscription_not_found", 404, "没有找到这个消息推送订阅。", "There is no such push subscription.")

MAX_ENDPOINT = 1024
MAX_PER_ACCOUNT = 10
"""Devices one account may register; a new one beyond this replaces the longest unused."""
_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_LOOPBACK_NAMES = {"localhost"}


def _b64url_decode(value: str) -> bytes | None:
    if not isinstance(value, str) or not _B64URL.match(value):
        return None
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_allowed(host: str) -> bool:
    return any(host == allowed or host.endswith("." + allowed) for allowed in settings.get().push_hosts)


def endpoint_problem(endpoint: str) -> bool:
    """True when ``endpoint`` is not a URL of a push service we may send to."""
    if not endpoint or len(endpoint) > MAX_ENDPOINT or any(ch.isspace() for ch in endpoint):
        return True
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError:
        return True
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        return True
    if _is_loopback(host):  # a local push service: development and tests only
        return settings.get().env == "production" or parts.scheme not in ("http", "https")
    return parts.scheme != "https" or not _host_allowed(host)


def checked(endpoint: str, p256dh: str, auth: str) -> tuple[str, str]:
    """The keys normalised to unpadded base64url; every bad field reported at once."""
    problems: list[FieldError] = []
    if endpoint_problem(endpoint):
        problems.append(field_error("endpoint", "push_endpoint_invalid"))
    public = _b64url_decode(p256dh)
    valid_public = public is not None and len(public) == 65 and public[0] == 4
    if valid_public:
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)  # type: ignore[arg-type]
        except ValueError:
            valid_public = False
    if not valid_public:
        problems.append(field_error("keys.p256dh", "push_keys_invalid"))
    secret = _b64url_decode(auth)
    if secret is None or len(secret) != 16:
        problems.append(field_error("keys.auth", "push_keys_invalid"))
    if problems:
        raise ProblemError(problems[0].code, field=problems[0].field, errors=problems)
    assert public is not None and secret is not None
    return _b64url(public), _b64url(secret)


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


async def upsert(
    account_id: uuid.UUID,
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str = "",
    expires_at: dt.datetime | None = None,
) -> tuple[dict[str, Any], bool]:
    """Store the subscription for ``account_id``; returns the row and whether it is new.

    An endpoint already known (the browser subscribed again, or another account used this browser
    before) is taken over by ``account_id`` with the new keys, in one statement on both engines.
    """
    public, secret = checked(endpoint, p256dh, auth)
    new_id = timeutil.uuid7()
    now = timeutil.now()
    async with db.write_tx():
        [row] = await PushSubscription.raw(
            'INSERT INTO "push_subscription" ("id", "account", "endpoint", "endpoint_hash", "p256dh", "auth", '
            '"user_agent", "expires_at", "created_at", "updated_at") VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}) '
            'ON CONFLICT ("endpoint_hash") DO UPDATE SET "account" = excluded."account", '
            '"p256dh" = excluded."p256dh", "auth" = excluded."auth", "user_agent" = excluded."user_agent", '
            '"expires_at" = excluded."expires_at", "updated_at" = excluded."updated_at" RETURNING "id"',
            new_id,
            account_id,
            endpoint,
            endpoint_hash(endpoint),
            public,
            secret,
            user_agent[:200],
            expires_at,
            now,
            now,
        )
        stored_id = row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"]))
        mine = (
            await PushSubscription.select(PushSubscription.id)
            .where(PushSubscription.account == account_id)
            .order_by(PushSubscription.updated_at, ascending=False)
        )
        surplus = [r["id"] for r in mine[MAX_PER_ACCOUNT:] if r["id"] != stored_id]
        if surplus:
            await PushSubscription.delete().where(PushSubscription.id.is_in(surplus))
        stored = await PushSubscription.select().where(PushSubscription.id == stored_id).first()
    assert stored is not None
    return stored, stored_id == new_id


async def remove(account_id: uuid.UUID, endpoint: str) -> None:
    """Unsubscribe: only the owner may, and anyone else's endpoint answers like an unknown one."""
    async with db.write_tx():
        removed = (
            await PushSubscription.delete()
            .where(
                (PushSubscription.endpoint_hash == endpoint_hash(endpoint)) & (PushSubscription.account == account_id)
            )
            .returning(PushSubscription.id)
        )
    if not removed:
        raise ProblemError("push_subscription_not_found", field="endpoint")


async def of_account(account_id: uuid.UUID) -> list[dict[str, Any]]:
    """An account's subscriptions that can still be used, most recently registered first."""
    found = await rows.many(PushSubscription, account_id, key="account", order_by="updated_at")
    now = timeutil.now()
    return [row for row in reversed(found) if row["expires_at"] is None or row["expires_at"] > now]


def push_service(endpoint: str) -> str:
    """The host of the push service, which is all a listing shows of an endpoint (a bearer URL)."""
    return (urlsplit(endpoint).hostname or "").lower()
