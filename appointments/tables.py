"""Windows of a hall, bookable time slots, appointments and per-day queue counters."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from catalogue.tables import Matter
from regions.tables import Department, Hall


class Window(Table, tablename="hall_window"):
    """A counter in a hall: comprehensive (综合窗口, any matter) or specialised (one department)."""

    id = UUID(primary_key=True)
    hall = ForeignKey(references=Hall, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=16)  # "A01" as shown above the counter
    name = Varchar(length=64)
    kind = Varchar(length=16, default="comprehensive")  # comprehensive | specialised
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    slot_capacity = Integer(default=3)  # people one window serves per 30-minute slot
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Slot(Table, tablename="hall_slot"):
    """Thirty minutes at one window. ``booked`` only changes by conditional UPDATE (never above
    ``capacity``), which is what makes concurrent bookings safe on both engines."""

    id = UUID(primary_key=True)
    key = Varchar(length=80, unique=True)  # "<window id>:<start iso>": generating twice adds nothing
    hall = ForeignKey(references=Hall, on_delete=OnDelete.restrict, index=True)
    window = ForeignKey(references=Window, on_delete=OnDelete.restrict, index=True)
    day = Date(index=True)  # China date
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    kind = Varchar(length=16, default="regular")  # regular | evening | weekend | holiday
    capacity = Integer()
    booked = Integer(default=0)


class Appointment(Table, tablename="appointment"):
    id = UUID(primary_key=True)
    number = Varchar(length=24, unique=True)
    slot = ForeignKey(references=Slot, on_delete=OnDelete.restrict, index=True)
    hall = ForeignKey(references=Hall, on_delete=OnDelete.restrict, index=True)
    window = ForeignKey(references=Window, on_delete=OnDelete.restrict, index=True)
    owner_key = Varchar(length=64, index=True)  # "person:<id>" | "enterprise:<id>"
    owner_name = Varchar(length=200, default="")
    booked_by = UUID(null=True, default=None)
    basis = Varchar(length=16, default="self")
    matter = ForeignKey(references=Matter, on_delete=OnDelete.restrict, null=True)
    matter_name = Varchar(length=200, default="")
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    note = Text(default="")
    status = Varchar(length=16, default="booked", index=True)  # booked | checked_in | done | cancelled | no_show
    # Unique while the booking is live, NULL afterwards: one live booking per person, hall and day.
    active_key = Varchar(length=120, null=True, default=None, unique=True)
    queue_number = Varchar(length=16, default="")
    starts_at = Timestamptz(index=True)
    reminded_at = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class QueueCounter(Table, tablename="queue_counter"):
    """The last queue number handed out per hall, day and prefix (upserted atomically)."""

    key = Varchar(length=80, unique=True)
    last = Integer(default=0)
