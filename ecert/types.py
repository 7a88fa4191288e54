"""Licence types (证照类型) and their versioned dictionaries of integer claim keys.

A QR code carries field values under small integer keys, never field names: the dictionary of a
type's version says which key is which field, what kind of value it holds and whether the static
licence code or a presentation may carry it. Keys are never reused within a type: a new field, or a
field whose meaning changes, gets a new key in a new dictionary version, and verifiers keep every
published version (the trust bundle lists them all), so an older code still reads.

Value kinds on the wire (see ``docs/ecert-format.md``):

* ``text`` — a CBOR text string;
* ``date`` — an integer, days since 1970-01-01 (negative before; China dates);
* ``bool`` — CBOR true/false;
* ``masked`` — a text string already masked at issuance (ID numbers: ``3601**********1234``).

Keys 100 and up are *predicates* derived when a code is made (``valid``, ``age_ge_60`` …): the holder
discloses the answer without the underlying value.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

ValueKind = Literal["text", "date", "bool", "masked"]
HolderKind = Literal["person", "enterprise"]
EPOCH = dt.date(1970, 1, 1)


class FieldDef(msgspec.Struct, frozen=True, kw_only=True):
    key: int
    name: str
    label: str
    kind: ValueKind = "text"
    static: bool = False
    """May appear in the static licence code."""
    presentable: bool = True
    """May be chosen for a presentation (亮证)."""


class LicenceType(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    number: int
    """The type's number on the wire (claim ``-65537`` element 0)."""
    name: str
    holder: HolderKind
    department_kind: str
    """The competent department kind (``regions.Department.code``) whose authority issues it."""
    validity_years: int | None
    """Default validity when issued on approval (``None``: long-term, 长期有效)."""
    versions: dict[int, tuple[FieldDef, ...]]
    current: int
    default_fields: tuple[str, ...]
    """Fields a presentation offers by default (what a verifier usually needs)."""
    replaces: tuple[str, ...]
    """Standard material kinds this licence can stand in for (免证办理)."""

    def fields(self, version: int | None = None) -> tuple[FieldDef, ...]:
        return self.versions[version or self.current]

    def field(self, name: str, version: int | None = None) -> FieldDef | None:
        return next((f for f in self.fields(version) if f.name == name), None)

    def by_key(self, version: int) -> dict[int, FieldDef]:
        return {f.key: f for f in self.versions[version]}


PREDICATES: tuple[FieldDef, ...] = (
    FieldDef(key=100, name="valid", label="证照有效", kind="bool"),
    FieldDef(key=101, name="age_ge_18", label="年满18周岁", kind="bool"),
    FieldDef(key=102, name="age_ge_60", label="年满60周岁", kind="bool"),
    FieldDef(key=103, name="age_ge_65", label="年满65周岁", kind="bool"),
)
PERSON_PREDICATES = PREDICATES
ENTERPRISE_PREDICATES = PREDICATES[:1]


def _f(key: int, name: str, label: str, kind: ValueKind = "text", *, static: bool = False, present: bool = True):
    return FieldDef(key=key, name=name, label=label, kind=kind, static=static, presentable=present)


def _with(fields: tuple[FieldDef, ...], predicates: tuple[FieldDef, ...]) -> tuple[FieldDef, ...]:
    return (*fields, *predicates)


NAME = _f(1, "name", "姓名", static=True)
GENDER = _f(2, "gender", "性别", static=True)
BIRTH = _f(3, "birth_date", "出生日期", "date", static=True)
ID_MASKED = _f(4, "id_number", "公民身份号码", "masked", static=True)

