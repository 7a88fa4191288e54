"""Test harness: one fresh database per pytest session, on SQLite or PostgreSQL.

``DATABASE_URL`` pointing at a PostgreSQL server selects PostgreSQL: a new database is created for
the session (so parallel or repeated runs never share state) and dropped afterwards. Otherwise a
SQLite file in a temporary directory is used. Migrations and the demo data run once per session;
tests create their own residents and applications so they never depend on each other's data.

The app runs in-process through ``httpx.ASGITransport`` inside ``app.lifespan()`` on the session's
event loop (anyio), which keeps pooled database connections valid on both engines.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Shared, noisy machines: time-based checks say nothing about correctness, so they are off; every
# property is still checked on the same number of examples.
hypothesis_settings.register_profile(
    "zhangban", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
hypothesis_settings.load_profile("zhangban")

_TMP = Path(tempfile.mkdtemp(prefix="zb-test-"))
_SERVER_URL = os.environ.get("DATABASE_URL", "")
_TEST_DB = ""

if _SERVER_URL.startswith("postgres"):
    import asyncpg

    from core.db import postgres_config

    _TEST_DB = f"zbtest_{os.getpid()}_{secrets.token_hex(3)}"

    async def _create() -> None:
        connection = await asyncpg.connect(**postgres_config(_SERVER_URL))
        try:
            await connection.execute(f'CREATE DATABASE "{_TEST_DB}"')
        finally:
            await connection.close()

    asyncio.run(_create())
    base, _, _ = _SERVER_URL.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{_TEST_DB}"

os.environ["ZB_ENV"] = "test"
os.environ["ZB_DATA_DIR"] = str(_TMP / "data")
os.environ["ZB_SECRETS_DIR"] = str(_TMP / "secrets")
os.environ.setdefault("ZB_LOG_LEVEL", "WARNING")

ENGINE = "postgresql" if _TEST_DB else "sqlite"


def pytest_report_header(config: pytest.Config) -> str:
    return f"zhangban database engine: {ENGINE}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark database tests; ``ZB_TEST_DB_ONLY=1`` (the PostgreSQL pass) runs only those."""
    db_fixtures = {"app", "client", "db"}
    only_db = os.environ.get("ZB_TEST_DB_ONLY") == "1"
    keep: list[pytest.Item] = []
    for item in items:
        uses_db = bool(db_fixtures & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("db")
        if uses_db:
            item.add_marker(pytest.mark.db)
        if not only_db or uses_db:
            keep.append(item)
    if only_db:
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _TEST_DB:
        import asyncpg

        from core.db import postgres_config

        async def _drop() -> None:
            connection = await asyncpg.connect(**postgres_config(_SERVER_URL))
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{_TEST_DB}" WITH (FORCE)')
            finally:
                await connection.close()

        asyncio.run(_drop())
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def settings():
    from core import settings as settings_mod

    current = settings_mod.from_env()
    settings_mod.use(current)
    return current


@pytest.fixture(scope="session")
def migrated(settings) -> Iterator[None]:
    from cli.main import migrate

    migrate()
    yield


@pytest.fixture(scope="session")
async def app(settings, migrated) -> AsyncIterator[object]:
    from api.app import create_app
    from auth import sms
    from demo.seed import seed

    sms.use(None)
    application = create_app(settings)
    async with application.lifespan():
        await seed()
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[object]:
    import httpx

    from tests.support import random_client_address

    transport = httpx.ASGITransport(app=app, client=random_client_address())  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def db(app) -> AsyncIterator[None]:
    """For tests that call domain code directly against the session database."""
    yield
