"""Server-side sessions: the client holds a random token, the server keeps the hash and the state.

Sessions end after an idle period and at an absolute lifetime, whichever comes first, and can be
revoked one by one or all at once ("log out everywhere"). ``last_seen_at`` is refreshed at most
once a minute so that reads do not turn into writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from auth.tables import Session
from core import db, rows, timeutil

TOUCH_EVERY = dt.timedelta(seconds=60)


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    subject_kind: str,
    subject_id: uuid.UUID,
    *,
    idle: dt.timedelta,
    absolute: dt.timedelta,
    channel: str = "app",
    user_agent: str = "",
) -> tuple[str, dict]:
    token = secrets.token_urlsafe(32)
    now = timeutil.now()
    row = {
        "id": token_id(token),
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "csrf_token": secrets.token_urlsafe(24),
        "created_at": now,
        "last_seen_at": now,
        "expires_at": now + absolute,
        "idle_seconds": int(idle.total_seconds()),
        "channel": channel,
        "user_agent": user_agent[:200],
    }
    async with db.write_tx():
        await Session.insert(Session(**row))
    return token, row


async def resolve(token: str) -> dict | None:
    """The live session for ``token``, or None if unknown, revoked, idle too long or expired."""
    if not token or len(token) > 200:
        return None
    row = await rows.one(Session, token_id(token))
    if row is None or row["revoked_at"] is not None:
        return None
    now = timeutil.now()
    if now >= row["expires_at"] or now - row["last_seen_at"] >= dt.timedelta(seconds=row["idle_seconds"]):
        return None
    if now - row["last_seen_at"] >= TOUCH_EVERY:
        async with db.write_tx():
            await Session.update({Session.last_seen_at: now}).where(Session.id == row["id"])
        row["last_seen_at"] = now
    return row


async def revoke(session_id: str) -> None:
    async with db.write_tx():
        await Session.update({Session.revoked_at: timeutil.now()}).where(
            (Session.id == session_id) & Session.revoked_at.is_null()
        )


async def revoke_all(subject_kind: str, subject_id: uuid.UUID) -> int:
    async with db.write_tx():
        rows = (
            await Session.update({Session.revoked_at: timeutil.now()})
            .where(
                (Session.subject_kind == subject_kind)
                & (Session.subject_id == subject_id)
                & Session.revoked_at.is_null()
            )
            .returning(Session.id)
        )
    return len(rows)


async def set_acting(session_id: str, kind: str, principal_id: uuid.UUID | None, via: uuid.UUID | None) -> None:
    async with db.write_tx():
        await Session.update(
            {Session.acting_kind: kind, Session.acting_id: principal_id, Session.acting_via: via}
        ).where(Session.id == session_id)


async def mark_step_up(session_id: str) -> None:
    async with db.write_tx():
        await Session.update({Session.step_up_at: timeutil.now()}).where(Session.id == session_id)
