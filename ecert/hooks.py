"""ecert's side of contracts C1 (issuance on approval) and C2 (免证办理), and registry imports.

C1: when an application reaches ``issue_result`` and its matter version's result is a licence, the
licence is issued to the applicant inside the same transaction, ``context.data["licence_issued"]``
is set for the result notification, and the licence is recorded in the application's ``result``.

C2: an application may reference a licence the applicant holds instead of an upload; the resolver
answers only for the owner, only for allowed types, and says whether the licence is usable now.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from applications import hooks
from applications.tables import Application
from audit import log as audit
from auth.tables import Enterprise, Resident
from catalogue import service as catalogue
from core import pii, timeutil
from datahub import access
from ecert import licences, trust, types

IMPORT_PURPOSE = "电子证照归集：从权威库生成证照"
ISSUE_PURPOSE = "出件：签发电子证照"
_ENTERPRISE_KINDS = {
    "company": "有限责任公司",
    "individual_business": "个体工商户",
    "institution": "事业单位",
    "social_org": "社会组织",
}
_FORM_ALIASES = {
    "address": ("premises_address", "residence_address", "household_address"),
    "residence_address": ("residence_address",),
    "location": ("property_location", "location", "premises_address"),
    "licence_class": ("licence_class",),
    "spouse_name": ("spouse_name",),
    "items": ("business_items", "business_scope"),
    "name": ("enterprise_name", "applicant_name", "child_name"),
}


def _ours(region: str) -> bool:
    """Whether ``region`` lies in the province this platform serves (licences elsewhere are theirs)."""
    return region[:2] == trust.province_code()[:2]


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _id_valid_until(birth: dt.date, valid_from: dt.date) -> dt.date | None:
    """GB/T: under 16 five years, 16–25 ten, 26–45 twenty, from 46 long-term (长期)."""
    age = valid_from.year - birth.year - ((valid_from.month, valid_from.day) < (birth.month, birth.day))
    years = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None
    return None if years is None else dt.date(valid_from.year + years, valid_from.month, min(valid_from.day, 28))


async def _person_record(resident: dict[str, Any], *, actor: audit.Actor, purpose: str, application_id: Any = None):
    number = pii.decrypt(bytes(resident["id_number_enc"]), context="resident.id_number")
    answer = await access.read(
        "population",
        "person",
        number,
        actor=actor,
        purpose=purpose,
        subject_kind="person",
        subject_id=resident["id"],
        application_id=application_id,
    )
    return number, answer.record if answer.found else {}


def _person_fields(number: str, record: dict[str, Any], resident: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": record.get("name") or resident["name"],
        "gender": record.get("gender", ""),
        "birth_date": record.get("birth_date")
        or (resident["birth_date"].isoformat() if resident["birth_date"] else None),
        "id_number": pii.mask_id_number(number),
        "ethnicity": record.get("ethnicity", ""),
        "address": record.get("household_address", ""),
        "household_region": record.get("household_region", ""),
        "relation": record.get("relation_to_head") or "户主",
        "residence_region": record.get("residence_region", ""),
    }


def _enterprise_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": record.get("name"),
        "credit_code": record.get("credit_code"),
        "kind": _ENTERPRISE_KINDS.get(record.get("kind", ""), record.get("kind", "")),
        "legal_rep": record.get("legal_rep_name"),
        "registered_capital": f"{record.get('registered_capital_wan', '0')}万元",
        "established_on": record.get("established_on"),
        "address": record.get("address"),
        "scope": record.get("scope"),
    }


def _numbered(type_code: str, serial: str) -> dict[str, str]:
    """Certificate numbers the platform allocates when a department issues on approval."""
    year = timeutil.today().year
    return {
        "food_licence": {"licence_no": f"JY{serial[2:14]}"},
        "marriage_certificate": {"certificate_no": f"J{year}-{serial[2:10]}"},
        "property_certificate": {"certificate_no": f"({year})不动产权第{serial[2:9]}号"},
        "social_security_card": {"card_no": f"{serial[2:5]}******{serial[-3:]}"},
        "diploma": {"certificate_no": serial[2:14]},
        "birth_medical_certificate": {"certificate_no": serial[2:12]},
    }.get(type_code, {})


async def _holder(application: dict[str, Any]) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    if application["applicant_kind"] == "enterprise":
        enterprise = await Enterprise.select().where(Enterprise.id == application["applicant_enterprise"]).first()
        return f"enterprise:{application['applicant_enterprise']}", None, enterprise
    resident = await Resident.select().where(Resident.id == application["applicant_resident"]).first()
    return f"person:{application['applicant_resident']}", resident, None


async def issue_on_result(context: hooks.MoveContext) -> None:
    """C1: the result (出件) of a licence matter is the e-licence itself."""
    application = context.application
    elements = await catalogue.version_elements(application["matter_version"])
    result = elements.result
    if result.kind != "licence" or not result.licence_type or result.licence_type not in types.BY_CODE:
        return
    holder_key, resident, enterprise = await _holder(application)
    form = _json(application["form"]) or {}
    fields: dict[str, Any] = {}
    if resident is not None and resident["id_number_enc"]:
        number, record = await _person_record(
            resident, actor=audit.SYSTEM, purpose=ISSUE_PURPOSE, application_id=application["id"]
        )
        fields.update(_person_fields(number, record, resident))
    if enterprise is not None:
        answer = await access.read(
            "enterprise",
            "enterprise",
            enterprise["credit_code"],
            actor=audit.SYSTEM,
            purpose=ISSUE_PURPOSE,
            subject_kind="enterprise",
            subject_id=enterprise["id"],
            application_id=application["id"],
        )
        fields.update(_enterprise_fields(answer.record) if answer.found else {"name": enterprise["name"]})
        fields.setdefault("credit_code", enterprise["credit_code"])
    for target, sources in _FORM_ALIASES.items():
        if fields.get(target):
            continue
        value = next((form[s] for s in sources if isinstance(form.get(s), str) and form[s]), None)
        if value:
            fields[target] = pii.mask_name(value) if target == "spouse_name" else pii.scrub(value)
    if form.get("proposed_name") and result.licence_type == "business_licence":
        fields["name"] = form["proposed_name"]
    for key, value in form.items():
        # Form answers fill the licence's own fields of the same name; anything looking like an ID
        # or phone number is masked on the way in (licences never hold those in clear).
        if isinstance(value, str) and value and key not in fields and key not in ("id_number", "phone"):
            fields[key] = pii.scrub(value)
    fields.setdefault("issued_on", timeutil.today().isoformat())
    fields.setdefault("region", application["handling_region"])
    region = (
        application["handling_region"] if _ours(application["handling_region"]) else application["receiving_region"]
    )
    licence_type = types.get(result.licence_type)
    valid_until = None
    if result.licence_type == "id_card" and fields.get("birth_date"):
        valid_until = _id_valid_until(dt.date.fromisoformat(fields["birth_date"]), timeutil.today())
    row = await licences.issue(
        type_code=licence_type.code,
        holder_key=holder_key,
        holder_name=application["applicant_name"],
        region_code=region,
        fields=fields,
        actor=context.actor,
        valid_until=valid_until,
        application_id=application["id"],
    )
    numbered = _numbered(licence_type.code, row["serial"])
    if numbered:
        merged = {**licences.fields_of(row), **numbered}
        await licences.replace_fields(row["id"], merged)
    current = _json(application.get("result") or "{}") or {}
    current.update(licence_id=str(row["id"]), licence_type=licence_type.code, licence_title=licence_type.name)
    await Application.update({Application.result: msgspec.json.encode(current).decode()}).where(
        Application.id == application["id"]
    )
    context.application["result"] = msgspec.json.encode(current).decode()
    context.data["licence_issued"] = True
    context.data["licence_id"] = str(row["id"])


async def resolve_licence(
    owner_key: str, licence_id: uuid.UUID, allowed_types: list[str]
) -> hooks.LicenceMaterial | None:
    """C2: a licence the owner holds, of an allowed type, as a material."""
    row = await licences.get(licence_id)
    if row is None or row["holder_key"] != owner_key or row["licence_type"] not in allowed_types:
        return None
    return hooks.LicenceMaterial(
        licence_id=row["id"], licence_type=row["licence_type"], title=row["title"], valid=licences.usable(row)
    )


# ---- imports from the registers ---------------------------------------------------------------------------
async def import_person(
    resident_id: uuid.UUID, *, actor: audit.Actor, extra: dict[str, dict[str, Any]] | None = None
) -> list[dict]:
    """身份证 and 户口簿 (and 老年人优待证 from 60, 残疾人证 when registered) from the population register.

    Types the person already holds are skipped, so importing twice changes nothing. People whose
    household is in another province get nothing here: their home province issues those.
    """
    resident = await Resident.select().where(Resident.id == resident_id).first()
    if resident is None or not resident["id_number_enc"]:
        return []
    number, record = await _person_record(resident, actor=actor, purpose=IMPORT_PURPOSE)
    if not record:
        return []
    holder_key = f"person:{resident_id}"
    held = {row["licence_type"] for row in await licences.holder_licences(holder_key) if row["status"] != "revoked"}
    base = _person_fields(number, record, resident)
    birth = dt.date.fromisoformat(base["birth_date"])
    today = timeutil.today()
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    household = record.get("household_region", "")
    wanted: list[tuple[str, str, dict[str, Any], dt.date | None, dt.date | None]] = []
    if _ours(household):
        id_from = dt.date(max(today.year - 6, birth.year + 16), 3, 1)
        wanted.append(("id_card", household, {}, id_from, _id_valid_until(birth, id_from)))
        wanted.append(("household_register", household, {}, dt.date(max(birth.year, 2000), 1, 1), None))
    home = record.get("residence_region") or household
    if age >= 60 and _ours(home):
        wanted.append(("elderly_card", home, {"region": home}, dt.date(birth.year + 60, 6, 1), None))
    if record.get("disability") and _ours(home):
        category, _, grade = record["disability"].partition("残疾")
        category, grade = (record["disability"][:2], record["disability"][2:]) if not grade else (category, grade)
        wanted.append(
            ("disability_card", home, {"category": category, "grade": grade}, today - dt.timedelta(days=400), None)
        )
    for type_code, more in (extra or {}).items():
        wanted.append((type_code, home, more, today - dt.timedelta(days=200), None))
    made = []
    for type_code, region, more, valid_from, valid_until in wanted:
        if type_code in held or not _ours(region):
            continue
        fields = {**base, **more}
        if type_code == "elderly_card":
            fields["issued_on"] = valid_from.isoformat() if valid_from else today.isoformat()
        row = await licences.issue(
            type_code=type_code,
            holder_key=holder_key,
            holder_name=base["name"],
            region_code=region,
            fields=fields,
            actor=actor,
            valid_from=valid_from,
            valid_until=valid_until,
            source="import",
        )
        numbered = _numbered(type_code, row["serial"])
        if numbered:
            await licences.replace_fields(row["id"], {**licences.fields_of(row), **numbered})
        made.append(row)
    return made


async def import_enterprise(enterprise_id: uuid.UUID, *, actor: audit.Actor) -> list[dict]:
    """营业执照 from the enterprise register."""
    enterprise = await Enterprise.select().where(Enterprise.id == enterprise_id).first()
    if enterprise is None:
        return []
    holder_key = f"enterprise:{enterprise_id}"
    held = {row["licence_type"] for row in await licences.holder_licences(holder_key) if row["status"] != "revoked"}
    if "business_licence" in held:
        return []
    answer = await access.read(
        "enterprise",
        "enterprise",
        enterprise["credit_code"],
        actor=actor,
        purpose=IMPORT_PURPOSE,
        subject_kind="enterprise",
        subject_id=enterprise_id,
    )
    if not answer.found or answer.record.get("status", "active") != "active":
        return []
    record = answer.record
    region = record.get("region_code") or enterprise["region_code"]
    if not _ours(region):
        return []
    row = await licences.issue(
        type_code="business_licence",
        holder_key=holder_key,
        holder_name=record["name"],
        region_code=region,
        fields=_enterprise_fields(record),
        actor=actor,
        valid_from=dt.date.fromisoformat(record["established_on"]),
        source="import",
    )
    return [row]
