"""The standard elements of a matter (事项要素): the same shape for every matter in every region.

A published :class:`MatterElements` is immutable; editing makes a new version, and each
application keeps the version it was made under. Codes are English identifiers; the ``LABELS``
give the Chinese terms residents and clerks see.
"""

from __future__ import annotations

from typing import Literal

import msgspec

MatterKind = Literal[
    "licensing",  # 行政许可
    "confirmation",  # 行政确认
    "payment",  # 行政给付
    "reward",  # 行政奖励
    "adjudication",  # 行政裁决
    "filing",  # 行政备案
    "other_power",  # 其他行政权力
    "public_service",  # 公共服务
]
RegionLevel = Literal["province", "city", "county", "township"]
HandlingMode = Literal["immediate", "commitment"]  # 即办件 / 承诺件
Channel = Literal["mobile", "web", "window"]  # 掌上 / 网上 / 窗口
CrossScope = Literal["none", "city", "province", "national"]  # 不通办 / 市内通办 / 省内通办 / 跨省通办
CrossMode = Literal["online", "proxy_receive", "multi_region"]  # 全程网办 / 异地代收代办 / 多地联办
Audience = Literal["person", "enterprise"]
FieldType = Literal[
    "text",
    "textarea",
    "integer",
    "number",
    "money",
    "date",
    "select",
    "multiselect",
    "bool",
    "id_number",
    "phone",
    "credit_code",
    "region",
    "email",
]

LABELS: dict[str, dict[str, str]] = {
    "kind": {
        "licensing": "行政许可",
        "confirmation": "行政确认",
        "payment": "行政给付",
        "reward": "行政奖励",
        "adjudication": "行政裁决",
        "filing": "行政备案",
        "other_power": "其他行政权力",
        "public_service": "公共服务",
    },
    "region_level": {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）级"},
    "handling_mode": {"immediate": "即办件", "commitment": "承诺件"},
    "channel": {"mobile": "掌上办", "web": "网上办", "window": "窗口办"},
    "cross_scope": {"none": "不通办", "city": "市内通办", "province": "省内通办", "national": "跨省通办"},
    "cross_mode": {"online": "全程网办", "proxy_receive": "异地代收代办", "multi_region": "多地联办"},
    "audience": {"person": "个人", "enterprise": "法人"},
    "online_depth": {
        "1": "一级（信息公开）",
        "2": "二级（表格下载）",
        "3": "三级（网上申报）",
        "4": "四级（全程网办）",
    },
}


class Option(msgspec.Struct, frozen=True):
    value: str
    label: str


class FormField(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    key: str
    label: str
    type: FieldType = "text"
    required: bool = True
    help: str = ""
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    options: list[Option] = msgspec.field(default_factory=list)
    prefill: str | None = None
    """Where the value comes from, ``source.kind.field`` (e.g. ``population.person.name``)."""
    readonly: bool = False
    """A prefilled value the applicant may not change (checked again on submit)."""


class MaterialSpec(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    name: str
    kind: str = ""
    """The standard material kind shared across matters (e.g. ``household_register``): reuse key."""
    required: bool = True
    form: Literal["electronic", "original", "copy"] = "electronic"
    copies: int = 1
    licence_types: list[str] = msgspec.field(default_factory=list)
    """E-licence types that can replace this material (免证办理)."""
    reusable: bool = False
    """An earlier submission of the same kind can be reused (材料只交一次)."""
    reuse_valid_days: int = 365
    accept: list[str] = msgspec.field(default_factory=lambda: ["application/pdf", "image/jpeg", "image/png"])
    max_bytes: int = 10 * 1024 * 1024
    note: str = ""


class TimeLimit(msgspec.Struct, frozen=True, kw_only=True):
    statutory_days: int
    """法定办结时限 in working days."""
    promised_days: int
    """承诺办结时限 in working days (0 for 即办件: decided on the day)."""
    max_extension_days: int = 0
    """Cap on the one extension a department head may grant (0: none allowed)."""
    supplement_respond_days: int = 15
    """Working days the applicant has to answer a supplement notice."""


class Fee(msgspec.Struct, frozen=True, kw_only=True):
    charged: bool = False
    amount_yuan: str = "0"
    basis: str = ""


class CrossRegion(msgspec.Struct, frozen=True, kw_only=True):
    scope: CrossScope = "none"
    modes: list[CrossMode] = msgspec.field(default_factory=list)


class Result(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    kind: Literal["licence", "document", "payment", "none"] = "document"
    licence_type: str | None = None
    """The e-licence type issued on approval (出件即证照)."""
    name: str = ""
    delivery: list[Literal["electronic", "post", "pickup"]] = msgspec.field(default_factory=lambda: ["electronic"])


class MatterElements(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    basic_code: str
    name: str
    kind: MatterKind
    department_code: str
    region_level: RegionLevel
    region_code: str
    legal_basis: list[str]
    acceptance_conditions: list[str]
    materials: list[MaterialSpec]
    form: list[FormField]
    time_limit: TimeLimit
    fee: Fee = msgspec.field(default_factory=Fee)
    handling_mode: HandlingMode = "commitment"
    online_depth: int = 4
    channels: list[Channel] = msgspec.field(default_factory=lambda: ["mobile", "web", "window"])
    cross_region: CrossRegion = msgspec.field(default_factory=CrossRegion)
    audience: list[Audience] = msgspec.field(default_factory=lambda: ["person"])
    themes: list[str] = msgspec.field(default_factory=list)
    keywords: list[str] = msgspec.field(default_factory=list)
    hot: bool = False
    instant: bool = False
    """秒批: decided by rules against authoritative data, without a clerk."""
    result: Result = msgspec.field(default_factory=Result)
    visits: int = 0
    """最多跑动次数: how many times an applicant must come in person (0 = never)."""
    summary: str = ""


def encode(elements: MatterElements) -> str:
    return msgspec.json.encode(elements).decode()


def decode(text: str | bytes) -> MatterElements:
    return msgspec.json.decode(text, type=MatterElements)
