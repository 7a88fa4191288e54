"""Stable error codes with messages a resident understands, in Chinese and English.

Every error the platform returns is an RFC 9457 problem whose ``code`` is one of :data:`CATALOGUE`.
Clients switch on the code; the messages are for people. Domain code raises :class:`ProblemError`
and never builds HTTP responses itself.
"""

from __future__ import annotations

from typing import Any

import msgspec


class ErrorDef(msgspec.Struct, frozen=True):
    status: int
    zh: str
    en: str


CATALOGUE: dict[str, ErrorDef] = {
    # generic request problems
    "validation_failed": ErrorDef(422, "填写的内容有误，请按提示修改。", "Some of the information is not valid."),
    "unknown_field": ErrorDef(422, "提交了不认识的字段。", "The request contains a field we do not accept."),
    "malformed_body": ErrorDef(400, "请求格式不正确。", "The request body could not be read."),
    "unsupported_media_type": ErrorDef(415, "请求的内容类型不受支持。", "This content type is not supported."),
    "payload_too_large": ErrorDef(413, "上传的内容太大。", "The upload is too large."),
    "not_found": ErrorDef(404, "没有找到您要的内容。", "We could not find what you asked for."),
    "method_not_allowed": ErrorDef(405, "不支持这种操作方式。", "This method is not allowed here."),
    "rate_limited": ErrorDef(429, "操作太频繁，请稍后再试。", "Too many requests; please try again later."),
    "internal_error": ErrorDef(500, "系统出了点问题，我们已经记录，请稍后再试。", "Something went wrong on our side."),
    "service_unavailable": ErrorDef(503, "服务暂时不可用，请稍后再试。", "The service is temporarily unavailable."),
    "conflict": ErrorDef(
        409, "内容已被其他人修改，请刷新后再试。", "Someone else changed this first; refresh and retry."
    ),
    # idempotency
    "idempotency_key_reused": ErrorDef(
        422, "同一个请求编号被用于不同的内容。", "This Idempotency-Key was already used with a different request."
    ),
    "idempotency_in_progress": ErrorDef(
        409, "相同的请求正在处理中，请稍候。", "A request with this Idempotency-Key is still being processed."
    ),
    "idempotency_key_invalid": ErrorDef(
        400, "请求编号格式不正确。", "The Idempotency-Key header must be 1–128 visible characters."
    ),
    # authentication and sessions
    "unauthenticated": ErrorDef(401, "请先登录。", "Please log in first."),
    "session_expired": ErrorDef(401, "登录已过期，请重新登录。", "Your session has expired; please log in again."),
    "csrf_failed": ErrorDef(403, "页面已过期，请刷新后重试。", "The page is out of date; refresh and try again."),
    "forbidden": ErrorDef(403, "您没有权限进行这个操作。", "You are not allowed to do this."),
    "origin_rejected": ErrorDef(403, "请求来源不被允许。", "Requests from this origin are not allowed."),
    "phone_invalid": ErrorDef(422, "手机号码格式不正确。", "The mobile number is not valid."),
    "sms_code_invalid": ErrorDef(
        422, "验证码不正确或已失效，请重新获取。", "The verification code is wrong or no longer valid."
    ),
    "sms_code_expired": ErrorDef(422, "验证码已过期，请重新获取。", "The verification code has expired."),
    "sms_too_frequent": ErrorDef(429, "获取验证码太频繁，请稍后再试。", "Too many codes requested; try later."),
    "account_locked": ErrorDef(
        429, "尝试次数过多，账号已暂时锁定，请稍后再试。", "Too many attempts; the account is locked for a while."
    ),
    "login_failed": ErrorDef(401, "用户名、密码或动态口令不正确。", "Username, password or one-time code is wrong."),
    "realname_failed": ErrorDef(
        422, "姓名与身份证号码不匹配，请核对。", "The name and ID number do not match the population register."
    ),
    "realname_required": ErrorDef(403, "请先完成实名认证。", "Please verify your real name first."),
    "realname_taken": ErrorDef(
        409, "该身份证号码已绑定其他账号。", "This ID number is already bound to another account."
    ),
    "id_number_invalid": ErrorDef(
        422, "身份证号码不正确，请核对（18位，最后一位可能是X）。", "The ID number is not a valid 18-character number."
    ),
    "credit_code_invalid": ErrorDef(
        422, "统一社会信用代码不正确，请核对。", "The unified social credit code is not valid."
    ),
    "region_invalid": ErrorDef(422, "行政区划代码不正确。", "The region code is not valid."),
    "enterprise_not_found": ErrorDef(
        404, "没有找到这家企业的登记信息。", "No registered enterprise has this credit code."
    ),
    "not_legal_representative": ErrorDef(
        403, "只有企业法定代表人可以授权经办人。", "Only the legal representative can authorise staff."
    ),
    "step_up_required": ErrorDef(
        403, "为保护您的安全，请再次验证手机验证码。", "Please confirm with a fresh SMS code first."
    ),
    # catalogue
    "matter_not_found": ErrorDef(404, "没有找到这个事项。", "No such matter."),
    "matter_not_published": ErrorDef(409, "该事项暂未发布，不能申请。", "This matter is not published yet."),
    "matter_version_conflict": ErrorDef(
        409, "事项已有更新的版本，请刷新后再编辑。", "A newer version of this matter exists; reload first."
    ),
    "matter_not_offered": ErrorDef(
        422, "这个事项不能在所选地区办理。", "This matter cannot be handled in the chosen region."
    ),
    # applications
    "application_not_found": ErrorDef(404, "没有找到这个办件。", "No such application."),
    "transition_not_allowed": ErrorDef(
        409, "当前状态下不能进行这个操作。", "This action is not possible in the application's current state."
    ),
    "decision_conflict": ErrorDef(
        409, "该办件已被其他工作人员处理。", "Another clerk has already acted on this application."
    ),
    "material_missing": ErrorDef(422, "还缺少必须提交的材料。", "A required material is missing."),
    "material_unknown": ErrorDef(422, "该事项不需要这份材料。", "This matter does not ask for that material."),
    "file_type_not_allowed": ErrorDef(
        415, "文件格式不支持，请上传 PDF、JPG 或 PNG。", "This file type is not accepted; use PDF, JPG or PNG."
    ),
    "file_too_large": ErrorDef(413, "文件太大，请压缩后再上传。", "The file is too large."),
    "file_empty": ErrorDef(422, "文件是空的。", "The file is empty."),
    "file_not_found": ErrorDef(404, "没有找到这个文件。", "No such file."),
    "supplement_items_required": ErrorDef(
        422, "补正通知必须一次性列明所有需要补充的内容。", "A supplement notice must list every missing item."
    ),
    "extension_not_allowed": ErrorDef(
        409, "已延期或延期天数超过上限。", "The time limit was already extended or the extension is too long."
    ),
    "reason_required": ErrorDef(422, "请填写理由。", "Please give a reason."),
    "applicant_not_found": ErrorDef(
        404, "没有找到这位申请人的实名信息。", "No verified resident matches this applicant."
    ),
    "assignee_invalid": ErrorDef(
        422, "只能分配给本部门、本地区的审批人员。", "Only reviewers of the same department and region can be assigned."
    ),
}


