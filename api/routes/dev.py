"""Development-only helpers; these routes are not registered in production."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Router, get
from litestar.params import FromQuery

from api import problems
from auth.codes import checked_phone
from auth.tables import DevSms


class DevMessage(msgspec.Struct):
    phone: str
    text: str
    at: dt.datetime


@get(
    "/sms",
    responses=problems.responses(),
    summary="Messages the development SMS sender delivered to a phone (development only)",
)
async def dev_sms(
    phone: FromQuery[str], limit: FromQuery[int] = 5, codes_only: FromQuery[bool] = False
) -> list[DevMessage]:
    """``codes_only`` leaves out notification texts, which reach the same inbox (every code text says 验证码)."""
    number = checked_phone(phone)
    where = DevSms.phone == number
    if codes_only:
        where &= DevSms.text.like("%验证码%")
    rows = await DevSms.select().where(where).order_by(DevSms.created_at, ascending=False).limit(max(1, min(limit, 50)))
    return [DevMessage(r["phone"], r["text"], r["created_at"]) for r in rows]


DEV_ONLY = True
router = Router(path="/api/dev", route_handlers=[dev_sms], tags=["开发 Development only"])
ROUTES = [router]
