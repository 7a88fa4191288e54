"""The caller's own account: profile, preferences, acting switch and who read their data."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec
from litestar import delete, get, patch, put
from litestar.params import FromQuery, JSONBody

from api import problems
from api.deps import SECURITY, CallerDep, resident
from api.schemas import Acting, Me, SessionInfo
from audit.tables import AuditEntry
from auth import context, residents, sessions
from auth.context import Caller
from auth.tables import Clerk, Resident, Session
from core import db, timeutil
from core.errors import ProblemError
from notify import audience
from regions.tables import Department


def _age(birth: dt.date | None) -> int | None:
    if birth is None:
        return None
    today = timeutil.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


async def build_me(
    *, caller: Caller | None = None, account_row: dict | None = None, clerk_row: dict | None = None
) -> Me:
    if caller is not None and caller.kind == "clerk" and clerk_row is None:
        clerk_row = await Clerk.select().where(Clerk.id == caller.account_id).first()
    if clerk_row is not None:
        department = None
        if clerk_row["department"]:
            dep = await Department.select(Department.name).where(Department.id == clerk_row["department"]).first()
            department = dep["name"] if dep else None
        return Me(
            kind="clerk",
            id=clerk_row["id"],
            name=clerk_row["display_name"],
            roles=sorted(r for r in clerk_row["roles"].split(",") if r),
            region_code=clerk_row["region_code"],
            department=department,
            realname_verified=True,
        )
    if account_row is None:
        assert caller is not None
        account_row = await Resident.select().where(Resident.id == caller.account_id).first()
        assert account_row is not None
    acting = None
    if caller is not None and caller.principal is not None and caller.basis != "self":
        acting = acting_view(caller)
    return Me(
        kind="resident",
        id=account_row["id"],
        name=account_row["name"],
        phone_masked=account_row["phone_masked"],
        id_number_masked=account_row["id_number_masked"],
        realname_verified=account_row["realname_verified_at"] is not None,
        region_code=account_row["region_code"],
        elder_mode=bool(account_row["elder_mode"]),
        age=_age(account_row["birth_date"]),
        acting=acting,
        preferences=audience.effective_preferences(account_row),
    )


def acting_view(caller: Caller) -> Acting:
    """Whom the session acts for; for a proxy also the grant and whether it is still in force."""
    assert caller.principal is not None
    grant = caller.scope
    extra: dict[str, Any] = {}
    if caller.basis == "proxy" and hasattr(grant, "standing"):
        extra = {
            "grant_number": grant.number,
            "grant_state": grant.standing(),
            "valid_until": grant.valid_until,
            "actions": sorted(grant.actions),
        }
    return Acting(
        kind=caller.principal.kind,
        id=caller.principal.id,
        name=caller.principal.name,
        basis=caller.basis,  # type: ignore[arg-type]
        via=caller.via,
        **extra,
    )


@get("/api/me", summary="My account", security=SECURITY, tags=["我的 Me"], responses=problems.responses(401))
async def me(caller: CallerDep) -> Me:
    return await build_me(caller=caller)


@get(
    "/api/session",
    summary="My session (CSRF token, expiry)",
    security=SECURITY,
    tags=["我的 Me"],
    responses=problems.responses(401),
    description="Lets a reloaded page recover the CSRF token it must send in `X-CSRF-Token`.",
)
async def session_info(caller: CallerDep) -> SessionInfo:
    row = await Session.select().where(Session.id == caller.session_id).first()
    assert row is not None
    return SessionInfo(
        csrf_token=row["csrf_token"],
        expires_at=row["expires_at"],
        idle_timeout_seconds=row["idle_seconds"],
        me=await build_me(caller=caller),
    )


class QuietHours(msgspec.Struct, forbid_unknown_fields=True):
    start: str  # "22:00"
    end: str  # "07:00"


class Preferences(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    elder_mode: bool | None = None
    channels: list[Literal["inbox", "push", "sms"]] | None = None
    quiet_hours: QuietHours | None = None
    language: Literal["zh-CN", "en"] | None = None


@patch(
    "/api/me/preferences",
    summary="Change my preferences",
    security=SECURITY,
    tags=["我的 Me"],
    responses=problems.responses(401, 403, 422),
    description="长辈版 (elder mode), notification channels and quiet hours. Until a resident chooses channels, "
    "elderly residents (elder mode on, or aged 60 or over by their ID number) get SMS as well as push and the "
    "inbox, others push and the inbox (`preferences.channels_chosen` says which). Not while acting for someone "
    "else.",
)
async def update_preferences(caller: CallerDep, data: JSONBody[Preferences]) -> Me:
    resident(caller, verified=False, proxies=False)
    row = await Resident.select().where(Resident.id == caller.account_id).first()
    assert row is not None
    prefs: dict[str, Any] = residents.preferences_of(row)
    changes = msgspec.to_builtins(data)
    elder = changes.pop("elder_mode", None)
    for key in ("start", "end"):
        value = (changes.get("quiet_hours") or {}).get(key)
        if value is not None:
            try:
                dt.time.fromisoformat(value)
            except ValueError as error:
                raise ProblemError("validation_failed", field=f"quiet_hours.{key}") from error
    prefs.update(changes)
    async with db.write_tx():
        updates: dict[Any, Any] = {Resident.preferences: msgspec.json.encode(prefs).decode()}
        if elder is not None:
            updates[Resident.elder_mode] = elder
        await Resident.update(updates).where(Resident.id == caller.account_id)
    return await build_me(caller=caller)


class AccessEntry(msgspec.Struct):
    at: dt.datetime
    who: str
    who_kind: str
    on_behalf: bool
    action: str
    purpose: str
    application_id: str
    channel: str


_ACTION_LABELS = {
    "data.read": "查询了您的数据",
    "application.read": "查看了您的办件",
    "licence.read": "查看了您的证照",
}


@get(
    "/api/me/access-log",
    summary="Who read my data, and why",
    security=SECURITY,
    tags=["我的 Me"],
    responses=problems.responses(401, 403),
    description="Every read of my personal data by someone other than me: clerks, agents, the platform's own "
    "checks against registers — with purpose and application. Not while acting for someone else.",
)
async def access_log(
    caller: CallerDep, limit: FromQuery[int] = 50, before_seq: FromQuery[int | None] = None
) -> list[AccessEntry]:
    resident(caller, verified=False, proxies=False)
    where = (
        (AuditEntry.subject_id == str(caller.account_id))
        & AuditEntry.action.is_in(list(_ACTION_LABELS))
        & (AuditEntry.actor_id != str(caller.account_id))
    )
    if before_seq is not None:
        where &= AuditEntry.seq < before_seq
    rows = await AuditEntry.select().where(where).order_by(AuditEntry.seq, ascending=False).limit(min(limit, 200))
    return [
        AccessEntry(
            at=row["at"],
            who=row["actor_label"] or row["actor_kind"],
            who_kind=row["actor_kind"],
            on_behalf=bool(row["on_behalf_id"]),
            action=_ACTION_LABELS[row["action"]],
            purpose=row["purpose"],
            application_id=row["application_id"],
            channel=row["channel"],
        )
        for row in rows
    ]


class ActingRequest(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["enterprise", "person"]
    id: uuid.UUID


@put(
    "/api/session/acting",
    summary="Act for a company or a person who authorised me",
    security=SECURITY,
    tags=["我的 Me"],
    responses=problems.responses(401, 403, 404),
    description=(
        "Switches this session to act for an enterprise (as its authorised staff) or for a person under a "
        "proxy grant. Every later response carries `X-Acting-For`. Unknown or expired authority answers 404."
    ),
)
async def start_acting(caller: CallerDep, data: JSONBody[ActingRequest]) -> Me:
    resident(caller)
    finder = context.acting_finder(data.kind)
    via = await finder(caller, data.id) if finder else None
    if via is None:
        raise ProblemError("not_found")
    await sessions.set_acting(caller.session_id, data.kind, data.id, via)
    return await build_me(caller=await context.reload(caller))


@delete(
    "/api/session/acting",
    summary="Stop acting for someone else",
    security=SECURITY,
    tags=["我的 Me"],
    status_code=200,
    responses=problems.responses(401),
)
async def stop_acting(caller: CallerDep) -> Me:
    await sessions.set_acting(caller.session_id, "", None, None)
    caller.principal, caller.basis, caller.via = None, "self", None
    return await build_me(caller=caller)


ROUTES = [me, session_info, update_preferences, access_log, start_acting, stop_acting]
