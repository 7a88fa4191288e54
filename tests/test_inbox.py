"""The in-app inbox: my messages only, unread counts, paging, marking read, a company's inbox for its staff."""

from __future__ import annotations

import secrets
import uuid

import pytest

from auth.tables import Enterprise, EnterpriseStaff
from core import timeutil
from core.identifiers import make_credit_code
from notify.emit import emit
from tests.support import account, as_user, clerk_token

pytestmark = pytest.mark.anyio


async def _notify(key: str, n: int) -> list[uuid.UUID]:
    return [
        await emit(
            "application_withdrawn",
            key,
            dedupe_key=f"test-inbox:{secrets.token_hex(8)}",
            link=f"/applications/{uuid.uuid4()}",
            matter=f"测试事项{i}",
        )
        for i in range(n)
    ]


async def test_i_read_my_messages_newest_first_and_mark_them_read(app) -> None:
    me = await account()
    ids = await _notify(f"person:{me.id}", 5)
    async with as_user(app, me.token) as http:
        page = await http.get("/api/me/inbox", params={"limit": 3})
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["unread"] == 5
        assert [item["id"] for item in body["items"]] == [str(i) for i in reversed(ids[2:])]
        assert body["items"][0]["body"] == "您已撤回「测试事项4」的申请。" and body["items"][0]["read_at"] is None
        rest = (await http.get("/api/me/inbox", params={"limit": 3, "before": body["next_before"]})).json()
        assert [item["id"] for item in rest["items"]] == [str(ids[1]), str(ids[0])] and rest["next_before"] is None

        one = await http.get(f"/api/me/inbox/{ids[0]}")
        assert one.status_code == 200 and one.json()["title"] == "申请已撤回"
        read = await http.post(f"/api/me/inbox/{ids[0]}/read")
        assert read.status_code == 200 and read.json()["read_at"] is not None
        assert (await http.get("/api/me/inbox")).json()["unread"] == 4
        unread = (await http.get("/api/me/inbox", params={"unread_only": True})).json()["items"]
        assert str(ids[0]) not in {item["id"] for item in unread} and len(unread) == 4
        marked = await http.post("/api/me/inbox/read-all")
        assert marked.status_code == 200 and marked.json()["marked"] == 4
        assert (await http.get("/api/me/inbox")).json()["unread"] == 0


async def test_someone_elses_message_is_not_found(app) -> None:
    owner, other = await account(), await account()
    [item_id] = await _notify(f"person:{owner.id}", 1)
    async with as_user(app, other.token) as http:
        for response in (
            await http.get(f"/api/me/inbox/{item_id}"),
            await http.post(f"/api/me/inbox/{item_id}/read"),
            await http.get(f"/api/me/inbox/{uuid.uuid4()}"),
        ):
            assert response.status_code == 404 and response.json()["code"] == "inbox_item_not_found"
        assert str(item_id) not in (await http.get("/api/me/inbox")).text
    async with as_user(app, owner.token) as http:
        assert (await http.get(f"/api/me/inbox/{item_id}")).json()["read_at"] is None  # untouched by the other


async def test_staff_acting_for_a_company_list_its_inbox_and_still_open_their_own_messages(app) -> None:
    staff = await account()
    enterprise_id = timeutil.uuid7()
    await Enterprise.insert(
        Enterprise(
            id=enterprise_id,
            credit_code=make_credit_code("91", "360100", f"MA{secrets.randbelow(10**7):07d}"),
            name="测试收件有限公司",
            legal_rep_name="测试",
            legal_rep_id_index="x",
            region_code="360100",
        )
    )
    await EnterpriseStaff.insert(
        EnterpriseStaff(id=timeutil.uuid7(), enterprise=enterprise_id, resident=staff.id, created_at=timeutil.now())
    )
    [company_item] = await _notify(f"enterprise:{enterprise_id}", 1)
    [own_item] = await _notify(f"person:{staff.id}", 1)
    async with as_user(app, staff.token) as http:
        assert [i["id"] for i in (await http.get("/api/me/inbox")).json()["items"]] == [str(own_item)]
        acting = await http.put("/api/session/acting", json={"kind": "enterprise", "id": str(enterprise_id)})
        assert acting.status_code == 200, acting.text
        assert [i["id"] for i in (await http.get("/api/me/inbox")).json()["items"]] == [str(company_item)]
        assert (await http.get(f"/api/me/inbox/{own_item}")).status_code == 200


async def test_clerks_and_anonymous_callers_have_no_inbox(app, client) -> None:
    assert (await client.get("/api/me/inbox")).status_code == 401
    async with as_user(app, await clerk_token("nc-window")) as http:
        assert (await http.get("/api/me/inbox")).status_code == 403
