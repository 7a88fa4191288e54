"""Time: store UTC, reason about days in China Standard Time (UTC+8, no daylight saving).

Tests move the clock with :func:`travel` instead of sleeping; everything that asks "what time is
it" goes through :func:`now`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import time
import uuid
from collections.abc import Iterator

CST = dt.timezone(dt.timedelta(hours=8), "CST")
_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _offset


def today() -> dt.date:
    """Today's date in China, which is what legal time limits count in."""
    return now().astimezone(CST).date()


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CST).date()


@contextlib.contextmanager
def travel(delta: dt.timedelta) -> Iterator[None]:
    """Shift the platform clock by ``delta`` inside the block (tests only)."""
    global _offset
    previous = _offset
    _offset = previous + delta
    try:
        yield
    finally:
        _offset = previous


def shift(delta: dt.timedelta) -> None:
    """Shift the clock permanently for this process (test servers started in a subprocess)."""
    global _offset
    _offset += delta


if offset := os.environ.get("ZB_CLOCK_OFFSET_SECONDS"):
    _offset = dt.timedelta(seconds=float(offset))


def uuid7() -> uuid.UUID:
    """Time-ordered UUID (RFC 9562 v7): keeps primary-key indexes append-only."""
    ms = int(time.time() * 1000)
    rand = int.from_bytes(secrets.token_bytes(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 68) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)
