"""Hall appointments: public windows and slots, the resident's bookings, the hall's desk, and
administrators' windows and slot publishing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec
from litestar import Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, clerk, resident
from api.routes.applications import IdempotencyKey
from appointments import service
from core import timeutil
from core.errors import ProblemError, invalid


class WindowView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    department_id: uuid.UUID | None
    slot_capacity: int


class SlotView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_time: str
    kind: str
    """regular | evening (延时服务) | weekend | holiday (365 天不打烊)."""
    capacity: int
    remaining: int
    window_id: uuid.UUID
    window_code: str
    window_name: str
    window_kind: str
    department_code: str | None
    department_name: str | None


class NewBooking(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    slot_id: uuid.UUID
    matter_id: uuid.UUID | None = None
    note: str = ""


class Reschedule(msgspec.Struct, forbid_unknown_fields=True):
    slot_id: uuid.UUID


class AppointmentView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    hall_id: uuid.UUID
    window_id: uuid.UUID
    slot_id: uuid.UUID
    starts_at: dt.datetime
    local_time: str
    matter_id: uuid.UUID | None
    matter_name: str
    status: str
    queue_number: str
    checked_in_at: dt.datetime | None
    finished_at: dt.datetime | None
    owner_name: str


class NewWindow(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: str
    name: str
    kind: Literal["comprehensive", "specialised"] = "comprehensive"
    department_id: uuid.UUID | None = None
    slot_capacity: int = 3


class SlotRun(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    start: dt.date | None = None
    days: int = service.HORIZON_DAYS


class SlotRunResult(msgspec.Struct):
    created: int


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(timeutil.CST).strftime("%Y-%m-%d %H:%M")


def _mask(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def appointment_view(row: dict[str, Any], *, masked: bool = False) -> AppointmentView:
    return AppointmentView(
        id=row["id"],
        number=row["number"],
        hall_id=row["hall"],
        window_id=row["window"],
        slot_id=row["slot"],
        starts_at=row["starts_at"],
        local_time=_local(row["starts_at"]),
        matter_id=row["matter"],
        matter_name=row["matter_name"],
        status=row["status"],
        queue_number=row["queue_number"],
        checked_in_at=row["checked_in_at"],
        finished_at=row["finished_at"],
        owner_name=_mask(row["owner_name"]) if masked else row["owner_name"],
    )


def window_view(row: dict[str, Any]) -> WindowView:
    return WindowView(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        department_id=row["department"],
        slot_capacity=row["slot_capacity"],
    )


# ---- public ------------------------------------------------------------------------------------------
@get("/halls/{hall_id:uuid}/windows", summary="Windows of a hall", responses=problems.responses(404))
async def hall_windows(hall_id: FromPath[uuid.UUID]) -> list[WindowView]:
    return [window_view(row) for row in await service.windows(hall_id)]


@get(
    "/halls/{hall_id:uuid}/slots",
    summary="Bookable time slots of a hall on one day",
    responses=problems.responses(404),
    description="Evening (延时) and weekend or holiday (365 天不打烊) slots are marked by `kind`.",
)
async def hall_slots(
    hall_id: FromPath[uuid.UUID],
    day: FromQuery[dt.date],
    window_kind: FromQuery[Literal["comprehensive", "specialised"] | None] = None,
    department_code: FromQuery[str | None] = None,
) -> list[SlotView]:
    found = await service.open_slots(hall_id, day=day, kind=window_kind, department_code=department_code)
    return [
        SlotView(
            id=row["id"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            local_time=_local(row["starts_at"]),
            kind=row["kind"],
            capacity=row["capacity"],
            remaining=max(row["capacity"] - row["booked"], 0),
            window_id=row["window_id"],
            window_code=row["window_code"],
            window_name=row["window_name"],
            window_kind=row["window_kind"],
            department_code=row["department_code"],
            department_name=row["department_name"],
        )
        for row in found
    ]


# ---- residents ---------------------------------------------------------------------------------------
@post(
    "",
    summary="Book a time slot",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description=(
        "409 `slot_full` when the slot's capacity is taken (never overbooked, also under concurrent requests), "
        "409 `already_booked` for a second live booking at the same hall on the same day, 403 "
        "`booking_suspended` after repeated no-shows."
    ),
)
async def book(
    caller: CallerDep, data: JSONBody[NewBooking], idempotency_key: IdempotencyKey = None
) -> AppointmentView:
    row = await service.book(resident(caller), slot_id=data.slot_id, matter_id=data.matter_id, note=data.note)
    return appointment_view(row)


@get("/mine", summary="My appointments", responses=problems.responses(401, 403))
async def my_appointments(caller: CallerDep) -> list[AppointmentView]:
    return [appointment_view(row) for row in await service.mine(resident(caller))]


@get("/{appointment_id:uuid}", summary="One of my appointments", responses=problems.responses(401, 403, 404))
async def my_appointment(caller: CallerDep, appointment_id: FromPath[uuid.UUID]) -> AppointmentView:
    return appointment_view(await service.load_own(resident(caller), appointment_id))


@post(
    "/{appointment_id:uuid}/reschedule",
    status_code=200,
    summary="Move my booking to another slot",
    responses=problems.responses(401, 403, 404, 409),
)
async def reschedule(
    caller: CallerDep, appointment_id: FromPath[uuid.UUID], data: JSONBody[Reschedule]
) -> AppointmentView:
    return appointment_view(await service.reschedule(resident(caller), appointment_id, slot_id=data.slot_id))


@post(
    "/{appointment_id:uuid}/cancel",
    status_code=200,
    summary="Cancel my booking",
    responses=problems.responses(401, 403, 404, 409),
)
async def cancel(caller: CallerDep, appointment_id: FromPath[uuid.UUID]) -> AppointmentView:
    return appointment_view(await service.cancel(resident(caller), appointment_id))


@post(
    "/{appointment_id:uuid}/check-in",
    status_code=200,
    summary="Check in at the hall and get a queue number",
    responses=problems.responses(401, 403, 404, 409),
    description="Open from an hour before the slot until 15 minutes after it starts.",
)
async def self_check_in(caller: CallerDep, appointment_id: FromPath[uuid.UUID]) -> AppointmentView:
    row = await service.load_own(resident(caller), appointment_id, "apply")  # an agent needs "apply" to check in
    return appointment_view(await service.check_in(row, actor=caller.actor()))


# ---- the hall desk -----------------------------------------------------------------------------------
@get(
    "/halls/{hall_id:uuid}/appointments",
    summary="The hall's appointments of one day (hall staff)",
    responses=problems.responses(401, 403, 404),
)
async def hall_queue(
    caller: CallerDep, hall_id: FromPath[uuid.UUID], day: FromQuery[dt.date | None] = None
) -> list[AppointmentView]:
    hall = await service.hall(hall_id)
    if not service.may_staff(caller, hall):
        raise ProblemError("hall_not_found")
    return [appointment_view(row, masked=True) for row in await service.queue(hall_id, day or timeutil.today())]


async def _staffed(caller: Any, appointment_id: uuid.UUID) -> dict[str, Any]:
    return await service.load_for_staff(clerk(caller), appointment_id)


@post(
    "/appointments/{appointment_id:uuid}/check-in",
    status_code=200,
    summary="Check a visitor in at the desk",
    responses=problems.responses(401, 403, 404, 409),
)
async def desk_check_in(caller: CallerDep, appointment_id: FromPath[uuid.UUID]) -> AppointmentView:
    row = await _staffed(caller, appointment_id)
    return appointment_view(await service.check_in(row, actor=caller.actor()), masked=True)


@post(
    "/appointments/{appointment_id:uuid}/finish",
    status_code=200,
    summary="Mark a visit served (invites a rating)",
    responses=problems.responses(401, 403, 404, 409),
)
async def desk_finish(caller: CallerDep, appointment_id: FromPath[uuid.UUID]) -> AppointmentView:
    row = await _staffed(caller, appointment_id)
    return appointment_view(await service.finish(caller, row), masked=True)


@post(
    "/appointments/{appointment_id:uuid}/no-show",
    status_code=200,
    summary="Mark a booking as not shown up",
    responses=problems.responses(401, 403, 404, 409),
    description="Only after the grace period; the periodic job does the same for every late booking.",
)
async def desk_no_show(caller: CallerDep, appointment_id: FromPath[uuid.UUID]) -> AppointmentView:
    row = await _staffed(caller, appointment_id)
    after = await service.mark_no_show(row, actor=caller.actor())
    if after is None:
        raise ProblemError("appointment_not_active")
    return appointment_view(after, masked=True)


# ---- administrators ----------------------------------------------------------------------------------
@post(
    "/halls/{hall_id:uuid}/windows",
    summary="Open a window in a hall",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 422),
)
async def add_window(
    caller: CallerDep, hall_id: FromPath[uuid.UUID], data: JSONBody[NewWindow], idempotency_key: IdempotencyKey = None
) -> WindowView:
    clerk(caller, "admin")
    if not data.code.strip() or not data.name.strip():
        raise invalid("code" if not data.code.strip() else "name")
    row = await service.add_window(
        hall_id,
        code=data.code,
        name=data.name,
        kind=data.kind,
        department_id=data.department_id,
        slot_capacity=data.slot_capacity,
        actor=caller.actor(),
    )
    return window_view(row)


@post(
    "/halls/{hall_id:uuid}/slots",
    status_code=200,
    summary="Publish slots of a hall's windows for the coming days",
    responses=problems.responses(401, 403, 404, 422),
    description="Idempotent: slots that exist are kept as they are. The periodic job keeps 14 days published.",
)
async def publish_slots(caller: CallerDep, hall_id: FromPath[uuid.UUID], data: JSONBody[SlotRun]) -> SlotRunResult:
    clerk(caller, "admin")
    if not 1 <= data.days <= 60:
        raise invalid("days", zh="一次最多发布 60 天。", en="days must be 1–60.")
    await service.hall(hall_id)
    return SlotRunResult(await service.generate_slots(start=data.start, days=data.days, hall_id=hall_id))


ROUTES = [
    Router(path="/api", route_handlers=[hall_windows, hall_slots], tags=["预约 Appointments"]),
    Router(
        path="/api/appointments",
        route_handlers=[book, my_appointments, my_appointment, reschedule, cancel, self_check_in],
        tags=["预约 Appointments"],
        security=SECURITY,
    ),
    Router(
        path="/api/backoffice",
        route_handlers=[hall_queue, desk_check_in, desk_finish, desk_no_show],
        tags=["预约 Appointments"],
        security=SECURITY,
    ),
    Router(
        path="/api/admin", route_handlers=[add_window, publish_slots], tags=["预约 Appointments"], security=SECURITY
    ),
]
