"""Issuing licences, importing them from the registers, and changing their status.

A licence is issued by the competent department of its type for the holder's city (the province's
department when the city has none). Each licence gets a random entry in a status list, its fields
are encrypted at rest, and ID numbers inside it are stored masked only — a QR code can therefore
never carry a clear ID number, whatever fields are chosen.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

import msgspec

from audit import log as audit
from core import db, errors, pii, timeutil
from core.errors import ProblemError
from ecert import keys, statuslist, trust, types
from ecert.tables import Licence, StatusList
from regions import tree as regions
from regions.tables import Department

errors.register("licence_not_found", 404, "没有找到这张电子证照。", "No such e-licence.")
errors.register(
    "licence_state_invalid",
    409,
    "这张证照当前的状态不允许这样操作。",
    "The licence's current state does not allow this operation.",
)
errors.register("licence_type_unknown", 422, "不认识这种证照类型。", "This licence type is not known.")
errors.register(
    "no_competent_authority",
    422,
    "本省没有负责签发这种证照的部门。",
    "No department of this province issues this kind of licence.",
)

STATUS_LIST_SIZE = 1 << 20
"""Entries per status list (256 KiB raw; a new list starts when one is half used)."""
_SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _serial(licence_type: types.LicenceType) -> str:
    return f"{licence_type.number:02d}" + "".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(12))


def fields_of(row: dict[str, Any]) -> dict[str, Any]:
    return msgspec.json.decode(pii.decrypt(bytes(row["fields_enc"]), context=f"ecert.licence:{row['id']}"))


def _encrypt_fields(licence_id: uuid.UUID, fields: dict[str, Any]) -> bytes:
    return pii.encrypt(msgspec.json.encode(fields).decode(), context=f"ecert.licence:{licence_id}")


async def authority_for(type_code: str, region_code: str) -> dict[str, Any]:
    """The competent authority for ``type_code`` in ``region_code`` (city level, else province)."""
    licence_type = types.BY_CODE.get(type_code)
    if licence_type is None:
        raise ProblemError("licence_type_unknown", field="licence_type")
    province = trust.province_code()
    if region_code[:2] != province[:2]:
        raise ProblemError("no_competent_authority", field="region_code")
    tree = await regions.tree()
    candidates = [c for c in (tree.city_of(region_code), province) if c]
    for code in candidates:
        department = (
            await Department.select(Department.id, Department.name, Department.region)
            .where((Department.code == licence_type.department_kind) & (Department.region == code))
            .first()
        )
        if department is not None:
            return await keys.ensure_authority(
                code=f"{code}.{licence_type.department_kind}",
                name=department["name"],
                region_code=code,
                licence_types=[t.code for t in types.TYPES if t.department_kind == licence_type.department_kind],
                department_id=department["id"],
            )
    raise ProblemError("no_competent_authority", field="licence_type")


async def _status_entry() -> tuple[uuid.UUID, int]:
    """A random free entry of the current status list (the list row is locked while we pick)."""
    province = trust.province_code()
    current = await db.for_update(
        StatusList.select()
        .where(StatusList.used < StatusList.size / 2)
        .order_by(StatusList.created_at, ascending=False)
    ).first()
    if current is None:
        number = await StatusList.count() + 1
        current = {
            "id": timeutil.uuid7(),
            "uri": f"urn:zb:{province[:2]}:sl{number}",
            "size": STATUS_LIST_SIZE,
            "used": 0,
        }
        await StatusList.insert(StatusList(**current, created_at=timeutil.now()))
    while True:
        index = statuslist.random_index(current["size"])
        if not await Licence.exists().where(Licence.status_slot == f"{current['id']}:{index}"):
            break
    await StatusList.update({StatusList.used: StatusList.used + 1}).where(StatusList.id == current["id"])
    return current["id"], index


async def issue(
    *,
    type_code: str,
    holder_key: str,
    holder_name: str,
    region_code: str,
    fields: dict[str, Any],
    actor: audit.Actor,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    source: str = "application",
    application_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Issue one licence; ``fields`` are by name, dates as ISO strings (unknown names are dropped)."""
    licence_type = types.BY_CODE.get(type_code)
    if licence_type is None:
        raise ProblemError("licence_type_unknown", field="licence_type")
    known = {f.name for f in licence_type.fields() if f.key < 100}
    kept = {k: v for k, v in fields.items() if k in known and v not in (None, "")}
    today = timeutil.today()
    valid_from = valid_from or today
    if valid_until is None and licence_type.validity_years:
        valid_until = dt.date(valid_from.year + licence_type.validity_years, valid_from.month, min(valid_from.day, 28))
    if "valid_until" in known and valid_until is not None:
        kept.setdefault("valid_until", valid_until.isoformat())
    if "valid_from" in known:
        kept.setdefault("valid_from", valid_from.isoformat())
    async with db.write_tx():
        authority = await authority_for(type_code, region_code)
        list_id, index = await _status_entry()
        licence_id = timeutil.uuid7()
        now = timeutil.now()
        row = {
            "id": licence_id,
            "serial": _serial(licence_type),
            "licence_type": type_code,
            "dict_version": licence_type.current,
            "title": licence_type.name,
            "holder_key": holder_key,
            "holder_name": holder_name,
            "authority": authority["id"],
            "region_code": region_code,
            "fields_enc": _encrypt_fields(licence_id, kept),
            "status": "valid",
            "status_reason": "",
            "status_list": list_id,
            "status_index": index,
            "status_slot": f"{list_id}:{index}",
            "valid_from": valid_from,
            "valid_until": valid_until,
            "source": source,
            "application_id": application_id,
            "issued_at": now,
            "updated_at": now,
            "expiry_notified": False,
            "version": 1,
        }
        await Licence.insert(Licence(**row))
        kind, _, holder_id = holder_key.partition(":")
        await audit.append(
            "ecert.licence.issue",
            actor=actor,
            object_type="ecert_licence",
            object_id=licence_id,
            subject_kind=kind,
            subject_id=holder_id,
            application_id=application_id or "",
            details={"type": type_code, "authority": authority["code"], "source": source},
        )
    return row


