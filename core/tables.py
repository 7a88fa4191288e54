"""Platform-wide tables: idempotency records, rate counters and the holiday calendar."""

from __future__ import annotations

from piccolo.columns import Boolean, Bytea, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """One ``Idempotency-Key`` of one caller, and the answer it produced."""

    scope_key = Varchar(length=64, unique=True)  # sha256(caller scope + key): composite uniqueness
    request_hash = Varchar(length=64)
    state = Varchar(length=16, default="in_progress")  # in_progress | done
    owner = Varchar(length=32)  # which attempt holds the claim
    locked_until = Timestamptz()
    status_code = Integer(null=True, default=None)
    headers = Text(default="{}")
    body = Bytea(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    completed_at = Timestamptz(null=True, default=None)


class RateCounter(Table, tablename="rate_counter"):
    """Fixed-window counters shared by all workers (SMS sending, login failures)."""

    key = Varchar(length=160, unique=True)
    window_start = Timestamptz()
    count = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)


class CalendarDay(Table, tablename="calendar_day"):
    """Administrator overrides of the built-in holiday schedule."""

    day = Date(unique=True)
    kind = Varchar(length=16)  # holiday | workday
    name = Varchar(length=64, default="")
    active = Boolean(default=True)
    note = Text(default="")
