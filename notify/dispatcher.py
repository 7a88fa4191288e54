"""The outbox dispatcher: delivers outbox rows through one handler per channel, at least once.

A row is written in the transaction of its cause (:mod:`notify.emit`, federation, …). Workers claim
due rows with a lease in one statement (``UPDATE … RETURNING``; ``SKIP LOCKED`` on PostgreSQL), so
several workers never hold the same row, and a worker that dies leaves its lease to expire for
another to take over. Handlers do their network I/O outside any transaction and answer with an
:class:`Outcome`, recorded only while the lease is still the worker's own. Failures back off
exponentially with jitter, or as long as the receiver asked (``Retry-After``); after a channel's
``max_attempts`` the row is ``dead`` — visible to operators, who can send it again. A handler that
is not failing but must wait (quiet hours) answers :func:`later`, which reschedules the row without
spending an attempt.

Receivers see a message at least once; handlers de-duplicate where the channel allows (a message id
the receiver knows, a delivery row per target).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec

from core import db, errors, timeutil
from core.errors import ProblemError
from notify.tables import OutboxMessage

log = logging.getLogger("zhangban.outbox")

errors.register("outbox_message_not_found", 404, "没有找到这条待发送消息。", "There is no such outbox message.")
errors.register(
    "outbox_not_retryable",
    409,
    "只有发送失败的消息可以重新发送。",
    "Only messages that failed for good can be sent again.",
)


class Outcome(msgspec.Struct, frozen=True):
    """What a handler reports for one message."""

    status: Literal["sent", "retry", "dead", "later"]
    error: str = ""
    retry_after: float | None = None
    """Seconds the receiver asked us to wait (``Retry-After``); None: our own backoff."""
    due_at: dt.datetime | None = None
    """For ``later``: when the row is due again."""
    finish: Callable[[], Awaitable[Any]] | None = None
    """The handler's own bookkeeping, committed in the same transaction as this outcome (one commit
    per message instead of two). It runs whether or not the lease is still ours: it records facts."""


SENT = Outcome("sent")


def retry(error: str, retry_after: float | None = None) -> Outcome:
    return Outcome("retry", error[:500], retry_after)


def dead(error: str) -> Outcome:
    return Outcome("dead", error[:500])


def with_finish(outcome: Outcome, finish: Callable[[], Awaitable[Any]] | None) -> Outcome:
    """``outcome`` with ``finish`` to run in the transaction that records it."""
    return Outcome(outcome.status, outcome.error, outcome.retry_after, outcome.due_at, finish)


def later(due_at: dt.datetime, reason: str = "") -> Outcome:
    """Not a failure: deliver again at ``due_at`` (e.g. when quiet hours end); no attempt is spent."""
    return Outcome("later", reason[:500], due_at=due_at)


Handler = Callable[[dict[str, Any]], Awaitable[Outcome]]


class Channel(msgspec.Struct, frozen=True):
    handler: Handler
    max_attempts: int = 8
    base_delay: float = 5.0
    max_delay: float = 3600.0


_channels: dict[str, Channel] = {}
_closers: list[Callable[[], Awaitable[None]]] = []


def register(
    channel: str, handler: Handler, *, max_attempts: int = 8, base_delay: float = 5.0, max_delay: float = 3600.0
) -> None:
    """Deliver rows of ``channel`` with ``handler`` (call from a package's ``wiring.py``)."""
    _channels[channel] = Channel(handler, max_attempts, base_delay, max_delay)


def unregister(channel: str) -> None:
    _channels.pop(channel, None)


def channels() -> list[str]:
    return sorted(_channels)


def on_close(closer: Callable[[], Awaitable[None]]) -> None:
    """Run ``closer`` when a worker stops (a handler's connection pool, for instance)."""
    if closer not in _closers:
        _closers.append(closer)


async def close() -> None:
    """Release what handlers hold on this event loop; the worker loop calls it when it stops."""
    for closer in _closers:
        try:
            await closer()
        except Exception:  # one handler's cleanup must not keep the others from theirs
            log.exception("outbox.close_failed")


def backoff(attempts: int, channel: Channel) -> float:
    """Seconds before the next try after ``attempts`` failed ones: doubling, capped, ±20 % jitter."""
    delay = min(channel.max_delay, channel.base_delay * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.8, 1.2)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def claim(
    owner: str, *, limit: int = 50, lease_seconds: float = 60.0, only: list[str] | None = None
) -> list[dict[str, Any]]:
    """Lease up to ``limit`` due rows of the registered channels (or of ``only``) to ``owner``."""
    names = [name for name in channels() if only is None or name in only]
    if not names:
        return []
    now = timeutil.now()
    marks = ", ".join("{}" for _ in names)
    lock = "" if db.is_sqlite() else " FOR UPDATE SKIP LOCKED"
    # Only placeholders and a fixed clause are formatted in; every value is a bound parameter.
    sql = (
        'UPDATE "outbox_message" SET "lease_owner" = {}, "lease_until" = {}, "attempts" = "attempts" + 1 '  # noqa: S608
        'WHERE "id" IN (SELECT "id" FROM "outbox_message" WHERE "status" = \'pending\' '
        f'AND "channel" IN ({marks}) AND "available_at" <= {{}} '
        'AND ("lease_until" IS NULL OR "lease_until" < {}) '
        f'ORDER BY "available_at" LIMIT {{}}{lock}) RETURNING *'
    )
    async with db.write_tx():
        return await OutboxMessage.raw(
            sql,
            owner,
            now + dt.timedelta(seconds=lease_seconds),
            *names,
            now,
            now,
            limit,
        )


async def _apply(row: dict[str, Any], owner: str, outcome: Outcome) -> str:
    """Write ``outcome`` inside the caller's write transaction; the row's new status ("" if the lease is lost)."""
    channel = _channels.get(row["channel"])
    now = timeutil.now()
    status = outcome.status
    if status == "retry" and (channel is None or row["attempts"] >= channel.max_attempts):
        status = "dead"
    values: dict[str, Any] = {"status": status, "last_error": outcome.error, "lease_until": None}
    if status == "sent":
        values["sent_at"] = now
    elif status == "retry":
        assert channel is not None
        delay = outcome.retry_after if outcome.retry_after is not None else backoff(row["attempts"], channel)
        values.update(status="pending", available_at=now + dt.timedelta(seconds=max(delay, 0.0)))
    elif status == "later":  # waiting is not failing: give back the attempt the claim counted
        values.update(
            status="pending",
            available_at=max(outcome.due_at or now, now),
            attempts=max(row["attempts"] - 1, 0),
        )
    sets = ", ".join(f'"{name}" = {{}}' for name in values)
    # Column names come from the fixed keys above; every value is a bound parameter.
    sql = f'UPDATE "outbox_message" SET {sets}, "lease_owner" = \'\' WHERE "id" = {{}} AND "lease_owner" = {{}} '  # noqa: S608
    if outcome.finish is not None:
        await outcome.finish()
    updated = await OutboxMessage.raw(
        sql + 'RETURNING "id"',
        *values.values(),
        row["id"],
        owner,
    )
    if not updated:
        log.warning("outbox.lease_lost", extra={"message_id": str(row["id"]), "channel": row["channel"]})
        return ""
    return values["status"]


class _GroupCommit:
    """Outcomes that arrive while a commit is running are written together in the next one.

    Used on SQLite, whose single writer serialises every commit anyway: each outcome is still
    committed as soon as the writer is free — nothing waits for a batch to fill — but under load one
    commit (one fsync) carries many, which is what bounds throughput there. Should the shared
    transaction fail, each outcome is retried on its own so that one bad row never takes the others
    with it.
    """

    def __init__(self) -> None:
        self.queue: list[tuple[dict[str, Any], str, Outcome, asyncio.Future[str]]] = []
        self.task: asyncio.Task[None] | None = None

    async def submit(self, row: dict[str, Any], owner: str, outcome: Outcome) -> str:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        self.queue.append((row, owner, outcome, future))
        if self.task is None or self.task.done():
            # A fresh context: the committer must never find (and join) a caller's transaction.
            self.task = loop.create_task(self._run(), context=contextvars.Context())
        return await future

    async def _run(self) -> None:
        batch: list[tuple[dict[str, Any], str, Outcome, asyncio.Future[str]]] = []
        try:
            while self.queue:
                batch, self.queue = self.queue, []
                try:
                    async with db.write_tx():
                        statuses = [await _apply(row, owner, outcome) for row, owner, outcome, _ in batch]
                except Exception:
                    for row, owner, outcome, future in batch:
                        try:
                            async with db.write_tx():
                                status = await _apply(row, owner, outcome)
                        except Exception as error:
                            if not future.done():
                                future.set_exception(error)
                        else:
                            if not future.done():
                                future.set_result(status)
                    continue
                for (_, _, _, future), status in zip(batch, statuses, strict=True):
                    if not future.done():
                        future.set_result(status)
        finally:  # cancelled at shutdown: nobody may wait forever
            for _, _, _, future in batch + self.queue:
                if not future.done():
                    future.set_exception(RuntimeError("the outbox committer stopped"))


_committers: dict[asyncio.AbstractEventLoop, _GroupCommit] = {}


async def record(row: dict[str, Any], owner: str, outcome: Outcome) -> str:
    """Store ``outcome`` if ``owner`` still holds the lease; returns the row's new status ("" if lost)."""
    if db.in_transaction():  # the caller's transaction decides when it commits
        return await _apply(row, owner, outcome)
    if not db.is_sqlite():  # PostgreSQL commits concurrent transactions in parallel (and groups WAL flushes)
        async with db.write_tx():
            return await _apply(row, owner, outcome)
    loop = asyncio.get_running_loop()
    committer = _committers.get(loop)
    if committer is None:
        for other in [known for known in _committers if known.is_closed()]:
            del _committers[other]
        committer = _committers[loop] = _GroupCommit()
    return await committer.submit(row, owner, outcome)


async def deliver(row: dict[str, Any], owner: str) -> str:
    channel = _channels.get(row["channel"])
    if channel is None:
        return await record(row, owner, retry("no handler for this channel"))
    try:
        outcome = await channel.handler(row)
    except Exception as error:  # a handler bug or an unexpected network error: try again later
        log.exception("outbox.handler_failed", extra={"message_id": str(row["id"]), "channel": row["channel"]})
        outcome = retry(f"{type(error).__name__}")
    status = await record(row, owner, outcome)
    if status == "pending" and outcome.status == "later":
        status = "deferred"
    log.info(
        "outbox.delivery",
        extra={"message_id": str(row["id"]), "channel": row["channel"], "status": status, "attempt": row["attempts"]},
    )
    return status


class Round(msgspec.Struct, kw_only=True):
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0


async def run_once(
    owner: str | None = None,
    *,
    limit: int = 50,
    concurrency: int = 8,
    only: list[str] | None = None,
    lease_seconds: float = 60.0,
) -> Round:
    """Claim one batch and deliver it, ``concurrency`` messages at a time."""
    owner = owner or worker_id()
    batch = await claim(owner, limit=limit, only=only, lease_seconds=lease_seconds)
    result = Round(claimed=len(batch))
    gate = asyncio.Semaphore(concurrency)

    async def one(row: dict[str, Any]) -> str:
        async with gate:
            return await deliver(row, owner)

    for status in await asyncio.gather(*(one(row) for row in batch)):
        if status == "sent":
            result.sent += 1
        elif status == "pending":
            result.retried += 1
        elif status == "dead":
            result.dead += 1
        elif status == "deferred":
            result.deferred += 1
    return result


async def drain(
    owner: str | None = None, *, max_rounds: int = 100, only: list[str] | None = None, lease_seconds: float = 60.0
) -> Round:
    """Deliver everything due now (tests and the ``--once`` command)."""
    owner = owner or worker_id()
    total = Round()
    for _ in range(max_rounds):
        result = await run_once(owner, only=only, lease_seconds=lease_seconds)
        if result.claimed == 0:
            break
        total.claimed += result.claimed
        total.sent += result.sent
        total.retried += result.retried
        total.dead += result.dead
        total.deferred += result.deferred
    return total


async def run_forever(stop: asyncio.Event, *, idle_seconds: float = 2.0, lease_seconds: float = 60.0) -> None:
    """The worker loop: a full batch is followed at once by the next, an empty one by a short wait."""
    owner = worker_id()
    try:
        while not stop.is_set():
            try:
                result = await run_once(owner, lease_seconds=lease_seconds)
            except Exception:  # a failed round (database restarting) must not end the loop
                log.exception("outbox.round_failed")
                result = Round()
            if result.claimed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_seconds)
    finally:
        await close()


async def send_again(message_id: uuid.UUID) -> dict[str, Any]:
    """An operator's retry of a dead message: pending again, due now, attempts counted afresh."""
    async with db.write_tx():
        row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
        if row is None:
            raise ProblemError("outbox_message_not_found")
        if row["status"] != "dead":
            raise ProblemError("outbox_not_retryable", extra={"status": row["status"]})
        changes = {"status": "pending", "attempts": 0, "available_at": timeutil.now(), "last_error": ""}
        await OutboxMessage.update({getattr(OutboxMessage, k): v for k, v in changes.items()}).where(
            OutboxMessage.id == message_id
        )
        return {**row, **changes}
