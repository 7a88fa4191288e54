"""Who is calling, and on whose data they act.

Every authorisation decision is made on the *principal* (the person or enterprise whose data it
is), never on the intermediary: a staff member acting for a company, or an agent acting under a
proxy grant, gets exactly what the principal's grant to them allows. The acting relationship is
re-checked on every request, so revoking it takes effect on the next request.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec

from audit.log import Actor
from auth import sessions
from auth.tables import Clerk, Enterprise, EnterpriseStaff, Resident, Session
from core import rows, timeutil

ROLES = ("window", "reviewer", "head", "admin", "auditor", "hotline")  # hotline: 12345 call-centre agent


class Principal(msgspec.Struct, frozen=True):
    kind: Literal["person", "enterprise"]
    id: uuid.UUID
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


class Acting(msgspec.Struct, frozen=True):
    """The result of checking an acting relationship: whom, on what basis, under which authority."""

    principal: Principal
    basis: Literal["staff", "proxy"]
    via: uuid.UUID
    scope: Any = None  # the grant object for proxies (checked per action by the proxy package)
    region_code: str = ""  # the principal's region, so routing decides on the principal's data


class Caller(msgspec.Struct, kw_only=True):
    session_id: str
    kind: Literal["resident", "clerk"]
    account_id: uuid.UUID
    name: str
    csrf_token: str
    channel: str = "app"
    principal: Principal | None = None
    basis: Literal["self", "staff", "proxy"] = "self"
    via: uuid.UUID | None = None
    scope: Any = None
    roles: frozenset[str] = frozenset()
    department_id: uuid.UUID | None = None
    region_code: str = ""
    realname_verified: bool = False
    step_up_at: dt.datetime | None = None
    elder_mode: bool = False

    @property
    def is_clerk(self) -> bool:
        return self.kind == "clerk"

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def acting_for_other(self) -> bool:
        return self.basis != "self"

    def actor(self) -> Actor:
        on_kind = on_id = grant = ""
        if self.principal is not None and self.basis != "self":
            on_kind, on_id, grant = self.principal.kind, str(self.principal.id), str(self.via or "")
        return Actor(
            kind=self.kind,
            id=str(self.account_id),
            label=self.name,
            on_behalf_kind=on_kind,
            on_behalf_id=on_id,
            grant_id=grant,
            channel=self.channel,
        )

    def step_up_fresh(self, within: dt.timedelta = dt.timedelta(minutes=10)) -> bool:
        return self.step_up_at is not None and timeutil.now() - self.step_up_at <= within


ActingResolver = Callable[[dict[str, Any], dict[str, Any]], Awaitable[Acting | None]]
ActingFinder = Callable[["Caller", uuid.UUID], Awaitable[uuid.UUID | None]]
_acting_resolvers: dict[str, ActingResolver] = {}
_acting_finders: dict[str, ActingFinder] = {}


def register_acting(kind: str, resolver: ActingResolver, finder: ActingFinder) -> None:
    """Define a way of acting for someone (``enterprise`` staff, ``person`` proxies).

    ``finder`` answers "under which authority may this caller act for that principal now?" when a
    session switches; ``resolver`` re-checks that authority on every later request.
    """
    _acting_resolvers[kind] = resolver
    _acting_finders[kind] = finder


def acting_finder(kind: str) -> ActingFinder | None:
    return _acting_finders.get(kind)


def acting_resolver(kind: str) -> ActingResolver | None:
    """The resolver registered for ``kind`` (so a package can extend a kind rather than replace it)."""
    return _acting_resolvers.get(kind)


async def _enterprise_staff(session: dict[str, Any], resident: dict[str, Any]) -> Acting | None:
    now = timeutil.now()
    staff = (
        await EnterpriseStaff.select()
        .where(
            (EnterpriseStaff.id == session["acting_via"])
            & (EnterpriseStaff.resident == resident["id"])
            & (EnterpriseStaff.enterprise == session["acting_id"])
            & EnterpriseStaff.revoked_at.is_null()
        )
        .first()
    )
    if staff is None or (staff["valid_until"] is not None and staff["valid_until"] <= now):
        return None
    enterprise = (
        await Enterprise.select(Enterprise.id, Enterprise.name).where(Enterprise.id == staff["enterprise"]).first()
    )
    if enterprise is None:
        return None
    return Acting(Principal("enterprise", enterprise["id"], enterprise["name"]), "staff", staff["id"])


async def _find_staff_link(caller: Caller, enterprise_id: uuid.UUID) -> uuid.UUID | None:
    now = timeutil.now()
    link = (
        await EnterpriseStaff.select(EnterpriseStaff.id, EnterpriseStaff.valid_until)
        .where(
            (EnterpriseStaff.resident == caller.account_id)
            & (EnterpriseStaff.enterprise == enterprise_id)
            & EnterpriseStaff.revoked_at.is_null()
        )
        .first()
    )
    if link is None or (link["valid_until"] is not None and link["valid_until"] <= now):
        return None
    return link["id"]


register_acting("enterprise", _enterprise_staff, _find_staff_link)


async def load(token: str, *, channel: str = "app") -> Caller | None:
    """The caller behind a session token, with the acting relationship re-validated."""
    session = await sessions.resolve(token)
    if session is None:
        return None
    return await from_session(session, channel=channel)


async def reload(caller: Caller) -> Caller:
    """The same session read again (after it switched whom it acts for)."""
    session = await Session.select().where(Session.id == caller.session_id).first()
    fresh = await from_session(session, channel=caller.channel) if session else None
    return fresh or caller


async def from_session(session: dict[str, Any], *, channel: str = "app") -> Caller | None:
    if session["subject_kind"] == "clerk":
        clerk = await Clerk.select().where((Clerk.id == session["subject_id"]) & (Clerk.active == True)).first()  # noqa: E712
        if clerk is None:
            return None
        return Caller(
            session_id=session["id"],
            kind="clerk",
            account_id=clerk["id"],
            name=clerk["display_name"],
            csrf_token=session["csrf_token"],
            channel="window",
            roles=frozenset(r for r in clerk["roles"].split(",") if r),
            department_id=clerk["department"],
            region_code=clerk["region_code"],
            realname_verified=True,
            step_up_at=session["step_up_at"],
        )
    resident = await rows.one(Resident, session["subject_id"])
    if resident is None or resident["disabled_at"] is not None:
        return None
    caller = Caller(
        session_id=session["id"],
        kind="resident",
        account_id=resident["id"],
        name=resident["name"] or resident["phone_masked"],
        csrf_token=session["csrf_token"],
        channel=channel,
        principal=Principal("person", resident["id"], resident["name"]) if resident["realname_verified_at"] else None,
        region_code=resident["region_code"],
        realname_verified=resident["realname_verified_at"] is not None,
        step_up_at=session["step_up_at"],
        elder_mode=bool(resident["elder_mode"]),
    )
    if session["acting_kind"]:
        resolver = _acting_resolvers.get(session["acting_kind"])
        acting = await resolver(session, resident) if resolver else None
        if acting is None:
            # The authority behind acting ended: fall back to the caller's own identity. Anything
            # of the former principal's now answers 404 exactly like a missing resource.
            await sessions.set_acting(session["id"], "", None, None)
        else:
            caller.principal = acting.principal
            caller.basis = acting.basis
            caller.via = acting.via
            caller.scope = acting.scope
            caller.region_code = acting.region_code or caller.region_code
    return caller
