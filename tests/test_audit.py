"""The hash-chained audit log finds edited, deleted and reordered entries; residents see who read."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest

from audit import log
from audit.tables import AuditEntry
from core import db
from tests.factories import published_matter, submitted_application
from tests.support import account, as_user, clerk_token

pytestmark = pytest.mark.anyio
ZHANGBAN = str(Path(sys.executable).with_name("zhangban"))


async def _some_activity(app) -> None:
    user = await account()
    await submitted_application(app, user, await published_matter())


async def _verify_tampered(tamper) -> log.ChainReport:
    """Tamper inside a transaction, verify what the database now says, then roll back."""
    async with db.write_tx() as transaction:
        await tamper()
        report = await log.verify()
        await transaction.rollback()
    return report


async def test_intact_chain_verifies(app) -> None:
    await _some_activity(app)
    report = await log.verify()
    assert report.ok and report.entries == report.head_seq > 10


async def test_an_edited_entry_is_found(app) -> None:
    await _some_activity(app)
    target = (await AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq, ascending=False).first())["seq"] - 3

    async def edit() -> None:
        await AuditEntry.update({AuditEntry.purpose: "没人会发现"}).where(AuditEntry.seq == target)

    report = await _verify_tampered(edit)
    assert not report.ok and report.problem.kind == "edited" and report.problem.seq == target


async def test_a_deleted_entry_is_found(app) -> None:
    await _some_activity(app)
    target = (await AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq, ascending=False).first())["seq"] - 2

    async def delete() -> None:
        await AuditEntry.delete().where(AuditEntry.seq == target)

    report = await _verify_tampered(delete)
    assert not report.ok and report.problem.kind == "deleted" and report.problem.seq == target


async def test_reordered_entries_are_found(app) -> None:
    await _some_activity(app)
    last = (await AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq, ascending=False).first())["seq"]
    a, b = last - 4, last - 3

    async def swap() -> None:
        rows = {r["seq"]: r for r in await AuditEntry.select().where(AuditEntry.seq.is_in([a, b]))}
        await AuditEntry.delete().where(AuditEntry.seq.is_in([a, b]))
        # Each row keeps its own (valid) hash but moves to the other's place in the sequence.
        for seq, row in ((a, rows[b]), (b, rows[a])):
            await AuditEntry.insert(AuditEntry(**{**row, "seq": seq}))

    report = await _verify_tampered(swap)
    assert not report.ok and report.problem.seq == a and report.problem.kind in ("edited", "reordered")


async def test_a_truncated_tail_is_found_by_the_signed_checkpoint(app) -> None:
    await _some_activity(app)
    checkpoint = await log.checkpoint()

    async def truncate() -> None:
        await AuditEntry.delete().where(AuditEntry.seq >= checkpoint.seq - 1)

    report = await _verify_tampered(truncate)
    assert not report.ok and report.problem.kind == "truncated"


async def test_the_command_reports_a_tampered_row(app, settings) -> None:
    await _some_activity(app)
    env = {**os.environ}
    assert (await anyio.run_process([ZHANGBAN, "audit-verify"], env=env, check=False)).returncode == 0
    target = await AuditEntry.select().order_by(AuditEntry.seq, ascending=False).first()
    try:
        await AuditEntry.update({AuditEntry.actor_label: "篡改"}).where(AuditEntry.seq == target["seq"])
        broken = await anyio.run_process([ZHANGBAN, "audit-verify"], env=env, check=False)
        assert broken.returncode == 1
        assert f"entry {target['seq']}: edited" in broken.stdout.decode()
    finally:
        await AuditEntry.update({AuditEntry.actor_label: target["actor_label"]}).where(AuditEntry.seq == target["seq"])
    assert (await log.verify()).ok


async def test_residents_see_who_read_their_data(app) -> None:
    user = await account()
    body = await submitted_application(app, user, await published_matter())
    async with as_user(app, await clerk_token("nc-reviewer")) as desk:
        assert (await desk.get(f"/api/backoffice/applications/{body['summary']['id']}")).status_code == 200
    async with as_user(app, user.token) as http:
        entries = (await http.get("/api/me/access-log")).json()
    reads = [e for e in entries if e["application_id"] == body["summary"]["id"]]
    assert reads and reads[0]["who_kind"] == "clerk" and reads[0]["purpose"] == "审批办理"
    assert reads[0]["who"] == "南昌市场监管·审批 吴强"


async def test_auditors_only(app) -> None:
    async with as_user(app, await clerk_token("auditor")) as auditor:
        assert (await auditor.get("/api/audit/verify")).json()["ok"] is True
        assert (await auditor.get("/api/audit/entries", params={"limit": 5})).status_code == 200
    async with as_user(app, await clerk_token("nc-head")) as head:
        assert (await head.get("/api/audit/verify")).status_code == 403
