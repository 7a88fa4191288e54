"""Book, reschedule, cancel, check in, finish; no-shows and reminders.

A slot's capacity is only ever taken by one conditional statement,
``UPDATE hall_slot SET booked = booked + 1 WHERE id = … AND booked < capacity``: on
PostgreSQL concurrent updates of the row queue on its lock and re-check the condition after the
winner commits, on SQLite the single writer serialises them, so a slot can never be overbooked.
One live booking per person, hall and day is a unique key (``appointment.active_key``), cleared
when the booking ends.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from piccolo.query.methods.insert import OnConflictAction

from applications import hooks
from appointments import schedule
from appointments.tables import Appointment, QueueCounter, Slot, Window
from audit import log as audit
from auth.context import Caller
from catalogue.tables import Matter
from core import db, errors, rows, timeutil
from core.errors import ProblemError, invalid
from notify.emit import emit
from regions.tables import Department, Hall

CHECK_IN_EARLY = dt.timedelta(minutes=60)
GRACE = dt.timedelta(minutes=15)
"""A booking not checked in this long after its start is a no-show."""
REMIND_AHEAD = dt.timedelta(hours=24)
NO_SHOW_LIMIT = 3
NO_SHOW_WINDOW = dt.timedelta(days=90)
SUSPENSION = dt.timedelta(days=30)
HORIZON_DAYS = 14
"""Slots are kept published this many days ahead."""

errors.register("hall_not_found", 404, "没有找到这个服务大厅。", "No such service hall.")
errors.register("slot_not_found", 404, "没有找到这个预约时段。", "No such time slot.")
errors.register("slot_full", 409, "这个时段已约满，请选择其他时段。", "This time slot is fully booked.")
errors.register("slot_past", 409, "这个时段已经过去，请选择其他时段。", "This time slot has already started.")
errors.register(
    "already_booked",
    409,
    "您当天在这个大厅已有预约，如需调整请改约。",
    "You already have a booking at this hall on that day; reschedule it instead.",
)
errors.register(
    "booking_suspended",
    403,
    "您近期多次预约未到，暂时不能在线预约，可直接到大厅取号办理。",
    "Several recent no-shows: online booking is suspended for a while.",
)
errors.register("appointment_not_found", 404, "没有找到这个预约。", "No such appointment.")
errors.register(
    "appointment_not_active", 409, "这个预约已取消、已办结或已过期。", "This appointment is no longer active."
)
errors.register(
    "check_in_closed",
    409,
    "请在预约时间前 1 小时至开始后 15 分钟内签到。",
    "Check-in opens an hour before the slot and closes 15 minutes after it starts.",
)
errors.register(
    "window_mismatch",
    422,
    "这个专业窗口不办理该事项，请选择综合窗口或对应部门的窗口。",
    "This specialised window does not handle that matter.",
)


def _is_unique_violation(error: BaseException) -> bool:
    name = type(error).__name__
    return name in ("UniqueViolationError", "IntegrityError") or "UNIQUE constraint failed" in str(error)


def active_key(owner_key: str, hall_id: uuid.UUID, day: dt.date) -> str:
    return f"{owner_key}:{hall_id}:{day.isoformat()}"


async def hall(hall_id: uuid.UUID) -> dict[str, Any]:
    row = await Hall.select().where(Hall.id == hall_id).first()
    if row is None:
        raise ProblemError("hall_not_found")
    return row


# ---- windows and slots ----------------------------------------------------------------------------
async def add_window(
    hall_id: uuid.UUID,
    *,
    code: str,
    name: str,
    kind: str,
    department_id: uuid.UUID | None,
    slot_capacity: int,
    actor: audit.Actor,
) -> dict[str, Any]:
    await hall(hall_id)
    if kind == "specialised" and department_id is None:
        raise invalid("department_id", zh="专业窗口需要指定部门。", en="A specialised window belongs to a department.")
    if department_id is not None and not await Department.exists().where(Department.id == department_id):
        raise invalid("department_id", "not_found")
    if not 1 <= slot_capacity <= 50:
        raise invalid("slot_capacity", zh="每个时段可接待 1–50 人。", en="slot_capacity must be 1–50.")
    row = {
        "id": timeutil.uuid7(),
        "hall": hall_id,
        "code": code.strip()[:16],
        "name": name.strip()[:64],
        "kind": kind,
        "department": department_id if kind == "specialised" else None,
        "slot_capacity": slot_capacity,
        "active": True,
        "created_at": timeutil.now(),
    }
    async with db.write_tx():
        await rows.insert(Window, row)
        await audit.append("window.created", actor=actor, object_type="hall_window", object_id=row["id"])
    return row


async def generate_slots(
    *, start: dt.date | None = None, days: int = HORIZON_DAYS, hall_id: uuid.UUID | None = None
) -> int:
    """Publish slots for active windows from ``start`` for ``days`` days; returns how many were new.

    Idempotent: each slot's key is its window and start, inserted with ``ON CONFLICT DO NOTHING``.
    Days a window already has slots on are skipped, so the periodic run writes only the new day.
    """
    start = start or timeutil.today()
    halls = {row["id"]: row for row in await Hall.select(Hall.id, Hall.opening_hours)}
    query = Window.select().where(Window.active == True)  # noqa: E712
    if hall_id is not None:
        query = query.where(Window.hall == hall_id)
    created = 0
    for window in await query:
        hours = schedule.decode_hours(halls[window["hall"]]["opening_hours"])
        published = {
            row["day"]
            for row in await Slot.select(Slot.day).where((Slot.window == window["id"]) & (Slot.day >= start)).distinct()
        }
        batch: list[Slot] = []
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            if day in published:
                continue
            for spec in schedule.slots_for_day(day, hours):
                batch.append(
                    Slot(
                        id=timeutil.uuid7(),
                        key=f"{window['id']}:{spec.starts_at.isoformat()}",
                        hall=window["hall"],
                        window=window["id"],
                        day=day,
                        starts_at=spec.starts_at,
                        ends_at=spec.ends_at,
                        kind=spec.kind,
                        capacity=window["slot_capacity"],
                        booked=0,
                    )
                )
        for chunk in range(0, len(batch), 400):
            async with db.write_tx():
                inserted = (
                    await Slot.insert(*batch[chunk : chunk + 400])
                    .on_conflict(action=OnConflictAction.do_nothing, target=Slot.key)
                    .returning(Slot.id)
                )
            created += len(inserted)
    return created


async def windows(hall_id: uuid.UUID) -> list[dict[str, Any]]:
    await hall(hall_id)
    return await Window.select().where((Window.hall == hall_id) & (Window.active == True)).order_by(Window.code)  # noqa: E712


async def open_slots(
    hall_id: uuid.UUID, *, day: dt.date, kind: str | None, department_code: str | None
) -> list[dict[str, Any]]:
    """Slots of one day with the windows they belong to (including full ones, so people see why)."""
    await hall(hall_id)
    sql = (
        'SELECT s."id", s."starts_at", s."ends_at", s."kind", s."capacity", s."booked", w."id" AS "window_id", '
        'w."code" AS "window_code", w."name" AS "window_name", w."kind" AS "window_kind", '
        'd."code" AS "department_code", d."name" AS "department_name" '
        'FROM "hall_slot" s JOIN "hall_window" w ON w."id" = s."window" '
        'LEFT JOIN "department" d ON d."id" = w."department" '
        'WHERE s."hall" = {} AND s."day" = {} AND w."active" = {}'
    )
    args: list[Any] = [hall_id, day, True]
    if kind:
        sql += ' AND w."kind" = {}'
        args.append(kind)
    if department_code:
        sql += ' AND d."code" = {}'
        args.append(department_code)
    sql += ' ORDER BY s."starts_at", w."code"'
    return await Slot.raw(sql, *args)


# ---- booking --------------------------------------------------------------------------------------
async def _suspended_until(owner_key: str) -> dt.datetime | None:
    since = timeutil.now() - NO_SHOW_WINDOW
    misses = (
        await Appointment.select(Appointment.starts_at)
        .where(
            (Appointment.owner_key == owner_key) & (Appointment.status == "no_show") & (Appointment.starts_at >= since)
        )
        .order_by(Appointment.starts_at, ascending=False)
    )
    if len(misses) < NO_SHOW_LIMIT:
        return None
    until = misses[0]["starts_at"] + SUSPENSION
    return until if until > timeutil.now() else None


async def _take(slot_id: uuid.UUID) -> bool:
    """The compare-and-set that holds capacity: True when one place in the slot was taken."""
    taken = await Slot.raw(
        'UPDATE "hall_slot" SET "booked" = "booked" + 1 '
        'WHERE "id" = {} AND "booked" < "capacity" AND "starts_at" > {} RETURNING "booked"',
        slot_id,
        timeutil.now(),
    )
    return bool(taken)


async def _release(slot_id: uuid.UUID) -> None:
    await Slot.raw(
        'UPDATE "hall_slot" SET "booked" = "booked" - 1 WHERE "id" = {} AND "booked" > 0 RETURNING "id"',
        slot_id,
    )


async def _bookable_slot(slot_id: uuid.UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    slot = await rows.one(Slot, slot_id)
    if slot is None:
        raise ProblemError("slot_not_found", field="slot_id")
    window = await rows.one(Window, slot["window"])
    if window is None or not window["active"]:
        raise ProblemError("slot_not_found", field="slot_id")
    if slot["starts_at"] <= timeutil.now():
        raise ProblemError("slot_past", field="slot_id")
    return slot, window


async def _matter(
    matter_id: uuid.UUID | None, window: dict[str, Any]
) -> tuple[dict[str, Any] | None, uuid.UUID | None]:
    """The matter (if named) and the department the visit is for."""
    if matter_id is None:
        return None, window["department"]
    matter = await Matter.select().where((Matter.id == matter_id) & (Matter.status == "published")).first()
    if matter is None:
        raise ProblemError("matter_not_found", field="matter_id")
    if window["kind"] == "specialised":
        kinds = {
            row["id"]: row["code"]
            for row in await Department.select(Department.id, Department.code).where(
                Department.id.is_in([window["department"], matter["department"]])
            )
        }
        if kinds.get(window["department"]) != kinds.get(matter["department"]):
            raise ProblemError("window_mismatch", field="matter_id")
    return matter, matter["department"]


async def book(caller: Caller, *, slot_id: uuid.UUID, matter_id: uuid.UUID | None, note: str) -> dict[str, Any]:
    assert caller.principal is not None
    slot, window = await _bookable_slot(slot_id)
    matter, department = await _matter(matter_id, window)
    owner = caller.principal.key
    row: dict[str, Any] = {
        "id": timeutil.uuid7(),
        "number": f"Y{timeutil.today():%Y%m%d}{secrets.randbelow(10**6):06d}",
        "slot": slot["id"],
        "hall": slot["hall"],
        "window": window["id"],
        "owner_key": owner,
        "owner_name": caller.principal.name,
        "booked_by": caller.account_id,
        "basis": caller.basis,
        "matter": matter["id"] if matter else None,
        "matter_name": matter["name"] if matter else "",
        "department": department,
        "note": note.strip()[:300],
        "status": "booked",
        "active_key": active_key(owner, slot["hall"], slot["day"]),
        "starts_at": slot["starts_at"],
        "version": 1,
        "created_at": timeutil.now(),
    }
    if caller.basis == "proxy":
        check = hooks.scope_checks.get("proxy")
        if check is None or not await check(caller, {**row, "kind": "appointment"}, "apply"):
            raise ProblemError("slot_not_found", field="slot_id")
    if until := await _suspended_until(owner):
        raise ProblemError("booking_suspended", extra={"until": until.astimezone(timeutil.CST).date().isoformat()})
    async with db.write_tx():
        if not await _take(slot["id"]):
            raise ProblemError("slot_full" if slot["starts_at"] > timeutil.now() else "slot_past", field="slot_id")
        inserted = (
            await Appointment.insert(Appointment(**row))
            .on_conflict(action=OnConflictAction.do_nothing, target=Appointment.active_key)
            .returning(Appointment.id)
        )
        if not inserted:
            raise ProblemError("already_booked", field="slot_id")  # rolls the taken place back too
        await audit.append(
            "appointment.booked",
            actor=caller.actor(),
            object_type="appointment",
            object_id=row["id"],
            subject_kind=caller.principal.kind,
            subject_id=caller.principal.id,
            details={"slot": str(slot["id"]), "hall": str(slot["hall"])},
        )
        stored = await rows.one(Appointment, row["id"])
    assert stored is not None
    return stored


async def load_own(caller: Caller, appointment_id: uuid.UUID, action: str = "view") -> dict[str, Any]:
    row = await rows.one(Appointment, appointment_id)
    if row is None or caller.kind != "resident" or caller.principal is None:
        raise ProblemError("appointment_not_found")
    if row["owner_key"] != caller.principal.key:
        raise ProblemError("appointment_not_found")
    if caller.basis == "proxy":
        check = hooks.scope_checks.get("proxy")
        if check is None or not await check(caller, {**row, "kind": "appointment"}, action):
            raise ProblemError("appointment_not_found")
    return row


async def mine(caller: Caller) -> list[dict[str, Any]]:
    assert caller.principal is not None
    found = (
        await Appointment.select()
        .where(Appointment.owner_key == caller.principal.key)
        .order_by(Appointment.starts_at, ascending=False)
        .limit(100)
    )
    if caller.basis != "proxy":
        return found
    check = hooks.scope_checks.get("proxy")  # an agent lists only what the grant lets them see
    return [row for row in found if check is not None and await check(caller, {**row, "kind": "appointment"}, "view")]


async def _move(row: dict[str, Any], changes: dict[str, Any], *, expect: str) -> dict[str, Any]:
    changes = {**changes, "version": row["version"] + 1}
    if not await rows.update(Appointment, changes, id=row["id"], version=row["version"], status=expect):
        raise ProblemError("appointment_not_active")
    return {**row, **changes}


async def reschedule(caller: Caller, appointment_id: uuid.UUID, *, slot_id: uuid.UUID) -> dict[str, Any]:
    row = await load_own(caller, appointment_id, "apply")
    if row["status"] != "booked" or row["starts_at"] <= timeutil.now():
        raise ProblemError("appointment_not_active")
    slot, window = await _bookable_slot(slot_id)
    if slot["id"] == row["slot"]:
        return row
    if window["kind"] == "specialised" and row["matter"] is not None:
        await _matter(row["matter"], window)
    key = active_key(row["owner_key"], slot["hall"], slot["day"])
    clash = await Appointment.exists().where((Appointment.active_key == key) & (Appointment.id != row["id"]))
    if clash:
        raise ProblemError("already_booked", field="slot_id")
    try:
        async with db.write_tx():
            if not await _take(slot["id"]):
                raise ProblemError("slot_full", field="slot_id")
            await _release(row["slot"])
            after = await _move(
                row,
                {
                    "slot": slot["id"],
                    "hall": slot["hall"],
                    "window": window["id"],
                    "starts_at": slot["starts_at"],
                    "active_key": key,
                    "reminded_at": None,
                },
                expect="booked",
            )
            await audit.append(
                "appointment.rescheduled",
                actor=caller.actor(),
                object_type="appointment",
                object_id=row["id"],
                details={"from": str(row["slot"]), "to": str(slot["id"])},
            )
    except ProblemError:
        raise
    except Exception as error:  # a concurrent booking took the same day first
        if _is_unique_violation(error):
            raise ProblemError("already_booked", field="slot_id") from error
        raise
    return after


async def cancel(caller: Caller, appointment_id: uuid.UUID) -> dict[str, Any]:
    row = await load_own(caller, appointment_id, "apply")
    if row["status"] != "booked" or row["starts_at"] <= timeutil.now():
        raise ProblemError("appointment_not_active")
    async with db.write_tx():
        after = await _move(
            row, {"status": "cancelled", "active_key": None, "cancelled_at": timeutil.now()}, expect="booked"
        )
        await _release(row["slot"])
        await audit.append(
            "appointment.cancelled", actor=caller.actor(), object_type="appointment", object_id=row["id"]
        )
    return after


# ---- at the hall ----------------------------------------------------------------------------------
async def _queue_number(row: dict[str, Any], window: dict[str, Any]) -> str:
    """Next number of the day for this hall: A… comprehensive, B… specialised windows."""
    prefix = "A" if window["kind"] == "comprehensive" else "B"
    key = f"{row['hall']}:{timeutil.today().isoformat()}:{prefix}"
    counted = await QueueCounter.raw(
        'INSERT INTO "queue_counter" ("key", "last") VALUES ({}, 1) '
        'ON CONFLICT ("key") DO UPDATE SET "last" = "queue_counter"."last" + 1 RETURNING "last"',
        key,
    )
    return f"{prefix}{int(counted[0]['last']):03d}"


async def check_in(row: dict[str, Any], *, actor: audit.Actor) -> dict[str, Any]:
    """签到 between an hour before the slot and :data:`GRACE` after its start; hands out a number."""
    if row["status"] != "booked":
        raise ProblemError("appointment_not_active")
    now = timeutil.now()
    if not row["starts_at"] - CHECK_IN_EARLY <= now <= row["starts_at"] + GRACE:
        raise ProblemError("check_in_closed")
    window = await rows.one(Window, row["window"])
    assert window is not None
    async with db.write_tx():
        number = await _queue_number(row, window)
        after = await _move(
            row, {"status": "checked_in", "checked_in_at": now, "queue_number": number}, expect="booked"
        )
        await audit.append(
            "appointment.checked_in",
            actor=actor,
            object_type="appointment",
            object_id=row["id"],
            details={"queue_number": number},
        )
    return after


def may_staff(caller: Caller, hall_row: dict[str, Any]) -> bool:
    """Hall staff: window clerks and heads of the hall's region (and administrators)."""
    if caller.kind != "clerk":
        return False
    if caller.has_role("admin"):
        return True
    return caller.has_role("window", "head") and caller.region_code == hall_row["region"]


