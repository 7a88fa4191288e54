"""``zhangban`` command line: migrate, seed, serve, back up and restore, verify the audit chain.

Every command reads the same environment as the server (``DATABASE_URL``, ``ZB_DATA_DIR``, …).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

from core import db, settings


def _run(coro_factory: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        current = db.engine_from_settings(settings.get())
        db.bind(current)
        async with db.running(current):
            return await coro_factory()

    return asyncio.run(main())


def migrate() -> None:
    """Apply every pending migration of every app (the same set on SQLite and PostgreSQL)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    async def go() -> None:
        response = await run_forwards(app_name="all", migration_id="all", fake=False)
        if not response.success:
            raise SystemExit(f"migration failed: {response.message}")

    asyncio.run(go())


def seed_demo() -> None:
    from demo.seed import seed

    result = _run(seed)
    print("demo data:", ", ".join(f"{k}={v}" for k, v in result.items()))


def serve(host: str, port: int, workers: int, reload: bool) -> None:
    import uvicorn

    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        access_log=False,
        proxy_headers=True,
        log_config=None,
    )


def backup(target_dir: Path) -> Path:
    """A consistent online backup: SQLite's backup API or pg_dump, plus the uploaded files."""
    current = settings.get()
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if current.engine == "sqlite":
        out = target_dir / f"zhangban-{stamp}.sqlite"
        source = sqlite3.connect(current.sqlite_path)
        destination = sqlite3.connect(out)
        with destination:
            source.backup(destination)
        destination.close()
        source.close()
    else:
        out = target_dir / f"zhangban-{stamp}.pgdump"
        subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", f"--file={out}", current.database_url or ""], check=True
        )
    if current.files_dir.exists():
        shutil.copytree(current.files_dir, target_dir / "files", dirs_exist_ok=True)
    return out


def restore(source: Path) -> None:
    """Replace the database with a backup (stop the server first); files are merged back."""
    current = settings.get()
    if not source.exists():
        raise SystemExit(f"no such backup: {source}")
    if current.engine == "sqlite":
        check = sqlite3.connect(source)
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        check.close()
        if ok != "ok":
            raise SystemExit(f"backup failed its integrity check: {ok}")
        current.data_dir.mkdir(parents=True, exist_ok=True)
        staged = current.sqlite_path.with_suffix(".restoring")
        shutil.copyfile(source, staged)
        for suffix in ("-wal", "-shm"):
            Path(f"{current.sqlite_path}{suffix}").unlink(missing_ok=True)
        os.replace(staged, current.sqlite_path)
    else:
        subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                f"--dbname={current.database_url}",
                str(source),
            ],
            check=True,
        )
    files = source.parent / "files"
    if files.exists():
        shutil.copytree(files, current.files_dir, dirs_exist_ok=True)


def _pg_tool(name: str) -> str:
    from devtools.pgcluster import find_bin

    found = find_bin(name)
    if not found:
        raise SystemExit(f"{name} was not found (install the PostgreSQL client)")
    return found


def audit_verify() -> int:
    from audit import log

    report = _run(log.verify)
    if report.ok:
        print(f"audit chain intact: {report.entries} entries, head {report.head_seq} {report.head_hash[:16]}…")
        return 0
    problem = report.problem
    print(f"audit chain BROKEN at entry {problem.seq}: {problem.kind} — {problem.detail}")
    return 1


def audit_checkpoint() -> None:
    from audit import log

    row = _run(log.checkpoint)
    print("empty log" if row is None else f"checkpoint signed at entry {row.seq}")


def dispatch(once: bool, lease: float = 60.0) -> None:
    """Run the outbox dispatcher alone (``ZB_DISPATCHER=off`` keeps it out of the app workers)."""
    import signal

    from core import discovery
    from notify import dispatcher

    discovery.load_wiring()  # the channel handlers

    async def go() -> None:
        if once:
            result = await dispatcher.drain(lease_seconds=lease)
            await dispatcher.close()
            print(msgspec.json.encode(result).decode())
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await dispatcher.run_forever(stop, lease_seconds=lease)

    _run(go)


def dev_totp(username: str) -> None:
    """Print the current TOTP code of a demo clerk (development data only)."""
    import pyotp

    from demo.people import CLERKS

    if not settings.get().is_dev:
        raise SystemExit("dev-totp is only available in development")
    clerk = next((c for c in CLERKS if c.username == username), None)
    if clerk is None:
        raise SystemExit(f"no demo clerk {username!r}; known: {', '.join(c.username for c in CLERKS)}")
    print(pyotp.TOTP(clerk.totp_secret).now())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zhangban", description="掌办 platform commands")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("seed-demo", help="load the demo data into an empty database")
    run = commands.add_parser("serve", help="serve the API and the PWA")
    run.add_argument("--host", default=None)
    run.add_argument("--port", type=int, default=None)
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--reload", action="store_true")
    up = commands.add_parser("up", help="migrate, load demo data if empty, and serve")
    up.add_argument("--workers", type=int, default=1)
    take = commands.add_parser("backup", help="back up the database and uploaded files into a directory")
    take.add_argument("directory", type=Path)
    put = commands.add_parser("restore", help="restore a backup file (stop the server first)")
    put.add_argument("file", type=Path)
    commands.add_parser("audit-verify", help="verify the audit hash chain; exit 1 if broken")
    commands.add_parser("audit-checkpoint", help="sign the current head of the audit chain")
    send = commands.add_parser("dispatch", help="run the outbox dispatcher (push, SMS, federation) alone")
    send.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    send.add_argument(
        "--lease", type=float, default=60.0, help="seconds a worker holds a message; a crashed one's expire after"
    )
    totp = commands.add_parser("dev-totp", help="current TOTP code of a demo clerk (development only)")
    totp.add_argument("username")
    args = parser.parse_args(argv)
    current = settings.get()
    if args.command == "migrate":
        migrate()
    elif args.command == "seed-demo":
        seed_demo()
    elif args.command == "serve":
        serve(args.host or current.host, args.port or current.port, args.workers, args.reload)
    elif args.command == "up":
        migrate()
        seed_demo()
        serve(current.host, current.port, args.workers, False)
    elif args.command == "backup":
        print(backup(args.directory))
    elif args.command == "restore":
        restore(args.file)
        print("restored", args.file)
    elif args.command == "audit-verify":
        return audit_verify()
    elif args.command == "audit-checkpoint":
        audit_checkpoint()
    elif args.command == "dispatch":
        dispatch(args.once, args.lease)
    elif args.command == "dev-totp":
        dev_totp(args.username)
    return 0


if __name__ == "__main__":
    sys.exit(main())
