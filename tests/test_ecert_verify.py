"""Every bad input gets its own, distinct verification result — online and in the offline core."""

from __future__ import annotations

import datetime as dt
import os
import zlib

import base45
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from audit import log as audit
from core import timeutil
from ecert import codes, licences, trust, verify, wire
from tests.ecert_support import id_card_for, sign_raw, signing_key_of
from tests.support import account

pytestmark = pytest.mark.anyio
SYSTEM = audit.Actor(kind="system", label="test")


async def _presentation(licence, **kw):
    (made,) = await codes.present(
        licence, purpose=1, fields=kw.pop("fields", ["name", "valid"]), kind="live", actor=SYSTEM, **kw
    )
    return made.text


async def _check(client, text: str) -> dict:
    response = await client.post("/api/ecert/verify", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_tampered_byte_breaks_the_signature(client) -> None:
    licence = await id_card_for(await account())
    text = await _presentation(licence)
    raw = bytearray(base45.b45decode(text[4:]))
    payload_at = raw.index(b"\x3a\x00\x01\x00\x00") + 8  # inside the licence claim
    raw[payload_at] ^= 0x01
    forged = "ZP1:" + base45.b45encode(bytes(raw)).decode()
    answer = await _check(client, forged)
    assert answer["result"] == "bad_signature" and answer["fields"] == [] and not answer["valid"]
    assert (await _check(client, text))["result"] == "valid"


async def test_expired_and_not_yet_valid(client) -> None:
    licence = await id_card_for(await account())
    text = await _presentation(licence, ttl_seconds=60)
    with timeutil.travel(dt.timedelta(seconds=61 + verify.CLOCK_SKEW)):
        assert (await _check(client, text))["result"] == "expired"
    with timeutil.travel(dt.timedelta(minutes=-5)):
        assert (await _check(client, text))["result"] == "not_yet_valid"
    assert (await _check(client, text))["result"] == "valid"  # neither attempt used it up


async def test_revoked_and_suspended_online_and_through_the_status_list(client) -> None:
    user = await account()
    licence = await id_card_for(user)
    live = await _presentation(licence)
    static = await codes.static_code(licence)
    await licences.change_status(licence["id"], "suspend", reason="涉嫌冒用，暂扣核查", actor=SYSTEM)
    assert (await _check(client, live))["result"] == "suspended"  # live status from the database
    store = await trust.store()
    now = int(timeutil.now().timestamp())
    assert verify.verify(static, store, now=now).result == "suspended"  # the status list alone
    await licences.change_status(licence["id"], "reinstate", reason="核查无误", actor=SYSTEM)
    assert (await _check(client, static))["result"] == "valid"
    await licences.change_status(licence["id"], "revoke", reason="证件已注销", actor=SYSTEM)
    assert verify.verify(static, await trust.store(), now=now).result == "revoked"
    assert (await _check(client, static))["result"] == "revoked"
    assert (await _check(client, live))["result"] == "revoked"
    with pytest.raises(licences.ProblemError) as again:
        await licences.change_status(licence["id"], "reinstate", reason="x", actor=SYSTEM)
    assert again.value.code == "licence_state_invalid"


async def test_unknown_kid_and_disallowed_algorithm(client) -> None:
    licence = await id_card_for(await account())
    stranger = ed25519.Ed25519PrivateKey.generate()
    now = int(timeutil.now().timestamp())
    claims = {6: now, 4: now + 90, 7: os.urandom(8), -65537: [1, 1, 1, {1: "张三"}]}
    assert (await _check(client, sign_raw(claims, stranger)))["result"] == "unknown_issuer"
    _, private = await signing_key_of(licence)
    for alg in (-35, -257, 0, "EdDSA"):
        answer = await _check(client, sign_raw(claims, private, alg=alg))
        assert answer["result"] == "algorithm_not_allowed", alg
    # the header names ES256 for an Ed25519 key: refused as well
    assert (await _check(client, sign_raw(claims, private, alg=-7)))["result"] == "algorithm_not_allowed"


async def test_an_issuer_signs_only_its_own_licence_types(client) -> None:
    licence = await id_card_for(await account())  # issued by a public-security authority
    _, private = await signing_key_of(licence)
    now = int(timeutil.now().timestamp())
    business = {6: now, 4: now + 90, 7: os.urandom(8), -65537: [4, 1, 2, {1: "假公司", 2: "91360000000000000X"}]}
    assert (await _check(client, sign_raw(business, private)))["result"] == "issuer_not_authorised"


async def test_replayed_one_time_id(client) -> None:
    licence = await id_card_for(await account())
    text = await _presentation(licence)
    assert (await _check(client, text))["result"] == "valid"
    assert (await _check(client, text))["result"] == "replayed"
    assert (await _check(client, text))["result"] == "replayed"


async def test_prefix_size_and_decompression_bomb_are_checked_before_decoding(client) -> None:
    licence = await id_card_for(await account())
    text = await _presentation(licence)
    assert (await _check(client, "HC1:" + text[4:]))["result"] == "wrong_prefix"
    assert (await _check(client, "https://example.invalid/x"))["result"] == "wrong_prefix"
    assert (await _check(client, "ZP1:" + "A" * wire.MAX_TEXT))["result"] == "oversized"
    bomb = zlib.compress(b"\x00" * 400_000, 9)
    bomb_text = "ZP1:" + base45.b45encode(bomb).decode()
    assert len(bomb_text) < wire.MAX_TEXT
    assert (await _check(client, bomb_text))["result"] == "decompression_bomb"
    assert (await _check(client, "ZP1:" + "abc"))["result"] == "malformed"
    assert (await _check(client, "ZP1:" + base45.b45encode(b"\x82\x01\x02").decode()))["result"] == "malformed"
    # a code made compressed verifies like any other
    _, private = await signing_key_of(licence)
    now = int(timeutil.now().timestamp())
    claims = {6: now, 4: now + 90, 7: os.urandom(8), -65537: [1, 1, 1, {1: "张三" * 20}]}
    assert (await _check(client, sign_raw(claims, private, compress=True)))["result"] == "valid"


async def test_bad_requests_are_problems_not_results(client) -> None:
    missing = await client.post("/api/ecert/verify", json={})
    assert missing.status_code == 422 and missing.json()["code"] == "verify_input_required"
    unknown = await client.post("/api/ecert/verify", json={"text": "ZP1:", "extra": 1})
    assert unknown.status_code == 422 and unknown.json()["field"] == "extra"
    broken = await client.post("/api/ecert/verify", json={"image": "!!!"})
    assert broken.status_code == 422 and broken.json()["code"] == "image_invalid"
    import base64
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    nothing = await client.post("/api/ecert/verify", json={"image": base64.b64encode(blank.getvalue()).decode()})
    assert nothing.status_code == 422 and nothing.json()["code"] == "qr_not_found"


async def test_the_verify_endpoint_is_rate_limited(client) -> None:
    statuses = []
    for _ in range(125):
        statuses.append((await client.post("/api/ecert/verify", json={"text": "X"})).status_code)
    assert statuses[:120] == [200] * 120
    assert statuses[-1] == 429