async def load_for_staff(caller: Caller, appointment_id: uuid.UUID) -> dict[str, Any]:
    row = await rows.one(Appointment, appointment_id)
    if row is None or not may_staff(caller, await hall(row["hall"])):
        raise ProblemError("appointment_not_found")
    return row


async def finish(caller: Caller, row: dict[str, Any]) -> dict[str, Any]:
    """Served: the booking ends and the resident is invited to rate the visit."""
    async with db.write_tx():
        after = await _move(
            row, {"status": "done", "active_key": None, "finished_at": timeutil.now()}, expect="checked_in"
        )
        await audit.append("appointment.done", actor=caller.actor(), object_type="appointment", object_id=row["id"])
        await emit(
            "evaluation_invited",
            row["owner_key"],
            dedupe_key=f"appointment:{row['id']}:rate",
            link=f"/appointments/{row['id']}/evaluation",
            matter=row["matter_name"] or "大厅预约办事",
        )
    return after


async def mark_no_show(row: dict[str, Any], *, actor: audit.Actor) -> dict[str, Any] | None:
    """爽约: not checked in by the end of the grace period. None when the booking moved on meanwhile."""
    if row["status"] != "booked" or row["starts_at"] + GRACE > timeutil.now():
        return None
    async with db.write_tx():
        changes = {"status": "no_show", "active_key": None, "version": row["version"] + 1}
        if not await rows.update(Appointment, changes, id=row["id"], version=row["version"], status="booked"):
            return None
        await audit.append("appointment.no_show", actor=actor, object_type="appointment", object_id=row["id"])
    return {**row, **changes}


