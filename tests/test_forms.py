"""Form validation against a matter's typed schema."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.elements import FormField, Option
from catalogue.forms import validate
from core.errors import ProblemError
from core.identifiers import make_id_number

FIELDS = [
    FormField(key="applicant_name", label="申请人姓名", readonly=True, prefill="population.person.name"),
    FormField(key="id_number", label="身份证号码", type="id_number"),
    FormField(key="phone", label="联系电话", type="phone"),
    FormField(key="children", label="子女数", type="integer", min=0, max=20, required=False),
    FormField(key="amount", label="金额", type="money", min=0, required=False),
    FormField(key="kind", label="类型", type="select", options=[Option("a", "甲"), Option("b", "乙")]),
    FormField(key="start", label="开始日期", type="date", required=False),
]
ID = make_id_number("360102", dt.date(1980, 1, 1), 11)
GOOD = {"applicant_name": "张三", "id_number": ID.lower(), "phone": "138 0000 0001", "kind": "a"}


def test_valid_form_is_cleaned() -> None:
    cleaned = validate(FIELDS, {**GOOD, "amount": "12.50", "children": 2, "start": "2026-12-01"})
    assert cleaned["id_number"] == ID and cleaned["phone"] == "13800000001" and cleaned["amount"] == "12.50"


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ProblemError) as caught:
        validate(
            FIELDS,
            {
                "id_number": "123",
                "phone": "12",
                "kind": "z",
                "children": -1,
                "amount": "1.234",
                "start": "2026-13-01",
                "nickname": "x",
            },
        )
    fields = {e.field: e.code for e in caught.value.errors}
    assert fields == {
        "form.nickname": "unknown_field",
        "form.applicant_name": "validation_failed",
        "form.id_number": "id_number_invalid",
        "form.phone": "phone_invalid",
        "form.kind": "validation_failed",
        "form.children": "validation_failed",
        "form.amount": "validation_failed",
        "form.start": "validation_failed",
    }
    assert all("「" in e.message_zh for e in caught.value.errors if e.code != "unknown_field")


def test_partial_validation_for_drafts() -> None:
    assert validate(FIELDS, {"phone": "13800000001"}, partial=True) == {"phone": "13800000001"}


def test_locked_prefill_cannot_be_changed() -> None:
    with pytest.raises(ProblemError) as caught:
        validate(FIELDS, {**GOOD, "applicant_name": "李四"}, locked={"applicant_name": "张三"})
    assert caught.value.errors[0].code == "prefill_tampered"
    assert validate(FIELDS, GOOD, locked={"applicant_name": "张三"})["applicant_name"] == "张三"


@given(
    st.dictionaries(
        st.sampled_from([f.key for f in FIELDS] + ["x"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=20),
            st.lists(st.text(max_size=3), max_size=3),
        ),
    )
)
def test_arbitrary_input_is_either_clean_or_a_listed_problem(data: dict) -> None:
    try:
        validate(FIELDS, data)
    except ProblemError as error:
        assert error.errors and all(e.field.startswith("form.") for e in error.errors)
