"""Logging in with SMS codes and TOTP, sessions, CSRF and real-name verification."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from auth.tables import Clerk
from core import timeutil
from demo.people import CLERKS, DEMO_PASSWORD
from tests.support import account, as_user, latest_code, register, unique_person, unique_phone

pytestmark = pytest.mark.anyio


async def login(client, phone: str) -> dict:
    assert (await client.post("/api/auth/sms-code", json={"phone": phone})).status_code == 202
    code = await latest_code(client, phone)
    response = await client.post("/api/auth/login", json={"phone": phone, "code": code})
    assert response.status_code == 200, response.text
    return response.json()


async def test_sms_login_sets_an_httponly_session_and_needs_csrf(client) -> None:
    phone = unique_phone()
    body = await login(client, phone)
    assert body["token"] is None and body["me"]["phone_masked"] == phone[:3] + "****" + phone[-4:]
    cookie = client.cookies.get("zb_session")
    assert cookie
    me = await client.get("/api/me")
    assert me.status_code == 200 and me.json()["realname_verified"] is False
    refused = await client.patch("/api/me/preferences", json={"elder_mode": True})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    allowed = await client.patch(
        "/api/me/preferences", json={"elder_mode": True}, headers={"X-CSRF-Token": body["csrf_token"]}
    )
    assert allowed.status_code == 200 and allowed.json()["elder_mode"] is True


async def test_code_is_single_use_and_expires(client) -> None:
    phone = unique_phone()
    await client.post("/api/auth/sms-code", json={"phone": phone})
    code = await latest_code(client, phone)
    assert (await client.post("/api/auth/login", json={"phone": phone, "code": code})).status_code == 200
    reused = await client.post("/api/auth/login", json={"phone": phone, "code": code})
    assert reused.status_code == 422 and reused.json()["code"] == "sms_code_invalid"

    other = unique_phone()
    await client.post("/api/auth/sms-code", json={"phone": other})
    code = await latest_code(client, other)
    with timeutil.travel(dt.timedelta(minutes=11)):
        expired = await client.post("/api/auth/login", json={"phone": other, "code": code})
    assert expired.status_code == 422 and expired.json()["code"] == "sms_code_expired"
    assert expired.json()["field"] == "code"


async def test_guessing_locks_the_phone(client) -> None:
    phone = unique_phone()
    await client.post("/api/auth/sms-code", json={"phone": phone})
    code = await latest_code(client, phone)
    wrong = "000000" if code != "000000" else "111111"
    answers = [await client.post("/api/auth/login", json={"phone": phone, "code": wrong}) for _ in range(5)]
    assert [a.status_code for a in answers[:4]] == [422] * 4
    assert answers[4].status_code == 429 and answers[4].json()["code"] == "account_locked"
    assert int(answers[4].headers["retry-after"]) > 0
    # Even the right code is refused while locked.
    locked = await client.post("/api/auth/login", json={"phone": phone, "code": code})
    assert locked.status_code == 429 and locked.json()["code"] == "account_locked"


async def test_resending_too_fast_is_refused(client) -> None:
    phone = unique_phone()
    assert (await client.post("/api/auth/sms-code", json={"phone": phone})).status_code == 202
    again = await client.post("/api/auth/sms-code", json={"phone": phone})
    assert again.status_code == 429 and again.json()["code"] == "sms_too_frequent"
    assert again.json()["message_zh"] and again.json()["message_en"]


async def test_malformed_phone_and_unknown_fields(client) -> None:
    bad = await client.post("/api/auth/sms-code", json={"phone": "12345"})
    assert bad.status_code == 422 and bad.json()["code"] == "phone_invalid" and bad.json()["field"] == "phone"
    extra = await client.post("/api/auth/sms-code", json={"phone": unique_phone(), "admin": True})
    assert extra.status_code == 422 and extra.json()["code"] == "unknown_field" and extra.json()["field"] == "admin"
    assert extra.headers["content-type"].startswith("application/problem+json")


async def test_state_changing_requests_need_json_and_same_origin(client) -> None:
    form = await client.post(
        "/api/auth/sms-code",
        content=b"phone=13800000001",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"
    cross = await client.post(
        "/api/auth/sms-code", json={"phone": unique_phone()}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403 and cross.json()["code"] == "origin_rejected"


async def test_realname_verification(app, client) -> None:
    user = await account(verified=False)
    async with as_user(app, user.token) as http:
        wrong_digit = user.person.id_number[:17] + ("0" if user.person.id_number[17] != "0" else "1")
        malformed = await http.post("/api/auth/realname", json={"name": user.person.name, "id_number": wrong_digit})
        assert malformed.status_code == 422 and malformed.json()["code"] == "id_number_invalid"
        mismatch = await http.post("/api/auth/realname", json={"name": "错名字", "id_number": user.person.id_number})
        assert mismatch.status_code == 422 and mismatch.json()["code"] == "realname_failed"
        ok = await http.post("/api/auth/realname", json={"name": user.person.name, "id_number": user.person.id_number})
        assert ok.status_code == 200, ok.text
        me = ok.json()
        assert (
            me["realname_verified"]
            and me["id_number_masked"] == user.person.id_number[:4] + "*" * 10 + user.person.id_number[-4:]
        )
        assert user.person.id_number not in ok.text
    # The same ID number cannot be bound to a second account.
    other = await account(verified=False)
    async with as_user(app, other.token) as http:
        taken = await http.post(
            "/api/auth/realname", json={"name": user.person.name, "id_number": user.person.id_number}
        )
        assert taken.status_code == 409 and taken.json()["code"] == "realname_taken"


async def test_idle_and_absolute_session_timeouts(app) -> None:
    user = await account()
    async with as_user(app, user.token) as http:
        assert (await http.get("/api/me")).status_code == 200
        with timeutil.travel(dt.timedelta(minutes=31)):
            expired = await http.get("/api/me")
        assert expired.status_code == 401 and expired.json()["code"] == "session_expired"


async def test_logout_everywhere(app) -> None:
    user = await account()
    from auth import sessions

    second, _ = await sessions.create(
        "resident", user.id, idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=1)
    )
    async with as_user(app, user.token) as first, as_user(app, second) as other:
        assert (await other.get("/api/me")).status_code == 200
        revoked = await first.post("/api/auth/logout-all")
        assert revoked.status_code == 201 or revoked.status_code == 200
        assert revoked.json()["revoked"] == 2
        assert (await other.get("/api/me")).status_code == 401
        assert (await first.get("/api/me")).status_code == 401


def _totp(username: str, offset: int = 0) -> str:
    secret = next(c.totp_secret for c in CLERKS if c.username == username)
    totp = pyotp.TOTP(secret)
    return totp.at(timeutil.now().timestamp() + offset * totp.interval)


async def test_clerk_login_with_password_and_totp_once(client) -> None:
    await Clerk.update({Clerk.last_totp_step: 0}).where(Clerk.username == "gz-window")
    code = _totp("gz-window")
    ok = await client.post(
        "/api/auth/clerk-login",
        json={"username": "gz-window", "password": DEMO_PASSWORD, "totp": code, "client": "api"},
    )
    assert ok.status_code in (200, 201), ok.text
    assert ok.json()["token"] and ok.json()["me"]["roles"] == ["window"]
    replay = await client.post(
        "/api/auth/clerk-login", json={"username": "gz-window", "password": DEMO_PASSWORD, "totp": code}
    )
    assert replay.status_code == 401 and replay.json()["code"] == "login_failed"


async def test_clerk_lockout_after_wrong_passwords(client) -> None:
    attempts = [
        await client.post(
            "/api/auth/clerk-login", json={"username": "nc-mzj", "password": "wrong-password-1", "totp": "123456"}
        )
        for _ in range(5)
    ]
    assert [a.status_code for a in attempts] == [401, 401, 401, 401, 429]
    locked = await client.post(
        "/api/auth/clerk-login", json={"username": "nc-mzj", "password": DEMO_PASSWORD, "totp": _totp("nc-mzj")}
    )
    assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
    from core import ratelimit

    await ratelimit.clear("clerk-lock:nc-mzj")


async def test_unknown_token_is_401_not_500(client) -> None:
    response = await client.get("/api/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401 and response.json()["code"] == "session_expired"
    anonymous = await client.get("/api/me")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"


async def test_options_requests_do_not_fail(client) -> None:
    response = await client.options("/api/me")
    assert response.status_code < 500


async def test_register_helper_person_can_log_in_fresh(client) -> None:
    person = unique_person()
    await register(person)
    body = await login(client, person.phone)
    assert body["me"]["realname_verified"] is False


async def test_authentication_is_rate_limited_per_client_address(client) -> None:
    answers = [
        await client.post("/api/auth/clerk-login", json={"username": f"nobody{i}", "password": "x" * 12, "totp": "1"})
        for i in range(31)
    ]
    assert {a.status_code for a in answers[:30]} == {401}
    assert answers[30].status_code == 429 and answers[30].json()["code"] == "rate_limited"
    assert answers[30].json()["message_zh"] and "retry-after" in {k.lower() for k in answers[30].headers}


async def test_the_development_inbox_can_leave_notices_out_when_a_code_is_wanted(client) -> None:
    from auth.tables import DevSms

    phone = unique_phone()
    assert (await client.post("/api/auth/sms-code", json={"phone": phone})).status_code == 202
    await DevSms.insert(
        DevSms(id=timeutil.uuid7(), phone=phone, text="【掌办】申请已受理，办件编号 3601002026120412345678。")
    )
    everything = (await client.get("/api/dev/sms", params={"phone": phone})).json()
    assert "办件编号" in everything[0]["text"]
    codes = (await client.get("/api/dev/sms", params={"phone": phone, "codes_only": True})).json()
    assert len(codes) == 1 and "登录验证码" in codes[0]["text"]
