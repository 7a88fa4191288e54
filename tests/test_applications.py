"""Applying, following, supplementing and deciding: the resident and the back office together."""

from __future__ import annotations

import datetime as dt

import pytest

from applications.tables import Application, ApplicationMaterial
from core import timeutil, workdays
from notify.tables import InboxItem, OutboxMessage
from tests.factories import form_for, published_matter, submitted_application, upload
from tests.support import account, as_user, clerk_token, pdf_bytes

pytestmark = pytest.mark.anyio


async def test_draft_save_resume_and_submit(app) -> None:
    matter = await published_matter()
    user = await account()
    async with as_user(app, user.token) as http:
        draft = await http.post("/api/applications", json={"matter_id": str(matter), "form": {"shop_name": "半成品"}})
        assert draft.status_code == 201, draft.text
        body = draft.json()
        assert body["summary"]["status"] == "draft" and body["actions"] == ["submit"]
        app_id = body["summary"]["id"]
        # Drafts are type-checked but need not be complete.
        bad = await http.patch(f"/api/applications/{app_id}", json={"form": {"seats": 999}})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "form.seats"
        resumed = await http.patch(f"/api/applications/{app_id}", json={"form": form_for(user)})
        assert resumed.status_code == 200
        assert resumed.json()["form"]["id_number"] == user.person.id_number[:4] + "*" * 10 + user.person.id_number[-4:]
        missing = await http.post(f"/api/applications/{app_id}/submit")
        assert missing.status_code == 422 and missing.json()["code"] == "material_missing"
        assert {e["field"] for e in missing.json()["errors"]} == {"materials.id_copy", "materials.premises"}
        files = [await upload(http), await upload(http)]
        await http.patch(
            f"/api/applications/{app_id}",
            json={"materials": [{"code": "id_copy", "file_id": files[0]}, {"code": "premises", "file_id": files[1]}]},
        )
        submitted = await http.post(f"/api/applications/{app_id}/submit")
        assert submitted.status_code in (200, 201), submitted.text
        assert submitted.json()["summary"]["status"] == "submitted"
        listing = await http.get("/api/applications")
        assert app_id in [item["id"] for item in listing.json()]


async def test_submission_reports_every_bad_field(app) -> None:
    matter = await published_matter()
    user = await account()
    async with as_user(app, user.token) as http:
        response = await http.post(
            "/api/applications",
            json={
                "matter_id": str(matter),
                "submit": True,
                "form": {
                    "applicant_name": user.person.name,
                    "id_number": "360102198001011234",
                    "phone": "123",
                    "category": "wine",
                    "hobby": "x",
                },
            },
        )
        assert response.status_code == 422
        problem = response.json()
        fields = {e["field"] for e in problem["errors"]}
        assert {"form.id_number", "form.phone", "form.category", "form.shop_name", "form.hobby"} <= fields
        assert all(e["message_zh"] and e["message_en"] for e in problem["errors"])
        unknown = await http.post("/api/applications", json={"matter_id": str(matter), "surprise": 1})
        assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_field"
        assert unknown.json()["field"] == "surprise"
        nowhere = await http.post("/api/applications", json={"matter_id": "00000000-0000-7000-8000-000000000000"})
        assert nowhere.status_code == 404 and nowhere.json()["code"] == "matter_not_found"