class FieldError(msgspec.Struct, frozen=True, omit_defaults=True):
    field: str
    code: str
    message_zh: str
    message_en: str


class ProblemError(Exception):
    """A failure with a stable code; the API turns it into problem+json."""

    def __init__(
        self,
        code: str,
        *,
        field: str | None = None,
        detail: str | None = None,
        errors: list[FieldError] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        zh: str | None = None,
        en: str | None = None,
    ) -> None:
        definition = CATALOGUE.get(code)
        if definition is None:
            raise KeyError(f"unknown error code {code!r}: add it to core.errors.CATALOGUE")
        self.code = code
        self.status = status or definition.status
        self.message_zh = zh or definition.zh
        self.message_en = en or definition.en
        self.field = field
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(f"{code}: {self.message_en}")


def field_error(field: str, code: str, zh: str | None = None, en: str | None = None) -> FieldError:
    definition = CATALOGUE[code]
    return FieldError(field=field, code=code, message_zh=zh or definition.zh, message_en=en or definition.en)


def invalid(field: str, code: str = "validation_failed", zh: str | None = None, en: str | None = None) -> ProblemError:
    """A one-field validation failure, e.g. ``raise invalid("id_number", "id_number_invalid")``."""
    error = field_error(field, code, zh, en)
    return ProblemError(code, field=field, errors=[error], zh=zh, en=en)


def register(code: str, status: int, zh: str, en: str) -> None:
    """Let a domain package add its own codes at import time (codes must stay stable once shipped)."""
    existing = CATALOGUE.get(code)
    if existing is not None and existing != ErrorDef(status, zh, en):
        raise ValueError(f"error code {code!r} is already registered with a different meaning")
    CATALOGUE[code] = ErrorDef(status, zh, en)
