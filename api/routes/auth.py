"""Logging in and out: residents by phone + SMS code, clerks by password + TOTP; step-up; real name."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec
from litestar import Request, Response, Router, post
from litestar.datastructures import Cookie
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import JSONBody

from api import problems
from api.deps import SECURITY, CallerDep, resident
from api.middleware import SESSION_COOKIE
from api.routes.me import build_me
from api.schemas import Me, Ok, SessionInfo
from auth import clerks, codes, residents, sessions
from auth.tables import Resident
from core import settings


class CodeRequest(msgspec.Struct, forbid_unknown_fields=True):
    phone: str
    purpose: Literal["login"] = "login"


class CodeSent(msgspec.Struct):
    expires_in: int
    resend_after: int


class ResidentLogin(msgspec.Struct, forbid_unknown_fields=True):
    phone: str
    code: str
    client: Literal["browser", "api"] = "browser"


class ClerkLogin(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    password: str
    totp: str
    client: Literal["browser", "api"] = "browser"


class StepUp(msgspec.Struct, forbid_unknown_fields=True):
    code: str


class RealName(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    id_number: str


class Revoked(msgspec.Struct):
    revoked: int


def _session_response(token: str, row: dict, me: Me, client: str, status: int = 200) -> Response[SessionInfo]:
    current = settings.get()
    info = SessionInfo(
        csrf_token=row["csrf_token"],
        expires_at=row["expires_at"],
        idle_timeout_seconds=row["idle_seconds"],
        me=me,
        token=token if client == "api" else None,
    )
    cookies = []
    if client == "browser":
        cookies.append(
            Cookie(
                key=SESSION_COOKIE,
                value=token,
                httponly=True,
                secure=current.cookie_secure,
                samesite="lax",
                path="/",
                max_age=int((row["expires_at"] - row["created_at"]).total_seconds()),
            )
        )
    return Response(info, status_code=status, cookies=cookies)


@post(
    "/sms-code",
    opt={"csrf_exempt": True},
    status_code=202,
    summary="Send a login code by SMS",
    responses=problems.responses(422, 429),
    description="Sends a six-digit code valid for 10 minutes. At most one per minute and five per hour "
    "per phone; too many wrong codes lock the phone for a while (`account_locked`).",
)
async def send_code(data: JSONBody[CodeRequest]) -> CodeSent:
    ttl = await codes.send_code(data.phone, data.purpose)
    return CodeSent(expires_in=ttl, resend_after=codes.RESEND_SECONDS)


@post(
    "/login",
    status_code=200,
    opt={"csrf_exempt": True},
    summary="Log in as a resident",
    responses=problems.responses(422, 429),
    description=(
        "Checks the SMS code (single use) and opens a session. New phone numbers get an account; real-name "
        "verification follows. Browsers get an HttpOnly cookie and must echo `csrf_token` in `X-CSRF-Token` on "
        "every state-changing request; `client: api` returns a bearer token instead."
    ),
)
async def login(data: JSONBody[ResidentLogin], request: Request) -> Response[SessionInfo]:
    phone = await codes.verify_code(data.phone, "login", data.code)
    account = await residents.find_or_create_by_phone(phone)
    current = settings.get()
    token, row = await sessions.create(
        "resident",
        account["id"],
        idle=dt.timedelta(minutes=current.resident_idle_minutes),
        absolute=dt.timedelta(hours=current.resident_absolute_hours),
        user_agent=request.headers.get("user-agent", ""),
    )
    return _session_response(token, row, await build_me(account_row=account), data.client)


@post(
    "/clerk-login",
    status_code=200,
    opt={"csrf_exempt": True},
    summary="Log in as a clerk",
    responses=problems.responses(401, 422, 429),
    description=(
        "Password and the current TOTP code. Five failures lock the username for 15 minutes. Clerk sessions "
        "end after 15 idle minutes."
    ),
)
async def clerk_login(data: JSONBody[ClerkLogin], request: Request) -> Response[SessionInfo]:
    row = await clerks.authenticate(data.username, data.password, data.totp)
    current = settings.get()
    token, session = await sessions.create(
        "clerk",
        row["id"],
        idle=dt.timedelta(minutes=current.clerk_idle_minutes),
        absolute=dt.timedelta(hours=current.clerk_absolute_hours),
        channel="window",
        user_agent=request.headers.get("user-agent", ""),
    )
    return _session_response(token, session, await build_me(clerk_row=row), data.client)


@post(
    "/logout",
    status_code=200,
    summary="Log out this session",
    security=SECURITY,
    responses=problems.responses(401, 403),
)
async def logout(caller: CallerDep) -> Response[Ok]:
    await sessions.revoke(caller.session_id)
    return Response(Ok(), cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True)])


@post(
    "/logout-all",
    status_code=200,
    summary="Log out everywhere",
    security=SECURITY,
    responses=problems.responses(401, 403),
    description="Ends every session of this account, on every device.",
)
async def logout_all(caller: CallerDep) -> Response[Revoked]:
    count = await sessions.revoke_all(caller.kind, caller.account_id)
    return Response(Revoked(count), cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True)])


@post(
    "/step-up/code",
    status_code=202,
    summary="Send a step-up code to my phone",
    security=SECURITY,
    responses=problems.responses(401, 403, 429),
)
async def step_up_code(caller: CallerDep) -> CodeSent:
    resident(caller, verified=False, proxies=False)
    row = await Resident.select(Resident.phone_enc).where(Resident.id == caller.account_id).first()
    assert row is not None
    ttl = await codes.send_code(residents.phone_of(row), "step_up")
    return CodeSent(expires_in=ttl, resend_after=codes.RESEND_SECONDS)


@post(
    "/step-up",
    status_code=200,
    summary="Confirm a sensitive action with a fresh SMS code",
    security=SECURITY,
    responses=problems.responses(401, 403, 422, 429),
    description="Needed within 10 minutes before granting a proxy or authorising company staff.",
)
async def step_up(caller: CallerDep, data: JSONBody[StepUp]) -> Ok:
    resident(caller, verified=False, proxies=False)
    row = await Resident.select(Resident.phone_enc).where(Resident.id == caller.account_id).first()
    assert row is not None
    await codes.verify_code(residents.phone_of(row), "step_up", data.code)
    await sessions.mark_step_up(caller.session_id)
    return Ok()


@post(
    "/realname",
    status_code=200,
    summary="Verify my real name",
    security=SECURITY,
    responses=problems.responses(401, 403, 409, 422),
    description="Checks name + 18-digit ID number (GB 11643) against the population register and binds them "
    "to the account. The ID number is stored encrypted and only ever shown masked.",
)
async def realname(caller: CallerDep, data: JSONBody[RealName]) -> Me:
    resident(caller, verified=False, proxies=False)
    row = await residents.verify_real_name(caller.account_id, data.name, data.id_number)
    return await build_me(account_row=row)


auth_rate_limit = RateLimitConfig(rate_limit=("minute", 30), set_rate_limit_headers=True)

router = Router(
    path="/api/auth",
    route_handlers=[send_code, login, clerk_login, logout, logout_all, step_up_code, step_up, realname],
    tags=["认证 Auth"],
    middleware=[auth_rate_limit.middleware],
)
ROUTES = [router]
