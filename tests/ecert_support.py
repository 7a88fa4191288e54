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
