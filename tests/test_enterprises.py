"""Enterprises: the legal representative claims the company, authorises staff, staff act for it."""

from __future__ import annotations

import pytest

from demo.people import ENTERPRISES, person
from tests.support import account, as_user, demo_resident_token, latest_code

pytestmark = pytest.mark.anyio
LVYUAN = next(e for e in ENTERPRISES if e.key == "lvyuan")


async def test_only_the_registered_legal_representative_can_claim(app) -> None:
    stranger = await account()
    async with as_user(app, stranger.token) as http:
        refused = await http.post("/api/enterprises", json={"credit_code": LVYUAN.credit_code})
        assert refused.status_code == 403 and refused.json()["code"] == "not_legal_representative"
        bad = await http.post("/api/enterprises", json={"credit_code": LVYUAN.credit_code[:17] + "0"})
        assert bad.status_code == 422 and bad.json()["code"] == "credit_code_invalid"
        unknown = await http.post("/api/enterprises", json={"credit_code": "91360100MA35LY0Q2X"})
        assert unknown.status_code in (404, 422)


async def test_staff_act_for_the_company_until_revoked(app, client) -> None:
    rep_token = await demo_resident_token(person("legal_rep").phone)
    staff = person("staff")
    async with as_user(app, rep_token) as rep:
        claimed = await rep.post("/api/enterprises", json={"credit_code": LVYUAN.credit_code})
        assert claimed.status_code == 201, claimed.text
        enterprise_id = claimed.json()["id"]
        no_step_up = await rep.post(
            f"/api/enterprises/{enterprise_id}/staff", json={"name": staff.name, "id_number": staff.id_number}
        )
        assert no_step_up.status_code == 403 and no_step_up.json()["code"] == "step_up_required"
        assert (await rep.post("/api/auth/step-up/code")).status_code == 202
        code = await latest_code(client, person("legal_rep").phone)
        assert (await rep.post("/api/auth/step-up", json={"code": code})).status_code == 200
        granted = await rep.post(
            f"/api/enterprises/{enterprise_id}/staff", json={"name": staff.name, "id_number": staff.id_number}
        )
        assert granted.status_code == 201, granted.text
        assert (
            granted.json()["id_number_masked"].startswith(staff.id_number[:4]) and staff.id_number not in granted.text
        )
        staff_id = granted.json()["id"]
    staff_token = await demo_resident_token(staff.phone)
    async with as_user(app, staff_token) as me:
        listed = (await me.get("/api/enterprises")).json()
        assert [e["credit_code"] for e in listed] == [LVYUAN.credit_code]
        acting = await me.put("/api/session/acting", json={"kind": "enterprise", "id": enterprise_id})
        assert acting.status_code == 200 and acting.json()["acting"]["name"] == LVYUAN.name
        probe = await me.get("/api/applications")
        assert probe.headers["x-acting-for"] == f"enterprise:{enterprise_id}"
    async with as_user(app, rep_token) as rep:
        assert (await rep.delete(f"/api/enterprises/{enterprise_id}/staff/{staff_id}")).status_code == 204
    async with as_user(app, staff_token) as me:
        after = await me.get("/api/me")
        assert after.json()["acting"] is None and "x-acting-for" not in after.headers
        again = await me.put("/api/session/acting", json={"kind": "enterprise", "id": enterprise_id})
        assert again.status_code == 404
