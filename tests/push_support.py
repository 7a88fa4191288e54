"""Helpers for the notification tests: the local push service, subscribed browsers, clock trips."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from core import timeutil
from devtools.pushservice import Browser, PushService
from notify import dispatcher, vapid
from notify.emit import emit
from notify.tables import Delivery, OutboxMessage
from tests.support import Account, account, as_user, unique_person


@pytest.fixture(name="push_service")
def push_service_fixture() -> Iterator[PushService]:
    """A local push service for one test (import ``push_service_fixture`` to use ``push_service``)."""
    service = PushService()
    service.up()
    try:
        yield service
    finally:
        service.down()


async def subscribe(app: Any, user: Account, service: PushService) -> Browser:
    """A browser of ``user`` subscribed through the API, with the server's VAPID key, as the PWA does."""
    async with as_user(app, user.token) as http:
        key = (await http.get("/api/push/vapid-public-key")).json()["public_key"]
        browser = service.subscribe(key)
        answer = await http.post("/api/push/subscriptions", json=service.subscription(browser))
        assert answer.status_code == 201, answer.text
    return browser


async def notice(recipient_key: str, event: str = "application_accepted", **values: Any) -> uuid.UUID:
    """An inbox item and its outbox row, as a cause would emit them."""
    defaults = {"matter": "测试小餐饮经营许可", "due_on": "2026-12-31", "number": "T0001", "agent": "王小明"}
    return await emit(
        event,
        recipient_key,
        dedupe_key=f"test-notify:{secrets.token_hex(8)}",
        link=values.pop("link", f"/applications/{uuid.uuid4()}"),
        **{**defaults, **values},
    )


async def deliver() -> dispatcher.Round:
    return await dispatcher.drain(only=["notify"])


async def message_of(item_id: uuid.UUID) -> dict[str, Any]:
    row = await OutboxMessage.select().where(OutboxMessage.inbox_item == item_id).first()
    assert row is not None
    return row


async def deliveries_of(item_id: uuid.UUID) -> list[dict[str, Any]]:
    return await Delivery.select().where(Delivery.inbox_item == item_id).order_by(Delivery.id)


def next_cst(hour: int, minute: int = 0) -> dt.datetime:
    """The next moment (tomorrow or later, so the clock only moves forward) at ``hour:minute`` China time."""
    local = timeutil.now().astimezone(timeutil.CST) + dt.timedelta(days=1)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    with timeutil.travel(moment - timeutil.now()):
        yield


def server_key() -> str:
    return vapid.public_key()


@contextlib.asynccontextmanager
async def http_for(app: Any, user: Account) -> AsyncIterator[httpx.AsyncClient]:
    async with as_user(app, user.token) as http:
        yield http


async def young() -> Account:
    """A resident under 60 without elder mode: push only, unless they choose otherwise."""
    return await account(unique_person(birth=dt.date(1990, 5, 17)))


async def elderly(*, elder_mode: bool = False) -> Account:
    """A resident aged 60 or more (or younger with 长辈版 switched on)."""
    birth = dt.date(1990, 5, 17) if elder_mode else dt.date(1950, 3, 8)
    return await account(unique_person(birth=birth), elder=elder_mode)
