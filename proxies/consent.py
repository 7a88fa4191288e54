"""Consent: how a grant comes about and how the parties move it.

Two ways to consent (both leave the principal in control):

* the **principal offers**: after a step-up SMS check they create the grant naming the agent (name +
  phone of a real-name-verified resident, or an organisation and one of its members) and get a
  one-time code that they hand to the agent; the agent accepts with the code (:func:`offer`,
  :func:`accept`);
* the **agent asks**: the request names the principal by name and ID number; a code goes by SMS to
  the principal's verified phone, and the principal reads it out to the agent (or approves in the
  app after a step-up). A guardian's request is checked against the population register instead
  and is in force at once (:func:`request`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import uuid
from typing import Any

import msgspec

from auth import residents
from auth.codes import phone_index
from auth.context import Caller
from auth.tables import Enterprise, EnterpriseStaff, Resident
from core import db, ratelimit, rows, timeutil
from core.errors import FieldError, ProblemError, invalid
from datahub import access as datahub
from notify.emit import emit
from proxies import describe, states
from proxies.grants import (
    SYSTEM,
    PrincipalRef,
    ScopeIn,
    checked_scope,
    checked_window,
    code_hash,
    effective_state,
    insert,
    is_legal_rep,
    load_for,
    move,
    new_row,
    self_actor,
)
from proxies.tables import ProxyGrant, ProxyOrgMember


class AgentRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Whom the principal authorises: a person by name + phone, or an organisation's member."""

    kind: str = "person"  # person | organisation
    name: str = ""
    phone: str = ""
    organisation_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None


async def principal_for_offer(caller: Caller, enterprise_id: uuid.UUID | None) -> PrincipalRef:
    if caller.kind != "resident" or caller.basis == "proxy":
        raise ProblemError("proxy_not_allowed")
    if not caller.realname_verified:
        raise ProblemError("realname_required")
    if enterprise_id is None and caller.basis == "staff" and caller.principal is not None:
        enterprise_id = caller.principal.id
    if enterprise_id is not None:
        enterprise = await Enterprise.select().where(Enterprise.id == enterprise_id).first()
        if enterprise is None or not await is_legal_rep(caller.account_id, enterprise_id):
            raise ProblemError("not_legal_representative", field="enterprise_id")
        return PrincipalRef(
            "enterprise", enterprise["id"], enterprise["name"], enterprise["region_code"], caller.account_id
        )
    me = await Resident.select(Resident.name, Resident.region_code).where(Resident.id == caller.account_id).first()
    assert me is not None
    return PrincipalRef("person", caller.account_id, me["name"], me["region_code"], caller.account_id)


async def _agent_row(agent: AgentRef) -> tuple[str, dict[str, Any], uuid.UUID | None, str]:
    """(agent_kind, resident row, organisation id, display name) for the named agent."""
    if agent.kind == "organisation":
        if agent.organisation_id is None or agent.member_id is None:
            raise ProblemError("organisation_not_found", field="agent.organisation_id")
        member = (
            await ProxyOrgMember.select(
                ProxyOrgMember.resident,
                ProxyOrgMember.organisation.name,
                ProxyOrgMember.resident.name,
                ProxyOrgMember.organisation.active,
            )
            .where(
                (ProxyOrgMember.id == agent.member_id)
                & (ProxyOrgMember.organisation == agent.organisation_id)
                & ProxyOrgMember.removed_at.is_null()
            )
            .first()
        )
        if member is None or not member["organisation.active"]:
            raise ProblemError("organisation_not_found", field="agent.member_id")
        person = await Resident.select().where(Resident.id == member["resident"]).first()
        assert person is not None
        label = f"{member['organisation.name']} {member['resident.name']}"
        return "organisation", person, agent.organisation_id, label
    if agent.kind != "person":
        raise invalid("agent.kind", zh="代办人只能是个人或服务机构。", en="An agent is a person or an organisation.")
    name = residents.checked_name(agent.name, "agent.name")
    from auth.codes import checked_phone

    phone = checked_phone(agent.phone, "agent.phone")
    person = await Resident.select().where(Resident.phone_index == phone_index(phone)).first()
    if person is None or person["realname_verified_at"] is None or person["name"] != name or person["disabled_at"]:
        raise ProblemError("agent_not_found", field="agent.phone")
    return "person", person, None, person["name"]


