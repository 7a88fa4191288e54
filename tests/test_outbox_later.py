"""Dispatcher additions for notifications: waiting without failing, lease length, closing handlers' pools."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from typing import Any

import pytest

from core import timeutil
from notify import dispatcher
from notify.tables import OutboxMessage

pytestmark = pytest.mark.anyio


async def _message(channel: str) -> Any:
    message_id = timeutil.uuid7()
    await OutboxMessage.insert(
        OutboxMessage(
            id=message_id,
            dedupe_key=f"test:{message_id}",
            channel=channel,
            event="test",
            recipient_key="person:test",
            status="pending",
            attempts=0,
            available_at=timeutil.now(),
            created_at=timeutil.now(),
        )
    )
    return message_id


async def _row(message_id: Any) -> dict[str, Any]:
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    return row


async def test_later_reschedules_without_spending_an_attempt(db) -> None:
    name = f"later-{secrets.token_hex(3)}"
    until = timeutil.now() + dt.timedelta(hours=8)
    calls: list[int] = []

    async def handler(row: dict[str, Any]) -> dispatcher.Outcome:
        calls.append(row["attempts"])
        return dispatcher.later(until, "quiet hours") if len(calls) <= 3 else dispatcher.SENT

    dispatcher.register(name, handler, max_attempts=2)
    try:
        message_id = await _message(name)
        result = await dispatcher.drain(only=[name])
        assert (result.claimed, result.deferred, result.retried) == (1, 1, 0)
        row = await _row(message_id)
        assert row["status"] == "pending" and row["attempts"] == 0 and row["available_at"] == until
        assert row["last_error"] == "quiet hours" and row["lease_owner"] == ""
        for hours in (9, 18, 27):  # deferred again and again: never dead, though max_attempts is 2
            with timeutil.travel(dt.timedelta(hours=hours)):
                until = timeutil.now() + dt.timedelta(hours=8)
                await dispatcher.drain(only=[name])
        assert (await _row(message_id))["status"] == "sent"
        assert calls == [1, 1, 1, 1]
    finally:
        dispatcher.unregister(name)


async def test_the_lease_length_is_the_workers_choice(db) -> None:
    name = f"lease-{secrets.token_hex(3)}"
    dispatcher.register(name, lambda row: asyncio.sleep(0, dispatcher.SENT))
    try:
        message_id = await _message(name)
        [held] = await dispatcher.claim("short-lived", lease_seconds=3, only=[name])
        assert held["id"] == message_id
        with timeutil.travel(dt.timedelta(seconds=4)):
            assert (await dispatcher.drain(only=[name], lease_seconds=5)).sent == 1
    finally:
        dispatcher.unregister(name)


async def test_a_stopping_worker_closes_what_handlers_hold(db) -> None:
    closed: list[str] = []

    async def closer() -> None:
        closed.append("pool")

    async def broken() -> None:
        raise RuntimeError("one bad closer")

    dispatcher.on_close(broken)
    dispatcher.on_close(closer)
    dispatcher.on_close(closer)  # registered once
    try:
        stop = asyncio.Event()
        stop.set()
        await dispatcher.run_forever(stop)
        assert closed == ["pool"]
    finally:
        dispatcher._closers.remove(broken)
        dispatcher._closers.remove(closer)


async def test_outcomes_recorded_at_once_each_keep_their_own_lease_check(db) -> None:
    name = f"group-{secrets.token_hex(3)}"
    dispatcher.register(name, lambda row: asyncio.sleep(0, dispatcher.SENT))
    try:
        ids = [await _message(name) for _ in range(20)]
        held = await dispatcher.claim("worker-a", limit=20, only=[name])
        assert len(held) == 20
        owners = ["worker-a" if n % 4 else "worker-b" for n in range(20)]  # every fourth: not its lease
        statuses = await asyncio.gather(
            *(dispatcher.record(row, owner, dispatcher.SENT) for row, owner in zip(held, owners, strict=True))
        )
        assert statuses == ["sent" if owner == "worker-a" else "" for owner in owners]
        rows = {row["id"]: row for row in await OutboxMessage.select().where(OutboxMessage.id.is_in(ids))}
        for row, owner in zip(held, owners, strict=True):
            assert rows[row["id"]]["status"] == ("sent" if owner == "worker-a" else "pending")
    finally:
        dispatcher.unregister(name)


async def test_a_failing_finish_does_not_take_the_other_outcomes_with_it(db) -> None:
    name = f"finish-{secrets.token_hex(3)}"
    dispatcher.register(name, lambda row: asyncio.sleep(0, dispatcher.SENT))
    finished: list[int] = []

    def finish(n: int) -> Any:
        async def run() -> None:
            if n == 2:
                raise RuntimeError("bookkeeping failed")
            finished.append(n)

        return run

    try:
        ids = [await _message(name) for _ in range(5)]
        held = sorted(await dispatcher.claim("worker", limit=5, only=[name]), key=lambda row: row["id"])
        outcomes = [dispatcher.with_finish(dispatcher.SENT, finish(n)) for n in range(5)]
        results = await asyncio.gather(
            *(dispatcher.record(row, "worker", outcome) for row, outcome in zip(held, outcomes, strict=True)),
            return_exceptions=True,
        )
        assert [r if isinstance(r, str) else type(r).__name__ for r in results] == [
            "sent",
            "sent",
            "RuntimeError",
            "sent",
            "sent",
        ]
        assert sorted(set(finished)) == [0, 1, 3, 4]
        statuses = {row["id"]: row["status"] for row in await OutboxMessage.select().where(OutboxMessage.id.is_in(ids))}
        assert [statuses[row["id"]] for row in held] == ["sent", "sent", "pending", "sent", "sent"]
    finally:
        dispatcher.unregister(name)
