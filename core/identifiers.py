"""National identifier formats: resident ID (GB 11643), credit code (GB 32100), mobile numbers.

Pure functions, no I/O, so the API, the demo data generator and the property tests share them.
"""

from __future__ import annotations

import datetime as dt
import re

# ---- GB 11643-1999 citizen identity number ------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
# First two digits of the address code: the provinces, autonomous regions and municipalities.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def id_number_problem(value: str, today: dt.date | None = None) -> str | None:
    """Why ``value`` is not a valid ID number, or None when it is."""
    number = normalise_id_number(value)
    if not _ID_SHAPE.match(number):
        return "shape"
    if number[:2] not in _PROVINCES:
        return "region"
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if birth.year < 1890 or birth > (today or dt.date.today()):
        return "birth_date"
    if id_check_char(number[:17]) != number[17]:
        return "check_digit"
    return None


def is_id_number(value: str) -> bool:
    return id_number_problem(value) is None


def id_birth_date(number: str) -> dt.date:
    number = normalise_id_number(number)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_gender(number: str) -> str:
    """``"male"`` or ``"female"`` from the sequence code's parity."""
    return "male" if int(normalise_id_number(number)[16]) % 2 else "female"


def age_on(number: str, day: dt.date) -> int:
    birth = id_birth_date(number)
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def make_id_number(region6: str, birth: dt.date, sequence: int) -> str:
    """A checksum-valid number (demo data and tests); ``sequence`` 0–999, parity = gender."""
    first17 = f"{region6}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


# ---- GB 32100-2015 unified social credit code --------------------------------------------------
_CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# Registration authority (1st char) → allowed organisation categories (2nd char).
_CC_CATEGORIES = {
    "1": "1239",  # 机构编制
    "2": "19",  # 外交
    "3": "12345689",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商（市场监管）
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}


def credit_check_char(first17: str) -> str:
    total = sum(_CC_CHARS.index(c) * w for c, w in zip(first17, _CC_WEIGHTS, strict=True))
    return _CC_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def credit_code_problem(value: str) -> str | None:
    code = normalise_credit_code(value)
    if not _CC_SHAPE.match(code):
        return "shape"
    allowed = _CC_CATEGORIES.get(code[0])
    if allowed is None or code[1] not in allowed:
        return "category"
    if code[2:4] not in _PROVINCES:
        return "region"
    if credit_check_char(code[:17]) != code[17]:
        return "check_character"
    return None


def is_credit_code(value: str) -> bool:
    return credit_code_problem(value) is None


def make_credit_code(category: str, region6: str, body9: str) -> str:
    """A checksum-valid code, e.g. ``make_credit_code("91", "360100", "MA35XXXX1")``."""
    first17 = f"{category}{region6}{body9}"
    return first17 + credit_check_char(first17)


# ---- mainland mobile numbers ---------------------------------------------------------------------
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def is_phone(value: str) -> bool:
    return bool(_PHONE.match(normalise_phone(value)))


# ---- names and region codes ----------------------------------------------------------------------
_NAME = re.compile(r"^[\u3400-\u9fff\u00b7\u2022A-Za-z ]{2,30}$")
_REGION = re.compile(r"^[1-9]\d{5}$")


def is_person_name(value: str) -> bool:
    return bool(_NAME.match(value.strip()))


def is_region_code(value: str) -> bool:
    return bool(_REGION.match(value)) and value[:2] in _PROVINCES
