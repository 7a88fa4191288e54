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
