"""The demo matter catalogue and halls are consistent with the demo regions and departments.

Pure data checks: no database, no fixtures.
"""

from __future__ import annotations

import re
from collections import defaultdict

import msgspec
import pytest

from catalogue.elements import MatterElements, decode, encode
from demo.departments import departments
from demo.halls import HALLS
from demo.matters import matters
from demo.regions import REGIONS

LEVELS = {code: level for code, _name, level, _parent in REGIONS}

ALLOWED_LICENCES = {
    "id_card",
    "household_register",
    "residence_permit",
    "business_licence",
    "food_licence",
    "driving_licence",
    "marriage_certificate",
    "property_certificate",
    "social_security_card",
    "diploma",
    "elderly_card",
    "disability_card",
    "birth_medical_certificate",
}
INSTANT_NAMES = {
    "居住证签注",
    "生育登记",
    "老年人优待证办理",
    "灵活就业人员参保登记",
    "社会保险关系转移接续",
    "异地就医备案",
    "个体工商户设立登记",
    "食品经营许可（延续）",
    "高龄津贴申领",
    "婚姻登记记录证明",
    "无犯罪记录证明",
    "学历证明",
}
THEMES = {
    "婚育",
    "户籍",
    "身份证件",
    "社保",
    "医保",
    "养老",
    "教育",
    "住房",
    "交通出行",
    "就业创业",
    "开办企业",
    "准营准办",
    "残疾人",
    "公积金",
    "不动产",
    "税务",
    "救助",
    "证明",
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")

MATTERS = matters()


def _id(matter: MatterElements) -> str:
    return f"{matter.basic_code}@{matter.region_code}"


def test_enough_matters_and_templates() -> None:
    assert len(MATTERS) >= 64
    assert len({m.basic_code for m in MATTERS}) >= 32


def test_matters_are_fresh_copies() -> None:
    first, second = matters(), matters()
    assert first == second
    assert first[0].form is not second[0].form


@pytest.mark.parametrize("matter", MATTERS, ids=_id)
def test_round_trip(matter: MatterElements) -> None:
    text = encode(matter)
    assert decode(text) == matter
    assert decode(text.encode()) == matter


def test_implementation_codes_unique() -> None:
    pairs = [(m.basic_code, m.region_code) for m in MATTERS]
    assert len(pairs) == len(set(pairs))
    assert all(len(m.basic_code) <= 32 for m in MATTERS)


def test_regions_exist_with_matching_level() -> None:
    for matter in MATTERS:
        assert matter.region_code in LEVELS, _id(matter)
        assert matter.region_level in ("province", "city", "county"), _id(matter)
        assert LEVELS[matter.region_code] == matter.region_level, _id(matter)


def test_departments_exist_in_region() -> None:
    available = {(kind, region) for kind, _name, region in departments()}
    for matter in MATTERS:
        assert (matter.department_code, matter.region_code) in available, _id(matter)


def test_both_provinces_and_main_cities_covered() -> None:
    regions = {m.region_code for m in MATTERS}
    assert {"360000", "360100", "360700", "360102", "360702"} <= regions
    zhejiang = [m for m in MATTERS if m.region_code.startswith("33")]
    assert 4 <= len(zhejiang) <= 6


def test_same_basic_code_same_elements() -> None:
    by_code: dict[str, list[MatterElements]] = defaultdict(list)
    for matter in MATTERS:
        by_code[matter.basic_code].append(matter)
    for code, group in by_code.items():
        shapes = {
            msgspec.json.encode(msgspec.structs.replace(m, region_code="", region_level="province")) for m in group
        }
        assert len(shapes) == 1, code
    assert any(len(group) > 1 for group in by_code.values())


def test_licence_types_allowed() -> None:
    for matter in MATTERS:
        for material in matter.materials:
            assert set(material.licence_types) <= ALLOWED_LICENCES, (_id(matter), material.code)
        if matter.result.kind == "licence":
            assert matter.result.licence_type in ALLOWED_LICENCES, _id(matter)
        else:
            assert matter.result.licence_type is None, _id(matter)


def test_mostly_online() -> None:
    online = [m for m in MATTERS if m.online_depth >= 3]
    assert len(online) >= 0.85 * len(MATTERS)
    for matter in MATTERS:
        assert 1 <= matter.online_depth <= 4, _id(matter)
        if matter.channels == ["window"]:
            assert matter.online_depth <= 2 and matter.visits >= 1, _id(matter)
        if matter.online_depth == 4:
            assert {"web", "mobile"} & set(matter.channels), _id(matter)


def test_instant_matters_exactly_the_allowed_ones() -> None:
    assert {m.name for m in MATTERS if m.instant} == INSTANT_NAMES
    for matter in MATTERS:
        if matter.name in INSTANT_NAMES:
            assert matter.instant, _id(matter)
        if matter.instant:
            assert matter.handling_mode == "immediate", _id(matter)
            assert matter.time_limit.promised_days == 0, _id(matter)
            assert matter.online_depth == 4, _id(matter)
            assert "mobile" in matter.channels, _id(matter)
            assert matter.visits == 0, _id(matter)


@pytest.mark.parametrize("matter", MATTERS, ids=_id)
def test_elements_are_sensible(matter: MatterElements) -> None:
    limit = matter.time_limit
    assert 0 <= limit.promised_days <= limit.statutory_days
    if matter.handling_mode == "immediate":
        assert limit.promised_days == 0
    assert 1 <= len(matter.materials) <= 5
    assert 3 <= len(matter.form) <= 10
    assert matter.legal_basis and all(b.startswith("《") for b in matter.legal_basis)
    assert 1 <= len(matter.acceptance_conditions) <= 3
    assert 2 <= len(matter.keywords) <= 5
    assert matter.themes and set(matter.themes) <= THEMES
    assert matter.audience and matter.summary
    assert matter.fee.charged == (matter.fee.amount_yuan != "0")
    if matter.fee.charged:
        assert matter.fee.basis
    if matter.cross_region.scope == "none":
        assert not matter.cross_region.modes
    else:
        assert matter.cross_region.modes
    codes = [material.code for material in matter.materials]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("matter", MATTERS, ids=_id)
def test_form_fields(matter: MatterElements) -> None:
    keys = [f.key for f in matter.form]
    assert len(keys) == len(set(keys)), keys
    for form_field in matter.form:
        assert SNAKE.match(form_field.key), form_field.key
        if form_field.type in ("select", "multiselect"):
            assert form_field.options, form_field.key
            values = [option.value for option in form_field.options]
            assert len(values) == len(set(values)), form_field.key
        if form_field.readonly:
            assert form_field.prefill, form_field.key
        if form_field.min is not None and form_field.max is not None:
            assert form_field.min <= form_field.max, form_field.key


def test_same_key_same_concept_across_matters() -> None:
    """A key means one thing everywhere, so forms of several matters can be merged."""
    seen: dict[str, tuple[str, object]] = {}
    for matter in MATTERS:
        for form_field in matter.form:
            shape = (form_field.type, [o.value for o in form_field.options])
            first = seen.setdefault(form_field.key, shape)
            assert first == shape, (_id(matter), form_field.key)


def test_identity_fields_prefilled() -> None:
    for matter in MATTERS:
        by_key = {f.key: f for f in matter.form}
        if "applicant_name" in by_key:
            assert by_key["applicant_name"].prefill == "population.person.name"
            assert by_key["applicant_name"].readonly
        if "id_number" in by_key:
            assert by_key["id_number"].type == "id_number" and by_key["id_number"].readonly
        if "credit_code" in by_key:
            assert by_key["credit_code"].type == "credit_code"
            assert by_key["credit_code"].prefill == "enterprise.enterprise.credit_code"


def test_halls() -> None:
    names = [hall["name"] for hall in HALLS]
    assert len(names) == len(set(names))
    assert len(HALLS) >= 10
    time = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
    for hall in HALLS:
        assert hall["region_code"] in LEVELS, hall["name"]
        assert hall["address"] and hall["phone"]
        assert isinstance(hall["accessible"], bool)
        assert -90 <= float(hall["latitude"]) <= 90 and -180 <= float(hall["longitude"]) <= 180
        assert hall["opening_hours"], hall["name"]
        for period in hall["opening_hours"]:
            assert set(period) == {"days", "open", "close"}
            assert re.fullmatch(r"[1-7](-[1-7])?", period["days"])
            assert time.match(period["open"]) and time.match(period["close"])
            assert period["open"] < period["close"]
    assert any(p["days"] == "6-7" for hall in HALLS for p in hall["opening_hours"])
    assert any(p["close"] >= "19:00" for hall in HALLS for p in hall["opening_hours"])
