"""How urgent each event is: Web Push ``Urgency`` and ``TTL``, and whether quiet hours hold it back.

``high`` is for what asks the resident to act or decides their case; ``normal`` for progress and
reminders; ``low`` for invitations. TTL is how long a push service keeps a message for a phone
that is offline: long enough to matter, short enough that a stale reminder is never shown.

Quiet hours hold push and SMS back until they end, with one exception: ``agent_action`` — someone
acted in the resident's name, and they must be able to object at once (a proxy acting at night is
exactly what they would want to hear about).
"""

from __future__ import annotations

from typing import Literal

import msgspec

Urgency = Literal["very-low", "low", "normal", "high"]

HOUR = 3600
DAY = 24 * HOUR


class Priority(msgspec.Struct, frozen=True):
    urgency: Urgency
    ttl: int
    """Seconds a push service keeps the message for an offline device."""
    quiet_exempt: bool = False


DEFAULT = Priority("normal", 2 * DAY)

PRIORITIES: dict[str, Priority] = {
    "application_submitted": Priority("normal", DAY),
    "application_accepted": Priority("normal", 2 * DAY),
    "application_not_accepted": Priority("high", 4 * DAY),
    "supplement_requested": Priority("high", 4 * DAY),
    "application_decided": Priority("high", 4 * DAY),
    "result_ready": Priority("high", 4 * DAY),
    "application_withdrawn": Priority("normal", DAY),
    "agent_action": Priority("high", 2 * DAY, quiet_exempt=True),
    "licence_expiring": Priority("normal", 7 * DAY),
    "benefit_granted": Priority("normal", 4 * DAY),
    "appointment_reminder": Priority("normal", 12 * HOUR),
    "evaluation_invited": Priority("low", 4 * DAY),
    "rectification_done": Priority("normal", 4 * DAY),
    "ticket_replied": Priority("normal", 4 * DAY),
}


def of(event: str) -> Priority:
    return PRIORITIES.get(event, DEFAULT)
