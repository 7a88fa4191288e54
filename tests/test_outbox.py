"""The outbox dispatcher: leases, backoff, Retry-After, dead messages and the operator's retry."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from core import timeutil
from notify import dispatcher
from notify.tables import OutboxMessage
from tests.support import as_user, clerk_token

pytestmark = pytest.mark.anyio


class Receiver:
    """A channel whose handler answers with scripted outcomes and remembers every call."""

    def __init__(self, *outcomes: dispatcher.Outcome | Exception) -> None:
        self.script = list(outcomes)
        self.calls: list[uuid.UUID] = []
        self.name = f"test-{secrets.token_hex(4)}"

    async def __call__(self, row: dict[str, Any]) -> dispatcher.Outcome:
        self.calls.append(row["id"])
        await asyncio.sleep(0)  # let other deliveries interleave
        outcome = self.script.pop(0) if self.script else dispatcher.SENT
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    marker = request.node.get_closest_marker("outcomes")
    made = Receiver(*(marker.args if marker else ()))
    dispatcher.register(made.name, made, max_attempts=3, base_delay=10.0)
    yield made
    dispatcher.unregister(made.name)


async def _message(channel: str) -> uuid.UUID:
    message_id = timeutil.uuid7()
    await OutboxMessage.insert(
        OutboxMessage(
            id=message_id,
            dedupe_key=f"test:{message_id}",
            channel=channel,
            event="test",
            recipient_key="person:test",
            payload="{}",
            status="pending",
            attempts=0,
            available_at=timeutil.now(),
            created_at=timeutil.now(),
        )
    )
    return message_id


async def _row(message_id: uuid.UUID) -> dict[str, Any]:
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    return row


async def test_due_messages_are_delivered_once_and_marked_sent(db, receiver: Receiver) -> None:
    ids = [await _message(receiver.name) for _ in range(5)]
    result = await dispatcher.drain(only=[receiver.name])
    assert (result.claimed, result.sent) == (5, 5)
    assert sorted(receiver.calls) == sorted(ids)
    for message_id in ids:
        row = await _row(message_id)
        assert row["status"] == "sent" and row["sent_at"] is not None and row["lease_owner"] == ""
    assert (await dispatcher.drain(only=[receiver.name])).claimed == 0


async def test_two_workers_never_hold_the_same_message(db, receiver: Receiver) -> None:
    ids = {await _message(receiver.name) for _ in range(40)}
    batches = await asyncio.gather(*(dispatcher.claim(f"worker-{n}", limit=15, only=[receiver.name]) for n in range(4)))
    claimed = [row["id"] for batch in batches for row in batch]
    assert len(claimed) == len(set(claimed)) == 40
    assert set(claimed) == ids


@pytest.mark.outcomes(dispatcher.retry("HTTP 503"))
async def test_a_failure_backs_off_then_succeeds(db, receiver: Receiver) -> None:
    message_id = await _message(receiver.name)
    before = timeutil.now()
    result = await dispatcher.drain(only=[receiver.name])
    after = timeutil.now()
    assert (result.claimed, result.retried) == (1, 1)
    row = await _row(message_id)
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"] == "HTTP 503"
    # base delay 10 s ± 20 % jitter, counted from when the outcome was recorded
    assert before + dt.timedelta(seconds=8) <= row["available_at"] <= after + dt.timedelta(seconds=12)
    assert (await dispatcher.drain(only=[receiver.name])).claimed == 0  # not due yet
    with timeutil.travel(dt.timedelta(seconds=13)):
        assert (await dispatcher.drain(only=[receiver.name])).sent == 1
    assert (await _row(message_id))["status"] == "sent"
    assert receiver.calls == [message_id, message_id]


@pytest.mark.outcomes(dispatcher.retry("HTTP 429", retry_after=120))
async def test_retry_after_from_the_receiver_is_honoured(db, receiver: Receiver) -> None:
    message_id = await _message(receiver.name)
    before = timeutil.now()
    await dispatcher.drain(only=[receiver.name])
    after = timeutil.now()
    due = (await _row(message_id))["available_at"]
    assert before + dt.timedelta(seconds=120) <= due <= after + dt.timedelta(seconds=120)
    with timeutil.travel(dt.timedelta(seconds=60)):
        assert (await dispatcher.drain(only=[receiver.name])).claimed == 0


@pytest.mark.outcomes(RuntimeError("boom"), dispatcher.retry("HTTP 500"), dispatcher.retry("HTTP 500"))
async def test_after_max_attempts_the_message_is_dead_until_an_operator_retries(app, db, receiver: Receiver) -> None:
    message_id = await _message(receiver.name)
    for hours in range(3):
        with timeutil.travel(dt.timedelta(hours=hours)):
            await dispatcher.drain(only=[receiver.name])
    row = await _row(message_id)
    assert row["status"] == "dead" and row["attempts"] == 3 and row["last_error"] == "HTTP 500"
    assert len(receiver.calls) == 3
    with timeutil.travel(dt.timedelta(days=1)):
        assert (await dispatcher.drain(only=[receiver.name])).claimed == 0

    async with as_user(app, await clerk_token("nc-window")) as window:
        refused = await window.post(f"/api/admin/outbox/{message_id}/retry")
        assert refused.status_code == 403
    async with as_user(app, await clerk_token("admin")) as admin:
        listed = await admin.get("/api/admin/outbox", params={"status": "dead", "channel": receiver.name})
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()] == [str(message_id)]
        again = await admin.post(f"/api/admin/outbox/{message_id}/retry")
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "pending" and again.json()["attempts"] == 0
        twice = await admin.post(f"/api/admin/outbox/{message_id}/retry")
        assert twice.status_code == 409 and twice.json()["code"] == "outbox_not_retryable"
        missing = await admin.post(f"/api/admin/outbox/{uuid.uuid4()}/retry")
        assert missing.status_code == 404
    assert (await dispatcher.drain(only=[receiver.name])).sent == 1
    assert (await _row(message_id))["status"] == "sent"


async def test_an_expired_lease_is_taken_over_and_the_old_worker_cannot_record(db, receiver: Receiver) -> None:
    message_id = await _message(receiver.name)
    [held] = await dispatcher.claim("crashed-worker", lease_seconds=30, only=[receiver.name])
    assert held["id"] == message_id
    assert await dispatcher.claim("other", only=[receiver.name]) == []  # still leased
    with timeutil.travel(dt.timedelta(seconds=31)):
        [taken] = await dispatcher.claim("other", only=[receiver.name])
        assert taken["id"] == message_id and taken["attempts"] == 2
        assert await dispatcher.record(held, "crashed-worker", dispatcher.SENT) == ""  # lease lost
        assert await dispatcher.record(taken, "other", dispatcher.SENT) == "sent"
    assert (await _row(message_id))["status"] == "sent"


async def test_messages_of_channels_without_a_handler_stay_pending(db) -> None:
    message_id = await _message(f"nobody-{secrets.token_hex(3)}")
    await dispatcher.drain()
    row = await _row(message_id)
    assert row["status"] == "pending" and row["attempts"] == 0
