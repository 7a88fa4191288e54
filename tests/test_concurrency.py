"""Concurrent writers: nothing refused, nothing lost, and decisions exclusive on both engines."""

from __future__ import annotations

import asyncio

import httpx
import msgspec
import pyotp
import pytest

from applications.tables import Application
from demo.people import CLERKS, DEMO_PASSWORD, person
from devtools.liveserver import live_server
from tests.factories import elements, form_for, published_matter, upload
from tests.support import account, as_user, clerk_token, demo_resident_token

pytestmark = pytest.mark.anyio


async def test_fifty_concurrent_submissions_in_process(app) -> None:
    matter = await published_matter(materials=[])
    users = [await account() for _ in range(50)]

    async def submit(user) -> httpx.Response:
        async with as_user(app, user.token) as http:
            return await http.post(
                "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
            )

    responses = await asyncio.gather(*(submit(user) for user in users))
    assert [r.status_code for r in responses] == [201] * 50, [r.text for r in responses if r.status_code != 201]
    assert await Application.count().where(Application.matter == matter) == 50


async def test_two_clerks_deciding_at_once_exactly_one_wins(app) -> None:
    matter = await published_matter(materials=[])
    head, reviewer = await clerk_token("nc-head"), await clerk_token("nc-reviewer")
    for _ in range(5):
        user = await account()
        async with as_user(app, user.token) as http:
            created = await http.post(
                "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
            )
        app_id = created.json()["summary"]["id"]
        async with as_user(app, await clerk_token("nc-window")) as desk:
            await desk.post(f"/api/backoffice/applications/{app_id}/accept", json={})
        async with as_user(app, head) as one, as_user(app, reviewer) as two:
            version = (await one.post(f"/api/backoffice/applications/{app_id}/review", json={})).json()["summary"][
                "version"
            ]
            answers = await asyncio.gather(
                one.post(
                    f"/api/backoffice/applications/{app_id}/decide",
                    json={"decision": "approve", "basis": "依法审查", "expected_version": version},
                ),
                two.post(
                    f"/api/backoffice/applications/{app_id}/decide",
                    json={"decision": "deny", "basis": "材料不实", "expected_version": version},
                ),
            )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert loser.json()["code"] in ("decision_conflict", "transition_not_allowed")
        row = await Application.select(Application.status, Application.decision).where(Application.id == app_id).first()
        winner = next(a for a in answers if a.status_code == 200).json()
        assert row["status"] == winner["summary"]["status"] in ("approved", "denied")
        events = [e for e in winner["events"] if e["action"] in ("approve", "deny")]
        assert len(events) == 1


def _totp(username: str) -> str:
    return pyotp.TOTP(next(c.totp_secret for c in CLERKS if c.username == username)).now()


@pytest.mark.db
@pytest.mark.slow
def test_fifty_concurrent_submissions_to_a_two_worker_server() -> None:
    """Two processes write one database: no "database is locked", no lost submission."""
    applicant = person("resident")
    with live_server(workers=2) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        login = http.post(
            "/api/auth/clerk-login",
            json={"username": "admin", "password": DEMO_PASSWORD, "totp": _totp("admin"), "client": "api"},
        )
        assert login.status_code == 200, login.text
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        spec = msgspec.to_builtins(elements(materials=[]))
        created = http.post("/api/admin/matters", json={"elements": spec, "publish": True}, headers=admin)
        assert created.status_code == 201, created.text
        matter_id = created.json()["id"]
        assert http.post("/api/auth/sms-code", json={"phone": applicant.phone}).status_code == 202
        text = http.get("/api/dev/sms", params={"phone": applicant.phone}).json()[0]["text"]
        code = next(text[i : i + 6] for i in range(len(text)) if text[i : i + 6].isdigit())
        login = http.post("/api/auth/login", json={"phone": applicant.phone, "code": code, "client": "api"})
        resident = {"Authorization": f"Bearer {login.json()['token']}"}
        body = {"matter_id": matter_id, "submit": True, "form": form_for(applicant)}

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=server.url, timeout=60, headers=resident) as client:
                return await asyncio.gather(*(client.post("/api/applications", json=body) for _ in range(50)))

        responses = asyncio.run(burst())
        assert [r.status_code for r in responses] == [201] * 50, {r.text[:200] for r in responses}
        mine = http.get("/api/applications", params={"limit": 100}, headers=resident).json()
        assert len([a for a in mine if a["matter_id"] == matter_id]) == 50
        assert len({r.json()["summary"]["number"] for r in responses}) == 50
        log = server.log.read_text()
        assert "database is locked" not in log and "Traceback" not in log


async def test_one_person_applying_from_several_sessions_at_once(app) -> None:
    """Several sessions of one person applying at once each get their own application."""
    token = await demo_resident_token("13800000003")
    matter = await published_matter()

    async def one() -> int:
        async with as_user(app, token) as http:
            files = [await upload(http), await upload(http)]
            response = await http.post(
                "/api/applications",
                json={
                    "matter_id": str(matter),
                    "submit": True,
                    "form": form_for(person("resident")),
                    "materials": [{"code": "id_copy", "file_id": files[0]}, {"code": "premises", "file_id": files[1]}],
                },
            )
            return response.status_code

    assert await asyncio.gather(*(one() for _ in range(10))) == [201] * 10
    assert await Application.count().where(Application.matter == matter) == 10
