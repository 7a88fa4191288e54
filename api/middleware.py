"""Request context, security headers, sessions and CSRF.

:func:`request_context` wraps the whole application (also requests that match no route): every
request gets an id, security headers and one JSON access-log line. :class:`SessionAuth` resolves
the caller from the session cookie or a bearer token and enforces CSRF and content-type rules on
state-changing requests; it answers problems itself so the access log sees the final status.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from typing import Any

from litestar import Request
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api import problems
from auth import context
from core import logs, settings
from core.errors import ProblemError

access_log = logging.getLogger("zhangban.access")

SESSION_COOKIE = "zb_session"
CSRF_COOKIE = "zb_csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

PWA_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"


async def send_problem(scope: Scope, receive: Receive, send: Send, error: ProblemError) -> None:
    response = problems.build(error, Request(scope))
    await response.to_asgi_response(app=None, request=Request(scope))(scope, receive, send)  # type: ignore[arg-type]


async def request_context(scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
    headers = Headers.from_scope(scope)
    incoming = headers.get("x-request-id", "")
    rid = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
    token = logs.request_id.set(rid)
    started = time.perf_counter()
    status = 500
    path: str = scope["path"]
    is_api = path.startswith(("/api", "/.well-known", "/healthz", "/schema", "/problems", "/federation"))
    secure = settings.get().cookie_secure

    async def send_wrapper(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
            present = {name.lower() for name, _ in raw}

            def add(name: bytes, value: str) -> None:
                if name not in present:
                    raw.append((name, value.encode()))

            add(b"x-request-id", rid)
            add(b"x-content-type-options", "nosniff")
            add(b"referrer-policy", "no-referrer")
            add(b"x-frame-options", "DENY")
            add(b"cross-origin-opener-policy", "same-origin")
            add(b"permissions-policy", "camera=(self), microphone=(), geolocation=(self), payment=()")
            add(b"content-security-policy", API_CSP if is_api else PWA_CSP)
            if secure:
                add(b"strict-transport-security", "max-age=31536000; includeSubDomains")
            if path.startswith("/api"):
                add(b"cache-control", "no-store")
            acting = scope.get("zb.caller")
            if acting is not None and acting.principal is not None and acting.basis != "self":
                # Every response says whom the caller acts for (a proxy or a company's staff).
                add(b"x-acting-for", acting.principal.key)
                add(b"x-acting-basis", acting.basis)
                if acting.via is not None:
                    add(b"x-acting-via", str(acting.via))
            message["headers"] = raw
        await send(message)

    try:
        await next_app(scope, receive, send_wrapper)
    finally:
        caller = scope.get("zb.caller")
        access_log.info(
            "request",
            extra={
                "method": scope["method"],
                "path": path,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "caller": f"{caller.kind}:{caller.account_id}" if caller else "anonymous",
            },
        )
        logs.request_id.reset(token)


def _same_origin(origin: str, headers: Headers) -> bool:
    host = headers.get("host", "")
    allowed = {f"http://{host}", f"https://{host}", settings.get().public_origin.rstrip("/")}
    return origin.rstrip("/") in allowed


class SessionAuth(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        token, from_cookie = "", False
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        else:
            cookie_header = headers.get("cookie", "")
            for part in cookie_header.split(";"):
                name, _, value = part.strip().partition("=")
                if name == SESSION_COOKIE and value:
                    token, from_cookie = value, True
        caller = await context.load(token) if token else None
        scope["zb.caller"] = caller  # type: ignore[typeddict-unknown-key]
        scope["zb.session_invalid"] = bool(token) and caller is None  # type: ignore[typeddict-unknown-key]

        if scope["method"] in UNSAFE and scope["path"].startswith("/api"):
            # Login endpoints act on no session, so a stale cookie must not block them; they still get
            # the origin and content-type checks that stop cross-site form posts.
            handler = scope.get("route_handler")
            exempt = handler is not None and handler.opt.get("csrf_exempt", False)
            problem = self._check_unsafe(headers, caller, from_cookie and not exempt)
            if problem is not None:
                await send_problem(scope, receive, send, problem)
                return
        await next_app(scope, receive, send)

    @staticmethod
    def _check_unsafe(headers: Headers, caller: Any, from_cookie: bool) -> ProblemError | None:
        origin = headers.get("origin")
        if origin and not _same_origin(origin, headers):
            return ProblemError("origin_rejected")
        has_body = headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers
        if has_body:
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in ("application/json", "multipart/form-data"):
                return ProblemError("unsupported_media_type", field="content-type")
        if caller is not None and from_cookie:
            sent = headers.get(CSRF_HEADER, "")
            if not sent or not hmac.compare_digest(sent.encode(), caller.csrf_token.encode()):
                return ProblemError("csrf_failed")
        return None