async def test_uploads_are_checked_by_their_bytes(app, settings) -> None:
    user = await account()
    async with as_user(app, user.token) as http:
        fake = await http.post("/api/files", files={"file": ("photo.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
        assert fake.status_code == 415 and fake.json()["code"] == "file_type_not_allowed"
        empty = await http.post("/api/files", files={"file": ("empty.pdf", b"", "application/pdf")})
        assert empty.status_code == 422 and empty.json()["code"] == "file_empty"
        big = pdf_bytes() + b"0" * (settings.upload_max_bytes + 1)
        too_big = await http.post("/api/files", files={"file": ("big.pdf", big, "application/pdf")})
        assert too_big.status_code == 413 and too_big.json()["code"] in ("file_too_large", "payload_too_large")
        ok = await http.post("/api/files", files={"file": ("a.pdf", pdf_bytes("a"), "application/octet-stream")})
        assert ok.status_code == 201 and ok.json()["mime"] == "application/pdf"
        again = await http.post("/api/files", files={"file": ("b.pdf", pdf_bytes("a"), "application/pdf")})
        assert again.json()["sha256"] == ok.json()["sha256"] and again.json()["id"] != ok.json()["id"]
        fetched = await http.get(f"/api/files/{ok.json()['id']}")
        assert fetched.status_code == 200 and fetched.content == pdf_bytes("a")
    stranger = await account()
    async with as_user(app, stranger.token) as http:
        denied = await http.get(f"/api/files/{ok.json()['id']}")
        assert denied.status_code == 404 and denied.json()["code"] == "file_not_found"


async def test_full_manual_flow_with_supplement_and_legal_clock(app) -> None:
    matter = await published_matter()
    user = await account()
    body = await submitted_application(app, user, matter)
    app_id = body["summary"]["id"]
    window, reviewer = await clerk_token("nc-window"), await clerk_token("nc-reviewer")
    async with as_user(app, window) as desk:
        work = await desk.get("/api/backoffice/applications", params={"q": body["summary"]["number"]})
        assert [i["id"] for i in work.json()["items"]] == [app_id]
        opened = await desk.get(f"/api/backoffice/applications/{app_id}")
        assert set(opened.json()["actions"]) == {"accept", "refuse", "request_supplement"}
        accepted = await desk.post(f"/api/backoffice/applications/{app_id}/accept", json={"note": "材料齐全"})
        assert accepted.status_code in (200, 201), accepted.text
        clock = accepted.json()["clock"]
        assert clock["state"] == "running" and clock["limit_days"] == 5
        assert clock["due_on"] == workdays.current().add_working_days(timeutil.today(), 5).isoformat()
    async with as_user(app, reviewer) as desk:
        claimed = await desk.post(f"/api/backoffice/applications/{app_id}/claim")
        assert claimed.json()["summary"]["status"] == "in_review" and claimed.json()["summary"]["assigned_to_me"]
        none_listed = await desk.post(f"/api/backoffice/applications/{app_id}/supplement-request", json={"items": []})
        assert none_listed.status_code == 422 and none_listed.json()["code"] == "supplement_items_required"
        asked = await desk.post(
            f"/api/backoffice/applications/{app_id}/supplement-request",
            json={
                "items": [
                    {"kind": "material", "code": "premises", "reason": "租赁合同已过期"},
                    {"kind": "field", "code": "seats", "reason": "请填写座位数"},
                ],
                "note": "一次性告知",
            },
        )
        assert asked.status_code in (200, 201), asked.text
        assert asked.json()["summary"]["status"] == "supplement_requested"
        assert asked.json()["clock"]["state"] == "stopped"
    async with as_user(app, user.token) as http:
        mine = await http.get(f"/api/applications/{app_id}")
        notice = mine.json()["supplements"][-1]
        assert [item["name"] for item in notice["items"]] == ["经营场所证明", "座位数"]
        assert all("internal_note" not in e for e in mine.json()["events"])
        assert "nc-reviewer" not in mine.text and "吴强" not in mine.text  # clerks' names stay internal
        partial = await http.post(f"/api/applications/{app_id}/supplement", json={"form": {"seats": 12}})
        assert partial.status_code == 422 and partial.json()["code"] == "material_missing"
        new_file = await upload(http, name="lease-2027.pdf")
        answered = await http.post(
            f"/api/applications/{app_id}/supplement",
            json={"form": {"seats": 12}, "materials": [{"code": "premises", "file_id": new_file}]},
        )
        assert answered.status_code in (200, 201), answered.text
        assert answered.json()["summary"]["status"] == "supplement_received"
        assert answered.json()["clock"]["state"] == "running"
    async with as_user(app, reviewer) as desk:
        await desk.post(f"/api/backoffice/applications/{app_id}/review", json={})
        detail = (await desk.get(f"/api/backoffice/applications/{app_id}")).json()
        approved = await desk.post(
            f"/api/backoffice/applications/{app_id}/decide",
            json={
                "decision": "approve",
                "basis": "《中华人民共和国行政许可法》第三十八条",
                "expected_version": detail["summary"]["version"],
            },
        )
        assert approved.status_code in (200, 201), approved.text
        result = await desk.post(f"/api/backoffice/applications/{app_id}/issue-result", json={})
        assert result.json()["summary"]["status"] == "closed"  # electronic result: delivered and closed at once
        assert result.json()["clock"]["state"] == "done"
    async with as_user(app, user.token) as http:
        timeline = (await http.get(f"/api/applications/{app_id}")).json()["events"]
        assert [e["status"] for e in timeline] == [
            "submitted",
            "accepted",
            "in_review",
            "supplement_requested",
            "supplement_received",
            "in_review",
            "approved",
            "result_ready",
            "delivered",
            "closed",
        ]
        assert timeline[1]["actor"] == "南昌市市场监督管理局"
    inbox = await InboxItem.select(InboxItem.event).where(InboxItem.recipient_key == f"person:{user.id}")
    assert [row["event"] for row in inbox] == [
        "application_submitted",
        "application_accepted",
        "supplement_requested",
        "application_decided",
        "result_ready",
        "evaluation_invited",
    ]
    outbox = await OutboxMessage.count().where(OutboxMessage.recipient_key == f"person:{user.id}")
    assert outbox == len(inbox)


async def test_refusals_and_who_may_do_what(app) -> None:
    matter = await published_matter()
    user = await account()
    app_id = (await submitted_application(app, user, matter))["summary"]["id"]
    window, reviewer, gz = (
        await clerk_token("nc-window"),
        await clerk_token("nc-reviewer"),
        await clerk_token("gz-window"),
    )
    async with as_user(app, reviewer) as desk:
        # A reviewer cannot accept, and nobody can decide before review.
        not_mine = await desk.post(f"/api/backoffice/applications/{app_id}/accept", json={})
        assert not_mine.status_code == 409 and not_mine.json()["code"] == "transition_not_allowed"
        early = await desk.post(f"/api/backoffice/applications/{app_id}/decide", json={"decision": "approve"})
        assert early.status_code == 409
    async with as_user(app, gz) as desk:  # another city's clerk: the application does not exist for them
        hidden = await desk.get(f"/api/backoffice/applications/{app_id}")
        assert hidden.status_code == 404 and hidden.json()["code"] == "application_not_found"
        work = await desk.get("/api/backoffice/applications", params={"q": app_id})
        assert work.json()["items"] == []
    stranger = await account()
    async with as_user(app, stranger.token) as http:
        assert (await http.get(f"/api/applications/{app_id}")).status_code == 404
        assert (await http.post(f"/api/applications/{app_id}/withdraw", json={})).status_code == 404
    async with as_user(app, user.token) as http:
        as_clerk = await http.get("/api/backoffice/applications")
        assert as_clerk.status_code == 403
    async with as_user(app, window) as desk:
        no_reason = await desk.post(f"/api/backoffice/applications/{app_id}/refuse", json={"reason": " "})
        assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
        refused = await desk.post(f"/api/backoffice/applications/{app_id}/refuse", json={"reason": "不属于本部门职权"})
        assert refused.json()["summary"]["status"] == "not_accepted"
    async with as_user(app, user.token) as http:
        too_late = await http.post(f"/api/applications/{app_id}/withdraw", json={})
        assert too_late.status_code == 409


async def test_withdraw_and_suspension_and_extension(app) -> None:
    matter = await published_matter()
    user = await account()
    app_id = (await submitted_application(app, user, matter))["summary"]["id"]
    async with as_user(app, await clerk_token("nc-window")) as desk:
        await desk.post(f"/api/backoffice/applications/{app_id}/accept", json={})
    async with as_user(app, await clerk_token("nc-head")) as desk:
        await desk.post(f"/api/backoffice/applications/{app_id}/claim")
        before = (await desk.get(f"/api/backoffice/applications/{app_id}")).json()["clock"]["due_on"]
        too_long = await desk.post(f"/api/backoffice/applications/{app_id}/extend", json={"days": 30, "reason": "复杂"})
        assert too_long.status_code == 409 and too_long.json()["code"] == "extension_not_allowed"
        extended = await desk.post(
            f"/api/backoffice/applications/{app_id}/extend", json={"days": 10, "reason": "需现场核查"}
        )
        after = extended.json()["clock"]["due_on"]
        assert after == workdays.current().add_working_days(dt.date.fromisoformat(before), 10).isoformat()
        assert (
            await desk.post(f"/api/backoffice/applications/{app_id}/extend", json={"days": 1, "reason": "再延"})
        ).status_code == 409
        suspended = await desk.post(f"/api/backoffice/applications/{app_id}/suspend", json={"reason": "等待鉴定结论"})
        assert suspended.json()["clock"]["state"] == "stopped"
        resumed = await desk.post(f"/api/backoffice/applications/{app_id}/resume", json={})
        assert resumed.json()["clock"]["state"] == "running"
    async with as_user(app, await clerk_token("nc-reviewer")) as desk:
        no_extension = await desk.post(f"/api/backoffice/applications/{app_id}/extend", json={"days": 1, "reason": "x"})
        assert no_extension.status_code == 403
    async with as_user(app, user.token) as http:
        withdrawn = await http.post(f"/api/applications/{app_id}/withdraw", json={"reason": "不开店了"})
        assert withdrawn.json()["summary"]["status"] == "withdrawn" and withdrawn.json()["actions"] == []


async def test_overdue_and_near_due_flags_in_the_worklist(app) -> None:
    matter = await published_matter()
    user = await account()
    app_id = (await submitted_application(app, user, matter))["summary"]["id"]
    async with as_user(app, await clerk_token("nc-window")) as desk:
        await desk.post(f"/api/backoffice/applications/{app_id}/accept", json={})
    row = await Application.select(Application.due_on, Application.number).where(Application.id == app_id).first()
    near_day = workdays.current().add_working_days(timeutil.today(), 3)  # two working days left then
    with timeutil.travel(dt.timedelta(days=(near_day - timeutil.today()).days)):
        async with as_user(app, await clerk_token("nc-window")) as desk:
            near = await desk.get("/api/backoffice/applications", params={"flag": "near_due", "q": row["number"]})
            assert [i["id"] for i in near.json()["items"]] == [app_id] and near.json()["items"][0]["near_due"]
            none_overdue = await desk.get(
                "/api/backoffice/applications", params={"flag": "overdue", "q": row["number"]}
            )
            assert none_overdue.json()["items"] == []
    late = row["due_on"] + dt.timedelta(days=1)
    with timeutil.travel(dt.timedelta(days=(late - timeutil.today()).days)):
        async with as_user(app, await clerk_token("nc-window")) as desk:
            overdue = await desk.get("/api/backoffice/applications", params={"flag": "overdue", "q": row["number"]})
            assert [i["id"] for i in overdue.json()["items"]] == [app_id] and overdue.json()["items"][0]["overdue"]


async def test_materials_are_reused_while_valid(app) -> None:
    matter = await published_matter()
    user = await account()
    first = await submitted_application(app, user, matter)
    earlier = {m["code"]: m["id"] for m in first["materials"]}
    async with as_user(app, user.token) as http:
        offers = (await http.get("/api/materials/reusable", params={"matter_id": str(matter)})).json()
        assert {o["material_code"] for o in offers} == {"id_copy", "premises"}
        reused = await http.post(
            "/api/applications",
            json={
                "matter_id": str(matter),
                "form": form_for(user),
                "submit": True,
                "materials": [
                    {"code": "id_copy", "reuse_of": earlier["id_copy"]},
                    {"code": "premises", "reuse_of": earlier["premises"]},
                ],
            },
        )
        assert reused.status_code == 201, reused.text
        assert {m["source"] for m in reused.json()["materials"]} == {"reuse"}
        await ApplicationMaterial.update({ApplicationMaterial.added_at: timeutil.now() - dt.timedelta(days=400)}).where(
            ApplicationMaterial.id == earlier["id_copy"]
        )
        stale = await http.post(
            "/api/applications",
            json={
                "matter_id": str(matter),
                "form": form_for(user),
                "materials": [{"code": "id_copy", "reuse_of": earlier["id_copy"]}],
            },
        )
        assert stale.status_code == 422 and stale.json()["code"] == "reuse_not_available"
    other = await account()
    async with as_user(app, other.token) as http:
        theft = await http.post(
            "/api/applications",
            json={
                "matter_id": str(matter),
                "form": form_for(other),
                "materials": [{"code": "id_copy", "reuse_of": earlier["id_copy"]}],
            },
        )
        assert theft.status_code == 422 and theft.json()["code"] == "reuse_not_available"


async def test_window_intake_records_the_clerk_as_actor(app) -> None:
    from tests.support import register, unique_person

    matter = await published_matter()
    walk_in = unique_person(region="360103")
    await register(walk_in)
    async with as_user(app, await clerk_token("nc-window")) as desk:
        files = [await upload(desk), await upload(desk)]
        wrong = await desk.post(
            "/api/backoffice/intake",
            json={
                "matter_id": str(matter),
                "applicant": {"name": "冒名", "id_number": walk_in.id_number, "phone": walk_in.phone},
                "form": {},
                "materials": [],
            },
        )
        assert wrong.status_code == 422 and wrong.json()["code"] == "realname_failed"
        filed = await desk.post(
            "/api/backoffice/intake",
            json={
                "matter_id": str(matter),
                "applicant": {"name": walk_in.name, "id_number": walk_in.id_number, "phone": walk_in.phone},
                "form": {
                    "applicant_name": walk_in.name,
                    "id_number": walk_in.id_number,
                    "phone": walk_in.phone,
                    "shop_name": "窗口代录",
                    "category": "drinks",
                },
                "materials": [{"code": "id_copy", "file_id": files[0]}, {"code": "premises", "file_id": files[1]}],
            },
        )
        assert filed.status_code == 201, filed.text
        body = filed.json()
        assert body["summary"]["channel"] == "window" and body["basis"] == "window"
        assert body["summary"]["applicant_name"] == walk_in.name
        assert body["events"][0]["actor"] == "南昌市场监管·窗口 黄丽"
    row = (
        await Application.select(Application.actor_kind, Application.applicant_resident)
        .where(Application.id == body["summary"]["id"])
        .first()
    )
    assert row["actor_kind"] == "clerk" and row["applicant_resident"] is not None
