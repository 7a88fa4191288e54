"""Ticket categories, their deadlines in working days, and the escalation ladder (接诉即办).

The deadline runs from the day a ticket is dispatched to a department (期限从次日起算, like every
working-day limit on the platform). A ticket not answered by its deadline climbs one level at once
and one more every :data:`ESCALATE_EVERY` working days after it:

1. 黄牌督办 — flagged to the department and the 12345 centre;
2. 红牌督办 — the same kind of department one level up supervises it;
3. 通报 — the province's 政务服务管理办公室 supervises it.
"""

from __future__ import annotations

from typing import Literal

import msgspec

CategoryCode = Literal["complaint", "request", "consultation", "suggestion", "business_env"]


class Category(msgspec.Struct, frozen=True):
    label: str
    days: int


CATEGORIES: dict[str, Category] = {
    "consultation": Category("咨询", 1),
    "request": Category("求助", 3),
    "complaint": Category("投诉", 5),
    "business_env": Category("营商环境投诉", 5),
    "suggestion": Category("建议", 10),
}
ESCALATE_EVERY = 2
MAX_LEVEL = 3
LEVEL_LABELS = {0: "", 1: "黄牌督办", 2: "红牌督办", 3: "通报"}
STATUS_LABELS = {
    "pending_dispatch": "待派单",
    "dispatched": "办理中",
    "replied": "已答复",
    "closed": "已办结",
}
SUPERVISOR_CODE = "zwfw"
"""The kind of department that runs 12345 and supervises at the top of the ladder."""


def escalation_level(overdue_working_days: int) -> int:
    """The level a ticket that is past its deadline should be at."""
    return min(MAX_LEVEL, 1 + max(overdue_working_days, 0) // ESCALATE_EVERY)
