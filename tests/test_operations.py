"""Operations: health, backup and restore, and logs without personal data."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import anyio
import asyncpg
import pytest

from core import db
from core.db import TunedSQLiteEngine, postgres_config
from tests.factories import published_matter, submitted_application
from tests.support import account

pytestmark = pytest.mark.anyio
ZHANGBAN = str(Path(sys.executable).with_name("zhangban"))


async def test_health_reports_the_database(client) -> None:
    ok = await client.get("/healthz")
    assert ok.status_code == 200 and ok.json()["database"] == "ok"
    assert ok.headers["cache-control"] == "no-store" and ok.headers["x-request-id"]
    assert ok.headers["x-content-type-options"] == "nosniff"


async def test_health_is_503_when_the_database_does_not_answer(app) -> None:
    from api.routes.health import healthz

    working = db.engine()
    broken = TunedSQLiteEngine("/nonexistent-dir/zb.sqlite")
    try:
        db.bind(broken)
        response = await healthz.fn()
    finally:
        db.bind(working)
    assert response.status_code == 503


async def test_pwa_shell_is_served_with_a_strict_policy(client) -> None:
    page = await client.get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


async def test_backup_and_restore(app, settings) -> None:
    user = await account()
    before = await submitted_application(app, user, await published_matter())
    target = Path(tempfile.mkdtemp(prefix="zb-backup-"))
    made = await anyio.run_process([ZHANGBAN, "backup", str(target)], env={**os.environ}, check=True)
    backup_file = Path(made.stdout.decode().strip())
    assert await anyio.Path(backup_file).exists() and await anyio.Path(target / "files").exists()
    if settings.engine == "sqlite":
        # Restore into another data directory and find the application there.
        other = Path(tempfile.mkdtemp(prefix="zb-restore-"))
        env = {**os.environ, "ZB_DATA_DIR": str(other)}
        await anyio.run_process([ZHANGBAN, "restore", str(backup_file)], env=env, check=True)
        copy = sqlite3.connect(other / "zhangban.sqlite")
        found = copy.execute("SELECT count(*) FROM application WHERE number = ?", (before["summary"]["number"],))
        assert found.fetchone()[0] == 1
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copy.close()
        assert any((other / "files").rglob("*")), "uploaded files come back with the database"
    else:
        # Restore into a fresh database and look for the application there.
        url = os.environ["DATABASE_URL"]
        name = "zbrestore_" + os.urandom(3).hex()
        server = await asyncpg.connect(**postgres_config(url))
        await server.execute(f'CREATE DATABASE "{name}"')
        await server.close()
        restored_url = url.rpartition("/")[0] + f"/{name}"
        env = {**os.environ, "DATABASE_URL": restored_url}
        await anyio.run_process([ZHANGBAN, "restore", str(backup_file)], env=env, check=True)
        restored = await asyncpg.connect(**postgres_config(restored_url))
        found = await restored.fetchval(
            "SELECT count(*) FROM application WHERE number = $1", before["summary"]["number"]
        )
        await restored.close()
        assert found == 1


async def test_logs_are_json_lines_without_personal_data(app, caplog) -> None:
    user = await account()
    with caplog.at_level(logging.INFO):
        await submitted_application(app, user, await published_matter())
    text = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert user.person.id_number not in text and user.person.phone not in text
