"""Grants from offer or request to their end: consent, checks, states, history, notifications."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from typing import Any

import msgspec
import pytest

from core import db, pii, timeutil
from core.identifiers import make_credit_code
from datahub.tables import EnterpriseRecord, PopulationRecord
from notify.tables import InboxItem
from proxies import grants as grant_service
from tests.factories import form_for, published_matter
from tests.proxies_support import acting_token, agent_ref, comparable, grant, grant_move, long_token, offer, step_up
from tests.support import account, as_user, clerk_token, latest_code

pytestmark = pytest.mark.anyio


async def _inbox(key: str, event: str) -> list[str]:
    rows = await InboxItem.select(InboxItem.body).where((InboxItem.recipient_key == key) & (InboxItem.event == event))
    return [row["body"] for row in rows]


async def test_offering_needs_a_step_up_and_names_a_real_agent(app) -> None:
    principal, agent = await account(), await account()
    token = await long_token(principal)
    body = {"agent": agent_ref(agent), "scope": {"groups": ["all"], "actions": ["view"]}}
    async with as_user(app, token) as http:
        no_step_up = await http.post("/api/proxies/grants", json=body)
        assert no_step_up.status_code == 403 and no_step_up.json()["code"] == "step_up_required"
        await step_up(token)
        wrong_name = await http.post(
            "/api/proxies/grants", json={**body, "agent": {**agent_ref(agent), "name": "某某某"}}
        )
        assert wrong_name.status_code == 404 and wrong_name.json()["code"] == "agent_not_found"
        myself = await http.post("/api/proxies/grants", json={**body, "agent": agent_ref(principal)})
        assert myself.status_code == 422 and myself.json()["code"] == "self_grant"
        bad = await http.post(
            "/api/proxies/grants",
            json={
                "agent": agent_ref(agent),
                "scope": {"groups": ["anything"], "actions": ["fly"], "regions": ["999999"]},
                "valid_until": (timeutil.now() + dt.timedelta(days=5 * 365)).isoformat(),
            },
        )
        assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
        assert {e["field"] for e in bad.json()["errors"]} == {"scope.actions[0]", "scope.groups[0]", "scope.regions[0]"}
        too_long = await http.post(
            "/api/proxies/grants",
            json={**body, "valid_until": (timeutil.now() + dt.timedelta(days=4 * 365)).isoformat()},
        )
        assert too_long.status_code == 422 and too_long.json()["field"] == "valid_until"
        made = await http.post("/api/proxies/grants", json=body)
        assert made.status_code == 201, made.text
    grant_view = made.json()["grant"]
    length = dt.datetime.fromisoformat(grant_view["valid_until"]) - dt.datetime.fromisoformat(grant_view["valid_from"])
    assert length == dt.timedelta(days=365)  # the default length of a voluntary grant
    assert grant_view["scope"]["regions"] == [{"code": "360000", "label": "江西省"}]
    assert grant_view["available"] == ["revoke", "code"]
    assert await _inbox(f"person:{agent.id}", "proxy_offered")


async def test_the_code_works_once_for_the_named_agent_only_and_not_after_five_mistakes(app) -> None:
    principal, agent, stranger = await account(), await account(), await account()
    made = await offer(app, principal, agent, groups=["all"])
    grant_id, code = made["grant"]["id"], made["code"]
    async with as_user(app, stranger.token) as http:
        other = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": code})
        assert other.status_code == 404 and other.json()["code"] == "grant_not_found"
    async with as_user(app, await long_token(principal)) as http:
        own = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": code})
        assert own.status_code == 404  # the principal cannot accept for the agent
    async with as_user(app, agent.token) as http:
        for _ in range(5):
            wrong = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": "12345678"})
            assert wrong.status_code == 422 and wrong.json()["code"] == "grant_code_invalid"
        burnt = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": code})
        assert burnt.status_code == 422  # five wrong codes: this code is dead
    principal_token = await long_token(principal)
    await step_up(principal_token)
    async with as_user(app, principal_token) as http:
        fresh = await http.post(f"/api/proxies/grants/{grant_id}/code")
        assert fresh.status_code == 200 and fresh.json()["code"] != code
    async with as_user(app, agent.token) as http:
        old = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": code})
        assert old.status_code == 422
        ok = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": fresh.json()["code"]})
        assert ok.status_code == 200 and ok.json()["state"] == "active"
        again = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": fresh.json()["code"]})
        assert again.status_code == 409 and again.json()["code"] == "grant_state_conflict"


async def test_an_offer_lapses_after_a_day(app) -> None:
    principal, agent = await account(), await account()
    made = await offer(app, principal, agent, groups=["all"])
    with timeutil.travel(dt.timedelta(hours=25)):
        token = await long_token(agent)
        async with as_user(app, token) as http:
            late = await http.post(f"/api/proxies/grants/{made['grant']['id']}/accept", json={"code": made["code"]})
            assert late.status_code == 409 and late.json()["state"] == "expired"
            seen = (await http.get(f"/api/proxies/grants/{made['grant']['id']}")).json()
    assert seen["grant"]["state"] == "expired"
    assert [e["action"] for e in seen["history"]] == ["offered", "expire"]


async def test_the_agent_asks_and_the_principal_consents_by_sms_code_or_in_the_app(app, client) -> None:
    principal, agent = await account(), await account()
    request = {
        "principal": {"name": principal.person.name, "id_number": principal.person.id_number},
        "basis": "family_care",
        "relation": "子女",
        "scope": {"groups": ["theme:养老"], "actions": ["view", "apply"]},
    }
    async with as_user(app, agent.token) as http:
        wrong = await http.post(
            "/api/proxies/requests", json={**request, "principal": {**request["principal"], "name": "某某某"}}
        )
        assert wrong.status_code == 404 and wrong.json()["code"] == "principal_not_found"
        asked = await http.post("/api/proxies/requests", json=request)
        assert asked.status_code == 201, asked.text
        grant_id = asked.json()["id"]
        assert asked.json()["state"] == "pending" and asked.json()["available"] == ["accept", "code"]
    sms = (await client.get("/api/dev/sms", params={"phone": principal.person.phone})).json()[0]["text"]
    assert agent.person.name in sms and "养老类事项" in sms and principal.person.id_number not in sms
    code = await latest_code(client, principal.person.phone)
    assert await _inbox(f"person:{principal.id}", "proxy_requested")
    async with as_user(app, agent.token) as http:
        accepted = await http.post(f"/api/proxies/grants/{grant_id}/accept", json={"code": code})
        assert accepted.status_code == 200 and accepted.json()["state"] == "active", accepted.text
    length = dt.datetime.fromisoformat(accepted.json()["valid_until"]) - dt.datetime.fromisoformat(
        accepted.json()["valid_from"]
    )
    assert length == dt.timedelta(days=3 * 365)  # family care lasts three years by default
    granted = await _inbox(f"person:{principal.id}", "proxy_granted")
    assert any(agent.person.name in body for body in granted)

    # The in-app way: a second agent asks; the principal approves after a step-up.
    second = await account()
    async with as_user(app, second.token) as http:
        flood = await http.post("/api/proxies/requests", json={**request, "basis": "voluntary"})
        assert flood.status_code == 429 and flood.json()["code"] == "sms_too_frequent"  # one SMS a minute
    with timeutil.travel(dt.timedelta(seconds=61)):
        async with as_user(app, await long_token(second)) as http:
            asked = await http.post("/api/proxies/requests", json={**request, "basis": "voluntary"})
            assert asked.status_code == 201, asked.text
    token = await long_token(principal)
    async with as_user(app, token) as http:
        listed = (await http.get("/api/proxies/grants", params={"role": "principal"})).json()
        pending = next(g for g in listed if g["id"] == asked.json()["id"])
        assert pending["available"] == ["approve", "decline", "revoke"]
        refused = await http.post(f"/api/proxies/grants/{pending['id']}/approve", json={})
        assert refused.status_code == 403 and refused.json()["code"] == "step_up_required"
        await step_up(token)
        approved = await http.post(f"/api/proxies/grants/{pending['id']}/approve", json={})
        assert approved.status_code == 200 and approved.json()["state"] == "active"
    assert any(principal.person.name in body for body in await _inbox(f"person:{second.id}", "proxy_confirmed"))

    # A third asks; the principal declines.
    third = await account()
    with timeutil.travel(dt.timedelta(seconds=122)):
        async with as_user(app, await long_token(third)) as http:
            asked = await http.post("/api/proxies/requests", json=request)
            assert asked.status_code == 201, asked.text
        declined = await grant_move(app, principal, asked.json()["id"], "decline")
        assert declined["state"] == "declined"
    assert any("已被拒绝" in body for body in await _inbox(f"person:{third.id}", "proxy_ended"))


async def test_a_guardian_is_checked_against_the_population_register(app) -> None:
    ward, guardian, pretender = await account(), await account(), await account()
    guardian_index = pii.blind_index(guardian.person.id_number, kind="id_number")
    ward_index = pii.blind_index(ward.person.id_number, kind="id_number")
    request = {
        "principal": {"name": ward.person.name, "id_number": ward.person.id_number},
        "basis": "guardian",
        "scope": {"groups": ["all"], "actions": ["view", "apply"]},
    }
    async with as_user(app, guardian.token) as http:
        before = await http.post("/api/proxies/requests", json=request)
        assert before.status_code == 422 and before.json()["code"] == "guardian_not_registered"
    async with db.write_tx():
        await PopulationRecord.update(
            {PopulationRecord.guardians: msgspec.json.encode([guardian_index]).decode()}
        ).where(PopulationRecord.id_number_index == ward_index)
    async with as_user(app, pretender.token) as http:
        other = await http.post("/api/proxies/requests", json=request)
        assert other.status_code == 422 and other.json()["code"] == "guardian_not_registered"
    async with as_user(app, guardian.token) as http:
        made = await http.post("/api/proxies/requests", json=request)
        assert made.status_code == 201 and made.json()["state"] == "active", made.text
    assert await _inbox(f"person:{ward.id}", "proxy_granted")  # the ward is told, though no consent was asked
    token = await acting_token(app, guardian, ward)
    async with as_user(app, token) as http:
        assert (await http.get("/api/applications")).headers["x-acting-for"] == f"person:{ward.id}"
    # The register changes (the guardianship ended): switching again is refused.
    async with db.write_tx():
        await PopulationRecord.update({PopulationRecord.guardians: "[]"}).where(
            PopulationRecord.id_number_index == ward_index
        )
    async with as_user(app, await long_token(guardian)) as http:
        again = await http.put("/api/session/acting", json={"kind": "person", "id": str(ward.id)})
        assert again.status_code == 404


async def test_one_live_grant_per_pair_also_when_offered_twice_at_once(app) -> None:
    principal, agent = await account(), await account()
    token = await long_token(principal)
    await step_up(token)
    body = {"agent": agent_ref(agent), "scope": {"groups": ["all"], "actions": ["view"]}}
    async with as_user(app, token) as http:
        both = await asyncio.gather(*(http.post("/api/proxies/grants", json=body) for _ in range(4)))
    assert sorted(r.status_code for r in both) == [201, 409, 409, 409]
    conflict = next(r for r in both if r.status_code == 409).json()
    made = next(r for r in both if r.status_code == 201).json()
    assert conflict["code"] == "grant_exists" and conflict["grant_id"] == made["grant"]["id"]
    await grant_move(app, principal, made["grant"]["id"], "revoke")
    again = await offer(app, principal, agent, groups=["all"])
    assert again["grant"]["id"] != made["grant"]["id"]


async def test_a_retried_offer_answers_the_same_and_creates_nothing_new(app) -> None:
    principal, agent = await account(), await account()
    token = await long_token(principal)
    await step_up(token)
    body = {"agent": agent_ref(agent), "scope": {"groups": ["all"], "actions": ["view"]}}
    async with as_user(app, token, **{"Idempotency-Key": f"offer-{secrets.token_hex(4)}"}) as http:
        first = await http.post("/api/proxies/grants", json=body)
        second = await http.post("/api/proxies/grants", json=body)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("idempotent-replayed") == "true" and first.json() == second.json()


async def test_the_history_records_every_move_and_ended_grants_stay_ended(app) -> None:
    principal, agent = await account(), await account()
    made = await grant(app, principal, agent, groups=["all"])
    await grant_move(app, principal, made["id"], "suspend")
    await grant_move(app, principal, made["id"], "resume")
    await grant_move(app, agent, made["id"], "opt-out")
    async with as_user(app, await long_token(principal)) as http:
        for move in ("resume", "suspend", "revoke"):
            late = await http.post(f"/api/proxies/grants/{made['id']}/{move}", json={})
            assert late.status_code == 409 and late.json()["code"] == "grant_state_conflict", move
        seen = (await http.get(f"/api/proxies/grants/{made['id']}")).json()
    steps = [(e["action"], e["from_state"], e["to_state"]) for e in seen["history"]]
    assert steps == [
        ("offered", "", "pending"),
        ("accept", "pending", "active"),
        ("suspend", "active", "suspended"),
        ("resume", "suspended", "active"),
        ("opt_out", "active", "agent_opted_out"),
    ]
    assert [e["seq"] for e in seen["history"]] == sorted(e["seq"] for e in seen["history"])
    assert seen["grant"]["state"] == "agent_opted_out" and seen["grant"]["available"] == []
    assert any("代办人已退出" in body for body in await _inbox(f"person:{principal.id}", "proxy_ended"))


async def test_the_sweep_records_expiry_and_tells_both_sides(app) -> None:
    principal, agent = await account(), await account()
    made = await grant(app, principal, agent, groups=["all"], valid_until=timeutil.now() + dt.timedelta(hours=2))
    token = await acting_token(app, agent, principal)
    with timeutil.travel(dt.timedelta(hours=3)):
        assert await grant_service.expire_due() >= 1
        async with as_user(app, token) as http:
            seen = (await http.get("/api/session")).json()["me"]["acting"]
            assert seen["grant_state"] == "expired"
    row = await grant_service.get(made["id"])
    assert row is not None and row["state"] == "expired" and row["live_key"] is None
    assert any("已到期" in body for body in await _inbox(f"person:{principal.id}", "proxy_ended"))
    assert any("已到期" in body for body in await _inbox(f"person:{agent.id}", "proxy_ended"))


async def test_a_community_centre_member_acts_until_they_leave_the_centre(app) -> None:
    principal, worker = await account(), await account()
    async with as_user(app, await clerk_token("admin")) as admin:
        centre = await admin.post(
            "/api/admin/proxy-organisations",
            json={"name": "测试社区服务中心", "region_code": "360102", "phone": "0791-80000000"},
        )
        assert centre.status_code == 201, centre.text
        centre_id = centre.json()["id"]
        added = await admin.post(
            f"/api/admin/proxy-organisations/{centre_id}/members",
            json={"name": worker.person.name, "id_number": worker.person.id_number, "title": "助老员"},
        )
        assert added.status_code == 201, added.text
        member_id = added.json()["members"][0]["id"]
    async with as_user(app, principal.token) as http:
        listed = (await http.get("/api/proxies/organisations", params={"region": "360102"})).json()
        assert any(o["id"] == centre_id and o["members"][0]["name"] == worker.person.name for o in listed)
    token = await long_token(principal)
    await step_up(token)
    async with as_user(app, token) as http:
        made = await http.post(
            "/api/proxies/grants",
            json={
                "agent": {"kind": "organisation", "organisation_id": centre_id, "member_id": member_id},
                "scope": {"groups": ["all"], "actions": ["view", "apply"]},
            },
        )
        assert made.status_code == 201, made.text
    assert made.json()["grant"]["agent"]["name"] == f"测试社区服务中心 {worker.person.name}"
    async with as_user(app, worker.token) as http:
        accepted = await http.post(
            f"/api/proxies/grants/{made.json()['grant']['id']}/accept", json={"code": made.json()["code"]}
        )
        assert accepted.status_code == 200, accepted.text
    acting = await acting_token(app, worker, principal)
    matter = await published_matter(materials=[])
    async with as_user(app, acting) as http:
        applied = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(principal), "submit": True}
        )
        assert applied.status_code == 201, applied.text
    async with as_user(app, await clerk_token("admin")) as admin:
        removed = await admin.delete(f"/api/admin/proxy-organisations/{centre_id}/members/{member_id}")
        assert removed.status_code == 200 and removed.json()["members"] == []
    async with as_user(app, acting) as http:
        gone = await http.get(f"/api/applications/{applied.json()['summary']['id']}")
        assert gone.status_code == 404
        assert (await http.get("/api/session")).json()["me"]["acting"]["grant_state"] == "agent_left"


async def _enterprise_with_rep(app) -> tuple[Any, str]:
    rep = await account()
    code = make_credit_code("91", "360100", "MA" + secrets.token_hex(4).upper()[:7])
    async with db.write_tx():
        await EnterpriseRecord.insert(
            EnterpriseRecord(
                id=timeutil.uuid7(),
                credit_code=code,
                name=f"测试代办有限公司{code[-4:]}",
                kind="company",
                legal_rep_name=rep.person.name,
                legal_rep_id_index=pii.blind_index(rep.person.id_number, kind="id_number"),
                region_code="360100",
                established_on=dt.date(2020, 1, 1),
                updated_at=timeutil.now(),
            )
        )
    async with as_user(app, rep.token) as http:
        claimed = await http.post("/api/enterprises", json={"credit_code": code})
        assert claimed.status_code == 201, claimed.text
    return rep, claimed.json()["id"]


async def test_a_company_authorises_an_agent_through_its_legal_representative(app) -> None:
    rep, enterprise_id = await _enterprise_with_rep(app)
    agent, staff_like = await account(), await account()
    token = await long_token(rep)
    await step_up(token)
    async with as_user(app, token) as http:
        made = await http.post(
            "/api/proxies/grants",
            json={
                "enterprise_id": enterprise_id,
                "agent": agent_ref(agent),
                "scope": {"groups": ["theme:代办企业事项"], "actions": ["view", "apply"]},
            },
        )
        assert made.status_code == 201, made.text
    assert made.json()["grant"]["principal"]["kind"] == "enterprise"
    async with as_user(app, token) as http:
        himself = await http.post(
            "/api/proxies/grants",
            json={
                "enterprise_id": enterprise_id,
                "agent": agent_ref(rep),
                "scope": {"groups": ["all"], "actions": ["view"]},
            },
        )
        assert himself.status_code == 422 and himself.json()["code"] == "self_grant"  # he acts for it as staff
    other_token = await long_token(staff_like)
    await step_up(other_token)
    async with as_user(app, other_token) as http:
        not_rep = await http.post(
            "/api/proxies/grants",
            json={
                "enterprise_id": enterprise_id,
                "agent": agent_ref(agent),
                "scope": {"groups": ["all"], "actions": ["view"]},
            },
        )
        assert not_rep.status_code == 403 and not_rep.json()["code"] == "not_legal_representative"
    async with as_user(app, agent.token) as http:
        accepted = await http.post(
            f"/api/proxies/grants/{made.json()['grant']['id']}/accept", json={"code": made.json()["code"]}
        )
        assert accepted.status_code == 200, accepted.text
    acting = await long_token(agent)
    company_matter = await published_matter(materials=[], audience=["enterprise"], themes=["代办企业事项"])
    async with as_user(app, acting) as http:
        switched = await http.put("/api/session/acting", json={"kind": "enterprise", "id": enterprise_id})
        assert switched.status_code == 200 and switched.json()["acting"]["basis"] == "proxy", switched.text
        applied = await http.post(
            "/api/applications", json={"matter_id": str(company_matter), "form": form_for(agent), "submit": True}
        )
        assert applied.status_code == 201, applied.text
        assert applied.json()["summary"]["applicant_kind"] == "enterprise"
        assert applied.headers["x-acting-for"] == f"enterprise:{enterprise_id}"
        other = await published_matter(materials=[], audience=["enterprise"])
        refused = await http.post(
            "/api/applications", json={"matter_id": str(other), "form": form_for(agent), "submit": True}
        )
        missing = await http.post(
            "/api/applications", json={"matter_id": str(timeutil.uuid7()), "form": {}, "submit": True}
        )
        assert comparable(refused) == comparable(missing)
    # The legal representative, acting for the company, reads what the agent did for it.
    async with as_user(app, await long_token(rep)) as http:
        await http.put("/api/session/acting", json={"kind": "enterprise", "id": enterprise_id})
        actions = (await http.get("/api/proxies/actions")).json()
    assert any(a["verb"] == "提交了" and a["agent"] == agent.person.name for a in actions)
