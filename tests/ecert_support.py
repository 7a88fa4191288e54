"""Helpers for the e-licence tests: licences for fresh accounts, codes, images, admin sessions."""

from __future__ import annotations

import io
from typing import Any

import zxingcpp
from PIL import Image

from audit import log as audit
from ecert import licences
from tests.support import Account

ISSUER = audit.Actor(kind="system", label="test")


async def id_card_for(user: Account, **fields: Any) -> dict[str, Any]:
    person = user.person
    base = {
        "name": person.name,
        "gender": "女",
        "birth_date": person.birth.isoformat(),
        "id_number": person.id_number[:4] + "**********" + person.id_number[-4:],
        "ethnicity": "汉族",
        "address": "江西省南昌市东湖区测试路 1 号",
        **fields,
    }
    return await licences.issue(
        type_code="id_card",
        holder_key=f"person:{user.id}",
        holder_name=person.name,
        region_code=person.region,
        fields=base,
        actor=ISSUER,
        source="import",
    )


def decode_png(data: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)).convert("L"))
    assert found, "zxing-cpp found no code"
    return found[0].text


def sign_raw(
    claims: dict,
    private_key: Any,
    *,
    prefix: str = "ZP1:",
    alg: int | None = None,
    kid: bytes | None = None,
    compress: bool = False,
) -> str:
    """A code built by hand (for forged, odd or foreign codes)."""
    import zlib

    import base45
    import cbor2

    from ecert import cose

    alg = alg if alg is not None else cose.algorithm_of(private_key)
    kid = kid if kid is not None else cose.kid_of(private_key.public_key())
    protected = cbor2.dumps({1: alg, 4: kid})
    payload = cbor2.dumps(claims)
    real_alg = cose.algorithm_of(private_key)
    signature = cose.ALGORITHMS[real_alg].sign(private_key, cose.sig_structure(protected, payload))
    raw = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    if compress:
        raw = zlib.compress(raw, 9)
    return prefix + base45.b45encode(raw).decode()


async def signing_key_of(licence: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    from ecert import keys

    row = await keys.signing_key(licence["authority"])
    return row, keys.private_key(row)
