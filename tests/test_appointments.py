"""Appointments: slots from opening hours, booking rules, the hall desk, no-shows, reminders, and
no overbooking under 100 concurrent requests."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from appointments import schedule
from appointments import service as appointments
from appointments.tables import Appointment, Slot
from core import timeutil, workdays
from demo.halls import HALLS
from notify.tables import InboxItem
from tests.quality_support import at, fresh_token, make_hall, make_window, slot_at
from tests.support import account, as_user, clerk_token

pytestmark = pytest.mark.anyio


def _hours(name: str) -> list[dict[str, str]]:
    return next(hall["opening_hours"] for hall in HALLS if hall["name"] == name)


def _local(specs: list[schedule.SlotSpec]) -> list[str]:
    return [f"{s.starts_at.astimezone(timeutil.CST):%H:%M}/{s.kind}" for s in specs]


def test_slots_follow_hours_evenings_weekends_holidays_and_make_up_days() -> None:
    calendar = workdays.Calendar.builtin()
    nanchang = _hours("南昌市政务服务中心")  # 09:00–17:30 weekdays, Thursday evening 17:30–20:00, weekends 09–17
    thursday = schedule.slots_for_day(dt.date(2026, 11, 26), nanchang, calendar)
    assert len(thursday) == 17 + 5
    assert _local(thursday)[0] == "09:00/regular" and _local(thursday)[16] == "17:00/regular"
    assert _local(thursday)[17:] == [
        "17:30/evening",
        "18:00/evening",
        "18:30/evening",
        "19:00/evening",
        "19:30/evening",
    ]
    assert len(schedule.slots_for_day(dt.date(2026, 11, 25), nanchang, calendar)) == 17  # Wednesday: no evening
    saturday = schedule.slots_for_day(dt.date(2026, 11, 28), nanchang, calendar)
    assert len(saturday) == 16 and {s.kind for s in saturday} == {"weekend"}  # 365 天不打烊
    national_day = schedule.slots_for_day(dt.date(2026, 10, 1), nanchang, calendar)
    assert len(national_day) == 16 and {s.kind for s in national_day} == {"holiday"}
    make_up = schedule.slots_for_day(dt.date(2026, 10, 10), nanchang, calendar)  # Saturday worked as Monday
    assert len(make_up) == 17 and {s.kind for s in make_up} == {"regular"}
    zhanggong = _hours("章贡区政务服务中心")  # no weekend hours: closed on holidays and weekends
    assert schedule.slots_for_day(dt.date(2026, 10, 1), zhanggong, calendar) == []
    assert schedule.slots_for_day(dt.date(2026, 11, 28), zhanggong, calendar) == []
    assert len(schedule.slots_for_day(dt.date(2026, 11, 25), zhanggong, calendar)) == 7 + 6  # lunch break 12–14:30
    first = schedule.slots_for_day(dt.date(2026, 11, 25), zhanggong, calendar)[0]
    assert first.starts_at == dt.datetime(2026, 11, 25, 0, 30, tzinfo=dt.UTC)  # 08:30 in China


async def test_demo_halls_publish_two_weeks_of_slots(client) -> None:
    halls = (await client.get("/api/halls", params={"region": "360100"})).json()
    hall = next(h for h in halls if h["name"] == "南昌市政务服务中心")
    windows = (await client.get(f"/api/halls/{hall['id']}/windows")).json()
    assert {w["kind"] for w in windows} == {"comprehensive", "specialised"}
    saturday = timeutil.today() + dt.timedelta(days=(5 - timeutil.today().weekday()) % 7 or 7)
    slots = (await client.get(f"/api/halls/{hall['id']}/slots", params={"day": saturday.isoformat()})).json()
    if workdays.current().is_working_day(saturday):
        assert slots
    else:
        assert slots and {s["kind"] for s in slots} <= {"weekend", "holiday"}
    specialised = (
        await client.get(
            f"/api/halls/{hall['id']}/slots", params={"day": saturday.isoformat(), "department_code": "scjg"}
        )
    ).json()
    assert specialised and {s["department_code"] for s in specialised} == {"scjg"}
    missing = await client.get("/api/halls/00000000-0000-7000-8000-000000000000/windows")
    assert missing.status_code == 404 and missing.json()["code"] == "hall_not_found"
    bad_day = await client.get(f"/api/halls/{hall['id']}/slots", params={"day": "someday"})
    assert bad_day.status_code in (400, 422) and bad_day.json()["field"] == "day"


async def test_book_reschedule_cancel_check_in_finish_and_rate(app) -> None:
    hall = await make_hall()
    window = await make_window(hall, capacity=2)
    start = timeutil.now().replace(microsecond=0) + dt.timedelta(days=2)
    first, second, third = [await slot_at(window, start + dt.timedelta(minutes=30 * i)) for i in range(3)]
    user, neighbour = await account(), await account()
    async with as_user(app, user.token) as http:
        booked = await http.post("/api/appointments", json={"slot_id": str(first), "note": "办理营业执照"})
        assert booked.status_code == 201, booked.text
        appointment = booked.json()
        assert appointment["status"] == "booked" and appointment["owner_name"] == user.person.name
        same_day = await http.post("/api/appointments", json={"slot_id": str(second)})
        assert same_day.status_code == 409 and same_day.json()["code"] == "already_booked"
        moved = await http.post(f"/api/appointments/{appointment['id']}/reschedule", json={"slot_id": str(second)})
        assert moved.status_code == 200 and moved.json()["slot_id"] == str(second)
        cancelled = await http.post(f"/api/appointments/{appointment['id']}/cancel")
        assert cancelled.json()["status"] == "cancelled"
        gone = await http.post(f"/api/appointments/{appointment['id']}/cancel")
        assert gone.status_code == 409 and gone.json()["code"] == "appointment_not_active"
        again = await http.post("/api/appointments", json={"slot_id": str(third)})
        assert again.status_code == 201
        appointment = again.json()
    places = {row["id"]: row["booked"] for row in await Slot.select().where(Slot.id.is_in([first, second, third]))}
    assert places == {first: 0, second: 0, third: 1}
    async with as_user(app, neighbour.token) as http:
        peek = await http.get(f"/api/appointments/{appointment['id']}")
        assert peek.status_code == 404
        other = await http.post("/api/appointments", json={"slot_id": str(third)})
        assert other.status_code == 201
    async with as_user(app, user.token) as http:
        early = await http.post(f"/api/appointments/{appointment['id']}/check-in")
        assert early.status_code == 409 and early.json()["code"] == "check_in_closed"
    slot_start = start + dt.timedelta(minutes=60)
    with at(slot_start - dt.timedelta(minutes=20)):
        async with as_user(app, await fresh_token(user)) as http:
            checked = await http.post(f"/api/appointments/{appointment['id']}/check-in")
            assert checked.status_code == 200, checked.text
            assert checked.json()["queue_number"] == "A001"
        async with as_user(app, await clerk_token("nc-window")) as desk:
            queue = (
                await desk.get(
                    f"/api/backoffice/halls/{hall}/appointments",
                    params={"day": slot_start.astimezone(timeutil.CST).date().isoformat()},
                )
            ).json()
            assert len(queue) == 2 and all("*" in row["owner_name"] for row in queue)
            neighbour_row = next(row for row in queue if row["id"] != appointment["id"])
            second_number = await desk.post(f"/api/backoffice/appointments/{neighbour_row['id']}/check-in")
            assert second_number.json()["queue_number"] == "A002"
            not_served = await desk.post(f"/api/backoffice/appointments/{appointment['id']}/no-show")
            assert not_served.status_code == 409
            served = await desk.post(f"/api/backoffice/appointments/{appointment['id']}/finish")
            assert served.status_code == 200 and served.json()["status"] == "done"
        async with as_user(app, await clerk_token("gz-window")) as elsewhere:
            assert (await elsewhere.get(f"/api/backoffice/halls/{hall}/appointments")).status_code == 404
            assert (await elsewhere.post(f"/api/backoffice/appointments/{appointment['id']}/finish")).status_code == 404
    invited = await InboxItem.select(InboxItem.link).where(
        (InboxItem.recipient_key == f"person:{user.id}") & (InboxItem.event == "evaluation_invited")
    )
    assert [row["link"] for row in invited] == [f"/appointments/{appointment['id']}/evaluation"]
    async with as_user(app, user.token) as http:
        rated = await http.post(
            "/api/evaluations",
            json={
                "item_kind": "appointment",
                "item_id": appointment["id"],
                "level": "very_satisfied",
                "tags": ["服务热情"],
            },
        )
        assert rated.status_code == 201, rated.text
    async with as_user(app, neighbour.token) as http:
        not_yet = await http.post(
            "/api/evaluations", json={"item_kind": "appointment", "item_id": neighbour_row["id"], "level": "satisfied"}
        )
        assert not_yet.status_code == 409 and not_yet.json()["code"] == "evaluation_not_open"


async def test_reminders_no_shows_and_suspension(app) -> None:
    hall = await make_hall()
    window = await make_window(hall, capacity=5)
    user = await account()
    base = timeutil.now().replace(microsecond=0) + dt.timedelta(days=3)
    slots = [await slot_at(window, base + dt.timedelta(days=i)) for i in range(5)]
    async with as_user(app, user.token) as http:
        booked = [(await http.post("/api/appointments", json={"slot_id": str(slot)})).json() for slot in slots[:3]]
    assert all(b["status"] == "booked" for b in booked)
    with at(base - dt.timedelta(hours=20)):
        assert await appointments.send_reminders() >= 1
        await appointments.send_reminders()  # a second round sends nothing new
    reminders = await InboxItem.select(InboxItem.body).where(
        (InboxItem.recipient_key == f"person:{user.id}") & (InboxItem.event == "appointment_reminder")
    )
    assert len(reminders) == 1 and "测试大厅" in reminders[0]["body"]
    with at(base + dt.timedelta(days=2, minutes=16)):
        assert await appointments.sweep_no_shows() >= 3
        statuses = await Appointment.select(Appointment.status).where(Appointment.owner_key == f"person:{user.id}")
        assert [row["status"] for row in statuses] == ["no_show"] * 3
        async with as_user(app, await fresh_token(user)) as http:
            refused = await http.post("/api/appointments", json={"slot_id": str(slots[4])})
        assert refused.status_code == 403 and refused.json()["code"] == "booking_suspended"
        assert refused.json()["until"] == (base + dt.timedelta(days=32)).astimezone(timeutil.CST).date().isoformat()


async def test_past_and_unknown_slots(app) -> None:
    hall = await make_hall()
    window = await make_window(hall)
    past = await slot_at(window, timeutil.now().replace(microsecond=0) - dt.timedelta(hours=1))
    user = await account()
    async with as_user(app, user.token) as http:
        late = await http.post("/api/appointments", json={"slot_id": str(past)})
        assert late.status_code == 409 and late.json()["code"] == "slot_past"
        unknown = await http.post("/api/appointments", json={"slot_id": str(timeutil.uuid7())})
        assert unknown.status_code == 404 and unknown.json()["code"] == "slot_not_found"
        malformed = await http.post("/api/appointments", json={"slot_id": "not-a-uuid", "extra": 1})
        assert malformed.status_code in (400, 422)
    async with as_user(app, await clerk_token("nc-window")) as desk:
        assert (await desk.post("/api/appointments", json={"slot_id": str(past)})).status_code == 403


async def test_a_hundred_concurrent_bookings_for_ten_places(app) -> None:
    hall = await make_hall()
    window = await make_window(hall, capacity=10)
    slot = await slot_at(window, timeutil.now().replace(microsecond=0) + dt.timedelta(days=1))
    users = [await account() for _ in range(100)]

    async def book(position: int, user):
        # Half the requests carry an Idempotency-Key (the handler then runs inside the middleware's
        # transaction), half do not: the conditional UPDATE holds capacity on either path.
        headers = {"Idempotency-Key": f"book-{user.id}"} if position % 2 else {}
        async with as_user(app, user.token) as http:
            return await http.post("/api/appointments", json={"slot_id": str(slot)}, headers=headers)

    answers = await asyncio.gather(*(book(position, user) for position, user in enumerate(users)))
    codes = [answer.status_code for answer in answers]
    assert codes.count(201) == 10, [a.text for a in answers if a.status_code not in (201, 409)]
    assert codes.count(409) == 90
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"slot_full"}
    row = await Slot.select(Slot.booked, Slot.capacity).where(Slot.id == slot).first()
    assert row == {"booked": 10, "capacity": 10}
    assert await Appointment.count().where((Appointment.slot == slot) & (Appointment.status == "booked")) == 10


async def test_administrators_open_windows_and_publish_slots(app) -> None:
    hall = await make_hall(
        hours=[{"days": "1-5", "open": "09:00", "close": "12:00"}, {"days": "6", "open": "09:00", "close": "10:00"}]
    )
    async with as_user(app, await clerk_token("admin")) as admin:
        opened = await admin.post(
            f"/api/admin/halls/{hall}/windows", json={"code": "A09", "name": "综合窗口九", "slot_capacity": 4}
        )
        assert opened.status_code == 201, opened.text
        needs_department = await admin.post(
            f"/api/admin/halls/{hall}/windows", json={"code": "B1", "name": "专窗", "kind": "specialised"}
        )
        assert needs_department.status_code == 422 and needs_department.json()["field"] == "department_id"
        published = await admin.post(f"/api/admin/halls/{hall}/slots", json={"start": "2026-11-30", "days": 7})
        # Mon 30 Nov – Fri 4 Dec: 6 slots a day; Sat 5 Dec: 2; Sun 6 Dec: none.
        assert published.json() == {"created": 5 * 6 + 2}
        repeated = await admin.post(f"/api/admin/halls/{hall}/slots", json={"start": "2026-11-30", "days": 7})
        assert repeated.json() == {"created": 0}
        too_many = await admin.post(f"/api/admin/halls/{hall}/slots", json={"days": 400})
        assert too_many.status_code == 422
        jobs = await admin.post("/api/admin/quality/run-jobs")
        assert jobs.status_code == 200 and set(jobs.json()) == {
            "slots_created",
            "reminders_sent",
            "no_shows",
            "tickets_escalated",
        }
    async with as_user(app, await clerk_token("nc-window")) as clerk:
        assert (
            await clerk.post(f"/api/admin/halls/{hall}/windows", json={"code": "A1", "name": "x"})
        ).status_code == 403