async def replace_fields(licence_id: uuid.UUID, fields: dict[str, Any]) -> None:
    async with db.write_tx():
        await Licence.update(
            {Licence.fields_enc: _encrypt_fields(licence_id, fields), Licence.updated_at: timeutil.now()}
        ).where(Licence.id == licence_id)


async def get(licence_id: uuid.UUID) -> dict[str, Any] | None:
    return await Licence.select().where(Licence.id == licence_id).first()


def is_expired(row: dict[str, Any], today: dt.date | None = None) -> bool:
    return row["valid_until"] is not None and row["valid_until"] < (today or timeutil.today())


def usable(row: dict[str, Any]) -> bool:
    return row["status"] == "valid" and not is_expired(row)


_MOVES = {
    "suspend": ({"valid"}, "suspended"),
    "reinstate": ({"suspended"}, "valid"),
    "revoke": ({"valid", "suspended"}, "revoked"),
}


async def change_status(licence_id: uuid.UUID, action: str, *, reason: str, actor: audit.Actor) -> dict[str, Any]:
    """Suspend (暂扣), reinstate (恢复) or revoke (吊销/注销) with a reason; compare-and-set on version."""
    allowed, target = _MOVES[action]
    if not reason.strip():
        raise errors.invalid("reason", "reason_required")
    async with db.write_tx():
        row = await get(licence_id)
        if row is None:
            raise ProblemError("licence_not_found")
        if row["status"] not in allowed:
            raise ProblemError("licence_state_invalid", extra={"status": row["status"]})
        won = (
            await Licence.update(
                {
                    Licence.status: target,
                    Licence.status_reason: reason.strip(),
                    Licence.version: row["version"] + 1,
                    Licence.updated_at: timeutil.now(),
                }
            )
            .where((Licence.id == licence_id) & (Licence.version == row["version"]))
            .returning(Licence.id)
        )
        if not won:
            raise ProblemError("conflict")
        kind, _, holder_id = row["holder_key"].partition(":")
        await audit.append(
            f"ecert.licence.{action}",
            actor=actor,
            object_type="ecert_licence",
            object_id=licence_id,
            subject_kind=kind,
            subject_id=holder_id,
            details={"from": row["status"], "to": target, "reason": reason.strip()},
        )
    trust.invalidate()
    return {**row, "status": target, "status_reason": reason.strip(), "version": row["version"] + 1}


async def holder_licences(holder_key: str) -> list[dict[str, Any]]:
    return await Licence.select().where(Licence.holder_key == holder_key).order_by(Licence.issued_at, ascending=False)
