"""Pluggable SMS delivery.

Development and tests use :class:`DevSmsSender`, which writes the message to the log (phone
masked) and to a development-only inbox that ``GET /api/dev/sms`` reads; production configures an
HTTP gateway. The platform refuses to start in production without one.
"""

from __future__ import annotations

import logging
from typing import Protocol

import httpx

from auth.tables import DevSms
from core import db, pii, settings, timeutil

log = logging.getLogger("zhangban.sms")


class SmsFailed(Exception):
    """The gateway did not take the message; ``status`` and ``retry_after`` say whether to try again."""

    def __init__(self, message: str, *, status: int = 0, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        """A 4xx other than 408/429 (e.g. a number the gateway refuses): retrying will not help."""
        return 400 <= self.status < 500 and self.status not in (408, 429)


class SmsSender(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


class DevSmsSender:
    async def send(self, phone: str, text: str) -> None:
        log.info("sms.dev", extra={"phone": pii.mask_phone(phone), "text": text})
        async with db.write_tx():
            await DevSms.insert(DevSms(id=timeutil.uuid7(), phone=phone, text=text, created_at=timeutil.now()))


class HttpSmsSender:
    """POSTs ``{"phone", "text"}`` as JSON with a bearer token; any non-2xx answer is a failure."""

    def __init__(self, url: str, token: str, timeout: float = 5.0) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    async def send(self, phone: str, text: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.url, json={"phone": phone, "text": text}, headers={"Authorization": f"Bearer {self.token}"}
                )
        except httpx.HTTPError as error:
            raise SmsFailed(type(error).__name__) from error
        if response.status_code >= 300:
            raise SmsFailed(
                f"gateway answered {response.status_code}",
                status=response.status_code,
                retry_after=response.headers.get("retry-after"),
            )


_sender: SmsSender | None = None


def sender() -> SmsSender:
    global _sender
    if _sender is None:
        current = settings.get()
        if current.sms_url:
            _sender = HttpSmsSender(current.sms_url, current.sms_token)
        elif current.is_dev:
            _sender = DevSmsSender()
        else:
            raise RuntimeError("production needs ZB_SMS_URL: the development SMS sender is refused")
    return _sender


def use(custom: SmsSender | None) -> None:
    """Install a sender (tests) or reset to the configured one (None)."""
    global _sender
    _sender = custom
