"""Making QR codes: the static licence code, presentations (亮证) and their images.

* **Static licence code** (``ZL1:``): every ``static`` field of the type, the licence serial as
  ``sub``, the status-list reference; valid until the licence expires but at most
  :data:`STATIC_VALIDITY` (the wallet fetches a fresh one; an enterprise reprints its display code).
* **Live presentation** (``ZP1:``): one purpose, chosen fields and predicates, a random one-time id
  (``cti``), 60–120 s. Minted only after a live status check, and it dies before any verifier's
  status list would be refreshed, so it carries no status reference and fits QR version 10.
* **Offline presentation**: the same, pre-fetched in a small batch, each valid up to
  :data:`OFFLINE_VALIDITY` and usable once. These carry the status reference whenever the code still
  fits version 10, so a verifier with a fresh bundle also catches a revocation after the batch was
  fetched.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import uuid
from typing import Any

import cbor2
import msgspec
import qrcode
import qrcode.image.svg
from qrcode.util import MODE_ALPHA_NUM, QRData

from audit import log as audit
from core import db, errors, timeutil
from core.errors import ProblemError
from ecert import cose, keys, licences, trust, types, verify, wire
from ecert.tables import Authority, Presentation, StatusList

errors.register(
    "licence_not_presentable",
    409,
    "这张证照已暂扣、吊销或过期，不能出示。",
    "This licence is suspended, revoked or expired and cannot be presented.",
)
errors.register(
    "field_not_presentable", 422, "这一项不能出示或不属于这种证照。", "This field cannot be presented for this licence."
)
errors.register("purpose_unknown", 422, "请选择出示用途。", "Choose a purpose for the presentation.")
errors.register(
    "presentation_too_large",
    422,
    "选择的信息太多，二维码放不下，请少选几项。",
    "Too many fields for one QR code; choose fewer.",
)

STATIC_VALIDITY = dt.timedelta(days=365)
LIVE_MIN, LIVE_MAX, LIVE_DEFAULT = 60, 120, 90
OFFLINE_VALIDITY = dt.timedelta(hours=24)
OFFLINE_MAX_BATCH = 10
ALNUM_CAPACITY_M = {10: 311, 12: 419}
"""Alphanumeric characters that QR versions 10 and 12 hold at error correction M (ISO/IEC 18004)."""
STATIC_MAX_VERSION, PRESENTATION_MAX_VERSION = 12, 10


def qr_version(text: str) -> int:
    """The smallest QR version (error correction M, alphanumeric mode) that holds ``text``."""
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(QRData(text, mode=MODE_ALPHA_NUM))
    code.make(fit=True)
    return int(code.version)


def _qr(text: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(QRData(text, mode=MODE_ALPHA_NUM))
    code.make(fit=True)
    return code


def svg(text: str) -> str:
    image = _qr(text, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def png(text: str, box_size: int = 8) -> bytes:
    image = _qr(text, box_size).make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_data_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(png(text)).decode()


# ---- claims -------------------------------------------------------------------------------------------
def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def encoded_values(
    licence_type: types.LicenceType,
    version: int,
    stored: dict[str, Any],
    wanted: list[str],
    *,
    valid: bool,
    today: dt.date | None = None,
) -> dict[int, Any]:
    """Field name → wire value under the dictionary's integer keys (predicates computed now)."""
    today = today or timeutil.today()
    out: dict[int, Any] = {}
    for name in wanted:
        definition = licence_type.field(name, version)
        if definition is None:
            raise ProblemError("field_not_presentable", field=name)
        if definition.key >= 100:
            if name == "valid":
                out[definition.key] = valid
            else:
                birth = stored.get("birth_date")
                if not birth:
                    raise ProblemError("field_not_presentable", field=name)
                out[definition.key] = _age_on(dt.date.fromisoformat(birth), today) >= int(name.rsplit("_", 1)[1])
            continue
        value = stored.get(name)
        if value is None:
            continue
        out[definition.key] = types.to_days(dt.date.fromisoformat(value)) if definition.kind == "date" else value
    return out


