"""Resident accounts: phone login, real-name verification against the population register."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from audit import log as audit
from auth.codes import phone_index
from auth.tables import Resident
from core import db, pii, timeutil
from core.errors import ProblemError, field_error, invalid
from core.identifiers import id_birth_date, id_gender, id_number_problem, is_person_name, normalise_id_number
from datahub import access as datahub_access


async def find_or_create_by_phone(phone: str) -> dict[str, Any]:
    index = phone_index(phone)
    row = await Resident.select().where(Resident.phone_index == index).first()
    if row is not None:
        return row
    async with db.write_tx():
        row = await Resident.select().where(Resident.phone_index == index).first()
        if row is not None:
            return row
        new_id = timeutil.uuid7()
        await Resident.insert(
            Resident(
                id=new_id,
                phone_index=index,
                phone_enc=pii.encrypt(phone, context="resident.phone"),
                phone_masked=pii.mask_phone(phone),
                created_at=timeutil.now(),
            )
        )
        await audit.append(
            "account.created",
            actor=audit.Actor(kind="resident", id=str(new_id), channel="app"),
            object_type="resident",
            object_id=new_id,
            subject_kind="person",
            subject_id=new_id,
        )
    row = await Resident.select().where(Resident.id == new_id).first()
    assert row is not None
    return row


def checked_id_number(raw: str, field: str = "id_number") -> str:
    number = normalise_id_number(raw or "")
    if id_number_problem(number) is not None:
        raise invalid(field, "id_number_invalid")
    return number


def checked_name(raw: str, field: str = "name") -> str:
    name = (raw or "").strip()
    if not is_person_name(name):
        raise invalid(
            field, "validation_failed", zh="请填写与身份证一致的姓名。", en="Enter the name as on the ID card."
        )
    return name


async def verify_real_name(resident_id: uuid.UUID, raw_name: str, raw_id_number: str) -> dict[str, Any]:
    """Check name + ID number against the population register and bind them to the account."""
    errors = []
    try:
        name = checked_name(raw_name)
    except ProblemError as error:
        errors.extend(error.errors)
    try:
        number = checked_id_number(raw_id_number)
    except ProblemError as error:
        errors.extend(error.errors)
    if errors:
        raise ProblemError(errors[0].code, field=errors[0].field, errors=errors)
    actor = audit.Actor(kind="resident", id=str(resident_id), channel="app")
    answer = await datahub_access.read(
        "population",
        "person",
        number,
        actor=actor,
        purpose="实名认证",
        subject_kind="person",
        subject_id=resident_id,
    )
    if not answer.found or answer.record["name"] != name or answer.record["deceased"]:
        raise ProblemError("realname_failed", errors=[field_error("id_number", "realname_failed")])
    return await bind_identity(resident_id, name, number, answer.record["household_region"], actor=actor)


async def bind_identity(
    resident_id: uuid.UUID, name: str, number: str, household_region: str, *, actor: audit.Actor
) -> dict[str, Any]:
    """Record a verified name + ID number on an account (the caller checked them against the register)."""
    index = pii.blind_index(number, kind="id_number")
    async with db.write_tx():
        other = (
            await Resident.select(Resident.id)
            .where((Resident.id_number_index == index) & (Resident.id != resident_id))
            .first()
        )
        if other is not None:
            raise ProblemError("realname_taken", field="id_number")
        await Resident.update(
            {
                Resident.name: name,
                Resident.id_number_index: index,
                Resident.id_number_enc: pii.encrypt(number, context="resident.id_number"),
                Resident.id_number_masked: pii.mask_id_number(number),
                Resident.birth_date: id_birth_date(number),
                Resident.gender: id_gender(number),
                Resident.region_code: household_region,
                Resident.realname_verified_at: timeutil.now(),
            }
        ).where(Resident.id == resident_id)
        await audit.append(
            "account.realname_verified",
            actor=actor,
            object_type="resident",
            object_id=resident_id,
            subject_kind="person",
            subject_id=resident_id,
        )
    row = await Resident.select().where(Resident.id == resident_id).first()
    assert row is not None
    return row


async def find_by_id_number(number: str) -> dict[str, Any] | None:
    index = pii.blind_index(normalise_id_number(number), kind="id_number")
    return await Resident.select().where(Resident.id_number_index == index).first()


def id_number_of(row: dict[str, Any]) -> str | None:
    """Decrypt a resident's ID number (for a decision or an issued licence, never for display)."""
    token = row.get("id_number_enc")
    return pii.decrypt(token, context="resident.id_number") if token else None


def phone_of(row: dict[str, Any]) -> str:
    return pii.decrypt(row["phone_enc"], context="resident.phone")


def preferences_of(row: dict[str, Any]) -> dict[str, Any]:
    value = row.get("preferences") or "{}"
    return value if isinstance(value, dict) else msgspec.json.decode(value)
