"""End to end with the demo people: 张秀英 (78, 长辈版) authorises her son 王小明, he applies for her
老年人优待证 and, once it is issued, presents it for her; she sees both actions, revokes, and his next
requests fail.

Everything goes through the HTTP API as the PWA would use it: SMS login, the step-up SMS before
granting, the one-time code handed from mother to son, the acting switch, and the notifications.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import httpx
import pytest

from auth import clerks
from core import timeutil
from demo.people import person
from notify.tables import InboxItem
from regions.tables import Department
from tests.support import as_user, clerk_token, latest_code, pdf_bytes

pytestmark = pytest.mark.anyio


async def login(client: httpx.AsyncClient, phone: str) -> str:
    sent = await client.post("/api/auth/sms-code", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    logged = await client.post(
        "/api/auth/login", json={"phone": phone, "code": await latest_code(client, phone), "client": "api"}
    )
    assert logged.status_code == 200, logged.text
    return logged.json()["token"]


async def elderly_card_matter(http: httpx.AsyncClient, region: str) -> dict[str, Any]:
    found = (await http.get("/api/matters", params={"q": "老年人优待证", "region": region})).json()["items"]
    matter = next(m for m in found if m["name"] == "老年人优待证办理")
    assert matter["region_code"] == region, matter
    return matter


async def test_grandmother_authorises_her_son_who_applies_for_her_then_she_revokes(app, client) -> None:
    grandma, son = person("grandma"), person("son")
    mum_token = await login(client, grandma.phone or "")
    son_token = await login(client, son.phone or "")
    # One SMS a minute per phone: the rest happens a little later than the logins.
    with timeutil.travel(dt.timedelta(minutes=2)):
        mum, kid = as_user(app, mum_token), as_user(app, son_token)
        async with mum, kid:
            me = (await mum.get("/api/me")).json()
            assert me["elder_mode"] is True and me["age"] >= 60
            assert me["preferences"]["channels"] == ["inbox", "sms"]  # elderly: SMS by default

            # The demo's standing family-care grant is there; she replaces it with one just for the card.
            standing = [g for g in (await mum.get("/api/proxies/grants", params={"role": "principal"})).json()]
            by_son = [g for g in standing if g["agent"]["name"] == son.name and g["state"] == "active"]
            assert len(by_son) == 1 and by_son[0]["basis"] == "family_care"
            options = (await kid.get("/api/proxies/principals")).json()
            assert [o["name"] for o in options if o["kind"] == "person"].count(grandma.name) == 1
            revoked = await mum.post(f"/api/proxies/grants/{by_son[0]['id']}/revoke", json={"note": "换一份新的授权"})
            assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"

            # Granting needs a fresh SMS step-up.
            card = await elderly_card_matter(mum, me["region_code"])
            offer = {
                "agent": {"kind": "person", "name": son.name, "phone": son.phone},
                "basis": "family_care",
                "relation": "子女",
                "scope": {"matters": [card["id"]], "actions": ["view", "apply", "receive", "present"]},
            }
            refused = await mum.post("/api/proxies/grants", json=offer)
            assert refused.status_code == 403 and refused.json()["code"] == "step_up_required"
            assert (await mum.post("/api/auth/step-up/code")).status_code == 202
            stepped = await mum.post("/api/auth/step-up", json={"code": await latest_code(client, grandma.phone or "")})
            assert stepped.status_code == 200, stepped.text
            offered = await mum.post("/api/proxies/grants", json=offer)
            assert offered.status_code == 201, offered.text
            grant, code = offered.json()["grant"], offered.json()["code"]
            assert grant["state"] == "pending" and grant["scope"]["regions"][0]["code"] == "360000"
            assert len(code) == 8 and code.isdigit()

            # She tells him the code; he accepts and switches to acting for 张奶奶.
            wrong = await kid.post(f"/api/proxies/grants/{grant['id']}/accept", json={"code": "00000000"})
            assert wrong.status_code == 422 and wrong.json()["code"] == "grant_code_invalid"
            accepted = await kid.post(f"/api/proxies/grants/{grant['id']}/accept", json={"code": code})
            assert accepted.status_code == 200 and accepted.json()["state"] == "active", accepted.text
            switched = await kid.put("/api/session/acting", json={"kind": "person", "id": me["id"]})
            assert switched.status_code == 200, switched.text
            acting = switched.json()["acting"]
            assert acting["name"] == grandma.name and acting["basis"] == "proxy" and acting["via"] == grant["id"]
            assert acting["grant_state"] == "active" and "apply" in acting["actions"]

            # He applies for her: the agent uploads the copy of her ID card; she is the applicant.
            uploaded = await kid.post("/api/files", files={"file": ("身份证.pdf", pdf_bytes("id"), "application/pdf")})
            assert uploaded.status_code == 201, uploaded.text
            assert uploaded.headers["x-acting-for"] == f"person:{me['id']}"
            applied = await kid.post(
                "/api/applications",
                json={
                    "matter_id": card["id"],
                    "submit": True,
                    "form": {
                        "applicant_name": grandma.name,
                        "id_number": grandma.id_number,
                        "household_address": grandma.address,
                        "phone": grandma.phone,
                    },
                    "materials": [{"code": "id_card", "file_id": uploaded.json()["id"]}],
                },
            )
            assert applied.status_code == 201, applied.text
            assert applied.headers["x-acting-for"] == f"person:{me['id']}"
            assert applied.headers["x-acting-via"] == grant["id"]
            application = applied.json()["summary"]
            assert application["applicant_name"] == grandma.name and application["status"] == "submitted"
            assert applied.json()["basis"] == "proxy"
            assert applied.json()["actions"] == []  # she may withdraw it; his grant does not cover withdrawing
            # Outside the grant: another matter answers like a missing one.
            other = (await kid.get("/api/matters", params={"q": "高龄津贴", "region": me["region_code"]})).json()[
                "items"
            ]
            beyond = await kid.post("/api/applications", json={"matter_id": other[0]["id"], "form": {}, "submit": True})
            assert beyond.status_code == 404 and beyond.json()["code"] == "matter_not_found"

            looked = await kid.get(f"/api/applications/{application['id']}")
            assert looked.status_code == 200 and looked.json()["summary"]["id"] == application["id"]

            # 东湖区民政局 approves; the e-licence wallet issues her 老年人优待证 (contract C1) and he presents
            # it for her, as the grant allows ("present").
            await approve(app, application["id"])
            wallet = await kid.get("/api/ecert/licences")
            assert wallet.status_code == 200 and wallet.headers["x-acting-for"] == f"person:{me['id']}"
            card_licence = next(lic for lic in wallet.json() if lic["application_id"] == application["id"])
            assert card_licence["licence_type"] == "elderly_card"
            assert card_licence["holder_name"] == "张*英"  # the wallet masks the holder for anyone else
            assert all(lic["licence_type"] == "elderly_card" for lic in wallet.json())  # her 社保卡 is not in his grant
            shown = await kid.post(
                f"/api/ecert/licences/{card_licence['id']}/presentations",
                json={"purpose": "age", "fields": ["name", "age_ge_60"]},
            )
            assert shown.status_code == 201, shown.text
            verifier = {"text": shown.json()["text"], "verifier": "公交公司"}
            checked = await client.post("/api/ecert/verify", json=verifier)
            assert checked.status_code == 200 and checked.json()["result"] == "valid", checked.text

            # She sees what he did, in her list and in her inbox.
            actions = (await mum.get("/api/proxies/actions")).json()
            texts = [a["text"] for a in actions]
            assert f"您的代办人{son.name}为您提交了「老年人优待证办理」" in texts, texts
            assert f"您的代办人{son.name}为您出示了「老年人优待证」" in texts, texts
            viewed = [a for a in actions if a["verb"] == "查看了" and a["object_id"] == application["id"]]
            assert viewed and not viewed[0]["notified"]  # reads are listed, not pushed to her phone
            told = await InboxItem.select(InboxItem.body).where(
                (InboxItem.recipient_key == f"person:{me['id']}") & (InboxItem.event == "agent_action")
            )
            assert f"您的代办人{son.name}为您提交了「老年人优待证办理」。" in [t["body"] for t in told]
            assert f"您的代办人{son.name}为您出示了「老年人优待证」。" in [t["body"] for t in told]
            history = (await mum.get(f"/api/applications/{application['id']}")).json()
            assert any(e["actor"] == f"代办人{son.name}" and e["on_behalf"] for e in history["events"])
            access = (await mum.get("/api/me/access-log")).json()
            assert any(e["who"] == son.name and e["on_behalf"] and e["purpose"] == "代办查看办件" for e in access)

            # 长辈版: what she (or he, for her) did first is at the top of her short list.
            home = (await mum.get("/api/elder/tasks")).json()
            assert home["elder_mode"] and home["elderly"] and home["tasks"][0]["name"] == "老年人优待证办理"
            assert home["tasks"][0]["reason"] == "mine" and len(home["tasks"]) <= 5

            # She revokes; his very next request fails like a missing one, her application stays.
            done = await mum.post(f"/api/proxies/grants/{grant['id']}/revoke", json={})
            assert done.status_code == 200 and done.json()["state"] == "revoked"
            after = await kid.get(f"/api/applications/{application['id']}")
            missing = await kid.get("/api/applications/00000000-0000-7000-8000-000000000000")
            assert (
                after.status_code == 404 and after.json()["code"] == missing.json()["code"] == "application_not_found"
            )
            again_card = await kid.post(
                f"/api/ecert/licences/{card_licence['id']}/presentations", json={"purpose": "age", "fields": ["name"]}
            )
            assert again_card.status_code == 404 and again_card.json()["code"] == "licence_not_found"
            again = await kid.post("/api/applications", json={"matter_id": card["id"], "form": {}, "submit": False})
            assert again.status_code == 404 and again.json()["code"] == "matter_not_found"
            session = (await kid.get("/api/session")).json()["me"]["acting"]
            assert session["grant_state"] == "revoked"
            kept = (await mum.get(f"/api/applications/{application['id']}")).json()
            assert kept["summary"]["status"] == "closed"  # what he did for her stands: applied, approved, issued
            hers = (await mum.get("/api/ecert/licences")).json()
            assert any(lic["id"] == card_licence["id"] and lic["status"] == "valid" for lic in hers)
            ended = await InboxItem.select(InboxItem.body).where(
                (InboxItem.recipient_key == f"person:{kid_id(switched)}") & (InboxItem.event == "proxy_ended")
            )
            assert any("已被委托人撤销" in row["body"] for row in ended)
            back = await kid.delete("/api/session/acting")
            assert back.status_code == 200 and back.json()["acting"] is None


async def approve(app: Any, application_id: str) -> None:
    """东湖区民政局 accepts, reviews and approves; the result is electronic, so it is delivered at once."""
    department = (
        await Department.select(Department.id)
        .where((Department.code == "mzj") & (Department.region == "360102"))
        .first()
    )
    assert department is not None
    username = f"dh-mzj-{secrets.token_hex(3)}"
    await clerks.create_clerk(
        username=username,
        display_name="东湖民政·综合窗口 测试",
        password="zhangban-test-2026",
        department_id=department["id"],
        region_code="360102",
        roles=["window", "reviewer"],
    )
    async with as_user(app, await clerk_token(username)) as desk:
        base = f"/api/backoffice/applications/{application_id}"
        for path, body in (
            ("accept", {}),
            ("review", {}),
            ("decide", {"decision": "approve", "basis": "《中华人民共和国老年人权益保障法》"}),
            ("issue-result", {}),
        ):
            moved = await desk.post(f"{base}/{path}", json=body)
            assert moved.status_code == 200, (path, moved.text)
    assert moved.json()["summary"]["status"] == "closed"


def kid_id(response: httpx.Response) -> str:
    return response.json()["id"]
