"""Matters and applications made to measure for a test (independent of the demo catalogue)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import msgspec

from audit import log as audit
from catalogue import service as catalogue
from catalogue.elements import FormField, MaterialSpec, MatterElements, Option, TimeLimit
from tests.support import Account, as_user, pdf_bytes

ADMIN = audit.Actor(kind="system", label="test")


def elements(**overrides: Any) -> MatterElements:
    base: dict[str, Any] = {
        "basic_code": f"TEST-{secrets.token_hex(4).upper()}",
        "name": "测试小餐饮经营许可",
        "kind": "licensing",
        "department_code": "scjg",
        "region_level": "city",
        "region_code": "360100",
        "legal_basis": ["《中华人民共和国行政许可法》第二十九条"],
        "acceptance_conditions": ["申请材料齐全、符合法定形式"],
        "materials": [
            MaterialSpec(code="id_copy", name="身份证", kind="id_card", licence_types=["id_card"], reusable=True),
            MaterialSpec(code="premises", name="经营场所证明", kind="premises_proof", reusable=True),
            MaterialSpec(
                code="photo", name="门头照片", kind="photo", required=False, accept=["image/jpeg", "image/png"]
            ),
        ],
        "form": [
            FormField(key="applicant_name", label="申请人姓名", prefill="population.person.name", readonly=True),
            FormField(
                key="id_number",
                label="身份证号码",
                type="id_number",
                prefill="population.person.id_number",
                readonly=True,
            ),
            FormField(key="phone", label="联系电话", type="phone"),
            FormField(key="shop_name", label="店铺名称", max_length=50),
            FormField(key="seats", label="座位数", type="integer", min=1, max=200, required=False),
            FormField(
                key="category",
                label="经营类别",
                type="select",
                options=[Option("snack", "小吃"), Option("drinks", "饮品")],
            ),
        ],
        "time_limit": TimeLimit(statutory_days=20, promised_days=5, max_extension_days=10),
        "themes": ["准营准办"],
        "keywords": ["开小吃店"],
    }
    base.update(overrides)
    return MatterElements(**base)


async def published_matter(**overrides: Any) -> uuid.UUID:
    return await catalogue.create(elements(**overrides), actor=ADMIN, publish=True)


def form_for(who: Any, **values: Any) -> dict[str, Any]:
    """A complete form for the test matter; ``who`` is an Account or anything with name/id_number/phone."""
    person = getattr(who, "person", who)
    return {
        "applicant_name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "shop_name": "老表小吃",
        "category": "snack",
        **values,
    }


async def upload(http: Any, data: bytes | None = None, name: str = "proof.pdf") -> str:
    response = await http.post("/api/files", files={"file": (name, data or pdf_bytes(name), "application/pdf")})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def submitted_application(app: Any, user: Account, matter_id: uuid.UUID, **form: Any) -> dict[str, Any]:
    """Upload the two required materials and submit; returns the response body."""
    async with as_user(app, user.token) as http:
        id_copy, premises = await upload(http, name="id.pdf"), await upload(http, name="premises.pdf")
        response = await http.post(
            "/api/applications",
            json={
                "matter_id": str(matter_id),
                "form": form_for(user, **form),
                "submit": True,
                "materials": [{"code": "id_copy", "file_id": id_copy}, {"code": "premises", "file_id": premises}],
            },
        )
        assert response.status_code == 201, response.text
        return response.json()


def decode(response: Any) -> Any:
    return msgspec.json.decode(response.content)
