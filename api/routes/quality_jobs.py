"""Periodic service-quality jobs, and an administrator's button to run them now.

Every few minutes each worker publishes slots for the coming days, reminds residents of
tomorrow's appointments, marks no-shows and escalates late 12345 tickets. Each job is safe to run
in several workers at once: rows move by compare-and-set and notifications are deduplicated, so a
second worker finds nothing left to do. Tests (``ZB_ENV=test``) call the jobs directly instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import msgspec
from litestar import Router, post

from api import problems
from api.deps import SECURITY, CallerDep, clerk
from appointments import service as appointments
from core import settings
from hotline import service as hotline

log = logging.getLogger("zhangban.quality")
INTERVAL_SECONDS = 300


class JobRun(msgspec.Struct, kw_only=True):
    slots_created: int
    reminders_sent: int
    no_shows: int
    tickets_escalated: int


async def run_all() -> JobRun:
    return JobRun(
        slots_created=await appointments.generate_slots(),
        reminders_sent=await appointments.send_reminders(),
        no_shows=await appointments.sweep_no_shows(),
        tickets_escalated=await hotline.escalate_overdue(),
    )


async def _loop() -> None:
    await asyncio.sleep(10)  # let startup (and a first demo seed) finish first
    while True:
        try:
            result = await run_all()
            log.info("quality.jobs", extra=msgspec.structs.asdict(result))
        except Exception:  # a failed round must not stop the next one
            log.exception("quality.jobs.failed")
        await asyncio.sleep(INTERVAL_SECONDS)


@post(
    "/quality/run-jobs",
    status_code=200,
    summary="Run the service-quality jobs now (slots, reminders, no-shows, escalation)",
    responses=problems.responses(401, 403),
)
async def run_jobs(caller: CallerDep) -> JobRun:
    clerk(caller, "admin")
    return await run_all()


_task: asyncio.Task[Any] | None = None


async def on_startup(app: Any) -> None:
    global _task
    if settings.get().env != "test":
        _task = asyncio.create_task(_loop(), name="quality-jobs")


async def on_shutdown(app: Any) -> None:
    global _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None


ROUTES = [Router(path="/api/admin", route_handlers=[run_jobs], tags=["管理 Administration"], security=SECURITY)]
