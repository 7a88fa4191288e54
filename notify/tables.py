"""The in-app inbox and the transactional outbox for push and SMS."""

from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class InboxItem(Table, tablename="inbox_item"):
    """A message in a person's or enterprise's in-app inbox; always written, whatever else fails."""

    id = UUID(primary_key=True)
    recipient_key = Varchar(length=64, index=True)  # "person:<uuid>" | "enterprise:<uuid>"
    event = Varchar(length=48)
    title = Varchar(length=200)
    body = Text()
    link = Varchar(length=300, default="")
    application_id = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)


class OutboxMessage(Table, tablename="outbox_message"):
    """A delivery to make on another channel, written in the same transaction as its cause."""

    id = UUID(primary_key=True)
    dedupe_key = Varchar(length=128, unique=True)
    channel = Varchar(length=16)  # push | sms | federation | …
    event = Varchar(length=48)
    recipient_key = Varchar(length=64, index=True)
    inbox_item = UUID(null=True, default=None)
    payload = Text(default="{}")
    status = Varchar(length=16, default="pending", index=True)  # pending | sent | failed | dead
    attempts = Integer(default=0)
    available_at = Timestamptz(default=TimestamptzNow(), index=True)
    lease_owner = Varchar(length=64, default="")
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