async def offer(
    caller: Caller,
    *,
    enterprise_id: uuid.UUID | None,
    agent: AgentRef,
    basis: str,
    relation: str,
    scope: ScopeIn,
    valid_from: dt.datetime | None,
    valid_until: dt.datetime | None,
    note: str,
) -> tuple[dict[str, Any], str]:
    """The principal creates a pending grant; returns it and the one-time code for the agent."""
    principal = await principal_for_offer(caller, enterprise_id)
    if not caller.step_up_fresh():
        raise ProblemError("step_up_required")
    if basis not in ("voluntary", "family_care"):
        raise invalid("basis", zh="请选择自愿委托或家庭照护。", en="Offer a voluntary or family-care grant.")
    agent_kind, person, organisation, label = await _agent_row(agent)
    if person["id"] == principal.contact:  # oneself, or a legal representative naming themselves
        raise ProblemError("self_grant", field="agent")
    checked = await checked_scope(scope, principal_region=principal.region, audience=principal.kind)
    start, end = checked_window(basis, valid_from, valid_until)
    grant_id = timeutil.uuid7()
    code = f"{secrets.randbelow(10**8):08d}"
    now = timeutil.now()
    row = new_row(
        grant_id,
        principal,
        agent_kind=agent_kind,
        agent_resident=person["id"],
        organisation=organisation,
        agent_name=label,
        basis=basis,
        relation=relation,
        scope=checked,
        start=start,
        end=end,
        state="pending",
        initiated_by="principal",
        pending_until=now + states.OFFER_WINDOW,
        note=note,
    )
    row.update(code_hash=code_hash(grant_id, code), code_expires_at=now + states.OFFER_WINDOW)
    async with db.write_tx():
        stored = await insert(row, self_actor(caller), "offered")
        await emit(
            "proxy_offered",
            f"person:{person['id']}",
            dedupe_key=f"proxy:{grant_id}:offered",
            link=f"/proxies/grants/{grant_id}",
            principal=principal.name,
            scope=await describe.scope_text(stored),
        )
    return stored, code


class PrincipalQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Whom the agent wants to act for: a person by name + ID number, or a company by credit code."""

    kind: str = "person"  # person | enterprise
    name: str = ""
    id_number: str = ""
    credit_code: str = ""


async def _principal_for_request(query: PrincipalQuery, caller: Caller) -> tuple[PrincipalRef, dict[str, Any]]:
    """The principal and the resident who consents for them (whose phone gets the code)."""
    if query.kind == "enterprise":
        from auth.enterprises import checked_credit_code

        code = checked_credit_code(query.credit_code, "principal.credit_code")
        enterprise = await Enterprise.select().where(Enterprise.credit_code == code).first()
        rep = None
        if enterprise is not None:
            link = (
                await EnterpriseStaff.select(EnterpriseStaff.resident)
                .where(
                    (EnterpriseStaff.enterprise == enterprise["id"])
                    & (EnterpriseStaff.role == "legal_rep")
                    & EnterpriseStaff.revoked_at.is_null()
                )
                .first()
            )
            rep = await Resident.select().where(Resident.id == link["resident"]).first() if link else None
        if enterprise is None or rep is None:
            raise ProblemError("principal_not_found", field="principal.credit_code")
        return PrincipalRef(
            "enterprise", enterprise["id"], enterprise["name"], enterprise["region_code"], rep["id"]
        ), rep
    if query.kind != "person":
        raise invalid("principal.kind", zh="委托人只能是个人或企业。", en="A principal is a person or an enterprise.")
    problems: list[FieldError] = []
    name = number = ""
    try:
        name = residents.checked_name(query.name, "principal.name")
    except ProblemError as error:
        problems.extend(error.errors)
    try:
        number = residents.checked_id_number(query.id_number, "principal.id_number")
    except ProblemError as error:
        problems.extend(error.errors)
    if problems:
        raise ProblemError(problems[0].code, field=problems[0].field, errors=problems)
    person = await residents.find_by_id_number(number)
    if person is None or person["name"] != name or person["realname_verified_at"] is None or person["disabled_at"]:
        raise ProblemError("principal_not_found", field="principal.id_number")
    if person["id"] == caller.account_id:
        raise ProblemError("self_grant", field="principal")
    return PrincipalRef("person", person["id"], person["name"], person["region_code"], person["id"]), person


async def guardian_listed(caller: Caller, ward: dict[str, Any]) -> bool:
    """Ask the population register whether the caller is the ward's legal guardian (never self-declared)."""
    me = await Resident.select(Resident.id_number_index).where(Resident.id == caller.account_id).first()
    number = residents.id_number_of(ward)
    if me is None or not me["id_number_index"] or number is None:
        return False
    answer = await datahub.read(
        "population",
        "person",
        number,
        actor=self_actor(caller),
        purpose="核验法定监护关系",
        subject_kind="person",
        subject_id=ward["id"],
    )
    return answer.found and not answer.record["deceased"] and me["id_number_index"] in answer.record["guardians"]


