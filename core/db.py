"""Database engines and the write-transaction discipline.

SQLite is the embedded default and must never refuse or lose a write under load. Piccolo's stock
SQLite engine opens a new connection (and thread) per query and starts transactions DEFERRED, so
two concurrent writers fail with "database is locked" when one upgrades its read lock. We fix both:

* pooled reader connections with the pragmas applied once (WAL, busy timeout, ``secure_delete``,
  ``synchronous=FULL``, foreign keys);
* one dedicated writer connection used under an in-process ``asyncio.Lock`` with
  ``BEGIN IMMEDIATE``, so writers queue in-process instead of spinning on the busy handler, and
  other processes are still serialised by SQLite's own lock and the busy timeout.

Every write goes through :func:`write_tx`; a stray write outside it is still routed to the writer
connection by its SQL verb. PostgreSQL uses asyncpg's pool and READ COMMITTED; compare-and-set
updates (``UPDATE … WHERE version = …``) keep concurrent decisions exclusive on both engines.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.exceptions import TransactionError
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from core.settings import Settings

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP", "VACUUM", "REINDEX")

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA secure_delete = ON;"
    "PRAGMA temp_store = MEMORY;"
    "PRAGMA cache_size = -16000;"
    "PRAGMA journal_size_limit = 67108864;"
)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection; IMMEDIATE ones take the engine's write lock first."""

    __slots__ = ("_writer",)

    engine: TunedSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            if (
                self.transaction_type is not TransactionType.deferred
                and self._parent.transaction_type is TransactionType.deferred
            ):
                raise TransactionError("a write transaction cannot nest inside a read transaction")
            return self._parent
        self._writer = self.transaction_type is not TransactionType.deferred
        if self._writer:
            lock = self.engine.write_lock()
            await lock.acquire()
            try:
                self.connection = await self.engine.writer_connection()
                await self.begin()
            except BaseException:
                lock.release()
                raise
        else:
            self.connection = await self.engine.acquire()
            try:
                await self.begin()
            except BaseException:
                await self.engine.release(self.connection, broken=True)
                raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        broken = False
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    broken = True
                    with contextlib.suppress(Exception):
                        await self.rollback()
                    raise
        except BaseException:
            broken = True
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            if self._writer:
                if broken or self.connection.in_transaction:
                    await self.engine.drop_writer()
                self.engine.write_lock().release()
            else:
                await self.engine.release(self.connection, broken=broken or self.connection.in_transaction)
        return exception is None


