"""The wallet: issuance on approval (C1), 免证办理 (C2), proxies (C3), company staff, the verification log,
the issuing department's status changes, expiry reminders and the demo wallets."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from applications import hooks as app_hooks
from applications.tables import ApplicationMaterial
from audit.tables import AuditEntry
from auth.tables import Enterprise, EnterpriseStaff
from catalogue.elements import Result
from core import db, timeutil
from core.identifiers import make_credit_code
from demo.people import ENTERPRISES, person
from ecert import codes, licences, wallet
from ecert.tables import Licence
from notify.tables import InboxItem
from tests.ecert_support import ISSUER, id_card_for
from tests.factories import form_for, published_matter, upload
from tests.quality_support import caller_for
from tests.support import account, as_user, clerk_token, demo_resident_token, unique_person

pytestmark = pytest.mark.anyio


async def _approve_and_issue(app, app_id: str) -> dict:
    async with as_user(app, await clerk_token("nc-window")) as desk:
        assert (await desk.post(f"/api/backoffice/applications/{app_id}/accept", json={})).status_code == 200
    async with as_user(app, await clerk_token("nc-reviewer")) as desk:
        await desk.post(f"/api/backoffice/applications/{app_id}/review", json={})
        decided = await desk.post(
            f"/api/backoffice/applications/{app_id}/decide", json={"decision": "approve", "basis": "依法审查"}
        )
        assert decided.status_code == 200, decided.text
        issued = await desk.post(f"/api/backoffice/applications/{app_id}/issue-result", json={})
        assert issued.status_code == 200, issued.text
        return issued.json()


async def test_approval_issues_the_licence_in_the_same_transaction(app) -> None:
    user = await account()
    matter = await published_matter(
        materials=[],
        result=Result(kind="licence", licence_type="residence_permit", name="居住证", delivery=["electronic"]),
    )
    async with as_user(app, user.token) as http:
        created = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
        )
        assert created.status_code == 201, created.text
    app_id = created.json()["summary"]["id"]
    detail = await _approve_and_issue(app, app_id)
    licence_id = detail["result"]["licence_id"]
    assert detail["result"]["licence_type"] == "residence_permit"
    row = await licences.get(uuid.UUID(licence_id))
    assert row is not None and str(row["application_id"]) == app_id and row["holder_key"] == f"person:{user.id}"
    assert row["source"] == "application" and row["valid_until"] == dt.date(
        timeutil.today().year + 1, timeutil.today().month, min(timeutil.today().day, 28)
    )
    inbox = await InboxItem.select(InboxItem.event, InboxItem.body).where(
        InboxItem.recipient_key == f"person:{user.id}"
    )
    ready = next(item for item in inbox if item["event"] == "result_ready")
    assert "电子证照已放入您的卡包" in ready["body"]
    async with as_user(app, user.token) as http:
        mine = (await http.get("/api/ecert/licences")).json()
        assert [m["id"] for m in mine] == [licence_id] and mine[0]["application_id"] == app_id
        opened = (await http.get(f"/api/ecert/licences/{licence_id}")).json()
        values = {f["name"]: f["value"] for f in opened["fields"]}
        assert values["name"] == user.person.name
        assert values["id_number"] == user.person.id_number[:4] + "*" * 10 + user.person.id_number[-4:]
        assert user.person.id_number not in str(opened)
    issued = await AuditEntry.select().where(
        (AuditEntry.action == "ecert.licence.issue") & (AuditEntry.application_id == app_id)
    )
    assert len(issued) == 1


async def test_a_matter_without_a_licence_result_issues_nothing(app) -> None:
    user = await account()
    matter = await published_matter(materials=[])
    async with as_user(app, user.token) as http:
        created = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
        )
    detail = await _approve_and_issue(app, created.json()["summary"]["id"])
    assert "licence_id" not in detail["result"]
    assert await Licence.count().where(Licence.holder_key == f"person:{user.id}") == 0


async def test_a_licence_replaces_a_material_with_consent(app) -> None:
    matter = await published_matter()
    user = await account()
    licence = await id_card_for(user)
    other = await id_card_for(await account())
    async with as_user(app, user.token) as http:
        premises = await upload(http, name="lease.pdf")

        async def apply(ref: dict) -> object:
            return await http.post(
                "/api/applications",
                json={
                    "matter_id": str(matter),
                    "form": form_for(user),
                    "submit": True,
                    "materials": [ref, {"code": "premises", "file_id": premises}],
                },
            )

        no_consent = await apply({"code": "id_copy", "licence_id": str(licence["id"])})
        assert no_consent.status_code == 422 and no_consent.json()["code"] == "consent_required"
        stolen = await apply({"code": "id_copy", "licence_id": str(other["id"]), "consent": True})
        assert stolen.status_code == 422 and stolen.json()["code"] == "licence_not_usable"
        done = await apply({"code": "id_copy", "licence_id": str(licence["id"]), "consent": True})
        assert done.status_code == 201, done.text
        by_code = {m["code"]: m for m in done.json()["materials"]}
        assert by_code["id_copy"]["source"] == "licence" and by_code["id_copy"]["licence_id"] == str(licence["id"])
        stored = await ApplicationMaterial.select().where(ApplicationMaterial.id == by_code["id_copy"]["id"]).first()
        assert stored["consent_at"] is not None
        # 材料只交一次: the upload is reused next time, the licence referenced again
        again = await http.post(
            "/api/applications",
            json={
                "matter_id": str(matter),
                "form": form_for(user),
                "submit": True,
                "materials": [
                    {"code": "id_copy", "licence_id": str(licence["id"]), "consent": True},
                    {"code": "premises", "reuse_of": by_code["premises"]["id"]},
                ],
            },
        )
        assert again.status_code == 201, again.text
        assert {m["code"]: m["source"] for m in again.json()["materials"]} == {
            "id_copy": "licence",
            "premises": "reuse",
        }
    app_id = done.json()["summary"]["id"]
    path = f"/api/backoffice/ecert/applications/{app_id}/licences/{licence['id']}"
    async with as_user(app, await clerk_token("nc-window")) as desk:
        seen = await desk.get(path)
        assert seen.status_code == 200, seen.text
        assert {f["name"]: f["value"] for f in seen.json()["fields"]}["name"] == user.person.name
        unused = f"/api/backoffice/ecert/applications/{app_id}/licences/{other['id']}"
        assert (await desk.get(unused)).status_code == 404
    async with as_user(app, await clerk_token("gz-window")) as elsewhere:
        assert (await elsewhere.get(path)).status_code == 404
    read = await AuditEntry.select().where(
        (AuditEntry.action == "ecert.licence.read") & (AuditEntry.application_id == app_id)
    )
    assert len(read) == 1 and read[0]["purpose"] == "审核申请材料（免证办理）"
    async with as_user(app, user.token) as http:
        await licences.change_status(licence["id"], "suspend", reason="核查", actor=ISSUER)
        suspended = await apply({"code": "id_copy", "licence_id": str(licence["id"]), "consent": True})
        assert suspended.status_code == 422 and suspended.json()["code"] == "licence_not_usable"
    wrong_type = await licences.issue(
        type_code="diploma",
        holder_key=f"person:{user.id}",
        holder_name=user.person.name,
        region_code="360100",
        fields={"name": user.person.name},
        actor=ISSUER,
    )
    assert await app_hooks.licence_resolver(f"person:{user.id}", wrong_type["id"], ["id_card"]) is None


async def test_proxies_see_and_present_only_what_their_grant_allows(app, monkeypatch) -> None:
    owner = await account()
    licence = await id_card_for(owner)
    agent = await account()
    caller = await caller_for(agent.token)
    owner_caller = await caller_for(owner.token)
    caller.principal, caller.basis, caller.via = owner_caller.principal, "proxy", timeutil.uuid7()
    monkeypatch.delitem(app_hooks.scope_checks, "proxy", raising=False)
    assert await wallet.listing(caller) == []
    with pytest.raises(licences.ProblemError) as hidden:
        await wallet.load(caller, licence["id"], "view")
    assert hidden.value.code == "licence_not_found"
    asked: list[tuple[str, dict]] = []

    async def view_only(who, item, action):
        asked.append((action, item))
        return action == "view"

    monkeypatch.setitem(app_hooks.scope_checks, "proxy", view_only)
    assert [row["id"] for row in await wallet.listing(caller)] == [licence["id"]]
    assert asked[0][1] == {
        "kind": "licence",
        "id": licence["id"],
        "licence_type": "id_card",
        "holder_key": f"person:{owner.id}",
        "region_code": licence["region_code"],
    }
    row = await wallet.load(caller, licence["id"], "view")
    shown = await wallet.detail(row, masked=True)
    assert {f.name: f.value for f in shown.fields}["name"] != owner.person.name  # masked for others
    with pytest.raises(licences.ProblemError):
        await wallet.load(caller, licence["id"], "present")
    read = await AuditEntry.select().where(
        (AuditEntry.action == "ecert.licence.read") & (AuditEntry.object_id == str(licence["id"]))
    )
    assert read and read[0]["actor_id"] == str(agent.id) and read[0]["purpose"]

    async def present_too(who, item, action):
        return action in ("view", "present")

    monkeypatch.setitem(app_hooks.scope_checks, "proxy", present_too)
    row = await wallet.load(caller, licence["id"], "present")
    (made,) = await codes.present(row, purpose=1, fields=[], kind="live", actor=caller.actor(), basis="proxy")
    assert made.text.startswith("ZP1:")


async def test_company_staff_hold_the_company_wallet_and_see_who_verified(app, client) -> None:
    rep, staff = await account(), await account()
    enterprise_id = timeutil.uuid7()
    credit_code = make_credit_code("91", "360100", f"MA{str(enterprise_id.int)[-7:]}")
    async with db.write_tx():
        await Enterprise.insert(
            Enterprise(
                id=enterprise_id,
                credit_code=credit_code,
                name="南昌测试商贸有限公司",
                legal_rep_name=rep.person.name,
                legal_rep_id_index="x",
                region_code="360100",
            )
        )
        await EnterpriseStaff.insert(
            EnterpriseStaff(id=timeutil.uuid7(), enterprise=enterprise_id, resident=staff.id, role="staff")
        )
    business = await licences.issue(
        type_code="business_licence",
        holder_key=f"enterprise:{enterprise_id}",
        holder_name="南昌测试商贸有限公司",
        region_code="360100",
        fields={"name": "南昌测试商贸有限公司", "credit_code": credit_code, "legal_rep": rep.person.name},
        actor=ISSUER,
        source="import",
    )
    async with as_user(app, staff.token) as http:
        assert (await http.get("/api/ecert/licences")).json() == []  # their own wallet is empty
        acting = await http.put("/api/session/acting", json={"kind": "enterprise", "id": str(enterprise_id)})
        assert acting.status_code == 200, acting.text
        listed = (await http.get("/api/ecert/licences")).json()
        assert [item["id"] for item in listed] == [str(business["id"])]
        display = await http.get(f"/api/ecert/licences/{business['id']}/code")
        assert display.status_code == 200 and display.json()["qr_version"] <= 12
        made = await http.post(
            f"/api/ecert/licences/{business['id']}/presentations",
            json={"purpose": "business", "fields": ["name", "credit_code", "valid"]},
        )
        assert made.status_code == 201, made.text
        assert made.json()["qr_version"] <= 10
    outsider = await account()
    async with as_user(app, outsider.token) as http:
        assert (await http.get(f"/api/ecert/licences/{business['id']}")).status_code == 404
    shop = await client.post(
        "/api/ecert/verify", json={"text": display.json()["text"], "verifier": "红谷滩区某超市 13912345678"}
    )
    assert shop.json()["result"] == "valid"
    assert {f["name"] for f in shop.json()["fields"]} == {"name", "credit_code", "legal_rep"}
    async with as_user(app, await clerk_token("nc-window")) as desk:
        assert (await desk.post("/api/ecert/verify", json={"text": made.json()["text"]})).json()["result"] == "valid"
    async with as_user(app, staff.token) as http:
        await http.put("/api/session/acting", json={"kind": "enterprise", "id": str(enterprise_id)})
        log = (await http.get("/api/ecert/verifications")).json()
    assert [(entry["code_kind"], entry["result"]) for entry in log] == [("presentation", "valid"), ("licence", "valid")]
    assert log[0]["verifier"].startswith("南昌市场监管") and log[0]["purpose"] == "经营资质核验"
    assert log[1]["verifier"] == "红谷滩区某超市 139****5678"  # phone numbers masked, also in the log


async def test_only_the_issuing_department_changes_a_licence_status(app, client) -> None:
    user = await account()
    business = await licences.issue(
        type_code="food_licence",
        holder_key=f"person:{user.id}",
        holder_name=user.person.name,
        region_code="360102",
        fields={"name": "老表小吃", "licence_no": "JY1360102000001"},
        actor=ISSUER,
    )
    static = await codes.static_code(business)
    async with as_user(app, await clerk_token("gz-reviewer")) as other_city:
        refused = await other_city.post(
            f"/api/backoffice/ecert/licences/{business['id']}/suspend", json={"reason": "x"}
        )
        assert refused.status_code == 404
    async with as_user(app, await clerk_token("nc-window")) as window:
        assert (
            await window.post(f"/api/backoffice/ecert/licences/{business['id']}/suspend", json={"reason": "x"})
        ).status_code == 403
    async with as_user(app, await clerk_token("nc-reviewer")) as reviewer:
        empty = await reviewer.post(f"/api/backoffice/ecert/licences/{business['id']}/suspend", json={"reason": " "})
        assert empty.status_code == 422 and empty.json()["field"] == "reason"
        done = await reviewer.post(
            f"/api/backoffice/ecert/licences/{business['id']}/suspend", json={"reason": "食品安全抽检不合格，责令整改"}
        )
        assert done.status_code == 200 and done.json()["status"] == "suspended"
        assert (await client.post("/api/ecert/verify", json={"text": static})).json()["result"] == "suspended"
        async with as_user(app, user.token) as holder:
            no_code = await holder.get(f"/api/ecert/licences/{business['id']}/code")
            assert no_code.status_code == 409 and no_code.json()["code"] == "licence_not_presentable"
        back = await reviewer.post(
            f"/api/backoffice/ecert/licences/{business['id']}/reinstate", json={"reason": "整改合格"}
        )
        assert back.json()["status"] == "valid"
        gone = await reviewer.post(f"/api/backoffice/ecert/licences/{business['id']}/revoke", json={"reason": "吊销"})
        assert gone.json()["status"] == "revoked"
        twice = await reviewer.post(f"/api/backoffice/ecert/licences/{business['id']}/revoke", json={"reason": "吊销"})
        assert twice.status_code == 409 and twice.json()["code"] == "licence_state_invalid"
    async with as_user(app, user.token) as http:
        opened = (await http.get(f"/api/ecert/licences/{business['id']}")).json()
        assert opened["summary"]["status"] == "revoked" and opened["summary"]["status_reason"] == "吊销"
        refused = await http.post(f"/api/ecert/licences/{business['id']}/presentations", json={"purpose": "business"})
        assert refused.status_code == 409 and refused.json()["code"] == "licence_not_presentable"
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_id == str(business["id"]))
    ]
    assert actions[-3:] == ["ecert.licence.suspend", "ecert.licence.reinstate", "ecert.licence.revoke"]


async def test_presentation_requests_are_checked(app) -> None:
    user = await account(unique_person(birth=dt.date(1950, 1, 1)))
    young = await account(unique_person(birth=dt.date(2000, 1, 1)))
    licence, young_licence = await id_card_for(user), await id_card_for(young)
    async with as_user(app, user.token) as http:
        url = f"/api/ecert/licences/{licence['id']}/presentations"
        assert (await http.post(url, json={"purpose": "nonsense"})).json()["code"] == "purpose_unknown"
        hidden = await http.post(url, json={"purpose": "identity", "fields": ["name", "address"]})
        assert hidden.status_code == 422 and hidden.json()["field"] == "fields[1]"
        unknown = await http.post(url, json={"purpose": "identity", "fields": ["credit_code"]})
        assert unknown.status_code == 422 and unknown.json()["code"] == "field_not_presentable"
        long_lived = await http.post(url, json={"purpose": "age", "fields": ["age_ge_60"], "ttl_seconds": 3600})
        body = long_lived.json()
        life = dt.datetime.fromisoformat(body["expires_at"]) - timeutil.now()
        assert life <= dt.timedelta(seconds=codes.LIVE_MAX) and body["fields"] == ["age_ge_60"]
        too_many = await http.post(
            f"/api/ecert/licences/{licence['id']}/presentations/offline", json={"purpose": "age", "count": 11}
        )
        assert too_many.status_code == 422 and too_many.json()["field"] == "count"
    from ecert import online

    verdict = await online.verify_text(body["text"], verifier=online.Verifier())
    assert verdict.ok and [(f.name, f.value) for f in verdict.fields] == [("age_ge_60", True)]
    async with as_user(app, young.token) as http:
        made = await http.post(
            f"/api/ecert/licences/{young_licence['id']}/presentations", json={"purpose": "age", "fields": ["age_ge_60"]}
        )
    verdict = await online.verify_text(made.json()["text"], verifier=online.Verifier())
    assert verdict.ok and [(f.name, f.value) for f in verdict.fields] == [("age_ge_60", False)]


async def test_expiry_reminders_go_out_once_thirty_days_before(app) -> None:
    user = await account()
    soon = await licences.issue(
        type_code="residence_permit",
        holder_key=f"person:{user.id}",
        holder_name=user.person.name,
        region_code="360100",
        fields={"name": user.person.name},
        actor=ISSUER,
        valid_from=timeutil.today() - dt.timedelta(days=300),
        valid_until=timeutil.today() + dt.timedelta(days=20),
    )
    await licences.issue(
        type_code="residence_permit",
        holder_key=f"person:{user.id}",
        holder_name=user.person.name,
        region_code="360100",
        fields={"name": user.person.name},
        actor=ISSUER,
        valid_until=timeutil.today() + dt.timedelta(days=90),
    )
    assert await wallet.notify_expiring() >= 1
    assert await wallet.notify_expiring() == 0
    reminders = await InboxItem.select().where(
        (InboxItem.recipient_key == f"person:{user.id}") & (InboxItem.event == "licence_expiring")
    )
    assert len(reminders) == 1 and soon["valid_until"].isoformat() in reminders[0]["body"]
    assert reminders[0]["link"] == f"/wallet/{soon['id']}"


async def test_the_demo_wallets(app) -> None:
    grandma = await demo_resident_token(person("grandma").phone)
    async with as_user(app, grandma) as http:
        held = {item["licence_type"] for item in (await http.get("/api/ecert/licences")).json()}
    assert held == {"id_card", "household_register", "elderly_card", "social_security_card"}
    migrant = await demo_resident_token(person("migrant").phone)
    async with as_user(app, migrant) as http:
        held = {item["licence_type"] for item in (await http.get("/api/ecert/licences")).json()}
    assert held == {"residence_permit"}  # her 身份证 and 户口簿 are Zhejiang's to issue
    lvyuan = next(e for e in ENTERPRISES if e.key == "lvyuan")
    enterprise = await Enterprise.select().where(Enterprise.credit_code == lvyuan.credit_code).first()
    company = {row["licence_type"] for row in await licences.holder_licences(f"enterprise:{enterprise['id']}")}
    assert company == {"business_licence", "food_licence"}
    async with as_user(app, grandma) as http:
        again = await http.post("/api/ecert/licences/import")
        assert again.status_code == 200 and again.json()["issued"] == []