async def request(
    caller: Caller,
    *,
    principal: PrincipalQuery,
    basis: str,
    relation: str,
    scope: ScopeIn,
    valid_from: dt.datetime | None,
    valid_until: dt.datetime | None,
    note: str,
) -> dict[str, Any]:
    """The agent asks; voluntary and family-care requests wait for the principal's code or approval."""
    if caller.kind != "resident" or caller.basis == "proxy":
        raise ProblemError("proxy_not_allowed")
    if not caller.realname_verified:
        raise ProblemError("realname_required")
    if basis not in ("voluntary", "family_care", "guardian"):
        raise invalid(
            "basis", zh="请选择自愿委托、家庭照护或法定监护。", en="Ask for voluntary, family-care or guardian."
        )
    if basis == "guardian" and principal.kind != "person":
        raise invalid("basis", zh="法定监护只适用于个人。", en="Guardianship applies to persons only.")
    target, contact = await _principal_for_request(principal, caller)
    checked = await checked_scope(scope, principal_region=target.region, audience=target.kind)
    start, end = checked_window(basis, valid_from, valid_until)
    me = await Resident.select(Resident.name).where(Resident.id == caller.account_id).first()
    assert me is not None
    if basis == "guardian" and not await guardian_listed(caller, contact):
        raise ProblemError("guardian_not_registered", field="basis")
    if basis != "guardian":
        await _may_text(target.key)  # before anything is stored: a refused request leaves nothing behind
    grant_id = timeutil.uuid7()
    active = basis == "guardian"
    row = new_row(
        grant_id,
        target,
        agent_kind="person",
        agent_resident=caller.account_id,
        organisation=None,
        agent_name=me["name"],
        basis=basis,
        relation=relation,
        scope=checked,
        start=start,
        end=end,
        state="active" if active else "pending",
        initiated_by="agent",
        pending_until=None if active else timeutil.now() + states.REQUEST_WINDOW,
        note=note,
    )
    actor = self_actor(caller)
    async with db.write_tx():
        stored = await insert(row, actor, "guardian_verified" if active else "requested")
        scope_text = await describe.scope_text(stored)
        if active:
            await emit(
                "proxy_granted",
                target.key,
                dedupe_key=f"proxy:{grant_id}:guardian",
                link=f"/proxies/grants/{grant_id}",
                agent=me["name"],
                scope=scope_text,
                until=describe.day(end),
            )
        else:
            await emit(
                "proxy_requested",
                target.key,
                dedupe_key=f"proxy:{grant_id}:requested",
                link=f"/proxies/grants/{grant_id}",
                agent=me["name"],
                scope=scope_text,
            )
    if not active:
        stored = await send_consent_code(stored, contact, counted=True)
    return stored


async def _may_text(principal_key: str) -> None:
    """At most one consent SMS a minute and five an hour per principal: nobody floods an elderly
    person's phone with requests."""
    key = f"proxy-sms:{principal_key}"
    allowed, retry = await ratelimit.consume(f"{key}:minute", limit=1, window=dt.timedelta(seconds=60))
    if allowed:
        allowed, retry = await ratelimit.consume(f"{key}:hour", limit=5, window=dt.timedelta(hours=1))
    if not allowed:
        raise ProblemError("sms_too_frequent", headers={"Retry-After": str(retry)}, extra={"retry_after": retry})


