"""好差评: one rating per item, rectification deadlines across holidays, callbacks, re-rating, appeals."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from applications import hooks
from core import timeutil
from evaluations import service, subjects
from evaluations.tables import Evaluation, Rectification
from notify.tables import InboxItem
from tests.factories import form_for, published_matter
from tests.quality_support import at, caller_for, closed_application, cst
from tests.support import account, as_user, clerk_token

pytestmark = pytest.mark.anyio


async def test_a_resident_rates_their_closed_application_once(app) -> None:
    done = await closed_application(app)
    user = done["user"]
    invited = await InboxItem.select(InboxItem.link).where(
        (InboxItem.recipient_key == f"person:{user.id}") & (InboxItem.event == "evaluation_invited")
    )
    assert [row["link"] for row in invited] == [f"/applications/{done['id']}/evaluation"]
    body = {"item_kind": "application", "item_id": done["id"], "level": "satisfied", "tags": ["办事快捷"]}
    async with as_user(app, user.token) as http:
        bad_tag = await http.post("/api/evaluations", json={**body, "tags": ["态度不好"]})
        assert bad_tag.status_code == 422 and bad_tag.json()["code"] == "tag_unknown"
        no_comment = await http.post("/api/evaluations", json={**body, "level": "dissatisfied", "tags": []})
        assert no_comment.status_code == 422 and no_comment.json()["field"] == "comment"
        assert no_comment.json()["message_zh"] and no_comment.json()["message_en"]
        first = await http.post("/api/evaluations", json=body)
        assert first.status_code == 201, first.text
        assert first.json()["level_label"] == "满意" and first.json()["rectification"] is None
        again = await http.post("/api/evaluations", json={**body, "level": "very_satisfied"})
        assert again.status_code == 409 and again.json()["code"] == "already_rated"
        mine = (await http.get("/api/evaluations/mine")).json()
        assert [e["id"] for e in mine] == [first.json()["id"]]
        unknown = await http.post("/api/evaluations", json={**body, "item_kind": "stranger"})
        assert unknown.status_code == 422
    stranger = await account()
    async with as_user(app, stranger.token) as http:
        other = await http.post("/api/evaluations", json=body)
        assert other.status_code == 404 and other.json()["code"] == "evaluation_item_not_found"
        peek = await http.get(f"/api/evaluations/{first.json()['id']}")
        assert peek.status_code == 404


async def test_an_open_application_cannot_be_rated_yet(app) -> None:
    matter = await published_matter(materials=[])
    user = await account()
    async with as_user(app, user.token) as http:
        created = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
        )
        early = await http.post(
            "/api/evaluations",
            json={"item_kind": "application", "item_id": created.json()["summary"]["id"], "level": "satisfied"},
        )
    assert early.status_code == 409 and early.json()["code"] == "evaluation_not_open"


async def test_one_rating_per_item_even_when_sent_concurrently(app) -> None:
    done = await closed_application(app)

    async def attempt(level: str):
        async with as_user(app, done["user"].token) as http:
            return await http.post(
                "/api/evaluations", json={"item_kind": "application", "item_id": done["id"], "level": level}
            )

    answers = await asyncio.gather(*(attempt(("satisfied", "very_satisfied", "fair")[i % 3]) for i in range(12)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 11, [a.text for a in answers]
    assert await Evaluation.count().where(Evaluation.item_id == done["id"]) == 1
    # The database itself refuses a second row for the item, whatever the code does.
    row = await Evaluation.select().where(Evaluation.item_id == done["id"]).first()
    duplicate = {**row, "id": timeutil.uuid7()}
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await Evaluation.insert(Evaluation(**duplicate))


async def test_bad_rating_rectification_runs_on_working_days_across_national_day(app) -> None:
    done = await closed_application(app)
    user = done["user"]
    # Rated on Wednesday 30 September 2026, the day before the National Day holiday (1–7 October);
    # Saturday 10 October is a make-up working day. Counting 15 working days from the day after:
    # Oct 8 (1), 9 (2), 10 Sat (3), 12 (4), 13 (5), 14 (6), 15 (7), 16 (8), 19 (9), 20 (10),
    # 21 (11), 22 (12), 23 (13), 26 (14), 27 (15) → deadline Tuesday 27 October.
    # The callback (1 working day) is due Thursday 8 October.
    with at(cst(2026, 9, 30)):
        async with as_user(app, user.token) as http:
            rated = await http.post(
                "/api/evaluations",
                json={
                    "item_kind": "application",
                    "item_id": done["id"],
                    "level": "very_dissatisfied",
                    "tags": ["多次跑动", "等待时间长"],
                    "comment": "材料交了三次才受理。",
                },
            )
    assert rated.status_code == 201, rated.text
    fix = rated.json()["rectification"]
    assert fix["opened_on"] == "2026-09-30"
    assert fix["callback_due"] == "2026-10-08"
    assert fix["deadline"] == "2026-10-27"
    assert fix["status"] == "open"
    evaluation_id = rated.json()["id"]
    async with as_user(app, await clerk_token("gz-window")) as other:
        assert (
            await other.post(
                f"/api/backoffice/rectifications/{fix['id']}/callback", json={"reached": True, "note": "x"}
            )
        ).status_code == 404
    async with as_user(app, await clerk_token("nc-window")) as desk:
        listed = (await desk.get("/api/backoffice/rectifications", params={"status": "open"})).json()
        assert fix["id"] in [r["id"] for r in listed]
        too_soon = await desk.post(f"/api/backoffice/rectifications/{fix['id']}/resolve", json={"result": "已改进"})
        assert too_soon.status_code == 409 and too_soon.json()["code"] == "callback_required"
        with at(cst(2026, 10, 8)):
            called = await desk.post(
                f"/api/backoffice/rectifications/{fix['id']}/callback",
                json={"reached": True, "note": "已电话联系申请人，了解到窗口未一次性告知。"},
            )
            assert called.status_code == 200 and called.json()["callback_reached"] is True
        with at(cst(2026, 10, 27, 16)):
            resolved = await desk.post(
                f"/api/backoffice/rectifications/{fix['id']}/resolve",
                json={"result": "已对窗口人员开展一次性告知培训，并向申请人致歉。"},
            )
        assert resolved.status_code == 200, resolved.text
        assert resolved.json()["status"] == "resolved" and resolved.json()["on_time"] is True
        twice = await desk.post(f"/api/backoffice/rectifications/{fix['id']}/resolve", json={"result": "again"})
        assert twice.status_code == 409
    told = await InboxItem.select(InboxItem.event).where(
        (InboxItem.recipient_key == f"person:{user.id}") & (InboxItem.event == "rectification_done")
    )
    assert len(told) == 1
    async with as_user(app, user.token) as http:
        seen = (await http.get(f"/api/evaluations/{evaluation_id}")).json()
        assert seen["rectification"]["result"].startswith("已对窗口") and seen["rectification"]["callback_note"] == ""
        rerated = await http.post(f"/api/evaluations/{evaluation_id}/rerate", json={"level": "satisfied"})
        assert rerated.status_code == 200, rerated.text
        assert rerated.json()["level"] == "very_dissatisfied" and rerated.json()["rerated_level"] == "satisfied"
        assert rerated.json()["rectification"]["status"] == "closed"
        again = await http.post(f"/api/evaluations/{evaluation_id}/rerate", json={"level": "very_satisfied"})
        assert again.status_code == 409 and again.json()["code"] == "rerate_not_open"


async def test_a_late_rectification_is_flagged(app) -> None:
    done = await closed_application(app)
    # Rated Monday 2 November 2026: 15 working days are 3–6 (4), 9–13 (9), 16–20 (14) and
    # Monday 23 November (15), the deadline.
    with at(cst(2026, 11, 2)):
        async with as_user(app, done["user"].token) as http:
            rated = await http.post(
                "/api/evaluations",
                json={"item_kind": "application", "item_id": done["id"], "level": "dissatisfied", "comment": "慢"},
            )
    fix = rated.json()["rectification"]
    assert fix["deadline"] == "2026-11-23"
    with at(cst(2026, 11, 24)):
        async with as_user(app, await clerk_token("nc-head")) as desk:
            overdue = (await desk.get("/api/backoffice/rectifications", params={"overdue": True})).json()
            assert fix["id"] in [r["id"] for r in overdue]
            await desk.post(
                f"/api/backoffice/rectifications/{fix['id']}/callback", json={"reached": False, "note": "未接通"}
            )
            late = await desk.post(f"/api/backoffice/rectifications/{fix['id']}/resolve", json={"result": "已整改"})
    assert late.json()["on_time"] is False and late.json()["resolved_on"] == "2026-11-24"


async def test_appeal_path(app) -> None:
    unfair = await closed_application(app)
    fair = await closed_application(app)
    happy = await closed_application(app)
    ids = {}
    for name, done, level in (
        ("unfair", unfair, "very_dissatisfied"),
        ("fair", fair, "dissatisfied"),
        ("happy", happy, "very_satisfied"),
    ):
        async with as_user(app, done["user"].token) as http:
            rated = await http.post(
                "/api/evaluations",
                json={"item_kind": "application", "item_id": done["id"], "level": level, "comment": "不满意原因"},
            )
            assert rated.status_code == 201, rated.text
            ids[name] = rated.json()["id"]
    async with as_user(app, await clerk_token("nc-window")) as window:
        not_head = await window.post(f"/api/backoffice/evaluations/{ids['unfair']}/appeal", json={"reason": "恶意差评"})
        assert not_head.status_code == 403
    async with as_user(app, await clerk_token("gz-reviewer")) as elsewhere:
        foreign = await elsewhere.post(f"/api/backoffice/evaluations/{ids['unfair']}/appeal", json={"reason": "x"})
        assert foreign.status_code == 404
    async with as_user(app, await clerk_token("nc-head")) as head:
        good = await head.post(f"/api/backoffice/evaluations/{ids['happy']}/appeal", json={"reason": "x"})
        assert good.status_code == 422 and good.json()["code"] == "appeal_not_allowed"
        filed = await head.post(
            f"/api/backoffice/evaluations/{ids['unfair']}/appeal",
            json={"reason": "评价内容与本次办件无关，系对其他部门的不满。"},
        )
        assert filed.status_code == 201, filed.text
        twice = await head.post(f"/api/backoffice/evaluations/{ids['unfair']}/appeal", json={"reason": "再次"})
        assert twice.status_code == 409 and twice.json()["code"] == "appeal_exists"
        second = await head.post(f"/api/backoffice/evaluations/{ids['fair']}/appeal", json={"reason": "我们认为不公"})
        assert second.status_code == 201
        refused = await head.post(f"/api/admin/appeals/{filed.json()['id']}/decide", json={"uphold": True, "note": "x"})
        assert refused.status_code == 403
    async with as_user(app, await clerk_token("admin")) as admin:
        pending = (await admin.get("/api/admin/appeals")).json()
        assert {filed.json()["id"], second.json()["id"]} <= {a["id"] for a in pending}
        upheld = await admin.post(
            f"/api/admin/appeals/{filed.json()['id']}/decide", json={"uphold": True, "note": "经核实，评价与办件无关。"}
        )
        assert upheld.status_code == 200 and upheld.json()["status"] == "upheld"
        rejected = await admin.post(
            f"/api/admin/appeals/{second.json()['id']}/decide", json={"uphold": False, "note": "评价属实，应整改。"}
        )
        assert rejected.json()["status"] == "rejected"
        again = await admin.post(f"/api/admin/appeals/{second.json()['id']}/decide", json={"uphold": True, "note": "x"})
        assert again.status_code == 409 and again.json()["code"] == "appeal_decided"
    voided = await Evaluation.select(Evaluation.status).where(Evaluation.id == ids["unfair"]).first()
    kept = await Evaluation.select(Evaluation.status).where(Evaluation.id == ids["fair"]).first()
    assert voided["status"] == "voided" and kept["status"] == "valid"
    fixes = {
        str(row["evaluation"]): row["status"]
        for row in await Rectification.select().where(Rectification.evaluation.is_in([ids["unfair"], ids["fair"]]))
    }
    assert fixes == {ids["unfair"]: "voided", ids["fair"]: "open"}


async def test_proxy_agents_rate_only_when_their_grant_allows_it(app, monkeypatch) -> None:
    done = await closed_application(app)
    agent = await account()
    caller = await caller_for(agent.token)
    owner = await caller_for(done["user"].token)
    caller.principal, caller.basis, caller.via = owner.principal, "proxy", timeutil.uuid7()
    monkeypatch.delitem(hooks.scope_checks, "proxy", raising=False)
    kwargs = {"kind": "application", "item_id": done["id"], "level": 5, "tags": [], "comment": ""}
    with pytest.raises(service.ProblemError) as missing:
        await service.rate(caller, **kwargs)
    assert missing.value.code == "evaluation_item_not_found"
    asked: list[str] = []

    async def deny(who, row, action):
        asked.append(action)
        return False

    monkeypatch.setitem(hooks.scope_checks, "proxy", deny)
    with pytest.raises(service.ProblemError) as denied:
        await service.rate(caller, **kwargs)
    assert denied.value.code == "evaluation_item_not_found" and asked == ["evaluate"]

    async def allow(who, row, action):
        return action == "evaluate" and str(row["id"]) == done["id"]

    monkeypatch.setitem(hooks.scope_checks, "proxy", allow)
    row = await service.rate(caller, **kwargs)
    assert row["basis"] == "proxy" and row["owner_key"] == owner.principal.key
    assert (await subjects.resolve("application", done["id"])).owner_key == row["owner_key"]


async def test_rating_options_are_public(client) -> None:
    options = (await client.get("/api/evaluations/options")).json()
    assert [o["label"] for o in options] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [o["good"] for o in options] == [True, True, True, False, False]
    assert [o["comment_required"] for o in options] == [False, False, False, True, True]
    stats = await client.get("/api/evaluations/stats", params={"group": "hall", "region": "nowhere"})
    assert stats.status_code == 422 and stats.json()["code"] == "region_invalid"
    assert (
        await client.get(
            "/api/evaluations/stats", params={"since": dt.date(2026, 2, 1).isoformat(), "until": "2026-01-01"}
        )
    ).status_code == 422
