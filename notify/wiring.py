"""Deliver the ``notify`` outbox channel (push and SMS) with :mod:`notify.fanout`."""

from __future__ import annotations

from notify import dispatcher, fanout, webpush

# Ten tries from 10 s doubling: the last about 85 minutes after the first failure — a push service
# or SMS gateway outage of an hour is ridden out; after that the message waits for an operator.
# The inbox item was written with the cause, whatever happens here.
dispatcher.register("notify", fanout.handle, max_attempts=10, base_delay=10.0)
dispatcher.on_close(webpush.close)
