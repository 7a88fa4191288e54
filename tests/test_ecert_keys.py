"""Key rotation, retirement, withdrawal and another province's bundle, each end to end."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from audit.tables import AuditEntry
from core import timeutil
from ecert import codes, cose, statuslist, trust, types, wire
from ecert.tables import SigningKey
from tests.ecert_reference_verifier import Verifier, open_bundle
from tests.ecert_support import ISSUER, id_card_for, sign_raw
from tests.support import account, as_user, clerk_token, unique_person

pytestmark = pytest.mark.anyio


async def _check(client, text: str) -> str:
    response = await client.post("/api/ecert/verify", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()["result"]


async def _present(licence) -> str:
    (made,) = await codes.present(licence, purpose=1, fields=["name", "valid"], kind="live", actor=ISSUER)
    return made.text


async def _authority(http, licence) -> dict:
    listing = (await http.get("/api/admin/ecert/authorities")).json()
    return next(a for a in listing if a["id"] == str(licence["authority"]))


async def test_rotation_keeps_two_active_keys_and_old_codes_verify(app, client) -> None:
    licence = await id_card_for(await account(unique_person(region="360402")))  # 九江: an authority of its own
    admin = await clerk_token("admin")
    async with as_user(app, admin) as http:
        before = await _authority(http, licence)
        old_static = await codes.static_code(licence)
        old_live = await _present(licence)
        first = before["keys"][-1]["kid"]
        rotated = await http.post(
            f"/api/admin/ecert/authorities/{licence['authority']}/rotate", json={"alg": "ES256", "reason": "年度轮换"}
        )
        assert rotated.status_code == 200, rotated.text
        states = [(k["alg"], k["state"]) for k in rotated.json()["keys"]]
        assert states[-1] == ("ES256", "active") and [s for _, s in states].count("active") == 2
        new_live = await _present(licence)
        assert cose.parse_sign1(wire.decode(new_live)[1]).alg == cose.ES256
        assert await _check(client, old_static) == "valid"
        assert await _check(client, old_live) == "valid"
        assert await _check(client, new_live) == "valid"
        third = await http.post(f"/api/admin/ecert/authorities/{licence['authority']}/rotate", json={})
        keys_now = {k["kid"]: k["state"] for k in third.json()["keys"]}
        assert keys_now[first] == "retired" and list(keys_now.values()).count("active") == 2
        # a retired key's earlier codes still verify until they expire …
        assert await _check(client, old_static) == "valid"
        bundle = (await client.get("/.well-known/ecert/trust-bundle.json")).json()
        content = open_bundle(bundle, trust_root(bundle))
        entry = next(k for i in content["issuers"] for k in i["keys"] if k["kid"] == first)
        assert entry["state"] == "retired" and "retired_at" in entry and entry["verify_until"] >= entry["retired_at"]
        # … but nothing it signs after its retirement is accepted
        row = await SigningKey.select().where(SigningKey.kid == first).first()
        from ecert import keys

        later = int(timeutil.now().timestamp()) + 3600
        forged = sign_raw(
            {6: later, 4: later + 90, 7: os.urandom(8), -65537: [1, 1, 1, {1: "张三"}]}, keys.private_key(row)
        )
        with timeutil.travel(dt.timedelta(hours=1)):
            assert await _check(client, forged) == "bad_signature"
        retire_last = await http.post(f"/api/admin/ecert/keys/{row['id']}/retire", json={"reason": "again"})
        assert retire_last.status_code == 409 and retire_last.json()["code"] == "key_state_invalid"
    actions = await AuditEntry.select(AuditEntry.action).where(AuditEntry.action.like("ecert.key.%"))
    assert {"ecert.key.create", "ecert.key.rotate", "ecert.key.retire"} <= {a["action"] for a in actions}


def trust_root(bundle: dict) -> dict:
    """The pinned root JWK, as a verifier configures it (here read from the bundle's own payload)."""
    import base64
    import json

    payload = json.loads(base64.urlsafe_b64decode(bundle["payload"] + "=" * (-len(bundle["payload"]) % 4)))
    return payload["root"]["jwk"]


async def test_withdrawing_a_compromised_key_fails_everything_it_signed(app, client) -> None:
    licence = await id_card_for(await account(unique_person(region="361102")))  # 上饶
    admin = await clerk_token("admin")
    live = await _present(licence)
    static = await codes.static_code(licence)
    assert await _check(client, static) == "valid"
    async with as_user(app, admin) as http:
        authority = await _authority(http, licence)
        (only,) = [k for k in authority["keys"] if k["state"] == "active"]
        last = await http.post(f"/api/admin/ecert/keys/{only['id']}/retire", json={"reason": "试试"})
        assert last.status_code == 409 and last.json()["code"] == "last_active_key"
        empty = await http.post(f"/api/admin/ecert/keys/{only['id']}/withdraw", json={"reason": " "})
        assert empty.status_code == 422 and empty.json()["field"] == "reason"
        gone = await http.post(f"/api/admin/ecert/keys/{only['id']}/withdraw", json={"reason": "私钥泄露"})
        assert gone.status_code == 200 and gone.json()["state"] == "withdrawn"
        after = await _authority(http, licence)
        assert [k["state"] for k in after["keys"]].count("active") == 1  # a fresh key took over at once
    assert await _check(client, static) == "key_withdrawn"
    assert await _check(client, live) == "key_withdrawn"
    fresh = await codes.static_code(licence)
    assert await _check(client, fresh) == "valid"
    document = (await client.get("/.well-known/ecert/trust-bundle.json")).json()
    offline = Verifier(open_bundle(document, trust_root(document)))
    now = int(timeutil.now().timestamp())
    assert offline.verify(static, now)["result"] == "key_withdrawn"
    assert offline.verify(fresh, now)["result"] == "valid"
    entry = await AuditEntry.select().where(AuditEntry.action == "ecert.key.withdraw").first()
    assert entry is not None and "私钥泄露" in entry["details"]


def _foreign_platform() -> tuple[dict, dict, ed25519.Ed25519PrivateKey]:
    """Another province's platform: its own root, one issuer, one status list with entry 5 revoked."""
    root = ec.generate_private_key(ec.SECP256R1())
    issuer = ed25519.Ed25519PrivateKey.generate()
    now = int(timeutil.now().timestamp())
    raw = statuslist.build(4096, {5: statuslist.REVOKED})
    content = {
        "format": trust.FORMAT,
        "province": "330000",
        "name": "浙江省一体化政务服务平台",
        "issued_at": now,
        "next_update": now + 3600,
        "expires_at": now + 86400,
        "root": {"kid": cose.kid_of(root.public_key()).hex(), "jwk": cose.jwk(root.public_key())},
        "algorithms": [-8, -7],
        "prefixes": {"licence": "ZL1:", "presentation": "ZP1:"},
        "issuers": [
            {
                "id": "330100.gaj",
                "name": "杭州市公安局",
                "region": "330100",
                "licence_types": ["id_card", "household_register"],
                "keys": [
                    {
                        "kid": cose.kid_of(issuer.public_key()).hex(),
                        "alg": -8,
                        "state": "active",
                        "not_before": now - 10,
                        "jwk": cose.jwk(issuer.public_key()),
                    }
                ],
            }
        ],
        "status_lists": [
            {"uri": "urn:zb:sl:330000:1", "bits": 2, "size": 4096, "lst": cose.b64url(statuslist.compress(raw))}
        ],
        "licence_types": types.dictionary(),
        "purposes": {"1": {"code": "identity", "label": "身份核验"}},
    }
    return trust.sign_json(content, root), cose.jwk(root.public_key()), issuer


async def test_an_imported_foreign_bundle_makes_its_licences_verify_here(app, client) -> None:
    document, root_jwk, issuer = _foreign_platform()
    now = int(timeutil.now().timestamp())

    def code(index: int) -> str:
        return sign_raw(
            {
                1: "330100.gaj",
                2: "02HZFOREIGN001",
                6: now,
                4: now + 86400 * 300,
                65535: {"status_list": {"idx": index, "uri": "urn:zb:sl:330000:1"}},
                -65537: [2, 1, 0, {1: "陈静", 5: "330106"}],
            },
            issuer,
            prefix="ZL1:",
        )

    good, revoked = code(7), code(5)
    assert await _check(client, good) == "unknown_issuer"
    admin = await clerk_token("admin")
    async with as_user(app, admin) as http:
        tampered = {
            **document,
            "payload": document["payload"][:-2] + ("AA" if document["payload"][-2:] != "AA" else "AB"),
        }
        bad = await http.post("/api/admin/ecert/bundles", json={"bundle": tampered, "root_jwk": root_jwk})
        assert bad.status_code == 422 and bad.json()["code"] == "bundle_invalid"
        other_root = cose.jwk(ec.generate_private_key(ec.SECP256R1()).public_key())
        wrong = await http.post("/api/admin/ecert/bundles", json={"bundle": document, "root_jwk": other_root})
        assert wrong.status_code == 422 and wrong.json()["code"] == "bundle_invalid"
        own = (await client.get("/.well-known/ecert/trust-bundle.json")).json()
        mine = await http.post("/api/admin/ecert/bundles", json={"bundle": own, "root_jwk": trust_root(own)})
        assert mine.status_code == 422 and mine.json()["code"] == "bundle_own_province"
        done = await http.post("/api/admin/ecert/bundles", json={"bundle": document, "root_jwk": root_jwk})
        assert done.status_code == 201, done.text
        assert done.json()["province"] == "330000" and done.json()["issuers"] == 1
        listed = (await http.get("/api/admin/ecert/bundles")).json()
        assert [b["province"] for b in listed] == ["330000"]
    answer = (await client.post("/api/ecert/verify", json={"text": good})).json()
    assert answer["result"] == "valid", answer
    assert answer["issuer"] == {"id": "330100.gaj", "name": "杭州市公安局", "region": "330100", "province": "330000"}
    assert {f["name"]: f["value"] for f in answer["fields"]} == {"name": "陈静", "household_region": "330106"}
    assert await _check(client, revoked) == "revoked"
    business = sign_raw(
        {1: "330100.gaj", 2: "X", 6: now, 4: now + 99, -65537: [4, 1, 0, {1: "假公司"}]}, issuer, prefix="ZL1:"
    )
    assert await _check(client, business) == "issuer_not_authorised"
    entry = await AuditEntry.select().where(AuditEntry.action == "ecert.bundle.import").first()
    assert entry is not None and "330000" in entry["details"]
