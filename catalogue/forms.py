"""Validate an application form against its matter's typed schema.

All problems are collected and returned at once (一次性告知 applies to forms too), each naming the
field as ``form.<key>`` with a message that uses the field's own label.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from catalogue.elements import FormField
from core import errors
from core.errors import FieldError, ProblemError
from core.identifiers import (
    credit_code_problem,
    id_number_problem,
    is_phone,
    is_region_code,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
)

errors.register(
    "prefill_tampered", 422, "由权威数据带出的内容不能修改。", "A value taken from an authoritative source was changed."
)

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$")
_DEFAULT_MAX = {"text": 200, "textarea": 2000}


def _err(field: FormField, zh: str, en: str, code: str = "validation_failed") -> FieldError:
    return FieldError(field=f"form.{field.key}", code=code, message_zh=f"「{field.label}」{zh}", message_en=en)


def _check(field: FormField, value: Any) -> tuple[Any, FieldError | None]:
    kind = field.type
    if kind in ("text", "textarea"):
        if not isinstance(value, str):
            return None, _err(field, "应为文字。", f"{field.key} must be text.")
        value = value.strip()
        limit = field.max_length or _DEFAULT_MAX[kind]
        if len(value) > limit:
            return None, _err(field, f"不能超过 {limit} 个字。", f"{field.key} is longer than {limit} characters.")
        if field.min_length and len(value) < field.min_length:
            return None, _err(field, f"至少 {field.min_length} 个字。", f"{field.key} is too short.")
        if field.pattern and not re.fullmatch(field.pattern, value):
            return None, _err(field, "格式不正确。", f"{field.key} has the wrong format.")
        return value, None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, _err(field, "应为整数。", f"{field.key} must be a whole number.")
        return _range(field, value)
    if kind in ("number", "money"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None, _err(field, "应为数字。", f"{field.key} must be a number.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None, _err(field, "应为数字。", f"{field.key} must be a number.")
        if not number.is_finite():
            return None, _err(field, "应为数字。", f"{field.key} must be a number.")
        if kind == "money" and number.as_tuple().exponent < -2:  # type: ignore[operator]
            return None, _err(field, "金额最多两位小数。", f"{field.key} allows at most two decimals.")
        checked, error = _range(field, number)
        return (str(checked) if kind == "money" else float(checked)) if error is None else None, error
    if kind == "date":
        if not isinstance(value, str):
            return None, _err(field, "应为日期（如 2026-01-31）。", f"{field.key} must be a date (YYYY-MM-DD).")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None, _err(field, "应为日期（如 2026-01-31）。", f"{field.key} must be a date (YYYY-MM-DD).")
        return day.isoformat(), None
    if kind == "select":
        allowed = {option.value for option in field.options}
        if not isinstance(value, str) or value not in allowed:
            return None, _err(field, "请从选项中选择。", f"{field.key} must be one of the options.")
        return value, None
    if kind == "multiselect":
        allowed = {option.value for option in field.options}
        if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
            return None, _err(field, "请从选项中选择。", f"{field.key} must be a list of the options.")
        return sorted(set(value)), None
    if kind == "bool":
        if not isinstance(value, bool):
            return None, _err(field, "应为是或否。", f"{field.key} must be true or false.")
        return value, None
    if kind == "id_number":
        if not isinstance(value, str) or id_number_problem(value) is not None:
            return None, _err(
                field, "不是有效的身份证号码。", f"{field.key} is not a valid ID number.", "id_number_invalid"
            )
        return normalise_id_number(value), None
    if kind == "phone":
        if not isinstance(value, str) or not is_phone(value):
            return None, _err(
                field, "不是有效的手机号码。", f"{field.key} is not a valid mobile number.", "phone_invalid"
            )
        return normalise_phone(value), None
    if kind == "credit_code":
        if not isinstance(value, str) or credit_code_problem(value) is not None:
            return None, _err(
                field, "不是有效的统一社会信用代码。", f"{field.key} is not a valid credit code.", "credit_code_invalid"
            )
        return normalise_credit_code(value), None
    if kind == "region":
        if not isinstance(value, str) or not is_region_code(value):
            return None, _err(
                field, "不是有效的行政区划。", f"{field.key} is not a valid region code.", "region_invalid"
            )
        return value, None
    if kind == "email":
        if not isinstance(value, str) or not _EMAIL.match(value.strip()):
            return None, _err(field, "不是有效的电子邮箱。", f"{field.key} is not a valid e-mail address.")
        return value.strip(), None
    return None, _err(field, "类型未知。", f"{field.key} has an unknown type.")


def _range(field: FormField, value: Any) -> tuple[Any, FieldError | None]:
    if field.min is not None and value < Decimal(str(field.min)):
        return None, _err(field, f"不能小于 {field.min:g}。", f"{field.key} must be at least {field.min:g}.")
    if field.max is not None and value > Decimal(str(field.max)):
        return None, _err(field, f"不能大于 {field.max:g}。", f"{field.key} must be at most {field.max:g}.")
    return value, None


def validate(
    fields: list[FormField],
    data: Any,
    *,
    partial: bool = False,
    locked: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the cleaned form or raise one problem listing every bad field.

    ``partial`` checks only the fields present (saving a draft). ``locked`` holds the values of
    read-only prefilled fields as the sources gave them; a different value is refused.
    """
    if not isinstance(data, dict):
        raise ProblemError(
            "validation_failed",
            field="form",
            errors=[FieldError("form", "validation_failed", "表单内容格式不正确。", "The form must be an object.")],
        )
    by_key = {field.key: field for field in fields}
    problems: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in by_key:
            problems.append(
                FieldError(
                    f"form.{key}", "unknown_field", f"表单中没有「{key}」这一项。", f"The form has no field {key!r}."
                )
            )
    for field in fields:
        value = data.get(field.key)
        if value is None or value == "" or value == []:
            if field.required and not partial:
                problems.append(_err(field, "必须填写。", f"{field.key} is required."))
            continue
        checked, error = _check(field, value)
        if error is not None:
            problems.append(error)
            continue
        if locked is not None and field.readonly and field.key in locked and checked != locked[field.key]:
            problems.append(
                _err(
                    field,
                    "由权威数据带出，不能修改。",
                    f"{field.key} comes from an authoritative source and cannot be changed.",
                    "prefill_tampered",
                )
            )
            continue
        cleaned[field.key] = checked
    if problems:
        first = problems[0]
        code = "validation_failed" if len({p.code for p in problems}) > 1 else first.code
        raise ProblemError(code, field=first.field, errors=problems)
    return cleaned