class TunedSQLiteEngine(SQLiteEngine):
    """SQLite with a connection pool, one serialised writer and durable pragmas."""

    __slots__ = ("_idle", "_loop", "_semaphore", "_write_lock", "_writer", "busy_timeout_ms", "pool_size")

    def __init__(self, path: str, *, pool_size: int = 4, busy_timeout_ms: int = 30_000) -> None:
        self.pool_size = pool_size
        self.busy_timeout_ms = busy_timeout_ms
        self._idle: list[aiosqlite.Connection] = []
        self._writer: aiosqlite.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._write_lock: asyncio.Lock | None = None
        super().__init__(path=path, timeout=busy_timeout_ms / 1000, check_same_thread=False)

    # -- loop-bound primitives: recreated when the app runs on a new event loop (tests do) --------
    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._semaphore = asyncio.Semaphore(self.pool_size)
            self._write_lock = asyncio.Lock()
            self._idle = []
            self._writer = None

    def write_lock(self) -> asyncio.Lock:
        self._bind_loop()
        assert self._write_lock is not None
        return self._write_lock

    async def _connect(self) -> aiosqlite.Connection:
        pending = aiosqlite.connect(**self.connection_kwargs)
        # Pooled connections outlive a request; a daemon worker thread lets a process that never
        # closed its pool (Piccolo's CLI) exit. Durability is unaffected: each COMMIT is atomic.
        pending._thread.daemon = True
        connection = await pending
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.executescript(SQLITE_PRAGMAS + f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)};")
        return connection

    async def get_connection(self) -> aiosqlite.Connection:  # used by Piccolo for batches
        return await self._connect()

    async def acquire(self) -> aiosqlite.Connection:
        self._bind_loop()
        assert self._semaphore is not None
        await self._semaphore.acquire()
        try:
            return self._idle.pop() if self._idle else await self._connect()
        except BaseException:
            self._semaphore.release()
            raise

    async def release(self, connection: aiosqlite.Connection, *, broken: bool = False) -> None:
        try:
            if broken:
                with contextlib.suppress(Exception):
                    await connection.close()
            else:
                self._idle.append(connection)
        finally:
            assert self._semaphore is not None
            self._semaphore.release()

    async def writer_connection(self) -> aiosqlite.Connection:
        """The single writer connection; call only while holding :meth:`write_lock`."""
        if self._writer is None:
            self._writer = await self._connect()
        return self._writer

    async def drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(Exception):
                await writer.close()

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                await connection.close()
        await self.drop_writer()
        self._loop = None

    # -- Piccolo hooks ---------------------------------------------------------------------------
    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> list[dict[str, Any]]:
        if query.lstrip().split(None, 1)[0].upper() in _WRITE_VERBS:
            async with self.transaction(TransactionType.immediate) as transaction:
                return await self._run_in_existing_connection(transaction.connection, query, args)
        connection = await self.acquire()
        ok = False
        try:
            rows = await connection.execute_fetchall(query, args or [])  # one thread hop, not three
            ok = not connection.in_transaction
            return rows  # type: ignore[return-value]
        finally:
            await self.release(connection, broken=not ok)

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        return await connection.execute_fetchall(query, args or [])  # type: ignore[return-value]

    def transaction(  # type: ignore[override]
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> PooledSQLiteTransaction:
        return PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class PooledPostgresEngine(PostgresEngine):
    """PostgreSQL through asyncpg's pool; no connection is made until the pool starts."""

    def __init__(self, config: dict[str, Any], *, pool_min: int = 2, pool_max: int = 10) -> None:
        self.pool_min = pool_min
        self.pool_max = pool_max
        super().__init__(config=config)

    async def check_version(self) -> None:  # the stock engine connects at construction time
        return None

    async def prep_database(self) -> None:
        return None

    async def start_pool(self) -> None:
        if self.pool is None:
            await self.start_connection_pool(
                min_size=self.pool_min,
                max_size=self.pool_max,
                server_settings={"jit": "off", "application_name": "zhangban"},
            )

    async def close_pool(self) -> None:
        if self.pool is not None:
            await self.close_connection_pool()


def postgres_config(url: str) -> dict[str, Any]:
    """asyncpg connection arguments from a ``postgresql://user:pass@host:port/db?host=/sock`` URL."""
    parsed = urlparse(url)
    config: dict[str, Any] = {"database": (parsed.path or "/postgres").lstrip("/") or "postgres"}
    if parsed.hostname:
        config["host"] = parsed.hostname
    if parsed.port:
        config["port"] = parsed.port
    if parsed.username:
        config["user"] = unquote(parsed.username)
    if parsed.password:
        config["password"] = unquote(parsed.password)
    for part in filter(None, parsed.query.split("&")):
        key, _, value = part.partition("=")
        if key == "host":  # a Unix socket directory
            config["host"] = unquote(value)
    return config


def engine_from_settings(settings: Settings) -> Engine:
    if settings.engine == "postgres":
        assert settings.database_url is not None
        return PooledPostgresEngine(
            postgres_config(settings.database_url), pool_min=settings.pg_pool_min, pool_max=settings.pg_pool_max
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return TunedSQLiteEngine(
        str(settings.sqlite_path),
        pool_size=settings.sqlite_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )


_engine: Engine | None = None


def bind(engine: Engine) -> None:
    """Point every registered table at ``engine`` (the app factory and tests switch databases)."""
    global _engine
    from piccolo.conf.apps import Finder

    _engine = engine
    for table in Finder().get_table_classes():
        table._meta.db = engine


def engine() -> Engine:
    if _engine is None:
        from piccolo.engine.finder import engine_finder

        found = engine_finder()
        if found is None:
            raise RuntimeError("no database engine configured")
        bind(found)
    assert _engine is not None
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def write_tx() -> Any:
    """The one way to write: ``async with write_tx():`` (nests into an enclosing write)."""
    current = engine()
    if isinstance(current, TunedSQLiteEngine):
        return current.transaction(TransactionType.immediate)
    return current.transaction()


def in_transaction() -> bool:
    return engine().transaction_exists()


async def start(current: Engine) -> None:
    if isinstance(current, PooledPostgresEngine):
        await current.start_pool()


async def stop(current: Engine) -> None:
    if isinstance(current, PooledPostgresEngine):
        await current.close_pool()
    elif isinstance(current, TunedSQLiteEngine):
        await current.close_pool()


@contextlib.asynccontextmanager
async def running(current: Engine) -> AsyncIterator[Engine]:
    await start(current)
    try:
        yield current
    finally:
        await stop(current)


async def ping() -> bool:
    """True when the database answers a trivial query (for ``/healthz``)."""
    try:
        await engine().run_ddl("SELECT 1")
        return True
    except Exception:
        return False


def for_update(query: Any) -> Any:
    """``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the single writer already serialises."""
    return query if is_sqlite() else query.lock_rows()
