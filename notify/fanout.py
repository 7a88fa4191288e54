"""The ``notify`` outbox channel: one notice fanned out to push subscriptions and SMS, once per target.

For each outbox row written by :func:`notify.emit.emit` the handler

1. works out the targets — who (:mod:`notify.audience`), on which channels, held until when by
   quiet hours — and leaves out those the message already reached (:mod:`notify.deliveries`);
2. sends to every target that is due, a few at a time, recording each answer at once;
3. answers the dispatcher: ``sent`` when nothing is left, ``later`` when only quiet hours hold
   targets back, ``retry`` (honouring the longest ``Retry-After``) when a target failed in a way
   that may pass, ``dead`` when every target refused for good.

Sends stop starting when half the lease is used, so a slow fan-out never outlives its lease and
races another worker; what was not started is simply due next time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from auth import sms
from core import pii, rows, timeutil
from notify import audience, deliveries, dispatcher, priorities, sms_text, subscriptions, webpush
from notify.deliveries import Result, Target
from notify.tables import InboxItem

log = logging.getLogger("zhangban.notify")

CONCURRENCY = 8
"""Sends in flight for one notice (an enterprise notice may reach many devices)."""
MAX_BUDGET = 30.0
"""Seconds after which a fan-out starts no more sends (each send has its own timeout)."""


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and value:
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def plan(message: dict[str, Any]) -> list[Target]:
    """Every target the notice should reach now, by the recipients' current preferences."""
    now = timeutil.now()
    exempt = priorities.of(message["event"]).quiet_exempt
    targets: list[Target] = []
    for reach in await audience.people(message["recipient_key"]):
        wanted = audience.channels(reach)
        if not wanted:
            continue
        held = None if exempt else audience.quiet_until(reach.resident, now)
        not_before = held or now
        account = reach.resident["id"]
        if "push" in wanted:
            for sub in await subscriptions.of_account(account):
                targets.append(
                    Target(
                        channel="push", target=str(sub["id"]), account=account, not_before=not_before, subscription=sub
                    )
                )
        if "sms" in wanted and reach.resident["phone_index"]:
            targets.append(
                Target(
                    channel="sms",
                    target="sms:" + reach.resident["phone_index"][:40],
                    account=account,
                    not_before=not_before,
                    resident=reach.resident,
                )
            )
    return targets


async def _send_sms(resident: dict[str, Any], item: dict[str, Any]) -> Result:
    phone = pii.decrypt(bytes(resident["phone_enc"]), context="resident.phone")
    text = sms_text.render(item["event"], item["title"], item["body"])
    try:
        await sms.sender().send(phone, text)
    except sms.SmsFailed as error:
        if error.permanent:
            return Result("failed", error.status, error=str(error))
        retry_after = webpush.retry_after_seconds(error.retry_after) if error.status == 429 else None
        return Result("retry", error.status, retry_after, str(error))
    return Result("sent")


async def _send(target: Target, item: dict[str, Any]) -> Result:
    if target.channel == "push":
        assert target.subscription is not None
        return await webpush.send(target.subscription, item_id=item["id"], event=item["event"], link=item["link"])
    assert target.resident is not None
    return await _send_sms(target.resident, item)


async def handle(message: dict[str, Any]) -> dispatcher.Outcome:
    item_id = message["inbox_item"]
    if not item_id:
        return dispatcher.SENT
    item = await rows.one(InboxItem, _uuid(item_id))
    if item is None:
        return dispatcher.dead("the inbox item is gone")
    message = {**message, "id": _uuid(message["id"]), "inbox_item": item["id"]}
    targets = {t.target: t for t in await plan(message)}
    existing = await deliveries.of_message(message["id"])
    started = timeutil.now()

    await deliveries.retire(
        [row for name, row in existing.items() if row["status"] == "pending" and name not in targets]
    )
    due: list[Target] = []
    held_new: list[Target] = []
    held: list[dt.datetime] = []
    for name, target in targets.items():
        row = existing.get(name)
        if row is not None and row["status"] != "pending":
            continue  # reached (or gone, or refused) before: never again
        not_before = _moment(row["not_before"]) if row is not None else target.not_before
        assert not_before is not None
        if not_before > started:
            held.append(not_before)
            if row is None:
                held_new.append(target)
        else:
            due.append(target)
    await deliveries.hold(message, held_new)

    lease_until = _moment(message.get("lease_until"))
    budget = MAX_BUDGET if lease_until is None else min(MAX_BUDGET, (lease_until - started).total_seconds() / 2)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(budget, 0.0)
    gate = asyncio.Semaphore(CONCURRENCY)

    # With one target (the usual notice) its answer is committed together with the message's outcome.
    finish: list[Callable[[], Awaitable[Any]]] = []

    async def one(target: Target) -> Result | None:
        async with gate:
            if loop.time() > deadline:
                return None  # out of time: due again on the next round, nothing lost
            try:
                result = await _send(target, item)
            except Exception as error:  # a sender bug must not lose the other targets' answers
                log.exception("notify.send_failed", extra={"message_id": str(message["id"]), "channel": target.channel})
                result = Result("retry", error=type(error).__name__)
            if len(due) == 1:
                finish.append(functools.partial(deliveries.record, message, target, result))
            else:
                await deliveries.record(message, target, result)
            return result

    results = await asyncio.gather(*(one(target) for target in due))
    return dispatcher.with_finish(_outcome(message, targets, existing, results, held), finish[0] if finish else None)


def _outcome(
    message: dict[str, Any],
    targets: dict[str, Target],
    existing: dict[str, dict[str, Any]],
    results: list[Result | None],
    held: list[dt.datetime],
) -> dispatcher.Outcome:
    unstarted = sum(1 for r in results if r is None)
    failing = [r for r in results if r is not None and r.status == "retry"]
    refused = [r for r in results if r is not None and r.status == "failed"]
    delivered = [r for r in results if r is not None and r.status == "sent"]
    log.info(
        "notify.fanout",
        extra={
            "message_id": str(message["id"]),
            "event": message["event"],
            "targets": len(targets),
            "sent": len(delivered),
            "failing": len(failing),
            "refused": len(refused),
            "held": len(held),
        },
    )
    if failing:
        waits = [r.retry_after for r in failing if r.retry_after is not None]
        errors = sorted({r.error for r in failing})
        return dispatcher.retry("; ".join(errors), retry_after=max(waits) if waits else None)
    if unstarted:
        return dispatcher.later(timeutil.now(), "fan-out continues")
    if held:
        return dispatcher.later(min(held), "quiet hours")
    if refused and not delivered and all(row["status"] != "sent" for row in existing.values()):
        return dispatcher.dead("every target refused: " + "; ".join(sorted({r.error for r in refused})))
    return dispatcher.SENT
