"""The application state machine as one table: every move, from where, to where, and who may make it.

``who`` names parties, not accounts: ``applicant`` is the principal (or an agent whose grant
covers the action), ``window`` / ``reviewer`` / ``head`` are clerk roles of the competent
department and region, ``system`` is the platform itself (instant approval, automatic closing).
``clock`` says what the move does to the legal time limit; ``notify`` names the event the
applicant is told about. Guards are small named predicates on the application row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import msgspec

Status = Literal[
    "draft",
    "submitted",
    "accepted",
    "not_accepted",
    "supplement_requested",
    "supplement_received",
    "in_review",
    "suspended",
    "approved",
    "denied",
    "result_ready",
    "delivered",
    "closed",
    "withdrawn",
]
Party = Literal["applicant", "window", "reviewer", "head", "system"]
ClockEffect = Literal["start", "stop", "resume", "finish", "none"]

STATUS_LABELS: dict[str, str] = {
    "draft": "草稿",
    "submitted": "已提交",
    "accepted": "已受理",
    "not_accepted": "不予受理",
    "supplement_requested": "待补正",
    "supplement_received": "已补正",
    "in_review": "审查中",
    "suspended": "中止",
    "approved": "准予许可",
    "denied": "不予许可",
    "result_ready": "已出件",
    "delivered": "已送达",
    "closed": "已办结",
    "withdrawn": "已撤回",
}
TERMINAL = frozenset({"closed", "withdrawn"})
OPEN_FOR_CLERKS = frozenset(
    {
        "submitted",
        "accepted",
        "supplement_requested",
        "supplement_received",
        "in_review",
        "suspended",
        "approved",
        "result_ready",
    }
)


class Transition(msgspec.Struct, frozen=True):
    action: str
    sources: frozenset[str]
    target: str
    who: frozenset[str]
    clock: ClockEffect = "none"
    notify: str | None = None
    guard: str | None = None
    text: str = ""
    """The default public text of the status-history entry."""


def _t(
    action: str,
    sources: str,
    target: str,
    who: str,
    clock: ClockEffect = "none",
    notify: str | None = None,
    guard: str | None = None,
    text: str = "",
) -> Transition:
    return Transition(action, frozenset(sources.split()), target, frozenset(who.split()), clock, notify, guard, text)


# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    #  action, from, to, who
    _t("submit", "draft", "submitted", "applicant window",
       notify="application_submitted", text="申请已提交"),
    _t("accept", "submitted supplement_received", "accepted", "window system",
       clock="start", notify="application_accepted", guard="not_yet_accepted", text="申请已受理"),
    _t("refuse", "submitted supplement_received", "not_accepted", "window",
       notify="application_not_accepted", guard="not_yet_accepted", text="不予受理"),
    _t("request_supplement", "submitted accepted in_review supplement_received", "supplement_requested",
       "window reviewer head", clock="stop", notify="supplement_requested", text="需要补正材料"),
    _t("supplement", "supplement_requested", "supplement_received", "applicant",
       clock="resume", text="已提交补正材料"),
    _t("start_review", "accepted supplement_received", "in_review", "reviewer head system",
       guard="already_accepted", text="进入审查"),
    _t("suspend", "in_review", "suspended", "reviewer head",
       clock="stop", text="办理中止"),
    _t("resume", "suspended", "in_review", "reviewer head",
       clock="resume", text="恢复办理"),
    _t("approve", "in_review", "approved", "reviewer head system",
       clock="finish", notify="application_decided", text="审查通过，准予许可"),
    _t("deny", "in_review", "denied", "reviewer head system",
       clock="finish", notify="application_decided", text="不予许可"),
    _t("issue_result", "approved", "result_ready", "window reviewer head system",
       notify="result_ready", text="办理结果已出件"),
    _t("deliver", "result_ready", "delivered", "window system applicant",
       text="结果已送达"),
    _t("close", "delivered denied not_accepted", "closed", "window system",
       text="已办结"),
    _t("withdraw", "submitted accepted supplement_requested supplement_received in_review suspended", "withdrawn",
       "applicant", clock="finish", notify="application_withdrawn", text="申请人撤回申请"),
)
# fmt: on

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}

GUARDS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "not_yet_accepted": lambda row: row.get("accepted_at") is None,
    "already_accepted": lambda row: row.get("accepted_at") is not None,
}


def allowed(action: str, status: str, parties: set[str] | frozenset[str], row: dict[str, Any]) -> bool:
    transition = BY_ACTION.get(action)
    if transition is None or status not in transition.sources or not (transition.who & parties):
        return False
    return transition.guard is None or GUARDS[transition.guard](row)


def available(status: str, parties: set[str] | frozenset[str], row: dict[str, Any]) -> list[str]:
    """The actions these parties can take now (the desk shows exactly these buttons)."""
    return [t.action for t in TRANSITIONS if allowed(t.action, status, parties, row)]
