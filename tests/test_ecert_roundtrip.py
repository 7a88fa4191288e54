"""Issue → present → QR image → zxing-cpp → verify, through the HTTP API."""

from __future__ import annotations

import base64

import pytest

from tests.ecert_support import decode_png, id_card_for
from tests.support import account, as_user

pytestmark = pytest.mark.anyio


def _age(birth, day) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


async def test_round_trip_through_a_real_qr_image(app, client) -> None:
    user = await account()
    licence = await id_card_for(user)
    async with as_user(app, user.token) as http:
        listed = await http.get("/api/ecert/licences")
        assert listed.status_code == 200, listed.text
        assert [item["id"] for item in listed.json()] == [str(licence["id"])]
        made = await http.post(
            f"/api/ecert/licences/{licence['id']}/presentations",
            json={"purpose": "identity", "fields": ["name", "age_ge_18", "valid"]},
        )
        assert made.status_code == 201, made.text
        body = made.json()
    png = base64.b64decode(body["png"].split(",", 1)[1])
    text = decode_png(png)
    assert text == body["text"]
    assert body["qr_version"] <= 10
    answer = await client.post("/api/ecert/verify", json={"text": text})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["result"] == "valid", result
    assert {f["name"]: f["value"] for f in result["fields"]} == {
        "name": user.person.name,
        "age_ge_18": True,
        "valid": True,
    }
    again = await client.post("/api/ecert/verify", json={"text": text})
    assert again.json()["result"] == "replayed"


