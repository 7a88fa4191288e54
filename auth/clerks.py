"""Clerk accounts: creation by an administrator and password + TOTP login with lockout."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from audit import log as audit
from auth import passwords
from auth.context import ROLES
from auth.tables import Clerk
from core import db, ratelimit, settings, timeutil
from core.errors import ProblemError, invalid


async def create_clerk(
    *,
    username: str,
    display_name: str,
    password: str,
    department_id: uuid.UUID | None,
    region_code: str,
    roles: list[str],
    totp_secret: str | None = None,
    actor: audit.Actor = audit.SYSTEM,
) -> tuple[dict[str, Any], str]:
    """Create a clerk; returns the row and the TOTP secret (shown once, for the authenticator app)."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise invalid("roles")
    if len(password) < 12:
        raise invalid("password", zh="密码至少 12 位。", en="The password needs at least 12 characters.")
    secret = totp_secret or passwords.new_totp_secret()
    clerk_id = timeutil.uuid7()
    async with db.write_tx():
        if await Clerk.exists().where(Clerk.username == username):
            raise ProblemError("conflict", field="username")
        await Clerk.insert(
            Clerk(
                id=clerk_id,
                username=username,
                display_name=display_name,
                password_hash=passwords.hash_password(password),
                totp_secret_enc=passwords.encrypt_totp_secret(secret),
                department=department_id,
                region_code=region_code,
                roles=",".join(sorted(set(roles))),
                created_at=timeutil.now(),
            )
        )
        await audit.append(
            "clerk.created",
            actor=actor,
            object_type="clerk",
            object_id=clerk_id,
            details={"roles": sorted(set(roles)), "region": region_code},
        )
    row = await Clerk.select().where(Clerk.id == clerk_id).first()
    assert row is not None
    return row, secret


async def authenticate(username: str, password: str, totp_code: str) -> dict[str, Any]:
    """Password and TOTP must both be right; failures lock the username for a while."""
    current = settings.get()
    key = f"clerk-lock:{username.lower()[:64]}"
    if locked := await ratelimit.locked_for(key):
        raise ProblemError("account_locked", headers={"Retry-After": str(locked)})
    row = await Clerk.select().where((Clerk.username == username) & (Clerk.active == True)).first()  # noqa: E712
    ok = passwords.verify_password(row["password_hash"] if row else None, password)
    step = None
    if ok and row is not None:
        step = passwords.totp_step(
            passwords.decrypt_totp_secret(row["totp_secret_enc"]), (totp_code or "").strip(), row["last_totp_step"]
        )
    if row is None or step is None:
        locked = await ratelimit.record_failure(
            key,
            threshold=current.login_failures_before_lockout,
            lockout=dt.timedelta(minutes=current.lockout_minutes),
            window=dt.timedelta(minutes=current.lockout_minutes),
        )
        if locked:
            raise ProblemError("account_locked", headers={"Retry-After": str(locked)})
        raise ProblemError("login_failed")
    async with db.write_tx():
        used = (
            await Clerk.update({Clerk.last_totp_step: step})
            .where((Clerk.id == row["id"]) & (Clerk.last_totp_step < step))
            .returning(Clerk.id)
        )
        if not used:
            raise ProblemError("login_failed")
        await audit.append(
            "clerk.login",
            actor=audit.Actor(kind="clerk", id=str(row["id"]), label=row["display_name"], channel="window"),
            object_type="clerk",
            object_id=row["id"],
        )
    await ratelimit.clear(key)
    return row
