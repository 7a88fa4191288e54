"""Fixed-window counters and lockouts shared by every worker (they live in the database).

Used where abuse costs money or security: SMS sending, code guessing, password guessing. Cheap
per-IP request limits on public endpoints use the in-memory limiter in ``api.ratelimits`` instead.
"""

from __future__ import annotations

import datetime as dt

from piccolo.query.methods.insert import OnConflictAction

from core import db, timeutil
from core.tables import RateCounter


async def _row(key: str) -> dict:
    now = timeutil.now()
    await RateCounter.insert(RateCounter(key=key, window_start=now, count=0)).on_conflict(
        action=OnConflictAction.do_nothing, target=RateCounter.key
    )
    row = await db.for_update(RateCounter.select().where(RateCounter.key == key)).first()
    assert row is not None
    return row


async def consume(key: str, *, limit: int, window: dt.timedelta) -> tuple[bool, int]:
    """Count one event under ``key``. Returns (allowed, seconds until the window resets)."""
    async with db.write_tx():
        row = await _row(key)
        now = timeutil.now()
        start, count = row["window_start"], row["count"]
        if now - start >= window:
            start, count = now, 0
        retry_after = max(1, int((start + window - now).total_seconds()))
        if count >= limit:
            return False, retry_after
        await RateCounter.update({RateCounter.window_start: start, RateCounter.count: count + 1}).where(
            RateCounter.key == key
        )
        return True, retry_after


async def locked_for(key: str) -> int:
    """Seconds ``key`` stays locked out (0 when it is not locked)."""
    row = await RateCounter.select(RateCounter.locked_until).where(RateCounter.key == key).first()
    if row is None or row["locked_until"] is None:
        return 0
    remaining = (row["locked_until"] - timeutil.now()).total_seconds()
    return max(0, int(remaining) + 1) if remaining > 0 else 0


async def record_failure(key: str, *, threshold: int, lockout: dt.timedelta, window: dt.timedelta) -> int:
    """Count a failed attempt; lock ``key`` for ``lockout`` at ``threshold`` failures. Returns lock seconds."""
    async with db.write_tx():
        row = await _row(key)
        now = timeutil.now()
        start, count = row["window_start"], row["count"]
        if now - start >= window:
            start, count = now, 0
        count += 1
        locked_until = now + lockout if count >= threshold else row["locked_until"]
        if count >= threshold:
            count = 0
            start = now
        await RateCounter.update(
            {RateCounter.window_start: start, RateCounter.count: count, RateCounter.locked_until: locked_until}
        ).where(RateCounter.key == key)
        if locked_until is None or locked_until <= now:
            return 0
        return int((locked_until - now).total_seconds()) + 1


async def clear(key: str) -> None:
    async with db.write_tx():
        await RateCounter.delete().where(RateCounter.key == key)
