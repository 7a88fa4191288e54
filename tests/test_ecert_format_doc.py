"""docs/ecert-format.md is the contract: its worked example must be exactly what the platform makes,
and the reference verifier must accept it with nothing but the page's own data."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import base45
import cbor2
from cryptography.hazmat.primitives.asymmetric import ed25519

from ecert import codes, cose, types
from tests.ecert_reference_verifier import Verifier

DOC = (Path(__file__).resolve().parent.parent / "docs" / "ecert-format.md").read_text(encoding="utf-8")


def _example_text() -> str:
    return next(line.strip() for line in DOC.splitlines() if line.startswith("ZP1:"))


def test_the_worked_example_is_what_the_platform_makes() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    licence_type = types.get("business_licence")
    now = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
    stored = {"name": "南昌绿源食品有限公司", "credit_code": "91360113MA35LY0Q1J"}
    values = codes.encoded_values(
        licence_type, 1, stored, ["name", "credit_code", "valid"], valid=True, today=now.date()
    )
    text = codes.presentation_text(
        licence_type,
        1,
        values,
        purpose=2,
        cti=bytes.fromhex("0011223344556677"),
        issued=now,
        expires=now + dt.timedelta(seconds=90),
        status=None,
        private=private,
    )
    assert text == _example_text()
    jwk = json.loads(re.search(r"^JWK\s+(\{.*\})$", DOC, re.M).group(1))
    assert jwk == cose.jwk(private.public_key())
    raw = base45.b45decode(text[4:])
    assert raw.hex().startswith("d2844da201270448a050837d85070582a05859")
    payload_hex = re.search(r"^payload\s+([0-9a-f]+)$", DOC, re.M).group(1)
    assert cbor2.loads(raw).value[2].hex() == payload_hex
    assert re.search(r"^signature ([0-9a-f]+)$", DOC, re.M).group(1) == raw[-64:].hex()


def test_a_stranger_verifies_the_example_from_the_page_alone() -> None:
    jwk = json.loads(re.search(r"^JWK\s+(\{.*\})$", DOC, re.M).group(1))
    bundle = {
        "province": "360000",
        "issuers": [
            {
                "id": "360100.scjg",
                "name": "南昌市市场监督管理局",
                "region": "360100",
                "licence_types": ["business_licence"],
                "keys": [{"kid": jwk["kid"], "alg": -8, "state": "active", "jwk": jwk}],
            }
        ],
        "status_lists": [],
        "licence_types": types.dictionary(),
        "purposes": {"2": {"code": "business", "label": "经营资质核验"}},
    }
    verifier = Verifier(bundle)
    at = int(dt.datetime(2026, 6, 1, 2, 1, tzinfo=dt.UTC).timestamp())
    seen = verifier.verify(_example_text(), at)
    assert seen["result"] == "valid" and seen["purpose"] == "business"
    assert seen["fields"] == {"name": "南昌绿源食品有限公司", "credit_code": "91360113MA35LY0Q1J", "valid": True}
    assert verifier.verify(_example_text(), at)["result"] == "replayed"
    assert Verifier(bundle).verify(_example_text(), at + 90 + 31)["result"] == "expired"
