"""The grant state machine as one table, and the vocabulary of bases, actions and lengths.

``who`` names the party that may make a move: ``principal`` (the person, or the enterprise's legal
representative), ``agent`` (the person or the organisation's named member), ``clerk`` (the window
clerk of a hall-assisted session) and ``system`` (expiry). A grant is *in force* only while its
stored state is ``active``, the clock is inside ``[valid_from, valid_until)`` and the agent still
is who the grant names; everything else is refused exactly like a missing resource.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

State = Literal["pending", "active", "suspended", "expired", "revoked", "declined", "agent_opted_out"]
Basis = Literal["voluntary", "guardian", "family_care", "hall_assisted"]
Action = Literal["view", "apply", "supplement", "receive", "evaluate", "withdraw", "present"]
Party = Literal["principal", "agent", "clerk", "system"]

ACTIONS: tuple[str, ...] = ("view", "apply", "supplement", "receive", "evaluate", "withdraw", "present")
ACTION_LABELS = {
    "view": "查看",
    "apply": "申请",
    "supplement": "补正材料",
    "receive": "领取结果",
    "evaluate": "评价",
    "withdraw": "撤回",
    "present": "出示证照",
}
STATE_LABELS = {
    "pending": "待确认",
    "active": "生效中",
    "suspended": "已暂停",
    "expired": "已到期",
    "revoked": "已撤销",
    "declined": "已拒绝",
    "agent_opted_out": "代办人已退出",
}
BASIS_LABELS = {
    "voluntary": "自愿委托",
    "guardian": "法定监护",
    "family_care": "家庭照护",
    "hall_assisted": "大厅帮办",
}
LIVE = frozenset({"pending", "active", "suspended"})
TERMINAL = frozenset({"expired", "revoked", "declined", "agent_opted_out"})


class Length(msgspec.Struct, frozen=True):
    default: dt.timedelta
    maximum: dt.timedelta


LENGTHS: dict[str, Length] = {
    # 自愿委托: a year, renewable; at most three.
    "voluntary": Length(dt.timedelta(days=365), dt.timedelta(days=3 * 365)),
    # 家庭照护: family members caring for an elderly or disabled relative; three years, at most five.
    "family_care": Length(dt.timedelta(days=3 * 365), dt.timedelta(days=5 * 365)),
    # 法定监护: as recorded in the population register, re-checked whenever the guardian starts acting.
    "guardian": Length(dt.timedelta(days=5 * 365), dt.timedelta(days=10 * 365)),
    # 大厅帮办: one assisted session at a window, never longer than 30 minutes.
    "hall_assisted": Length(dt.timedelta(minutes=30), dt.timedelta(minutes=30)),
}
OFFER_WINDOW = dt.timedelta(hours=24)
"""How long the one-time code a principal hands to the agent stays valid."""
REQUEST_WINDOW = dt.timedelta(days=7)
"""How long an agent's request waits for the principal's consent."""
SMS_CODE_TTL = dt.timedelta(minutes=10)
"""How long an SMS consent code sent to the principal stays valid."""
CODE_ATTEMPTS = 5
"""Wrong codes after which a pending grant's code stops working (a new one must be issued)."""


class Transition(msgspec.Struct, frozen=True):
    action: str
    sources: frozenset[str]
    target: str
    who: frozenset[str]
    text: str


def _t(action: str, sources: set[str], target: str, who: set[str], text: str) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(who), text)


TRANSITIONS: tuple[Transition, ...] = (
    _t("accept", {"pending"}, "active", {"agent"}, "代办人已确认，授权生效"),
    _t("approve", {"pending"}, "active", {"principal"}, "委托人已同意，授权生效"),
    _t("decline", {"pending"}, "declined", {"principal", "agent"}, "授权已被拒绝"),
    _t("suspend", {"active"}, "suspended", {"principal"}, "委托人暂停了授权"),
    _t("resume", {"suspended"}, "active", {"principal"}, "委托人恢复了授权"),
    _t("revoke", {"pending", "active", "suspended"}, "revoked", {"principal"}, "委托人撤销了授权"),
    _t("opt_out", {"active", "suspended"}, "agent_opted_out", {"agent"}, "代办人退出了代办"),
    _t("end", {"active"}, "expired", {"clerk"}, "窗口帮办已结束"),
    _t("expire", {"pending", "active", "suspended"}, "expired", {"system"}, "授权已到期"),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}


def allowed(action: str, state: str, party: str) -> bool:
    transition = BY_ACTION.get(action)
    return transition is not None and state in transition.sources and party in transition.who


def effective(state: str, *, valid_until: dt.datetime, pending_until: dt.datetime | None, now: dt.datetime) -> str:
    """The state as of ``now``: a live grant whose time ran out is expired even before the sweep."""
    if state in ("active", "suspended") and now >= valid_until:
        return "expired"
    if state == "pending" and (now >= valid_until or (pending_until is not None and now >= pending_until)):
        return "expired"
    return state
