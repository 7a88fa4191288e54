"""The Web Push API the PWA builds on: the VAPID key, subscribing, unsubscribing (contract C7)."""

from __future__ import annotations

import base64
import os
import stat
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core import secrets, settings
from devtools.pushservice import PushService
from notify import subscriptions, vapid
from notify.tables import PushSubscription
from tests.push_support import push_service_fixture  # noqa: F401 — the push_service fixture
from tests.support import account, as_user, clerk_token

pytestmark = pytest.mark.anyio

FCM = "https://fcm.googleapis.com/fcm/send/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_keys() -> dict[str, str]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"p256dh": _b64(point), "auth": _b64(os.urandom(16))}


def endpoint() -> str:
    return FCM + _b64(os.urandom(24))


async def _stored(endpoint_url: str) -> dict | None:
    return (
        await PushSubscription.select()
        .where(PushSubscription.endpoint_hash == subscriptions.endpoint_hash(endpoint_url))
        .first()
    )


async def test_the_vapid_key_is_public_stable_and_kept_outside_the_database(client) -> None:
    first = await client.get("/api/push/vapid-public-key")
    assert first.status_code == 200, first.text
    key = first.json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4 and "=" not in key
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)  # a point on P-256
    assert (await client.get("/api/push/vapid-public-key")).json()["public_key"] == key
    stored = settings.get().secrets_dir / vapid.KEY_FILE
    assert stored.exists() and stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert secrets.load(vapid.KEY_FILE) == stored.read_bytes()
    # The file is the key: the public key served is the one derived from it.
    assert vapid.public_key() == key and len(stored.read_bytes()) == 32


async def test_i_subscribe_a_browser_and_unsubscribe_it(app, push_service: PushService) -> None:
    user = await account()
    browser = push_service.subscribe(vapid.public_key())
    body = push_service.subscription(browser)  # exactly what PushSubscription.toJSON() gives
    async with as_user(app, user.token, **{"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131"}) as http:
        created = await http.post("/api/push/subscriptions", json=body)
        assert created.status_code == 201, created.text
        view = created.json()
        assert view["push_service"] == "127.0.0.1" and "endpoint" not in view and "keys" not in view
        assert view["user_agent"].startswith("Mozilla/5.0")
        again = await http.post("/api/push/subscriptions", json=body)
        assert again.status_code == 200 and again.json()["id"] == view["id"]  # upsert per endpoint
        listed = await http.get("/api/push/subscriptions")
        assert [s["id"] for s in listed.json()] == [view["id"]]
        gone = await http.request("DELETE", "/api/push/subscriptions", json={"endpoint": body["endpoint"]})
        assert gone.status_code == 204, gone.text
        assert (await http.get("/api/push/subscriptions")).json() == []
        twice = await http.request("DELETE", "/api/push/subscriptions", json={"endpoint": body["endpoint"]})
        assert twice.status_code == 404 and twice.json()["code"] == "push_subscription_not_found"
    assert await _stored(body["endpoint"]) is None


async def test_new_keys_for_a_known_endpoint_replace_the_old_ones(app) -> None:
    user = await account()
    url, first, second = endpoint(), browser_keys(), browser_keys()
    async with as_user(app, user.token) as http:
        assert (await http.post("/api/push/subscriptions", json={"endpoint": url, "keys": first})).status_code == 201
        assert (await http.post("/api/push/subscriptions", json={"endpoint": url, "keys": second})).status_code == 200
    row = await _stored(url)
    assert row is not None and row["p256dh"] == second["p256dh"] and row["auth"] == second["auth"]
    assert await PushSubscription.count().where(PushSubscription.account == user.id) == 1


async def test_a_browser_used_by_someone_else_now_belongs_to_the_latest_account(app) -> None:
    first, second = await account(), await account()
    url, keys = endpoint(), browser_keys()
    async with as_user(app, first.token) as http:
        assert (await http.post("/api/push/subscriptions", json={"endpoint": url, "keys": keys})).status_code == 201
    async with as_user(app, second.token) as http:
        taken = await http.post("/api/push/subscriptions", json={"endpoint": url, "keys": keys})
        assert taken.status_code == 200
    row = await _stored(url)
    assert row is not None and row["account"] == second.id
    async with as_user(app, first.token) as http:
        assert (await http.get("/api/push/subscriptions")).json() == []
        refused = await http.request("DELETE", "/api/push/subscriptions", json={"endpoint": url})
        assert refused.status_code == 404  # not mine any more: exactly like an unknown endpoint
    assert await _stored(url) is not None


