"""Enterprises and the staff their legal representative authorises (经办人授权)."""

from __future__ import annotations

import uuid
from typing import Any

from audit import log as audit
from auth.context import Caller
from auth.residents import checked_id_number, checked_name, find_by_id_number
from auth.tables import Enterprise, EnterpriseStaff, Resident
from core import db, timeutil
from core.errors import ProblemError, invalid
from core.identifiers import credit_code_problem, normalise_credit_code
from datahub import access as datahub_access


def checked_credit_code(raw: str, field: str = "credit_code") -> str:
    code = normalise_credit_code(raw or "")
    if credit_code_problem(code) is not None:
        raise invalid(field, "credit_code_invalid")
    return code


def _require_realname(caller: Caller) -> None:
    if not caller.realname_verified or caller.kind != "resident":
        raise ProblemError("realname_required")


async def bind_as_legal_rep(caller: Caller, raw_code: str) -> dict[str, Any]:
    """The legal representative claims the enterprise: the register must name them."""
    _require_realname(caller)
    code = checked_credit_code(raw_code)
    me = await Resident.select(Resident.id_number_index, Resident.name).where(Resident.id == caller.account_id).first()
    assert me is not None
    answer = await datahub_access.read(
        "enterprise",
        "enterprise",
        code,
        actor=caller.actor(),
        purpose="法定代表人认领企业",
        subject_kind="person",
        subject_id=caller.account_id,
    )
    if not answer.found or answer.record["status"] != "active":
        raise ProblemError("enterprise_not_found", field="credit_code")
    record = answer.record
    if record["legal_rep_id_index"] != me["id_number_index"] or record["legal_rep_name"] != me["name"]:
        raise ProblemError("not_legal_representative", field="credit_code")
    async with db.write_tx():
        enterprise = await Enterprise.select().where(Enterprise.credit_code == code).first()
        if enterprise is None:
            enterprise_id = timeutil.uuid7()
            await Enterprise.insert(
                Enterprise(
                    id=enterprise_id,
                    credit_code=code,
                    name=record["name"],
                    kind=record["kind"],
                    legal_rep_name=record["legal_rep_name"],
                    legal_rep_id_index=record["legal_rep_id_index"],
                    region_code=record["region_code"],
                    created_at=timeutil.now(),
                )
            )
        else:
            enterprise_id = enterprise["id"]
        existing = (
            await EnterpriseStaff.select(EnterpriseStaff.id)
            .where(
                (EnterpriseStaff.enterprise == enterprise_id)
                & (EnterpriseStaff.resident == caller.account_id)
                & EnterpriseStaff.revoked_at.is_null()
            )
            .first()
        )
        if existing is None:
            await EnterpriseStaff.insert(
                EnterpriseStaff(
                    id=timeutil.uuid7(),
                    enterprise=enterprise_id,
                    resident=caller.account_id,
                    role="legal_rep",
                    granted_by=caller.account_id,
                    created_at=timeutil.now(),
                )
            )
        await audit.append(
            "enterprise.bound",
            actor=caller.actor(),
            object_type="enterprise",
            object_id=enterprise_id,
            subject_kind="enterprise",
            subject_id=enterprise_id,
        )
    row = await Enterprise.select().where(Enterprise.id == enterprise_id).first()
    assert row is not None
    return row


async def _legal_rep_link(caller: Caller, enterprise_id: uuid.UUID) -> dict[str, Any]:
    link = (
        await EnterpriseStaff.select()
        .where(
            (EnterpriseStaff.enterprise == enterprise_id)
            & (EnterpriseStaff.resident == caller.account_id)
            & (EnterpriseStaff.role == "legal_rep")
            & EnterpriseStaff.revoked_at.is_null()
        )
        .first()
    )
    if link is None:
        raise ProblemError("enterprise_not_found")
    return link


