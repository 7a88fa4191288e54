"""Every resident endpoint in the OpenAPI document either honours the grant or refuses proxies.

The decisions live in ``proxies.endpoints.RESIDENT_OPERATIONS``; these tests keep it complete and
true: a new resident endpoint fails here until someone decides, every operation that honours a
grant is driven by the authorisation matrix, and every account-holder operation refuses an agent.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from proxies.endpoints import NEUTRAL, OWN, REFUSED, RESIDENT_OPERATIONS, SESSION, STAFF_PREFIXES
from tests.proxies_support import acting_token, grant
from tests.support import account, as_user
from tests.test_proxies_matrix import ENDPOINTS

pytestmark = pytest.mark.anyio

BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/auth/realname"): {"name": "张三", "id_number": "360102194803121224"},
    ("POST", "/api/auth/step-up"): {"code": "123456"},
    ("POST", "/api/enterprises"): {"credit_code": "91360113MA35LY0Q1J"},
    ("POST", "/api/enterprises/{enterprise_id}/staff"): {"name": "张三", "id_number": "360102194803121224"},
    ("PATCH", "/api/me/preferences"): {"elder_mode": True},
    ("POST", "/api/proxies/grants"): {
        "agent": {"kind": "person", "name": "张三", "phone": "13900000000"},
        "scope": {"groups": ["all"], "actions": ["view"]},
    },
    ("POST", "/api/proxies/grants/{grant_id}/accept"): {"code": "12345678"},
    ("POST", "/api/proxies/requests"): {
        "principal": {"name": "张三", "id_number": "360102194803121224"},
        "scope": {"groups": ["all"], "actions": ["view"]},
    },
}


async def _operations(client) -> set[tuple[str, str]]:
    document = (await client.get("/schema/openapi.json")).json()
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
        and op.get("security")
        and not path.startswith(STAFF_PREFIXES)
    }


async def test_every_resident_operation_has_a_decision(client) -> None:
    operations = await _operations(client)
    assert len(operations) >= 50
    undecided = sorted(operations - set(RESIDENT_OPERATIONS))
    assert not undecided, f"decide in proxies/endpoints.py what an agent may do with: {undecided}"
    stale = sorted(set(RESIDENT_OPERATIONS) - operations)
    assert not stale, f"no longer in the API: {stale}"


def test_the_matrix_drives_every_operation_that_honours_a_grant() -> None:
    honoured = {
        op: action for op, action in RESIDENT_OPERATIONS.items() if action not in (REFUSED, SESSION, NEUTRAL, OWN)
    }
    driven = {endpoint.route: endpoint.action for endpoint in ENDPOINTS}
    # 长辈版 is a list of public matters filtered by the grant: tests/test_proxies_elder.py drives it.
    assert set(honoured) - set(driven) == {("GET", "/api/elder/tasks")}
    assert {op: honoured[op] for op in driven} == driven


def _path(template: str) -> str:
    for name in ("grant_id", "enterprise_id", "staff_id"):
        template = template.replace("{" + name + "}", str(uuid.uuid4()))
    return template


async def test_account_holder_operations_refuse_agents(app) -> None:
    principal, agent = await account(), await account()
    await grant(app, principal, agent, groups=["all"])
    token = await acting_token(app, agent, principal)
    async with as_user(app, token) as http:
        for (method, template), decision in sorted(RESIDENT_OPERATIONS.items()):
            if decision != REFUSED:
                continue
            body = BODIES.get((method, template))
            response = await http.request(method, _path(template), json=body)
            assert response.status_code == 403, (method, template, response.text)
            assert response.json()["code"] == "proxy_not_allowed", (method, template)
            assert response.headers["x-acting-for"] == f"person:{principal.id}"


async def test_session_operations_say_whom_the_caller_acts_for(app) -> None:
    principal, agent = await account(), await account()
    made = await grant(app, principal, agent, groups=["all"], actions=["view"])
    token = await acting_token(app, agent, principal)
    async with as_user(app, token) as http:
        me = await http.get("/api/me")
        assert me.status_code == 200 and me.json()["id"] == str(agent.id)  # still the agent's own account
        acting = me.json()["acting"]
        assert acting == {
            "kind": "person",
            "id": str(principal.id),
            "name": principal.person.name,
            "basis": "proxy",
            "via": made["id"],
            "grant_number": made["number"],
            "grant_state": "active",
            "valid_until": acting["valid_until"],
            "actions": ["view"],
        }
        assert me.headers["x-acting-for"] == f"person:{principal.id}" and me.headers["x-acting-via"] == made["id"]
        session = (await http.get("/api/session")).json()
        assert session["me"]["acting"] == acting
        options = (await http.get("/api/proxies/principals")).json()
        assert [o["id"] for o in options] == [str(principal.id)]
        organisations = await http.get("/api/proxies/organisations", params={"region": "360100"})
        assert organisations.status_code == 200
        stopped = await http.delete("/api/session/acting")
        assert stopped.status_code == 200 and stopped.json()["acting"] is None and "x-acting-for" not in stopped.headers
        assert (await http.post("/api/auth/logout")).status_code == 200


async def test_an_agent_reads_their_own_inbox_not_the_principals(app) -> None:
    principal, agent = await account(), await account()
    await grant(app, principal, agent, groups=["all"])
    token = await acting_token(app, agent, principal)
    async with as_user(app, principal.token) as http:
        theirs = (await http.get("/api/me/inbox")).json()["items"]
    told = next(item for item in theirs if item["event"] == "proxy_granted")  # "王… can now act for you"
    async with as_user(app, token) as http:
        mine = await http.get("/api/me/inbox")
        assert mine.status_code == 200 and mine.headers["x-acting-for"] == f"person:{principal.id}"
        assert told["id"] not in [item["id"] for item in mine.json()["items"]]
        assert any(item["event"] == "proxy_offered" for item in mine.json()["items"])  # the agent's own
        peek = await http.get(f"/api/me/inbox/{told['id']}")
        assert peek.status_code == 404 and peek.json()["code"] == "inbox_item_not_found"
