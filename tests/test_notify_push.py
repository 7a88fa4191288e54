"""Web Push end to end: outbox → dispatcher → pywebpush → a local push service that checks VAPID and decrypts.

Every case goes the whole real path: the subscription is made through the API with keys generated
by the test's browser, the dispatcher sends with the platform's VAPID key, and the push service
verifies the ES256 token and decrypts the aes128gcm body with the browser's private key.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
import uuid

import pytest

from core import settings, timeutil
from devtools.pushservice import PushService
from notify import vapid, webpush
from notify.tables import PushSubscription
from tests.push_support import (
    deliver,
    deliveries_of,
    message_of,
    notice,
    push_service_fixture,  # noqa: F401 — the push_service fixture
    subscribe,
    young,
)
from tests.support import as_user, clerk_token, latest_code, unique_phone

pytestmark = pytest.mark.anyio

TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _wait(row: dict) -> float:
    return (row["available_at"] - timeutil.now()).total_seconds()


async def test_a_notice_reaches_the_browser_carrying_only_its_id(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    item = await notice(f"person:{user.id}", "supplement_requested", count=2, respond_by="2026-12-20")
    await deliver()

    [message] = push_service.messages_for(browser)
    assert message.payload == {"id": str(item), "event": "supplement_requested"}  # nothing else, nothing personal
    for secret in (user.person.name, user.person.id_number, user.person.phone, "测试小餐饮"):
        assert secret not in message.plaintext.decode()
    assert message.ttl == 4 * 24 * 3600 and message.urgency == "high" and TOPIC.match(message.topic or "")
    assert message.claims["aud"] == push_service.origin and message.claims["sub"] == settings.get().push_subject
    assert message.claims["exp"] > time.time()
    assert message.headers["authorization"].split("k=")[1] == vapid.public_key()
    assert push_service.rejected == []

    [delivery] = await deliveries_of(item)
    assert (delivery["channel"], delivery["status"], delivery["last_status"], delivery["attempts"]) == (
        "push",
        "sent",
        201,
        1,
    )
    outbox = await message_of(item)
    assert outbox["status"] == "sent" and outbox["attempts"] == 1
    sub = await PushSubscription.select().where(PushSubscription.account == user.id).first()
    assert sub is not None and sub["last_sent_at"] is not None

    # What the service worker does with the id: fetch the text with the resident's session.
    async with as_user(app, user.token) as http:
        shown = await http.get(f"/api/me/inbox/{message.payload['id']}")
    assert shown.status_code == 200
    assert shown.json()["title"] == "请补正材料" and "2 项" in shown.json()["body"]
    assert shown.json()["link"].startswith("/applications/")


async def test_urgency_ttl_and_topic_follow_the_event_and_its_subject(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    key = f"person:{user.id}"
    await notice(key, "application_accepted", link="/applications/one")
    await notice(key, "application_decided", link="/applications/one", decision="准予许可")
    await notice(key, "appointment_reminder", link="/appointments/two", when="12月1日 09:00", hall="东湖区政务服务中心")
    await notice(key, "evaluation_invited", link="/applications/one/evaluation")
    await notice(key, "agent_action", link="/applications/three", action="提交了")
    await deliver()
    got = {m.payload["event"]: m for m in push_service.messages_for(browser)}
    assert {e: (m.urgency, m.ttl) for e, m in got.items()} == {
        "application_accepted": ("normal", 2 * 86400),
        "application_decided": ("high", 4 * 86400),
        "appointment_reminder": ("normal", 12 * 3600),
        "evaluation_invited": ("low", 4 * 86400),
        "agent_action": ("high", 2 * 86400),
    }
    # A newer notice about the same application replaces an older one the phone has not fetched yet.
    assert got["application_accepted"].topic == got["application_decided"].topic
    topics = {got[e].topic for e in ("application_decided", "appointment_reminder", "evaluation_invited")}
    assert len(topics) == 3
    assert "one" not in (got["application_accepted"].topic or "")  # the topic names nothing readable


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_deleted_and_never_tried_again(app, push_service: PushService, status) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    push_service.script(browser, status)
    item = await notice(f"person:{user.id}")
    await deliver()
    [delivery] = await deliveries_of(item)
    assert delivery["status"] == "gone" and delivery["last_status"] == status
    assert (await message_of(item))["status"] == "sent"  # nothing left to do for this notice
    assert await PushSubscription.count().where(PushSubscription.account == user.id) == 0
    tries = len(push_service.attempts)
    later = await notice(f"person:{user.id}")
    await deliver()
    assert len(push_service.attempts) == tries and await deliveries_of(later) == []
    assert push_service.messages_for(browser) == []


async def test_a_browser_that_dropped_the_subscription_answers_410(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    push_service.forget(browser)
    item = await notice(f"person:{user.id}")
    await deliver()
    assert [d["status"] for d in await deliveries_of(item)] == ["gone"]
    assert await PushSubscription.count().where(PushSubscription.account == user.id) == 0


async def test_429_waits_as_long_as_the_push_service_asks(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    push_service.script(browser, (429, {"Retry-After": "120"}))
    item = await notice(f"person:{user.id}")
    await deliver()
    row = await message_of(item)
    assert row["status"] == "pending" and row["attempts"] == 1 and 110 <= _wait(row) <= 120
    [delivery] = await deliveries_of(item)
    assert delivery["status"] == "pending" and delivery["last_status"] == 429
    with timeutil.travel(dt.timedelta(seconds=60)):
        await deliver()
    assert push_service.messages_for(browser) == [] and len(push_service.attempts) == 1  # not asked again early
    with timeutil.travel(dt.timedelta(seconds=121)):
        await deliver()
    assert [m.payload["id"] for m in push_service.messages_for(browser)] == [str(item)]
    assert (await message_of(item))["status"] == "sent"


async def test_retry_after_as_an_http_date_is_honoured(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    push_service.script(browser, (429, {"Retry-After": email.utils.formatdate(time.time() + 300, usegmt=True)}))
    item = await notice(f"person:{user.id}")
    await deliver()
    assert 285 <= _wait(await message_of(item)) <= 301


async def test_a_push_service_down_then_up_gets_the_notice_exactly_once(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    await subscribe(app, user, push_service)
    first = await notice(f"person:{user.id}")
    await deliver()  # leaves kept-alive connections to the service in the pool, which down() drops
    assert push_service.count_by_id()[str(first)] == 2
    push_service.down()
    item = await notice(f"person:{user.id}")
    await deliver()
    row = await message_of(item)
    assert row["status"] == "pending" and 7 <= _wait(row) <= 13  # base delay 10 s ± 20 %
    assert {d["status"] for d in await deliveries_of(item)} == {"pending"}
    assert all(d["last_status"] == 0 and d["last_error"] for d in await deliveries_of(item))
    push_service.up()
    with timeutil.travel(dt.timedelta(seconds=14)):
        await deliver()
    assert push_service.count_by_id()[str(item)] == 2  # once on each of the two browsers
    assert [m.payload["id"] for m in push_service.messages_for(browser)] == [str(first), str(item)]
    assert {(d["status"], d["attempts"]) for d in await deliveries_of(item)} == {("sent", 2)}
    with timeutil.travel(dt.timedelta(hours=2)):
        await deliver()
    assert push_service.count_by_id()[str(item)] == 2


async def test_a_retry_sends_only_to_the_browsers_not_yet_reached(app, push_service: PushService) -> None:
    user = await young()
    phone, laptop = await subscribe(app, user, push_service), await subscribe(app, user, push_service)
    push_service.script(laptop, 503, 500)
    item = await notice(f"person:{user.id}")
    await deliver()
    assert len(push_service.messages_for(phone)) == 1 and push_service.messages_for(laptop) == []
    for seconds in (15, 60):  # two failures of the laptop's service, then it answers 201
        with timeutil.travel(dt.timedelta(seconds=seconds)):
            await deliver()
    assert len(push_service.messages_for(phone)) == 1  # never sent twice
    assert len(push_service.messages_for(laptop)) == 1
    statuses = sorted((d["status"], d["attempts"]) for d in await deliveries_of(item))
    assert statuses == [("sent", 1), ("sent", 3)]
    assert (await message_of(item))["attempts"] == 3


async def test_a_push_service_that_does_not_answer_in_time_is_tried_again(
    app, push_service: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webpush, "TIMEOUT", 0.3)
    user = await young()
    browser = await subscribe(app, user, push_service)
    push_service.delay = 1.0
    item = await notice(f"person:{user.id}")
    await deliver()
    [delivery] = await deliveries_of(item)
    assert delivery["status"] == "pending" and delivery["last_error"] == "TimeoutError"
    push_service.delay = 0.0
    with timeutil.travel(dt.timedelta(seconds=15)):
        await deliver()
    [delivery] = await deliveries_of(item)
    assert delivery["status"] == "sent" and delivery["attempts"] == 2
    # At least once: the service may have kept the first copy it never confirmed in time.
    assert 1 <= len(push_service.messages_for(browser)) <= 2


async def test_a_push_refused_for_good_is_dead_for_operators(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    push_service.script(browser, 413)
    item = await notice(f"person:{user.id}")
    await deliver()
    [delivery] = await deliveries_of(item)
    assert delivery["status"] == "failed" and delivery["last_status"] == 413
    row = await message_of(item)
    assert row["status"] == "dead" and "HTTP 413" in row["last_error"]
    async with as_user(app, await clerk_token("admin")) as admin:
        dead = (await admin.get("/api/admin/outbox", params={"status": "dead", "channel": "notify"})).json()
        assert str(row["id"]) in {m["id"] for m in dead}
        how = await admin.get(f"/api/admin/outbox/{row['id']}/deliveries")
        assert how.status_code == 200, how.text
        [target] = how.json()
        assert (target["channel"], target["status"], target["last_status"], target["push_service"]) == (
            "push",
            "failed",
            413,
            "127.0.0.1",
        )
        assert browser.token not in how.text and str(user.id) not in how.text
        assert (await admin.get(f"/api/admin/outbox/{uuid.uuid4()}/deliveries")).status_code == 404
    async with as_user(app, await clerk_token("nc-window")) as window:
        assert (await window.get(f"/api/admin/outbox/{row['id']}/deliveries")).status_code == 403
    assert await PushSubscription.count().where(PushSubscription.account == user.id) == 1  # kept: not gone


async def test_the_pwa_path_with_a_session_cookie(app, client, push_service: PushService) -> None:
    """Log in as the PWA does, subscribe with the CSRF token, receive, fetch the text, mark it read."""
    phone = unique_phone()
    assert (await client.post("/api/auth/sms-code", json={"phone": phone})).status_code == 202
    login = await client.post("/api/auth/login", json={"phone": phone, "code": await latest_code(client, phone)})
    assert login.status_code == 200, login.text
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    key = (await client.get("/api/push/vapid-public-key")).json()["public_key"]
    browser = push_service.subscribe(key)
    body = push_service.subscription(browser)
    assert (await client.post("/api/push/subscriptions", json=body)).status_code == 403  # CSRF is required
    assert (await client.post("/api/push/subscriptions", json=body, headers=csrf)).status_code == 201
    me = (await client.get("/api/me")).json()
    item = await notice(f"person:{me['id']}", "result_ready", licence_hint="")
    await deliver()
    [message] = push_service.messages_for(browser)
    shown = await client.get(f"/api/me/inbox/{message.payload['id']}")
    assert shown.status_code == 200 and shown.json()["title"] == "办理结果已出" and shown.json()["read_at"] is None
    read = await client.post(f"/api/me/inbox/{item}/read", headers=csrf)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    gone = await client.request("DELETE", "/api/push/subscriptions", json={"endpoint": body["endpoint"]}, headers=csrf)
    assert gone.status_code == 204
