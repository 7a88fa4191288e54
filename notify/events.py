"""What each event tells a resident, in plain Chinese (with an English line for other clients).

Templates use ``str.format`` fields; the values come from the cause (matter name, application
number, dates). Never put ID numbers, phone numbers or addresses in them: texts travel to SMS.
"""

from __future__ import annotations

import msgspec


class EventText(msgspec.Struct, frozen=True):
    title: str
    body: str
    title_en: str


EVENTS: dict[str, EventText] = {
    "application_submitted": EventText(
        "申请已提交", "您的「{matter}」申请已提交，办件编号 {number}。我们会尽快受理。", "Application submitted"
    ),
    "application_accepted": EventText(
        "申请已受理", "「{matter}」已受理，承诺在 {due_on} 前办结。", "Application accepted"
    ),
    "application_not_accepted": EventText(
        "申请未予受理", "很抱歉，「{matter}」未予受理：{reason}", "Application not accepted"
    ),
    "supplement_requested": EventText(
        "请补正材料",
        "「{matter}」需要您补充 {count} 项内容，请在 {respond_by} 前在“我的办件”中一次性补齐。",
        "Please supplement your application",
    ),
    "application_decided": EventText(
        "审批结果", "「{matter}」的审批结果：{decision}。", "Decision on your application"
    ),
    "result_ready": EventText(
        "办理结果已出", "「{matter}」的办理结果已出，可在“我的办件”查看{licence_hint}。", "Your result is ready"
    ),
    "application_withdrawn": EventText("申请已撤回", "您已撤回「{matter}」的申请。", "Application withdrawn"),
    "agent_action": EventText("代办提醒", "您的代办人{agent}为您{action}「{matter}」。", "Your agent acted for you"),
    "licence_expiring": EventText(
        "证照即将到期", "您的{licence}将于 {expires_on} 到期，请及时办理延续。", "A licence is about to expire"
    ),
    "benefit_granted": EventText(
        "惠企政策已兑现", "您符合「{policy}」，{amount}已安排拨付，无需申请。", "A policy benefit was granted"
    ),
    "appointment_reminder": EventText(
        "预约提醒", "您预约了 {when} 在{hall}办理「{matter}」，请带好证件准时到达。", "Appointment reminder"
    ),
    "evaluation_invited": EventText(
        "邀请您评价", "「{matter}」已办结，请对这次服务进行评价。", "Please rate the service"
    ),
    "rectification_done": EventText(
        "差评整改结果",
        "您对「{matter}」的评价已整改完成，可在“我的评价”查看结果并再次评价。",
        "Your complaint was addressed",
    ),
    "proxy_offered": EventText(
        "有人委托您代办",
        "{principal}委托您代办{scope}。请在“我的代办”中输入对方告诉您的授权码确认。",
        "Someone asked you to act for them",
    ),
    "proxy_requested": EventText(
        "有人申请代您办事",
        "{agent}申请代您办理{scope}。同意请把短信验证码告诉对方，或在“授权管理”中确认；不认识对方请拒绝。",
        "Someone asks to act for you",
    ),
    "proxy_granted": EventText(
        "代办授权已生效",
        "{agent}现在可以代您办理{scope}，有效期至{until}。您可以随时在“授权管理”中查看代办记录或撤销授权。",
        "A proxy grant is in force",
    ),
    "proxy_confirmed": EventText(
        "可以开始代办了",
        "{principal}的代办授权已生效：{scope}，有效期至{until}。在“我的代办”中选择“为{principal}办事”即可开始。",
        "You may now act for someone",
    ),
    "proxy_ended": EventText(
        "代办授权已结束",
        "您与{other}之间的代办授权（{scope}）{how}。",
        "A proxy grant ended",
    ),
    "ticket_replied": EventText(
        "12345 工单已答复",
        "您反映的问题已有答复（工单号 {number}），请查看并评价。",
        "Your 12345 ticket was answered",
    ),
}


def render(event: str, **values: object) -> tuple[str, str]:
    """Title and body for ``event`` with ``values`` filled in."""
    text = EVENTS[event]
    return text.title, text.body.format(**values)