async def send_consent_code(
    row: dict[str, Any], contact: dict[str, Any] | None = None, *, counted: bool = False
) -> dict[str, Any]:
    """A fresh SMS code to the principal's verified phone (the person, or the legal representative).

    ``counted``: the caller already took this message from the principal's SMS allowance."""
    if contact is None:
        contact_id = row["principal_resident"]
        if row["principal_kind"] == "enterprise":
            link = (
                await EnterpriseStaff.select(EnterpriseStaff.resident)
                .where(
                    (EnterpriseStaff.enterprise == row["principal_enterprise"])
                    & (EnterpriseStaff.role == "legal_rep")
                    & EnterpriseStaff.revoked_at.is_null()
                )
                .first()
            )
            contact_id = link["resident"] if link else None
        contact = await Resident.select().where(Resident.id == contact_id).first() if contact_id else None
    if contact is None:
        raise ProblemError("principal_not_found")
    if not counted:
        await _may_text(row["principal_key"])
    code = f"{secrets.randbelow(10**6):06d}"
    now = timeutil.now()
    changes = {
        "code_hash": code_hash(row["id"], code),
        "code_expires_at": now + states.SMS_CODE_TTL,
        "code_attempts": 0,
        "version": row["version"] + 1,
        "updated_at": now,
    }
    async with db.write_tx():
        if not await rows.update(ProxyGrant, changes, id=row["id"], version=row["version"], state="pending"):
            raise ProblemError("grant_state_conflict")
    text = await describe.sms_text(row, code)
    from auth import sms

    await sms.sender().send(residents.phone_of(contact), text)
    return {**row, **changes}


async def accept(caller: Caller, grant_id: uuid.UUID, code: str) -> dict[str, Any]:
    """The agent completes consent with the code the principal handed over (offer or SMS)."""
    row, found = await load_for(caller, grant_id)
    if found.role != "agent":
        raise ProblemError("grant_not_found")
    if effective_state(row) != "pending":
        if effective_state(row) != row["state"]:
            await move(row, "expire", party="system", actor=SYSTEM)
        raise ProblemError("grant_state_conflict", extra={"state": effective_state(row)})
    now = timeutil.now()
    code = (code or "").strip()
    good = (
        bool(row["code_hash"])
        and row["code_expires_at"] is not None
        and row["code_expires_at"] > now
        and row["code_attempts"] < states.CODE_ATTEMPTS
        and code.isdigit()
        and hmac.compare_digest(row["code_hash"], code_hash(row["id"], code))
    )
    if not good:
        if row["code_hash"]:
            async with db.write_tx():
                await ProxyGrant.update({ProxyGrant.code_attempts: ProxyGrant.code_attempts + 1}).where(
                    ProxyGrant.id == row["id"]
                )
        raise invalid("code", "grant_code_invalid")
    return await move(row, "accept", party="agent", actor=found.actor)


async def transition(caller: Caller, grant_id: uuid.UUID, action: str, note: str = "") -> dict[str, Any]:
    """approve / decline / suspend / resume / revoke / opt_out by whichever side may make it."""
    row, found = await load_for(caller, grant_id)
    if action == "decline" and found.role == row["initiated_by"]:
        raise ProblemError("grant_state_conflict", extra={"state": row["state"]})  # one declines the other's
    if action == "approve":
        if row["initiated_by"] != "agent":
            raise ProblemError("grant_state_conflict", extra={"state": row["state"]})
        if not caller.step_up_fresh():
            raise ProblemError("step_up_required")
    return await move(row, action, party=found.role, actor=found.actor, note=note)


async def reissue_code(caller: Caller, grant_id: uuid.UUID) -> tuple[dict[str, Any], str | None]:
    """A new code for a pending grant: the principal gets a new hand-over code for their offer; the
    agent gets a new SMS sent to the principal for their request."""
    row, found = await load_for(caller, grant_id)
    if effective_state(row) != "pending":
        raise ProblemError("grant_state_conflict", extra={"state": effective_state(row)})
    if row["initiated_by"] == "principal" and found.role == "principal":
        if not caller.step_up_fresh():
            raise ProblemError("step_up_required")
        code = f"{secrets.randbelow(10**8):08d}"
        now = timeutil.now()
        changes = {
            "code_hash": code_hash(row["id"], code),
            "code_expires_at": min(now + states.OFFER_WINDOW, row["valid_until"]),
            "pending_until": now + states.OFFER_WINDOW,
            "code_attempts": 0,
            "version": row["version"] + 1,
            "updated_at": now,
        }
        async with db.write_tx():
            if not await rows.update(ProxyGrant, changes, id=row["id"], version=row["version"], state="pending"):
                raise ProblemError("grant_state_conflict")
        return {**row, **changes}, code
    if row["initiated_by"] == "agent" and found.role == "agent":
        return await send_consent_code(row), None
    raise ProblemError("grant_state_conflict", extra={"state": row["state"]})
