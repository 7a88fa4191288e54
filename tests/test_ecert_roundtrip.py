"""Issue → present → QR image → zxing-cpp → verify, through the HTTP API."""

from __future__ import annotations

import base64

import pytest

from tests.ecert_support import decode_png, id_card_for
from tests.support import account, as_user

pytestmark = pytest.mark.anyio


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
