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
async def dev_sms(phone: FromQuery[str], limit: FromQuery[int] = 5) -> list[DevMessage]:
    number = checked_phone(phone)
    rows = (
        await DevSms.select()
        .where(DevSms.phone == number)
        .order_by(DevSms.created_at, ascending=False)
        .limit(max(1, min(limit, 50)))
    )
    return [DevMessage(r["phone"], r["text"], r["created_at"]) for r in rows]


DEV_ONLY = True
router = Router(path="/api/dev", route_handlers=[dev_sms], tags=["开发 Development only"])
ROUTES = [router]
