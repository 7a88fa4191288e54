"""Acting for a principal — contract C4 (``auth.context.register_acting``).

``PUT /api/session/acting {"kind": "person", "id": …}`` asks :func:`find_person` for a grant in
force from that person to the caller; the session then remembers the grant. On every later
request :func:`resolve_person` reads the grant again and hands the caller the principal, the basis
``proxy``, the grant id (``via``) and the grant itself (``scope``).

Once the session acts under a grant it keeps doing so even after the grant stops being in force
(revoked, suspended, expired, agent opted out): the scope check then refuses everything, so the
agent's next request answers exactly like a missing resource instead of silently carrying on as
the agent's own self. The agent leaves with ``DELETE /api/session/acting``.

Enterprises can be principals too: the ``enterprise`` kind keeps the platform's staff
authorisations and adds proxy grants from a company (:func:`register`).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from auth import context
from auth.context import Acting, Caller, Principal
from auth.tables import Enterprise, Resident
from core import timeutil
from proxies import consent, grants
from proxies.scope import GrantScope
from proxies.tables import ProxyGrant


async def _acting_from(row: dict[str, Any], resident_id: uuid.UUID) -> Acting | None:
    if row["agent_kind"] not in ("person", "organisation") or row["agent_resident"] != resident_id:
        return None
    if row["principal_kind"] == "person":
        found = (
            await Resident.select(Resident.name, Resident.region_code)
            .where(Resident.id == row["principal_resident"])
            .first()
        )
        principal_id = row["principal_resident"]
    else:
        found = (
            await Enterprise.select(Enterprise.name, Enterprise.region_code)
            .where(Enterprise.id == row["principal_enterprise"])
            .first()
        )
        principal_id = row["principal_enterprise"]
    if found is None:
        return None
    scope = grants.scope_of(row, agent_current=await grants.member_current(row))
    return Acting(
        Principal(row["principal_kind"], principal_id, found["name"]),
        "proxy",
        row["id"],
        scope,
        region_code=found["region_code"],
    )


async def _resolve(session: dict[str, Any], resident: dict[str, Any], kind: str) -> Acting | None:
    if session["acting_via"] is None:
        return None
    row = await grants.get(session["acting_via"])
    if row is None or row["principal_kind"] != kind:
        return None
    principal_id = row["principal_resident"] if kind == "person" else row["principal_enterprise"]
    if principal_id != session["acting_id"]:
        return None
    return await _acting_from(row, resident["id"])


async def resolve_person(session: dict[str, Any], resident: dict[str, Any]) -> Acting | None:
    return await _resolve(session, resident, "person")


async def _guardian_still(caller: Caller, row: dict[str, Any]) -> bool:
    """A guardian grant is re-checked against the population register each time acting starts."""
    ward = await Resident.select().where(Resident.id == row["principal_resident"]).first()
    return ward is not None and await consent.guardian_listed(caller, ward)


async def in_force_grants(caller: Caller, *, kind: str, principal_id: uuid.UUID | None = None) -> list[dict]:
    """The grants the caller may act under now, own grants before an organisation's, newest first."""
    column = ProxyGrant.principal_resident if kind == "person" else ProxyGrant.principal_enterprise
    where = (
        (ProxyGrant.agent_resident == caller.account_id)
        & (ProxyGrant.state == "active")
        & (ProxyGrant.principal_kind == kind)
        & ProxyGrant.agent_kind.is_in(["person", "organisation"])
    )
    if principal_id is not None:
        where &= column == principal_id
    rows = await ProxyGrant.select().where(where).order_by(ProxyGrant.valid_from, ascending=False)
    now = timeutil.now()
    usable = [r for r in rows if grants.scope_of(r, agent_current=await grants.member_current(r)).in_force(now)]
    return sorted(usable, key=lambda r: r["agent_kind"] != "person")


async def _find(caller: Caller, principal_id: uuid.UUID, kind: str) -> uuid.UUID | None:
    for row in await in_force_grants(caller, kind=kind, principal_id=principal_id):
        if row["basis"] == "guardian" and not await _guardian_still(caller, row):
            continue
        return row["id"]
    return None


async def find_person(caller: Caller, principal_id: uuid.UUID) -> uuid.UUID | None:
    return await _find(caller, principal_id, "person")


def register() -> None:
    """Install the ``person`` kind, and extend ``enterprise`` with grants from companies."""
    context.register_acting("person", resolve_person, find_person)
    staff_resolver = context.acting_resolver("enterprise")
    staff_finder = context.acting_finder("enterprise")
    if staff_resolver is None or staff_finder is None or getattr(staff_resolver, "with_proxies", False):
        return

    async def resolve_enterprise(session: dict[str, Any], resident: dict[str, Any]) -> Acting | None:
        staff = await staff_resolver(session, resident)
        return staff if staff is not None else await _resolve(session, resident, "enterprise")

    async def find_enterprise(caller: Caller, enterprise_id: uuid.UUID) -> uuid.UUID | None:
        staff = await staff_finder(caller, enterprise_id)
        return staff if staff is not None else await _find(caller, enterprise_id, "enterprise")

    resolve_enterprise.with_proxies = True  # type: ignore[attr-defined]
    context.register_acting("enterprise", resolve_enterprise, find_enterprise)


def as_agent(clerk: Caller, row: dict[str, Any]) -> Caller:
    """The window clerk of a hall-assisted session, acting for the principal under its grant.

    The clerk keeps their own region: applications filed in the session are received at their hall.
    """
    scope: GrantScope = grants.scope_of(row)
    return msgspec.structs.replace(
        clerk,
        principal=Principal(row["principal_kind"], row["principal_resident"], row["principal_name"]),
        basis="proxy",
        via=row["id"],
        scope=scope,
    )
