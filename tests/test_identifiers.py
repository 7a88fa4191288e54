"""GB 11643 ID numbers, GB 32100 credit codes and mobile numbers."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from core.identifiers import (
    age_on,
    credit_code_problem,
    id_gender,
    id_number_problem,
    is_phone,
    make_credit_code,
    make_id_number,
)

REGIONS = st.sampled_from(["360102", "360702", "110101", "330106", "440305"])
BIRTHS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))


def test_published_example_numbers() -> None:
    # The worked example of GB 11643-1999 Annex A and a well-known credit code (国家市场监督管理总局).
    assert id_number_problem("11010519491231002X") is None
    assert credit_code_problem("91350100M000100Y43") is None


@given(REGIONS, BIRTHS, st.integers(0, 999))
def test_generated_numbers_are_valid_and_carry_birth_and_gender(region: str, birth: dt.date, seq: int) -> None:
    number = make_id_number(region, birth, seq)
    assert id_number_problem(number, today=dt.date(2026, 1, 1)) is None
    assert id_gender(number) == ("male" if seq % 2 else "female")
    assert (
        age_on(
            number,
            birth.replace(year=birth.year + 10)
            if not (birth.month == 2 and birth.day == 29)
            else dt.date(birth.year + 10, 3, 1),
        )
        == 10
    )


@given(REGIONS, BIRTHS, st.integers(0, 999), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_caught(region: str, birth: dt.date, seq: int, pos: int, char: str) -> None:
    number = make_id_number(region, birth, seq)
    changed = number[:pos] + char + number[pos + 1 :]
    if changed != number:
        assert id_number_problem(changed, today=dt.date(2026, 1, 1)) is not None


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes_the_validators(text: str) -> None:
    assert id_number_problem(text) in (None, "shape", "region", "birth_date", "check_digit")
    assert credit_code_problem(text) in (None, "shape", "category", "region", "check_character")
    assert isinstance(is_phone(text), bool)


def test_malformed_id_numbers_name_the_problem() -> None:
    good = make_id_number("360102", dt.date(1980, 5, 17), 123)
    assert id_number_problem(good[:17]) == "shape"
    assert id_number_problem("99" + good[2:]) == "region"
    assert id_number_problem(good[:10] + "1332" + good[14:]) == "birth_date"
    assert (
        id_number_problem(make_id_number("360102", dt.date(2999, 1, 1), 1), today=dt.date(2026, 1, 1)) == "birth_date"
    )
    last = "0" if good[-1] != "0" else "1"
    assert id_number_problem(good[:17] + last) == "check_digit"
    assert id_number_problem(good.lower()) is None or good[-1] != "X"


@given(
    st.sampled_from(["91", "92", "93", "12", "51", "Y1"]),
    REGIONS,
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
)
def test_generated_credit_codes_are_valid(category: str, region: str, body: str) -> None:
    code = make_credit_code(category, region, body)
    assert credit_code_problem(code) is None
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert credit_code_problem(wrong) == "check_character"


def test_credit_code_rules() -> None:
    code = make_credit_code("91", "360100", "MA35LY0Q1")
    assert credit_code_problem(code.replace("M", "I", 1)) == "shape"  # I, O, S, V, Z are never used
    assert credit_code_problem("99" + code[2:]) == "category"


def test_phone_numbers() -> None:
    assert is_phone("13800000001") and is_phone("+86 138-0000-0001")
    assert not is_phone("12800000001") and not is_phone("1380000000") and not is_phone("abc")
