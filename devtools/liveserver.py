"""A real server process (uvicorn, one or more workers) on its own database.

Used by black-box tests and the benchmarks. On SQLite it gets a fresh data directory; with
``database_url`` (or ``DATABASE_URL``) pointing at a PostgreSQL server it gets a fresh database
there. It is migrated and loaded with the demo data before it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from devtools.pgcluster import free_port

ROOT = Path(__file__).resolve().parent.parent
ZHANGBAN = str(Path(sys.executable).with_name("zhangban"))
UVICORN = str(Path(sys.executable).with_name("uvicorn"))


class LiveServer:
    def __init__(self, url: str, env: dict[str, str], process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.env = env
        self.process = process
        self.log = log


def _fresh_database_url(server_url: str) -> str:
    import asyncpg

    from core.db import postgres_config

    name = f"zblive_{secrets.token_hex(4)}"

    async def create() -> None:
        connection = await asyncpg.connect(**postgres_config(server_url))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return server_url.rpartition("/")[0] + f"/{name}"


@contextlib.contextmanager
def live_server(
    workers: int = 1, extra_env: dict[str, str] | None = None, database_url: str | None = None
) -> Iterator[LiveServer]:
    root = Path(tempfile.mkdtemp(prefix="zb-live-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        ZB_ENV="development",
        ZB_DATA_DIR=str(root / "data"),
        ZB_SECRETS_DIR=str(root / "secrets"),
        HOST="127.0.0.1",
        PORT=str(port),
        ZB_LOG_LEVEL="WARNING",
    )
    server_url = database_url if database_url is not None else os.environ.get("DATABASE_URL", "")
    if server_url.startswith("postgres"):
        env["DATABASE_URL"] = _fresh_database_url(server_url)
    env.update(extra_env or {})
    subprocess.run([ZHANGBAN, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([ZHANGBAN, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    log = root / "server.log"
    yield from _run([ZHANGBAN, "serve", "--workers", str(workers)], env, root, port, log)


@contextlib.contextmanager
def bare_server() -> Iterator[LiveServer]:
    """The benchmarks' baseline: a one-route Litestar app under the same uvicorn settings."""
    root = Path(tempfile.mkdtemp(prefix="zb-bare-"))
    port = free_port()
    env = {**os.environ}
    command = [
        UVICORN,
        "--factory",
        "devtools.bare_app:create",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    yield from _run(command, env, root, port, root / "server.log", ready_path="/bare")


def _run(
    command: list[str], env: dict[str, str], root: Path, port: int, log: Path, ready_path: str = "/healthz"
) -> Iterator[LiveServer]:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}{ready_path}", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield LiveServer(url, env, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)
