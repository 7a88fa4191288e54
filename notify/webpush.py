"""One Web Push message to one subscription, through pywebpush (aes128gcm, VAPID).

The payload is only ``{"id": "<inbox item id>", "event": "…"}``: the service worker fetches the
text from ``GET /api/me/inbox/{id}`` with the resident's session, so nothing personal ever passes
through the browser vendor's push service. ``TTL`` and ``Urgency`` come from
:mod:`notify.priorities`; ``Topic`` is derived from what the notice is about (its link), so a newer
notice about the same application replaces an older one the phone has not fetched yet.

How an answer is read (RFC 8030):

* 2xx — delivered to the push service;
* 404, 410 — the subscription is gone: the caller deletes it;
* 429 — too many: retry after ``Retry-After``;
* 5xx, 408, timeouts, refused connections — retry with backoff;
* any other 4xx (a bad request, a rejected VAPID token, a payload too large) — retrying will not
  help: the delivery fails for good and is kept for operators.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email.utils
import hashlib
import uuid
from typing import Any

import aiohttp
import msgspec
from pywebpush import WebPushException, webpush_async

from notify import priorities, vapid
from notify.deliveries import Result

TIMEOUT = 10.0
"""Seconds for one push request, connection included."""

_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}


def _session() -> aiohttp.ClientSession:
    """One connection pool per event loop, so pushes to the same service reuse connections."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        session = aiohttp.ClientSession()
        _sessions[loop] = session
    return session


async def close() -> None:
    """Close this loop's connection pool (at shutdown)."""
    session = _sessions.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


def payload(item_id: uuid.UUID, event: str) -> str:
    return msgspec.json.encode({"id": str(item_id), "event": event}).decode()


def topic(subject: str) -> str:
    """A Topic header (≤ 32 characters of base64url) naming what the notice is about, revealing nothing."""
    digest = hashlib.sha256(b"zhangban-topic:" + subject.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:32]


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    # The date is the push service's wall clock, not the platform's (which tests may move).
    return max((moment - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


def _read(error: WebPushException) -> Result:
    status = error.status_code or 0
    if status in (404, 410):
        return Result("gone", status, error=f"HTTP {status}: subscription expired")
    if status == 429:
        return Result("retry", status, retry_after_seconds(error.retry_after), "HTTP 429")
    if status >= 500 or status == 408:
        return Result("retry", status, error=f"HTTP {status}")
    if status:
        return Result("failed", status, error=f"HTTP {status}")
    return Result("failed", 0, error=str(error.message)[:200])


async def send(subscription: dict[str, Any], *, item_id: uuid.UUID, event: str, link: str) -> Result:
    """Encrypt and send the notice to one subscription; never raises for a network problem."""
    priority = priorities.of(event)
    try:
        response = await webpush_async(
            subscription_info={
                "endpoint": subscription["endpoint"],
                "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]},
            },
            data=payload(item_id, event),
            vapid_private_key=vapid.signer(),
            vapid_claims=vapid.claims(),  # a fresh dict: pywebpush writes aud and exp into it
            ttl=priority.ttl,
            headers={"Urgency": priority.urgency, "Topic": topic(link or str(item_id))},
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
            aiohttp_session=_session(),
        )
    except WebPushException as error:
        return _read(error)
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return Result("retry", 0, error=type(error).__name__)
    return Result("sent", response.status)  # type: ignore[union-attr]
