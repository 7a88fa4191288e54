"""RFC 9457 problem+json for every error, whatever raised it.

The body always has ``type``, ``title``, ``status``, a stable ``code``, ``message_zh`` and
``message_en``, the offending ``field`` when there is one, the full list of ``errors`` for forms,
and the ``request_id`` to quote to the help desk.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from core import logs
from core.errors import CATALOGUE, FieldError, ProblemError, field_error

log = logging.getLogger("zhangban.errors")
MEDIA_TYPE = "application/problem+json"


class Problem(msgspec.Struct, omit_defaults=True, kw_only=True):
    """An RFC 9457 problem detail."""

    type: str
    title: str
    status: int
    code: str
    message_zh: str
    message_en: str
    detail: str | None = None
    instance: str | None = None
    field: str | None = None
    errors: list[FieldError] = msgspec.field(default_factory=list)
    request_id: str | None = None
    retry_after: int | None = None


def _prefers_english(request: Request | None) -> bool:
    if request is None:
        return False
    accept = request.headers.get("accept-language", "")
    return accept.lower().startswith("en")


def build(error: ProblemError, request: Request | None = None) -> Response:
    body: dict[str, Any] = {
        "type": f"/problems/{error.code}",
        "title": error.message_en if _prefers_english(request) else error.message_zh,
        "status": error.status,
        "code": error.code,
        "message_zh": error.message_zh,
        "message_en": error.message_en,
        "request_id": logs.request_id.get() or None,
    }
    if request is not None:
        body["instance"] = request.url.path
    if error.detail:
        body["detail"] = error.detail
    if error.field:
        body["field"] = error.field
    if error.errors:
        body["errors"] = [msgspec.structs.asdict(e) for e in error.errors]
    for key, value in error.extra.items():
        body.setdefault(key, value)
    return Response(content=body, status_code=error.status, media_type=MEDIA_TYPE, headers=error.headers)


_MSGSPEC_PATH = re.compile(r"at `\$(?P<path>[^`]*)`")
_UNKNOWN = re.compile(r"unknown field `(?P<name>[^`]+)`")
_MISSING = re.compile(r"missing required field `(?P<name>[^`]+)`")


def _field_from(message: str, key: str | None) -> tuple[str | None, str]:
    """Map a decoding message to (field path, code)."""
    path_match = _MSGSPEC_PATH.search(message)
    path = path_match.group("path").lstrip(".") if path_match else ""
    path = re.sub(r"\[(\d+)\]", r"[\1]", path)
    if unknown := _UNKNOWN.search(message):
        name = unknown.group("name")
        return (f"{path}.{name}" if path else name), "unknown_field"
    if missing := _MISSING.search(message):
        name = missing.group("name")
        return (f"{path}.{name}" if path else name), "validation_failed"
    if path:
        return path, "validation_failed"
    return key, "validation_failed"


def from_validation(exc: ValidationException) -> ProblemError:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors: list[FieldError] = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        if "malformed" in message.lower() or "invalid json" in message.lower():
            return ProblemError("malformed_body", detail="JSON is malformed")
        source = item.get("source")
        key = item.get("key")
        field, code = _field_from(message, key if source != "body" else None)
        if source in ("query", "path", "header", "cookie") and key:
            field = str(key)
        errors.append(field_error(field or "body", code, en=message[:300] or None))
    detail = str(exc.detail or "")
    if not errors:
        if "malformed" in detail.lower() or "decode" in detail.lower():
            return ProblemError("malformed_body", detail=detail[:300])
        errors.append(field_error("body", "validation_failed", en=detail[:300] or None))
    code = errors[0].code if len({e.code for e in errors}) == 1 else "validation_failed"
    return ProblemError(code, field=errors[0].field, errors=errors)


_STATUS_CODES = {
    400: "malformed_body",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


def from_http(exc: HTTPException) -> ProblemError:
    code = _STATUS_CODES.get(exc.status_code, "internal_error" if exc.status_code >= 500 else "malformed_body")
    headers = dict(exc.headers or {})
    extra: dict[str, Any] = {}
    if exc.status_code == 429:
        lowered = {k.lower(): v for k, v in headers.items()}
        retry = lowered.get("retry-after") or lowered.get("ratelimit-reset") or "60"
        headers["Retry-After"] = str(retry)
        extra["retry_after"] = int(retry)
    return ProblemError(code, status=exc.status_code if code in CATALOGUE else None, headers=headers, extra=extra)


def problem_handler(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ProblemError):
        return build(exc, request)
    if isinstance(exc, ValidationException):
        return build(from_validation(exc), request)
    if isinstance(exc, HTTPException):
        if exc.status_code >= 500:
            log.error("http.error", exc_info=exc)
        return build(from_http(exc), request)
    log.error("unhandled", exc_info=exc, extra={"path": request.url.path})
    return build(ProblemError("internal_error"), request)


def responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI response entries documenting the problems an operation may answer with."""
    from litestar.openapi.datastructures import ResponseSpec

    described = {
        400: "Malformed request (code `malformed_body`, `idempotency_key_invalid`)",
        401: "Not logged in or session expired (`unauthenticated`, `session_expired`, `login_failed`)",
        403: "Not allowed: role, CSRF token, real-name or step-up missing",
        404: "Not found — also the answer for objects the caller may not see",
        409: "Conflict: state changed, another clerk acted first, or an idempotent request is in progress",
        413: "Upload or body too large",
        415: "Unsupported content or file type",
        422: "Validation failed; `errors` lists every field with Chinese and English messages",
        429: "Rate limited or locked out; see Retry-After",
        503: "A dependency (database, data source) is not answering",
    }
    always = {400, 422}  # any operation with parameters or a body can answer these
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=described.get(status, "Problem"),
            media_type=MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted(always | set(statuses))
    }
