"""Plain-Chinese descriptions of a grant's scope, for notifications, SMS and lists.

Texts go to SMS, so they name matters and people only by name — never an ID number or a phone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from catalogue.tables import Matter
from core import timeutil
from proxies import states

GROUP_LABELS = {"all": "全部事项", "hotline": "12345 诉求"}
LICENCE_LABELS = {
    "id_card": "居民身份证",
    "household_register": "户口簿",
    "residence_permit": "居住证",
    "business_licence": "营业执照",
    "food_licence": "食品经营许可证",
    "driving_licence": "驾驶证",
    "marriage_certificate": "结婚证",
    "property_certificate": "不动产权证书",
    "social_security_card": "社会保障卡",
    "diploma": "学历证书",
    "birth_medical_certificate": "出生医学证明",
    "disability_card": "残疾人证",
    "elderly_card": "老年人优待证",
}


def _decode(value: Any) -> list[Any]:
    return value if isinstance(value, list) else msgspec.json.decode(value or "[]")


def group_label(group: str, departments: dict[str, str] | None = None) -> str:
    if group in GROUP_LABELS:
        return GROUP_LABELS[group]
    kind, _, value = group.partition(":")
    if kind == "theme":
        return f"{value}类事项"
    if kind == "dept":
        return f"{(departments or {}).get(value, value)}事项"
    if kind == "licence":
        return LICENCE_LABELS.get(value, value)
    return group


async def matter_names(ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    found = await Matter.select(Matter.id, Matter.name).where(Matter.id.is_in([uuid.UUID(i) for i in ids]))
    return {str(row["id"]): row["name"] for row in found}


async def scope_text(row: dict[str, Any]) -> str:
    """e.g. 「老年人优待证办理」等 2 项事项、养老类事项（查看、申请）."""
    matters = [str(m) for m in _decode(row["matters"])]
    names = await matter_names(matters)
    parts: list[str] = []
    if matters:
        first = names.get(matters[0], "事项")
        parts.append(f"「{first}」" if len(matters) == 1 else f"「{first}」等 {len(matters)} 项事项")
    parts += [group_label(g) for g in _decode(row["groups"])]
    actions = "、".join(states.ACTION_LABELS[a] for a in _decode(row["actions"]) if a in states.ACTION_LABELS)
    return f"{'、'.join(parts)}（{actions}）"


def day(moment: dt.datetime) -> str:
    local = moment.astimezone(timeutil.CST)
    return f"{local.year}年{local.month}月{local.day}日"


async def sms_text(row: dict[str, Any], code: str) -> str:
    return (
        f"【掌办】{row['agent_name']}申请代您办理{await scope_text(row)}，有效期至{day(row['valid_until'])}。"
        f"如您同意，请把验证码{code}告诉对方，10分钟内有效；不认识对方请勿提供，也可在掌办“授权管理”中拒绝。"
    )