async def queue(hall_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    """The day's bookings at a hall that were not cancelled, in time order."""
    start = dt.datetime.combine(day, dt.time(), timeutil.CST)
    return (
        await Appointment.select()
        .where(
            (Appointment.hall == hall_id)
            & (Appointment.starts_at >= start)
            & (Appointment.starts_at < start + dt.timedelta(days=1))
            & (Appointment.status != "cancelled")
        )
        .order_by(Appointment.starts_at)
    )


# ---- periodic sweeps ------------------------------------------------------------------------------
async def sweep_no_shows(limit: int = 500) -> int:
    cutoff = timeutil.now() - GRACE
    due = (
        await Appointment.select()
        .where((Appointment.status == "booked") & (Appointment.starts_at < cutoff))
        .limit(limit)
    )
    marked = 0
    for row in due:
        if await mark_no_show(row, actor=audit.SYSTEM):
            marked += 1
    return marked


async def send_reminders(limit: int = 500) -> int:
    """Remind once, within :data:`REMIND_AHEAD` of the start (emit dedupes a retried reminder)."""
    now = timeutil.now()
    due = (
        await Appointment.select()
        .where(
            (Appointment.status == "booked")
            & Appointment.reminded_at.is_null()
            & (Appointment.starts_at > now)
            & (Appointment.starts_at <= now + REMIND_AHEAD)
        )
        .limit(limit)
    )
    halls = {row["id"]: row["name"] for row in await Hall.select(Hall.id, Hall.name)}
    sent = 0
    for row in due:
        async with db.write_tx():
            if not await rows.update(Appointment, {"reminded_at": now}, id=row["id"], version=row["version"]):
                continue
            when = row["starts_at"].astimezone(timeutil.CST)
            await emit(
                "appointment_reminder",
                row["owner_key"],
                dedupe_key=f"appointment:{row['id']}:remind:{row['starts_at'].isoformat()}",
                link=f"/appointments/{row['id']}",
                when=f"{when.month}月{when.day}日 {when:%H:%M}",
                hall=halls.get(row["hall"], "政务服务大厅"),
                matter=row["matter_name"] or "预约事项",
            )
            sent += 1
    return sent
