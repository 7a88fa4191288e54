"""12345: routing to departments, deadlines and escalation (接诉即办), replies, returns, callbacks,
ratings and the knowledge base."""

from __future__ import annotations

import secrets

import pytest

from auth import clerks
from demo.people import DEMO_PASSWORD
from evaluations.tables import Evaluation
from hotline import service as hotline
from notify.tables import InboxItem
from regions.tables import Department
from tests.quality_support import at, cst, fresh_token
from tests.support import account, as_user, clerk_token, unique_person

pytestmark = pytest.mark.anyio


async def _department(code: str, region: str) -> dict:
    row = await Department.select().where((Department.code == code) & (Department.region == region)).first()
    assert row is not None
    return row


async def _desk_clerk(code: str, region: str) -> str:
    """A window clerk of that department (the demo has none below city level)."""
    department = await _department(code, region)
    username = f"t-{code}-{region}-{secrets.token_hex(3)}"
    await clerks.create_clerk(
        username=username,
        display_name="承办人",
        password=DEMO_PASSWORD,
        department_id=department["id"],
        region_code=region,
        roles=["window"],
    )
    return await clerk_token(username)


async def _file(http, category: str, title: str, content: str, region: str) -> dict:
    response = await http.post(
        "/api/hotline/tickets", json={"category": category, "title": title, "content": content, "region_code": region}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_routing_rules_choose_the_department(app) -> None:
    user = await account(unique_person(region="360702"))
    zhanggong_scjg = await _department("scjg", "360702")
    with at(cst(2026, 11, 2)):  # a Monday
        async with as_user(app, await fresh_token(user)) as http:
            food = await _file(http, "complaint", "小吃店卫生差", "红旗大道一家餐饮店后厨脏乱。", "360702")
            business = await _file(
                http, "business_env", "办事被要求重复提交材料", "企业开办时窗口要求多次提交。", "360702"
            )
            fund = await _file(http, "request", "公积金提取到账慢", "租房提取一个月未到账。", "360702")
            street = await _file(http, "complaint", "社保卡办不下来", "在街道办事处申请社保卡没有进展。", "360702001")
            trees = await _file(http, "suggestion", "建议多种树", "小区门口太晒了。", "360702")
            problems = await http.post(
                "/api/hotline/tickets", json={"category": "complaint", "title": "", "content": "x", "region_code": "99"}
            )
    # complaint: 5 working days from Monday 2 November → Monday 9 November
    assert (food["department_id"], food["topic"], food["status"]) == (
        str(zhanggong_scjg["id"]),
        "市场监管",
        "dispatched",
    )
    assert food["due_on"] == "2026-11-09" and food["category_label"] == "投诉"
    province_zwfw = await _department("zwfw", "360000")
    assert business["department_id"] == str(province_zwfw["id"]) and business["topic"] == "营商环境"
    assert business["due_on"] == "2026-11-09"
    assert fund["department_id"] == str((await _department("gjj", "360700"))["id"])  # a city-level rule
    assert fund["due_on"] == "2026-11-05"  # request: 3 working days
    assert street["department_id"] == str((await _department("rsj", "360702"))["id"])  # township → its county
    assert trees["status"] == "pending_dispatch" and trees["department_id"] is None and trees["due_on"] is None
    assert problems.status_code == 422
    assert {e["field"] for e in problems.json()["errors"]} == {"title", "region_code"}
    async with as_user(app, await clerk_token("hotline-prov")) as agent:
        queue = (await agent.get("/api/hotline/agent/tickets", params={"status": "pending_dispatch"})).json()
        assert trees["id"] in [t["id"] for t in queue]
        greening = await _department("zjj", "360702")
        with at(cst(2026, 11, 3)):
            dispatched = await agent.post(
                f"/api/hotline/agent/tickets/{trees['id']}/dispatch",
                json={"department_id": str(greening["id"]), "note": "请住建部门研究"},
            )
        assert dispatched.status_code == 200, dispatched.text
        assert dispatched.json()["due_on"] == "2026-11-17"  # suggestion: 10 working days from Tuesday 3 November
        twice = await agent.post(
            f"/api/hotline/agent/tickets/{trees['id']}/dispatch", json={"department_id": str(greening["id"])}
        )
        assert twice.status_code == 409 and twice.json()["code"] == "ticket_state"
        reclassified = await agent.post(
            f"/api/hotline/agent/tickets/{food['id']}/classify", json={"category": "consultation"}
        )
        assert reclassified.json()["category"] == "consultation"
        assert reclassified.json()["department_id"] == str(zhanggong_scjg["id"])
    word = f"测试词{secrets.token_hex(3)}"
    async with as_user(app, await clerk_token("admin")) as admin:
        rule = await admin.post(
            "/api/admin/hotline/rules",
            json={"name": "测试规则", "topic": "交通", "department_code": "jtj", "priority": 1, "keywords": [word]},
        )
        assert rule.status_code == 201, rule.text
        bad_rule = await admin.post(
            "/api/admin/hotline/rules", json={"name": "x", "topic": "y", "department_code": "nope", "keywords": []}
        )
        assert bad_rule.status_code == 422
        listed = (await admin.get("/api/admin/hotline/rules")).json()
        assert listed[0]["priority"] <= 10 and word in [k for r in listed for k in r["keywords"]]
    async with as_user(app, user.token) as http:
        ruled = await _file(http, "complaint", f"关于{word}", "按新规则派单", "360702")
    assert ruled["department_id"] == str((await _department("jtj", "360702"))["id"]) and ruled["topic"] == "交通"


async def test_late_tickets_climb_the_escalation_ladder(app) -> None:
    user = await account(unique_person(region="360702"))
    # Dispatched Tuesday 29 September 2026; 5 working days skip National Day (1–7 October) and count
    # the make-up Saturday: 30 Sep (1), 8 Oct (2), 9 Oct (3), Sat 10 Oct (4), Mon 12 Oct (5).
    with at(cst(2026, 9, 29)):
        async with as_user(app, await fresh_token(user)) as http:
            ticket = await _file(http, "complaint", "饭店油烟扰民", "餐饮店油烟直排到居民楼。", "360702")
    assert ticket["due_on"] == "2026-10-12"
    with at(cst(2026, 10, 12, 18)):
        await hotline.escalate_overdue()
        assert (await hotline.load_any(ticket["id"]))["escalation_level"] == 0  # due today: not late yet
    with at(cst(2026, 10, 13)):
        await hotline.escalate_overdue()
        row = await hotline.load_any(ticket["id"])
        assert row["escalation_level"] == 1 and row["supervising_department"] is None  # 黄牌: 1 working day late
    city_scjg = await _department("scjg", "360700")
    with at(cst(2026, 10, 14)):
        await hotline.escalate_overdue()
        row = await hotline.load_any(ticket["id"])
        assert (
            row["escalation_level"] == 2 and row["supervising_department"] == city_scjg["id"]
        )  # 红牌: city supervises
        async with as_user(app, await clerk_token("gz-reviewer")) as supervisor:
            watched = (await supervisor.get("/api/backoffice/tickets", params={"overdue": True})).json()
            assert ticket["id"] in [t["id"] for t in watched]
            cannot_reply = await supervisor.post(f"/api/backoffice/tickets/{ticket['id']}/reply", json={"text": "x"})
            assert cannot_reply.status_code == 404
    with at(cst(2026, 10, 16)):
        await hotline.escalate_overdue()
        row = await hotline.load_any(ticket["id"])
        province = await _department("zwfw", "360000")
        assert row["escalation_level"] == 3 and row["supervising_department"] == province["id"]  # 通报
        desk = await _desk_clerk("scjg", "360702")
        async with as_user(app, desk) as http:
            replied = await http.post(
                f"/api/backoffice/tickets/{ticket['id']}/reply", json={"text": "已责令安装油烟净化器。"}
            )
        assert replied.status_code == 200, replied.text
        assert replied.json()["on_time"] is False and replied.json()["escalation_label"] == "通报"
        actions = [e["action"] for e in replied.json()["events"]]
        assert actions == ["created", "escalated", "escalated", "escalated", "replied"]
    with at(cst(2026, 10, 20)):
        await hotline.escalate_overdue()
        assert (await hotline.load_any(ticket["id"]))["escalation_level"] == 3  # answered: no further climbing


async def test_reply_return_callback_and_rating(app) -> None:
    user = await account(unique_person(region="360102"))
    async with as_user(app, user.token) as http:
        first = await _file(http, "complaint", "营业执照办理被推诿", "窗口说要先去别的部门盖章。", "360100")
        second = await _file(http, "complaint", "营业执照变更很慢", "提交一周了没有消息。", "360100")
        third = await _file(http, "complaint", "食品摊贩占道", "夜市摊贩占用人行道。", "360100")
    nanchang_scjg = await _department("scjg", "360100")
    assert first["department_id"] == str(nanchang_scjg["id"])
    async with as_user(app, await clerk_token("gz-window")) as stranger:
        assert (await stranger.get(f"/api/backoffice/tickets/{first['id']}")).status_code == 404
    async with as_user(app, await clerk_token("nc-window")) as desk:
        returned = await desk.post(
            f"/api/backoffice/tickets/{first['id']}/return", json={"reason": "属于行政审批局职责"}
        )
        assert returned.json()["status"] == "pending_dispatch" and returned.json()["department_id"] is None
    async with as_user(app, await clerk_token("hotline-nc")) as agent:
        redo = await agent.post(
            f"/api/hotline/agent/tickets/{first['id']}/dispatch", json={"department_id": str(nanchang_scjg["id"])}
        )
        assert redo.json()["status"] == "dispatched"
    async with as_user(app, await clerk_token("nc-window")) as desk:
        empty = await desk.post(f"/api/backoffice/tickets/{first['id']}/reply", json={"text": " "})
        assert empty.status_code == 422
        for ticket in (first, second, third):
            replied = await desk.post(f"/api/backoffice/tickets/{ticket['id']}/reply", json={"text": "已核实并处理。"})
            assert replied.status_code == 200 and replied.json()["on_time"] is True
    told = await InboxItem.select(InboxItem.event).where(
        (InboxItem.recipient_key == f"person:{user.id}") & (InboxItem.event == "ticket_replied")
    )
    assert len(told) == 3
    async with as_user(app, await clerk_token("hotline-nc")) as agent:
        rated = await agent.post(
            f"/api/hotline/agent/tickets/{first['id']}/callback",
            json={"reached": True, "level": "satisfied", "tags": ["办事快捷"], "note": "市民表示满意"},
        )
        assert rated.status_code == 200, rated.text
        assert rated.json()["ticket"]["status"] == "closed" and rated.json()["evaluation"]["channel"] == "callback"
        unreached = await agent.post(f"/api/hotline/agent/tickets/{third['id']}/callback", json={"reached": False})
        assert unreached.json()["ticket"]["status"] == "closed" and unreached.json()["evaluation"] is None
        too_late = await agent.post(f"/api/hotline/agent/tickets/{third['id']}/callback", json={"reached": False})
        assert too_late.status_code == 409
    async with as_user(app, user.token) as http:
        twice = await http.post(
            "/api/evaluations", json={"item_kind": "ticket", "item_id": first["id"], "level": "very_satisfied"}
        )
        assert twice.status_code == 409 and twice.json()["code"] == "already_rated"
        own = await http.post(
            "/api/evaluations",
            json={"item_kind": "ticket", "item_id": second["id"], "level": "dissatisfied", "comment": "答复敷衍"},
        )
        assert own.status_code == 201 and own.json()["rectification"]["status"] == "open"
        late_rating = await http.post(
            "/api/evaluations", json={"item_kind": "ticket", "item_id": third["id"], "level": "fair"}
        )
        assert late_rating.status_code == 201  # closed without a rating: the resident may still rate
        mine = {t["id"]: t["status"] for t in (await http.get("/api/hotline/tickets/mine")).json()}
        assert mine[second["id"]] == "closed"
    ratings = await Evaluation.select(Evaluation.department).where(
        Evaluation.item_id.is_in([first["id"], second["id"], third["id"]])
    )
    assert {row["department"] for row in ratings} == {nanchang_scjg["id"]}


async def test_knowledge_base_answers_consultations(app, client) -> None:
    top = (await client.get("/api/hotline/knowledge", params={"q": "社保卡丢了怎么补办"})).json()
    assert top[0]["title"] == "社保卡丢失怎么补办"
    assert (await client.get("/api/hotline/knowledge", params={"q": "shebaoka"})).json()[0][
        "title"
    ] == "社保卡丢失怎么补办"
    assert (await client.get("/api/hotline/knowledge", params={"q": "sbk"})).json()[0]["title"] == "社保卡丢失怎么补办"
    assert (await client.get("/api/hotline/knowledge", params={"q": "%_"})).json() == []
    assert (await client.get("/api/hotline/knowledge", params={"q": "x" * 101})).status_code == 422
    article = (await client.get(f"/api/hotline/knowledge/{top[0]['id']}")).json()
    assert "挂失" in article["answer"]
    categories = (await client.get("/api/hotline/categories")).json()
    assert {c["code"]: c["deadline_working_days"] for c in categories} == {
        "consultation": 1,
        "request": 3,
        "complaint": 5,
        "business_env": 5,
        "suggestion": 10,
    }
    user = await account()
    async with as_user(app, user.token) as http:
        asked = await _file(http, "consultation", "老人优待证", "我母亲 70 岁，怎么办老年人优待证？", "360102")
    assert asked["suggestions"] and asked["suggestions"][0]["title"] == "老年人优待证怎么办理"
    async with as_user(app, await clerk_token("hotline-nc")) as agent:
        answered = await agent.post(
            f"/api/hotline/agent/tickets/{asked['id']}/answer", json={"article_id": asked["suggestions"][0]["id"]}
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "replied" and answered.json()["on_time"] is True
        assert "60 周岁" in answered.json()["reply"]
        added = await agent.post(
            "/api/hotline/agent/knowledge",
            json={"title": "电动车上牌在哪里办", "answer": "到车管所或掌办预约。", "keywords": "电动车,上牌"},
        )
        assert added.status_code == 201
    found = (await client.get("/api/hotline/knowledge", params={"q": "电动车怎么上牌"})).json()
    assert found[0]["title"] == "电动车上牌在哪里办"


async def test_call_centre_agents_record_calls(app) -> None:
    caller = await account(unique_person(region="360102"))
    async with as_user(app, await clerk_token("hotline-nc")) as agent:
        recorded = await agent.post(
            "/api/hotline/agent/tickets",
            json={
                "category": "request",
                "title": "医保报销咨询后仍未到账",
                "content": "门诊报销两个月没到账。",
                "region_code": "360102",
                "contact_name": caller.person.name,
                "contact_phone": caller.person.phone,
            },
        )
        assert recorded.status_code == 201, recorded.text
        body = recorded.json()
        assert body["channel"] == "phone" and body["topic"] == "医疗保障"
        assert caller.person.phone not in recorded.text and body["contact_phone_masked"].endswith(
            caller.person.phone[-4:]
        )
        bad_phone = await agent.post(
            "/api/hotline/agent/tickets",
            json={
                "category": "request",
                "title": "x",
                "content": "y",
                "region_code": "360102",
                "contact_name": "张三",
                "contact_phone": "12345",
            },
        )
        assert bad_phone.status_code == 422 and bad_phone.json()["code"] == "phone_invalid"
    async with as_user(app, caller.token) as http:
        mine = (await http.get("/api/hotline/tickets/mine")).json()
        assert [t["id"] for t in mine] == [body["id"]]
        detail = await http.get(f"/api/hotline/tickets/{body['id']}")
        assert detail.status_code == 200 and detail.json()["events"][0]["action"] == "created"
    other = await account(unique_person(region="360702"))
    async with as_user(app, other.token) as http:
        assert (await http.get(f"/api/hotline/tickets/{body['id']}")).status_code == 404
        ganzhou = await _file(http, "complaint", "小吃店卫生", "餐饮后厨", "360702")
    async with as_user(app, await clerk_token("hotline-nc")) as agent:
        assert (await agent.get(f"/api/hotline/agent/tickets/{ganzhou['id']}")).status_code == 404  # another city
    async with as_user(app, await clerk_token("nc-window")) as window:
        assert (await window.get("/api/hotline/agent/tickets")).status_code == 403