async def test_an_independent_verifier_reads_our_codes_from_the_json_bundle(app, client) -> None:
    """Only cbor2, base45, cryptography and the JSON bundle, as docs/ecert-format.md describes."""
    from core import timeutil
    from tests.ecert_reference_verifier import Verifier, open_bundle
    from tests.test_ecert_keys import trust_root

    user = await account()
    licence = await id_card_for(user)
    async with as_user(app, user.token) as http:
        live = (
            await http.post(
                f"/api/ecert/licences/{licence['id']}/presentations",
                json={"purpose": "age", "fields": ["age_ge_60", "valid"]},
            )
        ).json()
        offline = (
            await http.post(
                f"/api/ecert/licences/{licence['id']}/presentations/offline",
                json={"purpose": "identity", "fields": ["name", "id_number"], "count": 3},
            )
        ).json()
        static = (await http.get(f"/api/ecert/licences/{licence['id']}/code")).json()
        svg = await http.get(f"/api/ecert/licences/{licence['id']}/code.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text.lstrip().startswith("<?xml") or "<svg" in svg.text[:200]
        image = await http.get(f"/api/ecert/licences/{licence['id']}/code.png")
        assert decode_png(image.content).startswith("ZL1:")
    assert len(offline) == 3 and len({c["text"] for c in offline}) == 3
    assert all(c["with_status"] for c in offline)
    document = (await client.get("/.well-known/ecert/trust-bundle.json")).json()
    verifier = Verifier(open_bundle(document, trust_root(document)))
    now = int(timeutil.now().timestamp())
    seen = verifier.verify(live["text"], now)
    assert seen == {
        "result": "valid",
        "kind": "presentation",
        "type": "id_card",
        "issuer": seen["issuer"],
        "purpose": "age",
        "fields": {"age_ge_60": _age(user.person.birth, timeutil.today()) >= 60, "valid": True},
    }
    assert verifier.verify(live["text"], now)["result"] == "replayed"
    first = verifier.verify(offline[0]["text"], now)
    assert first["result"] == "valid" and first["fields"]["id_number"].count("*") == 10
    assert first["fields"]["name"] == user.person.name
    licence_view = verifier.verify(static["text"], now)
    assert licence_view["result"] == "valid" and licence_view["kind"] == "licence"
    assert user.person.id_number not in static["text"]
    assert verifier.verify(static["text"], now + 400 * 86400)["result"] == "expired"


async def test_the_server_reads_the_code_from_a_photo(app, client) -> None:
    user = await account()
    licence = await id_card_for(user)
    async with as_user(app, user.token) as http:
        made = (
            await http.post(f"/api/ecert/licences/{licence['id']}/presentations", json={"purpose": "lodging"})
        ).json()
        second = (
            await http.post(f"/api/ecert/licences/{licence['id']}/presentations", json={"purpose": "lodging"})
        ).json()
    answer = await client.post("/api/ecert/verify", json={"image": made["png"], "verifier": "某宾馆前台"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "valid" and answer.json()["purpose"] == {"code": "lodging", "label": "住宿登记"}
    png = base64.b64decode(second["png"].split(",", 1)[1])
    upload = await client.post("/api/ecert/verify/image", files={"image": ("qr.png", png, "image/png")})
    assert upload.status_code == 200, upload.text
    assert upload.json()["result"] == "valid"
    assert {f["name"] for f in upload.json()["fields"]} == {"name", "id_number", "valid"}
    async with as_user(app, user.token) as http:
        log = (await http.get("/api/ecert/verifications")).json()
    assert [entry["verifier"] for entry in log[:2]] == ["匿名核验方", "某宾馆前台"]


async def test_the_trust_bundle_in_both_encodings_with_caching(client) -> None:
    import cbor2

    from ecert import cose
    from tests.ecert_reference_verifier import open_bundle
    from tests.test_ecert_keys import trust_root

    response = await client.get("/.well-known/ecert/trust-bundle.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert "max-age=300" in response.headers["cache-control"] and response.headers["etag"]
    document = response.json()
    content = open_bundle(document, trust_root(document))
    assert content["format"] == "zb-ecert-trust-bundle/1" and content["province"] == "360000"
    assert content["next_update"] > content["issued_at"] and content["expires_at"] > content["next_update"]
    assert {"business_licence", "id_card"} <= set(content["licence_types"])
    for issuer in content["issuers"]:
        for key in issuer["keys"]:
            assert key["kid"] == cose.kid_of(cose.from_jwk(key["jwk"])).hex()
    cached = await client.get(
        "/.well-known/ecert/trust-bundle.json", headers={"If-None-Match": response.headers["etag"]}
    )
    assert cached.status_code == 304
    binary = await client.get("/.well-known/ecert/trust-bundle")
    assert binary.status_code == 200 and binary.headers["content-type"].startswith("application/cose")
    sign1 = cose.parse_sign1(binary.content)
    root = cose.from_jwk(trust_root(document))
    assert sign1.kid == cose.kid_of(root) and sign1.alg == cose.ES256
    assert cose.ALGORITHMS[cose.ES256].verify(root, sign1.signature, cose.sig_structure(sign1.protected, sign1.payload))
    cbor_content = cbor2.loads(sign1.payload)
    assert cbor_content["province"] == content["province"]
    assert [i["id"] for i in cbor_content["issuers"]] == [i["id"] for i in content["issuers"]]
    first = cbor_content["issuers"][0]["keys"][0]
    assert first["kid"] == bytes.fromhex(content["issuers"][0]["keys"][0]["kid"]) and first["key"][1] in (1, 2)


async def test_administrators_run_the_jobs_and_import_licences(app) -> None:
    import datetime as dt

    from tests.support import clerk_token, unique_person

    user = await account(unique_person(birth=dt.date(1990, 5, 5)))
    async with as_user(app, await clerk_token("admin")) as http:
        run = await http.post("/api/admin/ecert/run-jobs")
        assert run.status_code == 200 and set(run.json()) == {"expiring_notified", "replay_entries_swept"}
        imported = await http.post("/api/admin/ecert/imports", json={"holder_key": f"person:{user.id}"})
        assert imported.status_code == 200, imported.text
        assert {item["licence_type"] for item in imported.json()["issued"]} == {"id_card", "household_register"}
        bad = await http.post("/api/admin/ecert/imports", json={"holder_key": "robot:1"})
        assert bad.status_code == 422 and bad.json()["field"] == "holder_key"
    async with as_user(app, user.token) as http:
        assert (await http.post("/api/admin/ecert/run-jobs")).status_code == 403
