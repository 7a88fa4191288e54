"""A throwaway PostgreSQL cluster from the system binaries (stdlib only: runs before any venv).

``initdb`` refuses to run as root, so as root the cluster is created and started as the
``postgres`` system user, in a private temporary directory, listening on a free loopback port and
a private socket directory. Used by ``run.py test``, the benchmarks and the migration generator.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def find_bin(name: str) -> str | None:
    """``initdb``/``pg_ctl`` from PATH or the Debian layout (/usr/lib/postgresql/<v>/bin)."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_cluster_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Cluster:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.log = root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/zhangban"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        psql = find_bin("psql") or "psql"
        out = subprocess.run(
            [psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-Atc", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout

    def start(self) -> None:
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) were not found")
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockets, "postgres")
            os.chmod(self.root, 0o700)
        subprocess.run(
            _as_cluster_user(
                [
                    initdb,
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.sockets} "
            "-c fsync=on -c max_connections=200 -c shared_buffers=128MB"
        )
        subprocess.run(
            _as_cluster_user([pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"]),
            check=True,
            capture_output=True,
        )
        for _ in range(50):
            with contextlib.suppress(subprocess.CalledProcessError):
                self.psql("SELECT 1")
                break
            time.sleep(0.1)
        self.psql("CREATE DATABASE zhangban")

    def stop(self) -> None:
        pg_ctl = find_bin("pg_ctl")
        if pg_ctl and self.data.exists():
            subprocess.run(
                _as_cluster_user([pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway() -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="zb-pg-"))
    cluster = Cluster(root, free_port())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


if __name__ == "__main__":  # manual use: start a cluster and keep it until Ctrl-C
    with throwaway() as running:
        print(running.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
