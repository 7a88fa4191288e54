"""大厅帮办: a window clerk re-identifies a resident at the counter and acts for them for 30 minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from applications.tables import Application
from auth import sessions
from auth.tables import Clerk
from core import rows, timeutil
from notify.tables import InboxItem
from tests.factories import form_for, published_matter
from tests.support import account, as_user, clerk_token, pdf_bytes, register, unique_person

pytestmark = pytest.mark.anyio


async def long_clerk_token(username: str) -> str:
    """A clerk session that outlives the 30-minute session (the default clerk idle time is 15)."""
    row = await Clerk.select(Clerk.id).where(Clerk.username == username).first()
    assert row is not None
    token, _ = await sessions.create("clerk", row["id"], idle=dt.timedelta(hours=2), absolute=dt.timedelta(hours=8))
    return token


def walk_in(who: Any) -> dict[str, str]:
    person = getattr(who, "person", who)
    return {"name": person.name, "id_number": person.id_number, "phone": person.phone}


async def test_a_clerk_files_for_the_resident_at_the_counter_and_the_resident_is_told(app) -> None:
    resident = await account()
    matter = await published_matter(materials=[])
    other = await published_matter(materials=[], themes=["别的主题"])
    token = await long_clerk_token("nc-window")
    async with as_user(app, token) as desk:
        wrong = await desk.post(
            "/api/backoffice/assisted-sessions", json={"resident": {**walk_in(resident), "name": "某某某"}}
        )
        assert wrong.status_code == 422 and wrong.json()["code"] == "realname_failed"
        too_long = await desk.post(
            "/api/backoffice/assisted-sessions", json={"resident": walk_in(resident), "minutes": 45}
        )
        assert too_long.status_code == 422 and too_long.json()["field"] == "minutes"
        started = await desk.post(
            "/api/backoffice/assisted-sessions",
            json={
                "resident": walk_in(resident),
                "scope": {"groups": ["theme:准营准办"], "actions": ["view", "apply", "supplement"]},
            },
        )
        assert started.status_code == 201, started.text
        session = started.json()
        assert session["principal_name"] == resident.person.name and resident.person.id_number not in started.text
        assert 29 * 60 < session["seconds_left"] <= 30 * 60
        session_id = session["id"]

        uploaded = await desk.post(
            f"/api/backoffice/assisted-sessions/{session_id}/files",
            files={"file": ("户口簿.pdf", pdf_bytes("hukou"), "application/pdf")},
        )
        assert uploaded.status_code == 201, uploaded.text
        filed = await desk.post(
            f"/api/backoffice/assisted-sessions/{session_id}/applications",
            json={"matter_id": str(matter), "form": form_for(resident), "submit": True},
        )
        assert filed.status_code == 201, filed.text
        application_id = filed.json()["summary"]["id"]
        outside = await desk.post(
            f"/api/backoffice/assisted-sessions/{session_id}/applications",
            json={"matter_id": str(other), "form": form_for(resident), "submit": True},
        )
        assert outside.status_code == 404 and outside.json()["code"] == "matter_not_found"
        listed = await desk.get(f"/api/backoffice/assisted-sessions/{session_id}/applications")
        assert [a["id"] for a in listed.json()] == [application_id]
        shown = await desk.get(f"/api/backoffice/assisted-sessions/{session_id}/applications/{application_id}")
        assert shown.status_code == 200 and shown.json()["summary"]["applicant_name"] == resident.person.name

    row = await rows.one(Application, application_id)
    assert row is not None
    assert row["actor_kind"] == "clerk" and row["applicant_resident"] == resident.id
    assert row["basis"] == "window" and str(row["via_id"]) == session_id and row["receiving_region"] == "360100"
    told = await InboxItem.select(InboxItem.body).where(
        (InboxItem.recipient_key == f"person:{resident.id}") & (InboxItem.event == "agent_action")
    )
    assert any("南昌市场监管·窗口 黄丽" in t["body"] and "提交了" in t["body"] for t in told)
    async with as_user(app, resident.token) as http:
        mine = (await http.get("/api/applications")).json()
        assert application_id in [a["id"] for a in mine]
        actions = (await http.get("/api/proxies/actions")).json()
        assert any(a["verb"] == "提交了" and a["object_id"] == application_id for a in actions)
        reads = (await http.get("/api/me/access-log")).json()
        assert any(e["purpose"] == "大厅帮办查看办件" and e["on_behalf"] for e in reads)
        grants = (await http.get("/api/proxies/grants", params={"role": "principal"})).json()
        assert grants[0]["basis"] == "hall_assisted" and grants[0]["state"] == "active"


async def test_the_session_ends_after_thirty_minutes_or_when_the_clerk_closes_it(app) -> None:
    resident = await account()
    matter = await published_matter(materials=[])
    token = await long_clerk_token("nc-window")
    async with as_user(app, token) as desk:
        started = await desk.post("/api/backoffice/assisted-sessions", json={"resident": walk_in(resident)})
        assert started.status_code == 201, started.text
        session_id = started.json()["id"]
        filed = await desk.post(
            f"/api/backoffice/assisted-sessions/{session_id}/applications",
            json={"matter_id": str(matter), "form": form_for(resident), "submit": True},
        )
        assert filed.status_code == 201
        application_id = filed.json()["summary"]["id"]
        with timeutil.travel(dt.timedelta(minutes=31)):
            late = await desk.get(f"/api/backoffice/assisted-sessions/{session_id}/applications/{application_id}")
            missing = await desk.get(f"/api/backoffice/assisted-sessions/{session_id}/applications/{timeutil.uuid7()}")
            assert late.status_code == missing.status_code == 404 and late.json()["code"] == missing.json()["code"]
            again = await desk.post(
                f"/api/backoffice/assisted-sessions/{session_id}/applications",
                json={"matter_id": str(matter), "form": form_for(resident), "submit": True},
            )
            assert again.status_code == 404 and again.json()["code"] == "matter_not_found"
            seen = (await desk.get(f"/api/backoffice/assisted-sessions/{session_id}")).json()
            assert seen["state"] == "expired" and seen["seconds_left"] == 0

            # While one session is open, another for the same resident is refused; once it ran out, a
            # new one starts, and the clerk may also close it early.
            with timeutil.travel(dt.timedelta(minutes=-31)):
                busy = await desk.post("/api/backoffice/assisted-sessions", json={"resident": walk_in(resident)})
                assert busy.status_code == 409 and busy.json()["grant_id"] == session_id
            second = await desk.post("/api/backoffice/assisted-sessions", json={"resident": walk_in(resident)})
            assert second.status_code == 201, second.text
            closed = await desk.post(f"/api/backoffice/assisted-sessions/{second.json()['id']}/end")
            assert closed.status_code == 200 and closed.json()["state"] == "expired"
            after = await desk.get(f"/api/backoffice/assisted-sessions/{second.json()['id']}/applications")
            assert after.status_code == 200 and after.json() == []
    async with as_user(app, await clerk_token("gz-window")) as other_desk:
        foreign = await other_desk.get(f"/api/backoffice/assisted-sessions/{session_id}")
        assert foreign.status_code == 404 and foreign.json()["code"] == "assisted_session_not_found"
    async with as_user(app, await clerk_token("nc-reviewer")) as reviewer:
        not_window = await reviewer.post("/api/backoffice/assisted-sessions", json={"resident": walk_in(resident)})
        assert not_window.status_code == 403


async def test_a_walk_in_without_an_account_gets_one(app) -> None:
    newcomer = unique_person()
    await register(newcomer)
    async with as_user(app, await clerk_token("nc-window")) as desk:
        started = await desk.post("/api/backoffice/assisted-sessions", json={"resident": walk_in(newcomer)})
        assert started.status_code == 201, started.text
        assert started.json()["principal_id_number_masked"].endswith(newcomer.id_number[-4:])


async def test_answering_a_supplement_for_the_resident(app) -> None:
    resident = await account()
    matter = await published_matter(materials=[])
    async with as_user(app, resident.token) as http:
        made = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(resident), "submit": True}
        )
    application_id = made.json()["summary"]["id"]
    async with as_user(app, await clerk_token("nc-window")) as desk:
        await desk.post(f"/api/backoffice/applications/{application_id}/accept", json={})
        asked = await desk.post(
            f"/api/backoffice/applications/{application_id}/supplement-request",
            json={"items": [{"kind": "field", "code": "shop_name"}]},
        )
        assert asked.status_code == 200, asked.text
        started = await desk.post("/api/backoffice/assisted-sessions", json={"resident": walk_in(resident)})
        answered = await desk.post(
            f"/api/backoffice/assisted-sessions/{started.json()['id']}/applications/{application_id}/supplement",
            json={"form": {"shop_name": "窗口帮填的店名"}},
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["summary"]["status"] == "supplement_received"
    told = await InboxItem.select(InboxItem.body).where(
        (InboxItem.recipient_key == f"person:{resident.id}") & (InboxItem.event == "agent_action")
    )
    assert any("补正了" in t["body"] for t in told)
