"""Notification dispatch throughput to a local push service, as a ratio to bare pywebpush in the same run.

    .venv/bin/python -m bench.notify [--engine sqlite|postgresql|both] [--messages 1000] [--residents 50]

The local push service (``devtools.pushservice``) runs as its own process and does what a real one
and the browser would: it verifies every VAPID token and decrypts every payload. Against it we time

* **baseline** — bare ``pywebpush.webpush_async`` sends of the same payload to the same subscriptions,
  eight at a time over one connection pool: encryption, VAPID signing and HTTP, nothing else;
* **dispatcher** — the same number of notices emitted into the outbox beforehand (not timed), then
  delivered by ``dispatcher.drain`` exactly as ``zhangban dispatch --once`` does: leasing batches,
  planning targets from preferences and subscriptions, a delivery row per target, the push, the
  recorded answer.

Both counts are checked at the push service before a figure is written. Reports go to
``bench/reports/notify-<engine>.md`` and ``.json``. The machines are shared and noisy: compare the
ratio, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

REPORTS = Path(__file__).resolve().parent / "reports"
CONCURRENCY = 8


@contextlib.contextmanager
def push_service() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.pushservice"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def delivered(origin: str) -> int:
    return int(httpx.get(f"{origin}/_admin/stats").json()["delivered"])


async def _residents(count: int) -> list[Any]:
    from auth.codes import phone_index
    from auth.tables import Resident
    from core import db, pii, timeutil

    ids = []
    async with db.write_tx():
        for n in range(count):
            phone = f"1370000{n:04d}"
            resident_id = timeutil.uuid7()
            await Resident.insert(
                Resident(
                    id=resident_id,
                    phone_index=phone_index(phone),
                    phone_enc=pii.encrypt(phone, context="resident.phone"),
                    phone_masked=pii.mask_phone(phone),
                    name="测试",
                    birth_date=dt.date(1990, 1, 1),
                    created_at=timeutil.now(),
                )
            )
            ids.append(resident_id)
    return ids


async def _subscribe(origin: str, residents: list[Any]) -> list[dict[str, Any]]:
    from notify import subscriptions, vapid

    subs = []
    async with httpx.AsyncClient() as http:
        for resident_id in residents:
            made = await http.post(
                f"{origin}/_admin/subscriptions", json={"application_server_key": vapid.public_key()}
            )
            body = made.json()
            row, _ = await subscriptions.upsert(
                resident_id, endpoint=body["endpoint"], p256dh=body["keys"]["p256dh"], auth=body["keys"]["auth"]
            )
            subs.append(row)
    return subs


async def baseline(subs: list[dict[str, Any]], messages: int) -> float:
    """Seconds for ``messages`` bare pywebpush sends, ``CONCURRENCY`` at a time."""
    import uuid

    import aiohttp
    from pywebpush import webpush_async

    from notify import vapid

    gate = asyncio.Semaphore(CONCURRENCY)
    signer = vapid.signer()
    async with aiohttp.ClientSession() as session:

        async def one(n: int) -> None:
            sub = subs[n % len(subs)]
            async with gate:
                await webpush_async(
                    {"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}},
                    data=json.dumps({"id": str(uuid.uuid4()), "event": "application_accepted"}),
                    vapid_private_key=signer,
                    vapid_claims=vapid.claims(),
                    ttl=172800,
                    headers={"Urgency": "normal", "Topic": "benchmark"},
                    timeout=aiohttp.ClientTimeout(total=10),
                    aiohttp_session=session,
                )

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(messages)))
        return time.perf_counter() - started


async def dispatched(residents: list[Any], messages: int) -> float:
    """Seconds for the dispatcher to deliver ``messages`` notices emitted beforehand."""
    import uuid

    from notify import dispatcher
    from notify.emit import emit

    for n in range(messages):
        await emit(
            "application_accepted",
            f"person:{residents[n % len(residents)]}",
            dedupe_key=f"bench:{uuid.uuid4()}",
            link=f"/applications/{uuid.uuid4()}",
            matter="性能测试事项",
            due_on="2026-12-31",
        )
    started = time.perf_counter()
    result = await dispatcher.drain(only=["notify"], max_rounds=10_000)
    elapsed = time.perf_counter() - started
    assert result.sent == messages, result
    return elapsed


async def measure(engine: str, messages: int, residents_count: int) -> dict[str, Any]:
    from core import db, discovery, settings
    from notify import webpush

    discovery.load_wiring()
    current = db.engine_from_settings(settings.get())
    db.bind(current)
    async with db.running(current):
        with push_service() as origin:
            residents = await _residents(residents_count)
            subs = await _subscribe(origin, residents)
            await baseline(subs, 50)  # warm-up: connections, caches
            await dispatched(residents, 50)
            before = delivered(origin)
            bare = await baseline(subs, messages)
            assert delivered(origin) - before == messages
            before = delivered(origin)
            outbox = await dispatched(residents, messages)
            assert delivered(origin) - before == messages
            await webpush.close()
    return {
        "engine": engine,
        "messages": messages,
        "subscriptions": residents_count,
        "concurrency": CONCURRENCY,
        "results": {
            "bare pywebpush (baseline)": {"seconds": round(bare, 3), "messages_per_s": round(messages / bare, 1)},
            "outbox dispatcher": {"seconds": round(outbox, 3), "messages_per_s": round(messages / outbox, 1)},
        },
        "ratio_to_baseline": round(bare / outbox, 3),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def write_report(report: dict[str, Any]) -> Path:
    REPORTS.mkdir(exist_ok=True)
    name = f"notify-{report['engine']}"
    (REPORTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    lines = [
        f"# Notification dispatch benchmark — {report['engine']}",
        "",
        f"{report['measured_at']}; {report['messages']} Web Push messages to {report['subscriptions']} "
        f"subscriptions on a local push service (own process) that verifies VAPID and decrypts every "
        f"payload; {report['concurrency']} sends in flight; 2 cores shared by everything.",
        "",
        "| path | seconds | messages/s | ratio to baseline |",
        "|---|---:|---:|---:|",
    ]
    base = report["results"]["bare pywebpush (baseline)"]["messages_per_s"]
    for label, figures in report["results"].items():
        lines.append(
            f"| {label} | {figures['seconds']:.2f} | {figures['messages_per_s']:.0f} | "
            f"{figures['messages_per_s'] / base:.3f} |"
        )
    path = REPORTS / f"{name}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_one(engine: str, messages: int, residents: int) -> int:
    """Measure one engine in this process, on a fresh database."""
    work = Path(tempfile.mkdtemp(prefix="zb-bench-notify-"))
    os.environ.update(
        ZB_ENV="development", ZB_DATA_DIR=str(work / "data"), ZB_SECRETS_DIR=str(work / "secrets"), ZB_LOG_LEVEL="ERROR"
    )
    with contextlib.ExitStack() as stack:
        if engine == "postgresql":
            if not os.environ.get("DATABASE_URL"):
                from devtools.pgcluster import throwaway

                os.environ["DATABASE_URL"] = stack.enter_context(throwaway()).url
        else:
            os.environ.pop("DATABASE_URL", None)
        from cli.main import migrate

        migrate()
        report = asyncio.run(measure(engine, messages, residents))
    print(write_report(report).read_text())
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--residents", type=int, default=50)
    args = parser.parse_args()
    if args.engine != "both":
        return run_one(args.engine, args.messages, args.residents)
    for engine in ("sqlite", "postgresql"):  # one process each: settings and engines are per process
        command = [sys.executable, "-m", "bench.notify", "--engine", engine, "--messages", str(args.messages)]
        subprocess.run([*command, "--residents", str(args.residents)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