@pytest.mark.parametrize(
    ("url", "keys", "bad"),
    [
        ("https://evil.example/push/abc", None, ["endpoint"]),  # not a push service
        ("http://fcm.googleapis.com/fcm/send/abc", None, ["endpoint"]),  # push services are https
        ("https://user:pw@fcm.googleapis.com/fcm/send/abc", None, ["endpoint"]),
        ("https://fcm.googleapis.com.evil.example/x", None, ["endpoint"]),  # suffix tricks
        ("https://fcm.googleapis.com/" + "a" * 1100, None, ["endpoint"]),
        ("not a url", None, ["endpoint"]),
        (FCM + "ok", {"p256dh": "AAAA", "auth": "BBBB"}, ["keys.p256dh", "keys.auth"]),
        (FCM + "ok", {"p256dh": _b64(b"\x04" + b"\x01" * 64), "auth": _b64(os.urandom(16))}, ["keys.p256dh"]),
        (FCM + "ok", {"p256dh": "not base64!", "auth": _b64(os.urandom(8))}, ["keys.p256dh", "keys.auth"]),
        ("ftp://127.0.0.1/push", {"p256dh": "", "auth": ""}, ["endpoint", "keys.p256dh", "keys.auth"]),
    ],
)
async def test_bad_subscriptions_are_refused_naming_every_bad_field(app, url, keys, bad) -> None:
    user = await account()
    async with as_user(app, user.token) as http:
        answer = await http.post("/api/push/subscriptions", json={"endpoint": url, "keys": keys or browser_keys()})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert sorted(e["field"] for e in problem["errors"]) == sorted(bad)
    assert problem["field"] == bad[0] and problem["message_zh"]
    assert await PushSubscription.count().where(PushSubscription.account == user.id) == 0


async def test_unknown_fields_and_missing_keys_are_refused(app) -> None:
    user = await account()
    async with as_user(app, user.token) as http:
        extra = await http.post(
            "/api/push/subscriptions", json={"endpoint": endpoint(), "keys": browser_keys(), "owner": "someone"}
        )
        missing = await http.post("/api/push/subscriptions", json={"endpoint": endpoint()})
    assert extra.status_code in (400, 422) and extra.headers["content-type"].startswith("application/problem+json")
    assert missing.status_code in (400, 422) and missing.headers["content-type"].startswith("application/problem+json")


async def test_an_eleventh_browser_replaces_the_longest_registered(app) -> None:
    user = await account()
    urls = [endpoint() for _ in range(subscriptions.MAX_PER_ACCOUNT + 1)]
    async with as_user(app, user.token) as http:
        for url in urls:
            answer = await http.post("/api/push/subscriptions", json={"endpoint": url, "keys": browser_keys()})
            assert answer.status_code == 201
        listed = (await http.get("/api/push/subscriptions")).json()
    assert len(listed) == subscriptions.MAX_PER_ACCOUNT
    assert await _stored(urls[0]) is None and await _stored(urls[-1]) is not None


async def test_an_expiration_time_from_the_browser_is_kept_and_honoured(app) -> None:
    user = await account()
    url = endpoint()
    async with as_user(app, user.token) as http:
        soon = 1_000 * 60  # 1970: already past
        answer = await http.post(
            "/api/push/subscriptions", json={"endpoint": url, "keys": browser_keys(), "expirationTime": soon}
        )
        assert answer.status_code == 201
        assert (await http.get("/api/push/subscriptions")).json() == []  # expired: not used, not listed
    assert (await _stored(url))["expires_at"] is not None  # type: ignore[index]


async def test_subscribing_with_an_idempotency_key_replays_the_answer(app) -> None:
    user = await account()
    body = {"endpoint": endpoint(), "keys": browser_keys()}
    key = str(uuid.uuid4())
    async with as_user(app, user.token) as http:
        first = await http.post("/api/push/subscriptions", json=body, headers={"Idempotency-Key": key})
        second = await http.post("/api/push/subscriptions", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true" and second.json() == first.json()


async def test_only_residents_subscribe(app, client) -> None:
    body = {"endpoint": endpoint(), "keys": browser_keys()}
    assert (await client.post("/api/push/subscriptions", json=body)).status_code == 401
    assert (await client.get("/api/push/subscriptions")).status_code == 401
    assert (await client.request("DELETE", "/api/push/subscriptions", json={"endpoint": FCM})).status_code == 401
    async with as_user(app, await clerk_token("nc-window")) as http:
        assert (await http.post("/api/push/subscriptions", json=body)).status_code == 403
    assert await _stored(body["endpoint"]) is None
