"""The audit log for auditors: browse entries, verify the chain, sign a checkpoint."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Router, get, post
from litestar.params import FromQuery

from api import problems
from api.deps import SECURITY, CallerDep, clerk
from audit import log
from audit.tables import AuditEntry


class EntryView(msgspec.Struct):
    seq: int
    at: dt.datetime
    actor_kind: str
    actor_id: str
    actor_label: str
    on_behalf_kind: str
    on_behalf_id: str
    channel: str
    purpose: str
    action: str
    object_type: str
    object_id: str
    subject_kind: str
    subject_id: str
    application_id: str
    hash: str


class CheckpointView(msgspec.Struct):
    seq: int
    hash: str
    at: dt.datetime
    key_id: str


@get("/entries", summary="Audit entries (newest first)", responses=problems.responses(401, 403))
async def entries(
    caller: CallerDep,
    action: FromQuery[str | None] = None,
    subject_id: FromQuery[str | None] = None,
    application_id: FromQuery[str | None] = None,
    before_seq: FromQuery[int | None] = None,
    limit: FromQuery[int] = 100,
) -> list[EntryView]:
    clerk(caller, "auditor")
    query = AuditEntry.select().order_by(AuditEntry.seq, ascending=False).limit(max(1, min(limit, 500)))
    if action:
        query = query.where(AuditEntry.action == action)
    if subject_id:
        query = query.where(AuditEntry.subject_id == subject_id)
    if application_id:
        query = query.where(AuditEntry.application_id == application_id)
    if before_seq:
        query = query.where(AuditEntry.seq < before_seq)
    return [msgspec.convert(row, EntryView, from_attributes=False, strict=False) for row in await query]


@get(
    "/verify",
    summary="Verify the hash chain",
    responses=problems.responses(401, 403),
    description="Reports the first entry that was edited, deleted or moved, and checks the signed checkpoints.",
)
async def verify(caller: CallerDep) -> log.ChainReport:
    clerk(caller, "auditor")
    return await log.verify()


@post(
    "/checkpoints",
    summary="Sign the current head of the chain",
    status_code=201,
    responses=problems.responses(401, 403),
)
async def checkpoint(caller: CallerDep) -> CheckpointView | None:
    clerk(caller, "auditor", "admin")
    row = await log.checkpoint()
    if row is None:
        return None
    return CheckpointView(row.seq, row.hash, row.at, row.key_id)


router = Router(path="/api/audit", route_handlers=[entries, verify, checkpoint], tags=["审计 Audit"], security=SECURITY)
ROUTES = [router]
