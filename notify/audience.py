"""Who a notice reaches beyond the inbox, on which channels, and when.

* ``person:<id>`` — that resident.
* ``enterprise:<id>`` — the people who act for the company: its legal representative and its
  staff whose authorisation is current (not revoked, not expired). Each gets push by their own
  preferences; SMS goes to the legal representative only — a company with twenty staff should
  not get twenty texts, and the legal representative answers for it.
* anything else — nobody; the inbox item is all there is.

Channels: the inbox is always written (by :mod:`notify.emit`). Push and SMS follow the person's
``channels`` preference when they set one; otherwise push for everyone who subscribed, and SMS
as well for elderly residents (长辈版 switched on, or aged 60 or more), who may never open the app.
Quiet hours (China time, e.g. 22:00–07:00) hold push and SMS back until they end.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec

from auth.residents import preferences_of
from auth.tables import EnterpriseStaff, Resident
from core import rows, timeutil

ELDERLY_AGE = 60

Role = Literal["self", "legal_rep", "staff"]


class Reach(msgspec.Struct, kw_only=True):
    """One person a notice goes to, and why."""

    resident: dict[str, Any]
    role: Role


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def people(recipient_key: str) -> list[Reach]:
    kind, _, raw = recipient_key.partition(":")
    key = _uuid(raw)
    if key is None:
        return []
    if kind == "person":
        row = await rows.one(Resident, key)
        return [Reach(resident=row, role="self")] if row and row["disabled_at"] is None else []
    if kind != "enterprise":
        return []
    now = timeutil.now()
    links = await EnterpriseStaff.select(
        EnterpriseStaff.resident, EnterpriseStaff.role, EnterpriseStaff.valid_until
    ).where((EnterpriseStaff.enterprise == key) & EnterpriseStaff.revoked_at.is_null())
    roles: dict[uuid.UUID, Role] = {}
    for link in links:
        if link["valid_until"] is not None and link["valid_until"] <= now:
            continue
        role: Role = "legal_rep" if link["role"] == "legal_rep" else "staff"
        if roles.get(link["resident"]) != "legal_rep":
            roles[link["resident"]] = role
    if not roles:
        return []
    found = await Resident.select().where(Resident.id.is_in(list(roles)) & Resident.disabled_at.is_null())
    return [Reach(resident=row, role=roles[row["id"]]) for row in sorted(found, key=lambda r: r["id"])]


def age(row: dict[str, Any], on: dt.date | None = None) -> int | None:
    birth = row.get("birth_date")
    if birth is None:
        return None
    on = on or timeutil.today()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def is_elderly(row: dict[str, Any]) -> bool:
    years = age(row)
    return bool(row.get("elder_mode")) or (years is not None and years >= ELDERLY_AGE)


def effective_preferences(row: dict[str, Any]) -> dict[str, Any]:
    """The resident's stored choices with what applies until they choose (for ``GET /api/me``):
    ``channels`` as :func:`channels` decides them, with the inbox that is always written, and
    ``channels_chosen`` saying whether the channels are the resident's own choice."""
    prefs = dict(preferences_of(row))
    prefs["channels_chosen"] = isinstance(prefs.get("channels"), list)
    if not prefs["channels_chosen"]:
        prefs["channels"] = ["inbox", "push", "sms"] if is_elderly(row) else ["inbox", "push"]
    return prefs


def channels(reach: Reach) -> set[str]:
    """``push`` and/or ``sms`` for this person (the inbox needs no decision)."""
    chosen = preferences_of(reach.resident).get("channels")
    if isinstance(chosen, list):
        wanted = {channel for channel in chosen if channel in ("push", "sms")}
    else:
        wanted = {"push", "sms"} if is_elderly(reach.resident) else {"push"}
    if reach.role == "staff":
        wanted.discard("sms")
    return wanted


def quiet_until(resident: dict[str, Any], moment: dt.datetime) -> dt.datetime | None:
    """When the person's quiet hours end, if ``moment`` falls inside them (None: send now)."""
    quiet = preferences_of(resident).get("quiet_hours")
    if not isinstance(quiet, dict):
        return None
    try:
        start = dt.time.fromisoformat(str(quiet.get("start")))
        end = dt.time.fromisoformat(str(quiet.get("end")))
    except ValueError:
        return None
    if start == end:
        return None
    local = moment.astimezone(timeutil.CST)
    now = local.timetz().replace(tzinfo=None)
    today_end = dt.datetime.combine(local.date(), end, timeutil.CST)
    if start < end:  # e.g. 12:00–14:00
        inside = start <= now < end
        ends = today_end
    else:  # over midnight, e.g. 22:00–07:00
        inside = now >= start or now < end
        ends = today_end if now < end else today_end + dt.timedelta(days=1)
    return ends.astimezone(dt.UTC) if inside else None
