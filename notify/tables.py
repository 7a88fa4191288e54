"""The in-app inbox, the transactional outbox, push subscriptions and per-target deliveries."""

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


class PushSubscription(Table, tablename="push_subscription"):
    """A browser's Web Push subscription, owned by the resident account that registered it.

    One row per endpoint (a device's browser profile): the latest account to subscribe owns it, so a
    shared phone never shows the previous user's notices.
    """

    id = UUID(primary_key=True)
    account = UUID(index=True)  # resident id
    endpoint = Text()
    endpoint_hash = Varchar(length=64, unique=True)  # SHA-256 of the endpoint, for the upsert
    p256dh = Varchar(length=128)  # the browser's P-256 public key, base64url
    auth = Varchar(length=32)  # the 16-byte authentication secret, base64url
    user_agent = Varchar(length=200, default="")
    expires_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    last_sent_at = Timestamptz(null=True, default=None)


class Delivery(Table, tablename="notify_delivery"):
    """One message to one target (a push subscription or an SMS number) and how it went.

    ``key`` = ``<outbox message id>:<target>`` is unique: a retried message finds the targets it
    already reached and never sends to them again.
    """

    id = UUID(primary_key=True)
    key = Varchar(length=160, unique=True)
    message = UUID(index=True)  # outbox_message.id
    inbox_item = UUID(null=True, default=None)
    channel = Varchar(length=8)  # push | sms
    target = Varchar(length=96)  # push subscription id | "sms:" + blind index of the number
    account = UUID(null=True, default=None)  # the resident reached
    status = Varchar(length=16, default="pending")  # pending | sent | gone | failed | skipped
    not_before = Timestamptz(default=TimestamptzNow())  # quiet hours hold a delivery until then
    attempts = Integer(default=0)
    last_status = Integer(default=0)  # HTTP status of the last answer (0: none, e.g. unreachable)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