async def authorise_staff(
    caller: Caller, enterprise_id: uuid.UUID, raw_name: str, raw_id_number: str, valid_until: Any = None
) -> dict[str, Any]:
    """The legal representative authorises a real-name-verified resident as staff."""
    _require_realname(caller)
    await _legal_rep_link(caller, enterprise_id)
    name, number = checked_name(raw_name), checked_id_number(raw_id_number)
    staff_resident = await find_by_id_number(number)
    if staff_resident is None or staff_resident["name"] != name or staff_resident["realname_verified_at"] is None:
        raise ProblemError("applicant_not_found", field="id_number")
    async with db.write_tx():
        existing = (
            await EnterpriseStaff.select()
            .where(
                (EnterpriseStaff.enterprise == enterprise_id)
                & (EnterpriseStaff.resident == staff_resident["id"])
                & EnterpriseStaff.revoked_at.is_null()
            )
            .first()
        )
        if existing is not None:
            return existing
        staff_id = timeutil.uuid7()
        await EnterpriseStaff.insert(
            EnterpriseStaff(
                id=staff_id,
                enterprise=enterprise_id,
                resident=staff_resident["id"],
                role="staff",
                granted_by=caller.account_id,
                created_at=timeutil.now(),
                valid_until=valid_until,
            )
        )
        await audit.append(
            "enterprise.staff_authorised",
            actor=caller.actor(),
            object_type="enterprise_staff",
            object_id=staff_id,
            subject_kind="enterprise",
            subject_id=enterprise_id,
        )
    row = await EnterpriseStaff.select().where(EnterpriseStaff.id == staff_id).first()
    assert row is not None
    return row


async def revoke_staff(caller: Caller, enterprise_id: uuid.UUID, staff_id: uuid.UUID) -> None:
    await _legal_rep_link(caller, enterprise_id)
    async with db.write_tx():
        rows = (
            await EnterpriseStaff.update({EnterpriseStaff.revoked_at: timeutil.now()})
            .where(
                (EnterpriseStaff.id == staff_id)
                & (EnterpriseStaff.enterprise == enterprise_id)
                & (EnterpriseStaff.role == "staff")
                & EnterpriseStaff.revoked_at.is_null()
            )
            .returning(EnterpriseStaff.id)
        )
        if not rows:
            raise ProblemError("not_found")
        await audit.append(
            "enterprise.staff_revoked",
            actor=caller.actor(),
            object_type="enterprise_staff",
            object_id=staff_id,
            subject_kind="enterprise",
            subject_id=enterprise_id,
        )


async def my_enterprises(resident_id: uuid.UUID) -> list[dict[str, Any]]:
    now = timeutil.now()
    links = await EnterpriseStaff.select(
        EnterpriseStaff.id,
        EnterpriseStaff.role,
        EnterpriseStaff.valid_until,
        EnterpriseStaff.enterprise.id,
        EnterpriseStaff.enterprise.name,
        EnterpriseStaff.enterprise.credit_code,
    ).where((EnterpriseStaff.resident == resident_id) & EnterpriseStaff.revoked_at.is_null())
    return [link for link in links if link["valid_until"] is None or link["valid_until"] > now]


async def staff_of(caller: Caller, enterprise_id: uuid.UUID) -> list[dict[str, Any]]:
    await _legal_rep_link(caller, enterprise_id)
    return await EnterpriseStaff.select(
        EnterpriseStaff.id,
        EnterpriseStaff.role,
        EnterpriseStaff.created_at,
        EnterpriseStaff.valid_until,
        EnterpriseStaff.resident.name,
        EnterpriseStaff.resident.id_number_masked,
    ).where((EnterpriseStaff.enterprise == enterprise_id) & EnterpriseStaff.revoked_at.is_null())


async def staff_link(resident_id: uuid.UUID, enterprise_id: uuid.UUID) -> dict[str, Any] | None:
    for link in await my_enterprises(resident_id):
        if link["enterprise.id"] == enterprise_id:
            return link
    return None
