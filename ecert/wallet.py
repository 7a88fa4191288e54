"""The wallet (卡包): who may list, open and present which licence, and what they see.

Decisions are made on the principal (``caller.principal``): a resident's own licences, a company's
for its authorised staff, a principal's for a proxy agent whose grant allows the action (contract
C3: ``view`` to list and open, ``present`` to make codes). Anything else answers exactly like a
missing licence. Reads by someone other than the holder are audited with their purpose.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from applications import hooks
from audit import log as audit
from auth.context import Caller
from core import pii, timeutil
from core.errors import ProblemError
from ecert import licences, types
from ecert.tables import Authority, Licence, VerificationLog

_MASK_FOR_OTHERS = {"address", "residence_address", "location", "scope"}


def scope_item(row: dict[str, Any]) -> dict[str, Any]:
    """The item a proxy scope check sees (contract C3)."""
    return {
        "kind": "licence",
        "id": row["id"],
        "licence_type": row["licence_type"],
        "holder_key": row["holder_key"],
        "region_code": row["region_code"],
    }


async def may(caller: Caller, row: dict[str, Any], action: str) -> bool:
    if caller.kind != "resident" or caller.principal is None or caller.principal.key != row["holder_key"]:
        return False
    if caller.basis == "proxy":
        check = hooks.scope_checks.get("proxy")
        return check is not None and await check(caller, scope_item(row), action)
    return True


async def load(caller: Caller, licence_id: uuid.UUID, action: str) -> dict[str, Any]:
    row = await licences.get(licence_id)
    if row is None or not await may(caller, row, action):
        raise ProblemError("licence_not_found")
    if caller.basis != "self":
        kind, _, holder_id = row["holder_key"].partition(":")
        await audit.append(
            "ecert.licence.read",
            actor=caller.actor(),
            object_type="ecert_licence",
            object_id=row["id"],
            subject_kind=kind,
            subject_id=holder_id,
            purpose="代办或经办人查看、出示电子证照" if action == "view" else "代为亮证",
            details={"action": action, "basis": caller.basis},
        )
    return row


async def listing(caller: Caller) -> list[dict[str, Any]]:
    if caller.principal is None:
        raise ProblemError("realname_required")
    rows = await licences.holder_licences(caller.principal.key)
    if caller.basis == "proxy":
        rows = [row for row in rows if await may(caller, row, "view")]
    return rows


class FieldView(msgspec.Struct):
    name: str
    label: str
    value: str
    static: bool
    presentable: bool


class LicenceSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    licence_type: str
    title: str
    holder_name: str
    authority: str
    status: str
    """valid | suspended | revoked | expired"""
    status_reason: str
    valid_from: dt.date
    valid_until: dt.date | None
    source: str
    issued_at: dt.datetime
    application_id: uuid.UUID | None


class LicenceDetail(msgspec.Struct, kw_only=True):
    summary: LicenceSummary
    serial: str
    fields: list[FieldView]
    presentable: list[FieldView]
    """Fields and predicates (``valid``, ``age_ge_60`` …) a presentation may disclose."""
    default_fields: list[str]
    holder_kind: str


def _shown_status(row: dict[str, Any]) -> str:
    if row["status"] == "valid" and licences.is_expired(row):
        return "expired"
    return row["status"]


async def _authority_names(ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    found = await Authority.select(Authority.id, Authority.name).where(Authority.id.is_in(ids))
    return {row["id"]: row["name"] for row in found}


async def summaries(rows: list[dict[str, Any]], *, masked: bool = False) -> list[LicenceSummary]:
    names = await _authority_names(list({row["authority"] for row in rows}))
    return [
        LicenceSummary(
            id=row["id"],
            licence_type=row["licence_type"],
            title=row["title"],
            holder_name=pii.mask_name(row["holder_name"]) if masked else row["holder_name"],
            authority=names.get(row["authority"], ""),
            status=_shown_status(row),
            status_reason=row["status_reason"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            source=row["source"],
            issued_at=row["issued_at"],
            application_id=row["application_id"],
        )
        for row in rows
    ]


def _shown(kind: str, name: str, value: Any, masked: bool) -> str:
    text = str(value)
    if masked and name == "name" and kind != "enterprise":
        return pii.mask_name(text)
    if masked and name in _MASK_FOR_OTHERS:
        return text[:6] + "****" if len(text) > 6 else "****"
    return pii.scrub(text)


async def detail(row: dict[str, Any], *, masked: bool) -> LicenceDetail:
    licence_type = types.get(row["licence_type"])
    stored = licences.fields_of(row)
    fields = [
        FieldView(f.name, f.label, _shown(licence_type.holder, f.name, stored[f.name], masked), f.static, f.presentable)
        for f in licence_type.fields(row["dict_version"])
        if f.key < 100 and stored.get(f.name) not in (None, "")
    ]
    predicates = [
        FieldView(f.name, f.label, "", False, True)
        for f in licence_type.fields(row["dict_version"])
        if f.key >= 100 and (f.name == "valid" or stored.get("birth_date"))
    ]
    (summary,) = await summaries([row], masked=masked)
    return LicenceDetail(
        summary=summary,
        serial=row["serial"],
        fields=fields,
        presentable=[f for f in fields if f.presentable] + predicates,
        default_fields=list(licence_type.default_fields),
        holder_kind=licence_type.holder,
    )


class VerificationEntry(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    licence_id: uuid.UUID | None
    licence_title: str
    at: dt.datetime
    result: str
    code_kind: str
    purpose: str
    verifier: str


async def verification_log(caller: Caller, *, limit: int = 100) -> list[VerificationEntry]:
    if caller.principal is None:
        raise ProblemError("realname_required")
    rows = (
        await VerificationLog.select(*VerificationLog.all_columns(), VerificationLog.licence.title)
        .where(VerificationLog.holder_key == caller.principal.key)
        .order_by(VerificationLog.at, ascending=False)
        .limit(limit)
    )
    out = []
    for row in rows:
        if caller.basis == "proxy" and row["licence"] is not None:
            licence = await licences.get(row["licence"])
            if licence is None or not await may(caller, licence, "view"):
                continue
        out.append(
            VerificationEntry(
                id=row["id"],
                licence_id=row["licence"],
                licence_title=row["licence.title"] or "",
                at=row["at"],
                result=row["result"],
                code_kind=row["code_kind"],
                purpose=types.PURPOSES.get(row["purpose"], ("", "证照核验"))[1],
                verifier=row["verifier_label"] or {"anonymous": "匿名核验方"}.get(row["verifier_kind"], "核验方"),
            )
        )
    return out


async def notify_expiring(today: dt.date | None = None) -> int:
    """``licence_expiring`` to the holder 30 days before a licence's end (once per licence)."""
    from core import db
    from notify.emit import emit

    today = today or timeutil.today()
    soon = today + dt.timedelta(days=30)
    rows = await Licence.select().where(
        (Licence.status == "valid")
        & Licence.valid_until.is_not_null()
        & (Licence.valid_until <= soon)
        & (Licence.valid_until >= today)
        & (Licence.expiry_notified == False)  # noqa: E712
    )
    sent = 0
    for row in rows:
        async with db.write_tx():
            won = (
                await Licence.update({Licence.expiry_notified: True})
                .where((Licence.id == row["id"]) & (Licence.expiry_notified == False))  # noqa: E712
                .returning(Licence.id)
            )
            if not won:
                continue
            await emit(
                "licence_expiring",
                row["holder_key"],
                dedupe_key=f"licence:{row['id']}:expiring:{row['valid_until'].isoformat()}",
                link=f"/wallet/{row['id']}",
                licence=row["title"],
                expires_on=row["valid_until"].isoformat(),
            )
            sent += 1
    return sent