async def _signer(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], cose.PrivateKey]:
    authority = await Authority.select().where(Authority.id == row["authority"]).first()
    assert authority is not None
    key_row = await keys.signing_key(authority["id"])
    return authority, key_row, keys.private_key(key_row)


def _status_claim(uri: str, index: int) -> dict[str, Any]:
    return {"status_list": {"idx": index, "uri": uri}}


def end_of(day: dt.date) -> dt.datetime:
    """The end of a China date (a licence valid until a day is valid through it), in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=timeutil.CST).astimezone(dt.UTC)


def static_text(
    licence_type: types.LicenceType,
    version: int,
    values: dict[int, Any],
    *,
    serial: str,
    issued: dt.datetime,
    expires: dt.datetime,
    status: tuple[str, int],
    private: cose.PrivateKey,
) -> str:
    """A signed static licence code from already encoded values (no database)."""
    claims = {
        verify.CLAIM_SUB: serial,
        verify.CLAIM_IAT: int(issued.timestamp()),
        verify.CLAIM_EXP: int(expires.timestamp()),
        verify.CLAIM_STATUS: _status_claim(*status),
        verify.CLAIM_LICENCE: [licence_type.number, version, 0, values],
    }
    return wire.encode(cose.sign1(cbor2.dumps(claims), private), wire.LICENCE_PREFIX)


def presentation_text(
    licence_type: types.LicenceType,
    version: int,
    values: dict[int, Any],
    *,
    purpose: int,
    cti: bytes,
    issued: dt.datetime,
    expires: dt.datetime,
    status: tuple[str, int] | None,
    private: cose.PrivateKey,
) -> str:
    """A signed presentation code (no database); ``status`` only for offline codes."""
    claims: dict[int, Any] = {
        verify.CLAIM_IAT: int(issued.timestamp()),
        verify.CLAIM_EXP: int(expires.timestamp()),
        verify.CLAIM_CTI: cti,
        verify.CLAIM_LICENCE: [licence_type.number, version, purpose, values],
    }
    if status is not None:
        claims[verify.CLAIM_STATUS] = _status_claim(*status)
    return wire.encode(cose.sign1(cbor2.dumps(claims), private), wire.PRESENTATION_PREFIX)


def fits(text: str, version: int) -> bool:
    return len(text) <= ALNUM_CAPACITY_M[version]


async def static_code(row: dict[str, Any]) -> str:
    """The static licence code (also the enterprise's display code for its premises)."""
    if not licences.usable(row):  # suspended, revoked or expired: no new code (old ones verify as such)
        raise ProblemError("licence_not_presentable")
    licence_type = types.get(row["licence_type"])
    stored = licences.fields_of(row)
    version = row["dict_version"]
    wanted = [f.name for f in licence_type.fields(version) if f.static and f.key < 100]
    _, key_row, private = await _signer(row)
    now = timeutil.now()
    expires = now + STATIC_VALIDITY
    if row["valid_until"] is not None:
        expires = min(expires, end_of(row["valid_until"]))
    status_list = await StatusList.select(StatusList.uri).where(StatusList.id == row["status_list"]).first()
    assert status_list is not None
    text = static_text(
        licence_type,
        version,
        encoded_values(licence_type, version, stored, wanted, valid=licences.usable(row)),
        serial=row["serial"],
        issued=now,
        expires=expires,
        status=(status_list["uri"], row["status_index"]),
        private=private,
    )
    async with db.write_tx():
        await keys.note_signed(key_row, expires)
    return text


class Made(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    text: str
    kind: str
    purpose: int
    fields: list[str]
    issued_at: dt.datetime
    expires_at: dt.datetime
    qr_version: int
    with_status: bool


def _check_fields(licence_type: types.LicenceType, version: int, wanted: list[str]) -> list[str]:
    if not wanted:
        wanted = list(licence_type.default_fields)
    seen: list[str] = []
    for position, name in enumerate(wanted):
        definition = licence_type.field(name, version)
        if definition is None or not definition.presentable:
            raise errors.invalid(f"fields[{position}]", "field_not_presentable")
        if name not in seen:
            seen.append(name)
    return seen


async def present(
    row: dict[str, Any],
    *,
    purpose: int,
    fields: list[str],
    kind: str,
    actor: audit.Actor,
    ttl_seconds: int = LIVE_DEFAULT,
    count: int = 1,
    basis: str = "self",
) -> list[Made]:
    """Mint ``count`` presentation codes (``kind`` live or offline) for one licence and one purpose."""
    if purpose not in types.PURPOSES:
        raise errors.invalid("purpose", "purpose_unknown")
    if not licences.usable(row):
        raise ProblemError("licence_not_presentable")
    licence_type = types.get(row["licence_type"])
    version = row["dict_version"]
    wanted = _check_fields(licence_type, version, fields)
    stored = licences.fields_of(row)
    values = encoded_values(licence_type, version, stored, wanted, valid=licences.usable(row))
    _, key_row, private = await _signer(row)
    now = timeutil.now()
    if kind == "live":
        lifetime = dt.timedelta(seconds=min(max(ttl_seconds, LIVE_MIN), LIVE_MAX))
    else:
        lifetime = OFFLINE_VALIDITY
        if row["valid_until"] is not None:
            lifetime = min(lifetime, end_of(row["valid_until"]) - now)
    expires = now + lifetime
    status_list = None
    if kind == "offline":
        status_list = await StatusList.select(StatusList.uri).where(StatusList.id == row["status_list"]).first()
    made: list[tuple[Made, str]] = []
    for _ in range(count):
        cti = os.urandom(8)
        common = {"purpose": purpose, "cti": cti, "issued": now, "expires": expires, "private": private}
        text, with_status = "", False
        if status_list is not None:
            text = presentation_text(
                licence_type, version, values, status=(status_list["uri"], row["status_index"]), **common
            )
            with_status = fits(text, PRESENTATION_MAX_VERSION)
        if not with_status:
            text = presentation_text(licence_type, version, values, status=None, **common)
        if not fits(text, PRESENTATION_MAX_VERSION):
            raise ProblemError("presentation_too_large", field="fields")
        code = Made(
            id=timeutil.uuid7(),
            text=text,
            kind=kind,
            purpose=purpose,
            fields=wanted,
            issued_at=now,
            expires_at=expires,
            qr_version=qr_version(text),
            with_status=with_status,
        )
        made.append((code, cti.hex()))
    async with db.write_tx():  # every code's record and the audit entry, or none of them
        for code, cti_hex in made:
            await _record(code, row, cti_hex, actor=actor, basis=basis)
        await keys.note_signed(key_row, expires)
        holder_kind, _, holder_id = row["holder_key"].partition(":")
        await audit.append(
            "ecert.licence.present",
            actor=actor,
            object_type="ecert_licence",
            object_id=row["id"],
            subject_kind=holder_kind,
            subject_id=holder_id,
            details={"kind": kind, "count": count, "purpose": purpose, "fields": wanted},
        )
    return [code for code, _ in made]


async def _record(made: Made, row: dict[str, Any], cti: str, *, actor: audit.Actor, basis: str) -> None:
    await Presentation.insert(
        Presentation(
            id=made.id,
            cti=cti,
            licence=row["id"],
            kind=made.kind,
            purpose=made.purpose,
            fields=msgspec.json.encode(made.fields).decode(),
            created_by=trust.uuid_or_none(actor.id),
            basis=basis,
            created_at=made.issued_at,
            expires_at=made.expires_at,
        )
    )