TYPES: tuple[LicenceType, ...] = (
    LicenceType(
        code="id_card",
        number=1,
        name="居民身份证",
        holder="person",
        department_kind="gaj",
        validity_years=20,
        versions={
            1: _with(
                (
                    NAME,
                    GENDER,
                    BIRTH,
                    ID_MASKED,
                    _f(5, "ethnicity", "民族"),
                    _f(6, "address", "住址", present=False),
                    _f(7, "valid_from", "有效期起", "date"),
                    _f(8, "valid_until", "有效期至", "date", static=True),
                ),
                PERSON_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "id_number", "valid"),
        replaces=("id_card",),
    ),
    LicenceType(
        code="household_register",
        number=2,
        name="居民户口簿",
        holder="person",
        department_kind="gaj",
        validity_years=None,
        versions={
            1: _with(
                (
                    NAME,
                    GENDER,
                    BIRTH,
                    ID_MASKED,
                    _f(5, "household_region", "户籍地", static=True),
                    _f(6, "relation", "与户主关系", static=True),
                    _f(7, "address", "住址", present=False),
                ),
                PERSON_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "household_region", "valid"),
        replaces=("household_register",),
    ),
    LicenceType(
        code="residence_permit",
        number=3,
        name="居住证",
        holder="person",
        department_kind="gaj",
        validity_years=1,
        versions={
            1: _with(
                (
                    NAME,
                    GENDER,
                    BIRTH,
                    ID_MASKED,
                    _f(5, "residence_region", "居住地", static=True),
                    _f(6, "residence_address", "居住地址", present=False),
                    _f(7, "valid_from", "有效期起", "date"),
                    _f(8, "valid_until", "有效期至", "date", static=True),
                ),
                PERSON_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "residence_region", "valid"),
        replaces=("residence_permit",),
    ),
    LicenceType(
        code="business_licence",
        number=4,
        name="营业执照",
        holder="enterprise",
        department_kind="scjg",
        validity_years=None,
        versions={
            1: _with(
                (
                    _f(1, "name", "名称", static=True),
                    _f(2, "credit_code", "统一社会信用代码", static=True),
                    _f(3, "kind", "类型"),
                    _f(4, "legal_rep", "法定代表人", static=True),
                    _f(5, "registered_capital", "注册资本"),
                    _f(6, "established_on", "成立日期", "date", static=True),
                    _f(7, "address", "住所"),
                    _f(8, "scope", "经营范围", present=False),
                ),
                ENTERPRISE_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "credit_code", "valid"),
        replaces=("business_licence",),
    ),
    LicenceType(
        code="food_licence",
        number=5,
        name="食品经营许可证",
        holder="enterprise",
        department_kind="scjg",
        validity_years=5,
        versions={
            1: _with(
                (
                    _f(1, "name", "经营者名称", static=True),
                    _f(2, "credit_code", "社会信用代码", static=True),
                    _f(3, "licence_no", "许可证编号", static=True),
                    _f(4, "items", "经营项目"),
                    _f(5, "address", "经营场所"),
                    _f(6, "valid_until", "有效期至", "date", static=True),
                ),
                ENTERPRISE_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "licence_no", "valid"),
        replaces=("food_licence",),
    ),
    LicenceType(
        code="driving_licence",
        number=6,
        name="机动车驾驶证",
        holder="person",
        department_kind="gaj",
        validity_years=6,
        versions={
            1: _with(
                (
                    NAME,
                    GENDER,
                    BIRTH,
                    ID_MASKED,
                    _f(5, "licence_class", "准驾车型", static=True),
                    _f(6, "first_issued", "初次领证日期", "date", static=True),
                    _f(7, "valid_until", "有效期至", "date", static=True),
                ),
                PERSON_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "licence_class", "valid"),
        replaces=("driving_licence",),
    ),
    LicenceType(
        code="marriage_certificate",
        number=7,
        name="结婚证",
        holder="person",
        department_kind="mzj",
        validity_years=None,
        versions={
            1: _with(
                (
                    NAME,
                    ID_MASKED,
                    _f(2, "spouse_name", "配偶姓名", "masked", static=True),
                    _f(3, "registered_on", "登记日期", "date", static=True),
                    _f(5, "certificate_no", "结婚证字号", static=True),
                ),
                PREDICATES[:1],
            )
        },
        current=1,
        default_fields=("name", "spouse_name", "valid"),
        replaces=("marriage_certificate",),
    ),
    LicenceType(
        code="property_certificate",
        number=8,
        name="不动产权证书",
        holder="person",
        department_kind="zrzy",
        validity_years=None,
        versions={
            1: _with(
                (
                    _f(1, "name", "权利人", static=True),
                    _f(2, "certificate_no", "不动产权证号", static=True),
                    _f(3, "location", "坐落"),
                    _f(4, "area", "面积（平方米）", static=True),
                    _f(5, "use", "用途", static=True),
                ),
                PREDICATES[:1],
            )
        },
        current=1,
        default_fields=("name", "location", "valid"),
        replaces=("property_certificate", "premises_proof"),
    ),
    LicenceType(
        code="social_security_card",
        number=9,
        name="社会保障卡",
        holder="person",
        department_kind="rsj",
        validity_years=10,
        versions={
            1: _with(
                (
                    NAME,
                    GENDER,
                    BIRTH,
                    ID_MASKED,
                    _f(5, "card_no", "社会保障卡卡号", "masked", static=True),
                    _f(6, "valid_until", "有效期至", "date", static=True),
                ),
                PERSON_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "card_no", "valid"),
        replaces=("social_security_card", "bank_card"),
    ),
    LicenceType(
        code="diploma",
        number=10,
        name="学历证书",
        holder="person",
        department_kind="jyj",
        validity_years=None,
        versions={
            1: _with(
                (
                    NAME,
                    _f(2, "gender", "性别"),
                    _f(3, "birth_date", "出生日期", "date"),
                    _f(4, "school", "学校", static=True),
                    _f(5, "major", "专业", static=True),
                    _f(6, "level", "层次", static=True),
                    _f(7, "graduated_on", "毕业日期", "date", static=True),
                    _f(8, "certificate_no", "证书编号", static=True),
                ),
                PREDICATES[:1],
            )
        },
        current=1,
        default_fields=("name", "school", "level", "valid"),
        replaces=("diploma",),
    ),
    LicenceType(
        code="birth_medical_certificate",
        number=11,
        name="出生医学证明",
        holder="person",
        department_kind="wjw",
        validity_years=None,
        versions={
            1: _with(
                (
                    _f(1, "name", "新生儿姓名", static=True),
                    _f(2, "gender", "性别", static=True),
                    _f(3, "birth_date", "出生日期", "date", static=True),
                    _f(4, "birth_place", "出生地点", static=True),
                    _f(5, "mother_name", "母亲姓名", "masked", static=True),
                    _f(6, "father_name", "父亲姓名", "masked", static=True),
                    _f(7, "certificate_no", "出生医学证明编号", static=True),
                ),
                PREDICATES[:1],
            )
        },
        current=1,
        default_fields=("name", "birth_date", "valid"),
        replaces=("birth_certificate",),
    ),
    LicenceType(
        code="disability_card",
        number=12,
        name="残疾人证",
        holder="person",
        department_kind="cl",
        validity_years=10,
        versions={
            1: _with(
                (
                    NAME,
                    GENDER,
                    BIRTH,
                    ID_MASKED,
                    _f(5, "category", "残疾类别", static=True),
                    _f(6, "grade", "残疾等级", static=True),
                    _f(7, "valid_until", "有效期至", "date", static=True),
                ),
                PERSON_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "category", "grade", "valid"),
        replaces=("disability_card",),
    ),
    LicenceType(
        code="elderly_card",
        number=13,
        name="老年人优待证",
        holder="person",
        department_kind="mzj",
        validity_years=None,
        versions={
            1: _with(
                (
                    NAME,
                    GENDER,
                    BIRTH,
                    ID_MASKED,
                    _f(5, "region", "发证地", static=True),
                    _f(6, "issued_on", "发证日期", "date", static=True),
                ),
                PERSON_PREDICATES,
            )
        },
        current=1,
        default_fields=("name", "age_ge_60", "valid"),
        replaces=(),
    ),
)

BY_CODE: dict[str, LicenceType] = {t.code: t for t in TYPES}
BY_NUMBER: dict[int, LicenceType] = {t.number: t for t in TYPES}

PURPOSES: dict[int, tuple[str, str]] = {
    1: ("identity", "身份核验"),
    2: ("business", "经营资质核验"),
    3: ("lodging", "住宿登记"),
    4: ("age", "年龄核验"),
    5: ("government", "政务办事"),
    6: ("employment", "入职"),
    7: ("rental", "租房"),
    8: ("finance", "金融业务"),
    9: ("other", "其他"),
}
PURPOSE_BY_CODE: dict[str, int] = {code: number for number, (code, _) in PURPOSES.items()}


def get(code: str) -> LicenceType:
    return BY_CODE[code]


def to_days(value: dt.date) -> int:
    return (value - EPOCH).days


def from_days(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=days)


def dictionary() -> dict[str, object]:
    """Every type with every dictionary version, as published in the trust bundle."""
    return {
        t.code: {
            "number": t.number,
            "name": t.name,
            "holder": t.holder,
            "current": t.current,
            "versions": {
                str(version): {str(f.key): {"name": f.name, "label": f.label, "kind": f.kind} for f in fields}
                for version, fields in t.versions.items()
            },
        }
        for t in TYPES
    }
