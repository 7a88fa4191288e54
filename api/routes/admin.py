"""Administrators: edit and publish matters, create clerks, maintain the holiday calendar."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import msgspec
from litestar import Router, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from api import problems
from api.deps import SECURITY, CallerDep, clerk
from auth import clerks, passwords
from auth.context import Caller
from catalogue import elements as el
from catalogue import service
from core import calendar, db, workdays
from core.errors import ProblemError
from core.tables import CalendarDay


class NewMatter(msgspec.Struct, forbid_unknown_fields=True):
    elements: el.MatterElements
    publish: bool = False


class NewVersion(msgspec.Struct, forbid_unknown_fields=True):
    elements: el.MatterElements
    based_on: int
    note: str = ""


class Created(msgspec.Struct):
    id: uuid.UUID
    version: int


class VersionRow(msgspec.Struct):
    id: uuid.UUID
    version: int
    status: str
    note: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class NewClerk(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    display_name: str
    password: str
    region_code: str
    roles: list[Literal["window", "reviewer", "head", "admin", "auditor", "hotline"]]
    department_id: uuid.UUID | None = None


class ClerkCreated(msgspec.Struct):
    id: uuid.UUID
    username: str
    totp_secret: str
    provisioning_uri: str
    """Shown once: scan into an authenticator app."""


class CalendarEntry(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["holiday", "workday"]
    name: str = ""


class CalendarDayView(msgspec.Struct):
    day: dt.date
    kind: str
    name: str
    source: str


def _admin(caller: Caller) -> Caller:
    return clerk(caller, "admin")


@post("/matters", summary="Create a matter", status_code=201, responses=problems.responses(401, 403, 409, 422))
async def create_matter(caller: CallerDep, data: JSONBody[NewMatter]) -> Created:
    matter_id = await service.create(data.elements, actor=_admin(caller).actor(), publish=data.publish)
    return Created(matter_id, 1)


@post(
    "/matters/{matter_id:uuid}/versions",
    summary="Draft a new version of a matter",
    status_code=201,
    responses=problems.responses(401, 403, 404, 409, 422),
    description="`based_on` must be the latest version number; otherwise 409 `matter_version_conflict`.",
)
async def draft_version(caller: CallerDep, matter_id: FromPath[uuid.UUID], data: JSONBody[NewVersion]) -> Created:
    version = await service.new_version(
        matter_id, data.elements, based_on=data.based_on, actor=_admin(caller).actor(), note=data.note
    )
    return Created(matter_id, version)


@post(
    "/matters/{matter_id:uuid}/versions/{version:int}/publish",
    status_code=200,
    summary="Publish a drafted version",
    responses=problems.responses(401, 403, 404, 409),
    description=(
        "The previous published version is superseded. Applications already made keep the version they were made under."
    ),
)
async def publish(caller: CallerDep, matter_id: FromPath[uuid.UUID], version: FromPath[int]) -> Created:
    await service.publish_version(matter_id, version, actor=_admin(caller).actor())
    return Created(matter_id, version)


@post(
    "/matters/{matter_id:uuid}/retire",
    status_code=200,
    summary="Retire a matter",
    responses=problems.responses(401, 403, 404),
)
async def retire(caller: CallerDep, matter_id: FromPath[uuid.UUID]) -> Created:
    await service.retire(matter_id, actor=_admin(caller).actor())
    return Created(matter_id, 0)


@get("/matters/{matter_id:uuid}/versions", summary="All versions of a matter", responses=problems.responses(401, 403))
async def list_versions(caller: CallerDep, matter_id: FromPath[uuid.UUID]) -> list[VersionRow]:
    _admin(caller)
    return [
        VersionRow(r["id"], r["version"], r["status"], r["note"], r["created_at"], r["published_at"])
        for r in await service.versions(matter_id)
    ]


@post("/clerks", summary="Create a clerk account", status_code=201, responses=problems.responses(401, 403, 409, 422))
async def create_clerk(caller: CallerDep, data: JSONBody[NewClerk]) -> ClerkCreated:
    _admin(caller)
    row, secret = await clerks.create_clerk(
        username=data.username,
        display_name=data.display_name,
        password=data.password,
        department_id=data.department_id,
        region_code=data.region_code,
        roles=list(data.roles),
        actor=caller.actor(),
    )
    return ClerkCreated(row["id"], row["username"], secret, passwords.provisioning_uri(secret, row["username"]))


@put(
    "/calendar/{day:date}",
    summary="Mark a day as holiday or working day",
    responses=problems.responses(401, 403, 422),
    description="Overrides the built-in State Council schedule; takes effect for new clock computations at once.",
)
async def set_day(caller: CallerDep, day: FromPath[dt.date], data: JSONBody[CalendarEntry]) -> CalendarDayView:
    _admin(caller)
    async with db.write_tx():
        existing = await CalendarDay.select(CalendarDay.id).where(CalendarDay.day == day).first()
        if existing:
            await CalendarDay.update({CalendarDay.kind: data.kind, CalendarDay.name: data.name}).where(
                CalendarDay.day == day
            )
        else:
            await CalendarDay.insert(CalendarDay(day=day, kind=data.kind, name=data.name))
    await calendar.load()
    return CalendarDayView(day, data.kind, data.name, "override")


@get("/calendar", summary="Holidays and make-up working days of a year", responses=problems.responses(401, 403))
async def list_days(caller: CallerDep, year: FromQuery[int]) -> list[CalendarDayView]:
    _admin(caller)
    if not 2000 <= year <= 2100:
        raise ProblemError("validation_failed", field="year")
    overrides = {
        r["day"]: r
        for r in await CalendarDay.select().where(
            (CalendarDay.day >= dt.date(year, 1, 1)) & (CalendarDay.day <= dt.date(year, 12, 31))
        )
    }
    days: dict[dt.date, CalendarDayView] = {}
    for text, name in workdays.BUILTIN_HOLIDAYS.items():
        if text.startswith(str(year)):
            days[dt.date.fromisoformat(text)] = CalendarDayView(dt.date.fromisoformat(text), "holiday", name, "builtin")
    for text, name in workdays.BUILTIN_MAKEUP_WORKDAYS.items():
        if text.startswith(str(year)):
            days[dt.date.fromisoformat(text)] = CalendarDayView(dt.date.fromisoformat(text), "workday", name, "builtin")
    for day, row in overrides.items():
        days[day] = CalendarDayView(day, row["kind"], row["name"], "override")
    return [days[d] for d in sorted(days)]


router = Router(
    path="/api/admin",
    route_handlers=[create_matter, draft_version, publish, retire, list_versions, create_clerk, set_day, list_days],
    tags=["管理 Administration"],
    security=SECURITY,
)
ROUTES = [router]
