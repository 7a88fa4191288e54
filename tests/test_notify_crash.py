"""Killing ``zhangban dispatch`` in the middle of a batch loses nothing and repeats only unrecorded sends.

The dispatcher runs as its own process on the test database; the push service is slow enough that a
batch is in flight when the process gets SIGKILL. Counting at the push service by the decrypted
inbox id then shows exactly what the design promises: every notice arrives; a notice whose delivery
was recorded before the kill arrives exactly once; only a send that reached the push service but
whose answer was never committed (at most the sends in flight) arrives a second time, when the
restarted dispatcher retries it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from devtools.pushservice import PushService
from notify.tables import Delivery, OutboxMessage
from tests.push_support import deliver, notice, push_service_fixture, subscribe, young  # noqa: F401

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ZHANGBAN = str(Path(sys.executable).with_name("zhangban"))
NOTICES = 150
LEASE = 4.0
IN_FLIGHT = 8  # the dispatcher's default concurrency × one subscription per notice


async def _sent_items(items: set[str]) -> set[str]:
    rows = await Delivery.select(Delivery.inbox_item).where(
        (Delivery.status == "sent") & Delivery.inbox_item.is_in(list(items))
    )
    return {str(row["inbox_item"]) for row in rows}


async def test_killing_the_dispatcher_mid_batch_loses_nothing_and_sends_nothing_twice_needlessly(
    app, push_service: PushService, tmp_path: Path
) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    await deliver()  # what other tests left due, so the worker below spends its time on these
    items = {str(await notice(f"person:{user.id}")) for _ in range(NOTICES)}
    push_service.delay = 0.1  # each push takes a while: a batch of 50 is mid-flight for seconds

    def ours() -> int:
        return sum(1 for m in push_service.messages_for(browser) if m.payload["id"] in items)

    env = {**os.environ, "ZB_LOG_LEVEL": "WARNING"}
    log = (tmp_path / "dispatch.log").open("wb")
    worker = await anyio.open_process(
        [ZHANGBAN, "dispatch", "--lease", str(LEASE)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    # Polling another process's progress: there is nothing in this one to wait on.
    while ours() < 60 and worker.returncode is None and time.monotonic() < deadline:  # noqa: ASYNC110
        await anyio.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    with anyio.fail_after(30):
        await worker.wait()
    assert worker.returncode == -signal.SIGKILL, (tmp_path / "dispatch.log").read_text()

    received_before = push_service.count_by_id()
    recorded = await _sent_items(items)
    leased = await OutboxMessage.count().where(
        OutboxMessage.inbox_item.is_in(list(items))
        & (OutboxMessage.status == "pending")
        & (OutboxMessage.lease_owner != "")
    )
    assert 0 < len(recorded) < NOTICES and leased > 0  # killed in the middle of a batch it held
    in_flight = {i for i in items if received_before[i] and i not in recorded}
    assert len(in_flight) <= IN_FLIGHT  # at most the sends the batch had in flight
    print(f"killed: {len(recorded)} recorded, {len(in_flight)} in flight, {leased} leased")

    await anyio.sleep(LEASE + 0.5)  # the dead worker's leases run out
    push_service.delay = 0.0
    with anyio.fail_after(300):
        again = await anyio.run_process([ZHANGBAN, "dispatch", "--once"], cwd=ROOT, env=env, check=False)
    assert again.returncode == 0, (again.stdout + again.stderr).decode()

    counts = push_service.count_by_id()
    assert all(counts[i] >= 1 for i in items)  # nothing lost
    assert all(counts[i] == 1 for i in recorded)  # recorded before the kill: never sent again
    assert all(counts[i] <= 2 for i in items)
    repeated = {i for i in items if counts[i] == 2}
    assert repeated <= in_flight  # only sends whose answer the killed worker never committed
    assert await _sent_items(items) == items
    rows = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.inbox_item.is_in(list(items)))
    assert len(rows) == NOTICES and {r["status"] for r in rows} == {"sent"}
    assert await Delivery.count().where(Delivery.inbox_item.is_in(list(items))) == NOTICES  # one per target
