"""The authorisation matrix: every endpoint that acts for someone, under every kind of grant.

One principal (P) authorised several agents with the same scope — matters of one theme and 12345
requests, all actions, in 南昌 (360100) — and then changed some of the grants: one starts
tomorrow, one ends in an hour, one was revoked, one suspended, one agent opted out; two agents
got only some actions. Another principal (Q) authorised the main agent too. Each agent's session
switched to acting for P while its grant was in force.

For every endpoint, each refusal must read exactly like asking for something that does not exist
(same status, same problem body apart from the request id and path); list endpoints simply leave
the item out. Then the one agent whose grant covers the item succeeds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from core import timeutil
from tests.factories import form_for
from tests.proxies_support import (
    ALL_ACTIONS,
    Items,
    acting_token,
    comparable,
    grant,
    grant_move,
    long_token,
)
from tests.support import Account, account, as_user, pdf_bytes

pytestmark = pytest.mark.anyio

REFUSALS = (
    "other_matter",
    "other_action",
    "other_region",
    "before_start",
    "after_expiry",
    "after_revocation",
    "other_principal",
    "suspended",
    "agent_opted_out",
)


@dataclasses.dataclass
class World:
    items: Items
    p: Account
    q: Account
    tokens: dict[str, str]

    def token(self, condition: str, action: str) -> str:
        if condition == "other_action":
            return self.tokens["view_only" if action != "view" else "no_view"]
        return self.tokens.get(
            {
                "before_start": "future",
                "after_expiry": "expiring",
                "after_revocation": "revoked",
                "suspended": "suspended",
                "agent_opted_out": "opted_out",
            }.get(condition, "ok")
        )


@pytest.fixture(scope="module")
async def world(app) -> World:
    items = Items(app)
    p, q = await account(), await account()
    agents = {name: await account() for name in ("ok", "view_only", "no_view", "future", "expiring")}
    agents |= {name: await account() for name in ("revoked", "suspended", "opted_out")}
    scope = {"groups": [f"theme:{items.theme_in}", "hotline", "licence:id_card"], "regions": ["360100"]}
    now = timeutil.now()
    grants: dict[str, dict[str, Any]] = {}
    for name, agent in agents.items():
        extra: dict[str, Any] = {}
        if name == "view_only":
            extra["actions"] = ["view"]
        if name == "no_view":
            extra["actions"] = [a for a in ALL_ACTIONS if a != "view"]
        if name == "future":
            extra["valid_from"] = now + dt.timedelta(days=1)
        if name == "expiring":
            extra["valid_until"] = now + dt.timedelta(hours=1)
        grants[name] = await grant(app, p, agent, **scope, **extra)
    await grant(app, q, agents["ok"], **scope)
    tokens = {}
    for name, agent in agents.items():
        if name == "future":
            with timeutil.travel(dt.timedelta(days=1, minutes=5)):
                tokens[name] = await acting_token(app, agent, p)
        else:
            tokens[name] = await acting_token(app, agent, p)
    await grant_move(app, p, grants["revoked"]["id"], "revoke")
    await grant_move(app, p, grants["suspended"]["id"], "suspend")
    await grant_move(app, agents["opted_out"], grants["opted_out"]["id"], "opt-out")
    return World(items=items, p=p, q=q, tokens=tokens)


Make = Callable[[World, Account, str], Awaitable[Any]]
Call = Callable[[httpx.AsyncClient, Any], Awaitable[httpx.Response]]
Missing = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@dataclasses.dataclass(frozen=True)
class Endpoint:
    name: str
    route: tuple[str, str]  # the operation in the OpenAPI document
    action: str
    make: Make
    call: Call
    missing: Missing | None = None
    listed: Callable[[httpx.Response, Any], bool] | None = None
    success: int = 200
    skip: frozenset[str] = frozenset()


def _random() -> str:
    return str(uuid.uuid4())


def _ids(response: httpx.Response, key: str = "id") -> list[str]:
    assert response.status_code == 200, response.text
    return [entry[key] for entry in response.json()]


async def _submitted(w: World, owner: Account, variant: str) -> str:
    return (await w.items.submitted(owner, variant))["summary"]["id"]


async def _matter_and_owner(w: World, owner: Account, variant: str) -> tuple[str, Account]:
    return str(await w.items.matter("plain", variant)), owner


async def _file_of(w: World, owner: Account, variant: str) -> str:
    return (await w.items.submitted(owner, variant, "mat"))["materials"][0]["file_id"]


async def _reusable_matter(w: World, owner: Account, variant: str) -> str:
    await w.items.submitted(owner, variant, "mat")
    return str(await w.items.matter("mat", variant))


async def _slot(w: World, owner: Account, variant: str) -> tuple[str, str]:
    slot, _ = await w.items.slot(variant)
    return str(slot), str(await w.items.matter("plain", variant))


async def _rectified(w: World, owner: Account, variant: str) -> str:
    return await w.items.evaluation(owner, variant, rectified=True)


async def _upload(http: httpx.AsyncClient, path: str) -> httpx.Response:
    return await http.post(path, files={"file": ("proof.pdf", pdf_bytes("proxy"), "application/pdf")})


def _ticket_body(region: str) -> dict[str, Any]:
    return {
        "category": "suggestion",
        "title": "代办人反映的问题",
        "content": "小区门口路灯不亮。",
        "region_code": region,
    }


NO_ITEM = frozenset({"other_matter", "other_region", "other_principal"})
NO_OTHER_PRINCIPAL = frozenset({"other_principal"})


def _present(kind: str = "") -> Call:
    async def call(http: httpx.AsyncClient, licence: str) -> httpx.Response:
        path = f"/api/ecert/licences/{licence}/presentations{kind}"
        return await http.post(path, json={"purpose": "identity", "fields": ["name"]})

    return call


async def _present_missing(http: httpx.AsyncClient, kind: str = "") -> httpx.Response:
    path = f"/api/ecert/licences/{_random()}/presentations{kind}"
    return await http.post(path, json={"purpose": "identity", "fields": ["name"]})


LICENCE_ENDPOINTS = [
    Endpoint(
        "GET licences",
        ("GET", "/api/ecert/licences"),
        "view",
        lambda w, o, v: w.items.licence(o, v),
        lambda h, i: h.get("/api/ecert/licences"),
        listed=lambda r, i: i in _ids(r),
    ),
    Endpoint(
        "GET licence",
        ("GET", "/api/ecert/licences/{licence_id}"),
        "view",
        lambda w, o, v: w.items.licence(o, v),
        lambda h, i: h.get(f"/api/ecert/licences/{i}"),
        lambda h: h.get(f"/api/ecert/licences/{_random()}"),
    ),
    Endpoint(
        "GET licence code",
        ("GET", "/api/ecert/licences/{licence_id}/code"),
        "present",
        lambda w, o, v: w.items.licence(o, v),
        lambda h, i: h.get(f"/api/ecert/licences/{i}/code"),
        lambda h: h.get(f"/api/ecert/licences/{_random()}/code"),
    ),
    Endpoint(
        "GET licence code.svg",
        ("GET", "/api/ecert/licences/{licence_id}/code.svg"),
        "present",
        lambda w, o, v: w.items.licence(o, v),
        lambda h, i: h.get(f"/api/ecert/licences/{i}/code.svg"),
        lambda h: h.get(f"/api/ecert/licences/{_random()}/code.svg"),
    ),
    Endpoint(
        "GET licence code.png",
        ("GET", "/api/ecert/licences/{licence_id}/code.png"),
        "present",
        lambda w, o, v: w.items.licence(o, v),
        lambda h, i: h.get(f"/api/ecert/licences/{i}/code.png"),
        lambda h: h.get(f"/api/ecert/licences/{_random()}/code.png"),
    ),
    Endpoint(
        "POST presentations",
        ("POST", "/api/ecert/licences/{licence_id}/presentations"),
        "present",
        lambda w, o, v: w.items.licence(o, v),
        _present(),
        lambda h: _present_missing(h),
        success=201,
    ),
    Endpoint(
        "POST offline presentations",
        ("POST", "/api/ecert/licences/{licence_id}/presentations/offline"),
        "present",
        lambda w, o, v: w.items.licence(o, v),
        _present("/offline"),
        lambda h: _present_missing(h, "/offline"),
        success=201,
    ),
    Endpoint(
        "GET verifications",
        ("GET", "/api/ecert/verifications"),
        "view",
        lambda w, o, v: w.items.licence(o, v, verified=True),
        lambda h, i: h.get("/api/ecert/verifications"),
        listed=lambda r, i: i in _ids(r, "licence_id"),
    ),
]

ENDPOINTS = [
    Endpoint(
        "GET application",
        ("GET", "/api/applications/{application_id}"),
        "view",
        _submitted,
        lambda h, i: h.get(f"/api/applications/{i}"),
        lambda h: h.get(f"/api/applications/{_random()}"),
    ),
    Endpoint(
        "GET applications",
        ("GET", "/api/applications"),
        "view",
        _submitted,
        lambda h, i: h.get("/api/applications"),
        listed=lambda r, i: i in [s["id"] for s in r.json()],
    ),
    Endpoint(
        "PATCH draft",
        ("PATCH", "/api/applications/{application_id}"),
        "apply",
        lambda w, o, v: w.items.draft(o, v),
        lambda h, i: h.patch(f"/api/applications/{i}", json={"form": {"shop_name": "代办改名"}}),
        lambda h: h.patch(f"/api/applications/{_random()}", json={"form": {"shop_name": "代办改名"}}),
    ),
    Endpoint(
        "POST submit",
        ("POST", "/api/applications/{application_id}/submit"),
        "apply",
        lambda w, o, v: w.items.draft(o, v),
        lambda h, i: h.post(f"/api/applications/{i}/submit"),
        lambda h: h.post(f"/api/applications/{_random()}/submit"),
    ),
    Endpoint(
        "POST supplement",
        ("POST", "/api/applications/{application_id}/supplement"),
        "supplement",
        lambda w, o, v: w.items.supplement_requested(o, v),
        lambda h, i: h.post(f"/api/applications/{i}/supplement", json={"form": {"shop_name": "补正后的店名"}}),
        lambda h: h.post(f"/api/applications/{_random()}/supplement", json={"form": {"shop_name": "补正后的店名"}}),
    ),
    Endpoint(
        "POST withdraw",
        ("POST", "/api/applications/{application_id}/withdraw"),
        "withdraw",
        _submitted,
        lambda h, i: h.post(f"/api/applications/{i}/withdraw", json={"reason": "不需要了"}),
        lambda h: h.post(f"/api/applications/{_random()}/withdraw", json={"reason": "不需要了"}),
    ),
    Endpoint(
        "POST receipt",
        ("POST", "/api/applications/{application_id}/receipt"),
        "receive",
        lambda w, o, v: w.items.result_ready(o, v),
        lambda h, i: h.post(f"/api/applications/{i}/receipt"),
        lambda h: h.post(f"/api/applications/{_random()}/receipt"),
    ),
    Endpoint(
        "POST applications",
        ("POST", "/api/applications"),
        "apply",
        _matter_and_owner,
        lambda h, i: h.post("/api/applications", json={"matter_id": i[0], "form": form_for(i[1]), "submit": True}),
        lambda h: h.post("/api/applications", json={"matter_id": _random(), "form": {}, "submit": True}),
        success=201,
        skip=NO_OTHER_PRINCIPAL,
    ),
    Endpoint(
        "GET file",
        ("GET", "/api/files/{file_id}"),
        "view",
        _file_of,
        lambda h, i: h.get(f"/api/files/{i}"),
        lambda h: h.get(f"/api/files/{_random()}"),
    ),
    Endpoint(
        "POST files",
        ("POST", "/api/files"),
        "apply",
        lambda w, o, v: _none(),
        lambda h, i: _upload(h, "/api/files"),
        lambda h: _upload(h, "/api/files-none"),
        success=201,
        skip=NO_ITEM,
    ),
    Endpoint(
        "GET reusable materials",
        ("GET", "/api/materials/reusable"),
        "apply",
        _reusable_matter,
        lambda h, i: h.get("/api/materials/reusable", params={"matter_id": i}),
        lambda h: h.get("/api/materials/reusable", params={"matter_id": _random()}),
        skip=NO_OTHER_PRINCIPAL,
    ),
    Endpoint(
        "POST appointments",
        ("POST", "/api/appointments"),
        "apply",
        _slot,
        lambda h, i: h.post("/api/appointments", json={"slot_id": i[0], "matter_id": i[1]}),
        lambda h: h.post("/api/appointments", json={"slot_id": _random()}),
        success=201,
        skip=NO_OTHER_PRINCIPAL,
    ),
    Endpoint(
        "GET appointment",
        ("GET", "/api/appointments/{appointment_id}"),
        "view",
        lambda w, o, v: w.items.booking(o, v),
        lambda h, i: h.get(f"/api/appointments/{i['id']}"),
        lambda h: h.get(f"/api/appointments/{_random()}"),
    ),
    Endpoint(
        "GET appointments",
        ("GET", "/api/appointments/mine"),
        "view",
        lambda w, o, v: w.items.booking(o, v),
        lambda h, i: h.get("/api/appointments/mine"),
        listed=lambda r, i: i["id"] in _ids(r),
    ),
    Endpoint(
        "POST reschedule",
        ("POST", "/api/appointments/{appointment_id}/reschedule"),
        "apply",
        lambda w, o, v: w.items.booking(o, v),
        lambda h, i: h.post(f"/api/appointments/{i['id']}/reschedule", json={"slot_id": i["other_slot"]}),
        lambda h: h.post(f"/api/appointments/{_random()}/reschedule", json={"slot_id": _random()}),
    ),
    Endpoint(
        "POST cancel",
        ("POST", "/api/appointments/{appointment_id}/cancel"),
        "apply",
        lambda w, o, v: w.items.booking(o, v),
        lambda h, i: h.post(f"/api/appointments/{i['id']}/cancel"),
        lambda h: h.post(f"/api/appointments/{_random()}/cancel"),
    ),
    Endpoint(
        "POST check-in",
        ("POST", "/api/appointments/{appointment_id}/check-in"),
        "apply",
        lambda w, o, v: w.items.booking(o, v, soon=True),
        lambda h, i: h.post(f"/api/appointments/{i['id']}/check-in"),
        lambda h: h.post(f"/api/appointments/{_random()}/check-in"),
    ),
    Endpoint(
        "POST evaluations",
        ("POST", "/api/evaluations"),
        "evaluate",
        lambda w, o, v: w.items.closed(o, v),
        lambda h, i: h.post("/api/evaluations", json={"item_kind": "application", "item_id": i, "level": "satisfied"}),
        lambda h: h.post(
            "/api/evaluations", json={"item_kind": "application", "item_id": _random(), "level": "satisfied"}
        ),
        success=201,
    ),
    Endpoint(
        "GET evaluation",
        ("GET", "/api/evaluations/{evaluation_id}"),
        "evaluate",
        lambda w, o, v: w.items.evaluation(o, v),
        lambda h, i: h.get(f"/api/evaluations/{i}"),
        lambda h: h.get(f"/api/evaluations/{_random()}"),
    ),
    Endpoint(
        "GET evaluations",
        ("GET", "/api/evaluations/mine"),
        "evaluate",
        lambda w, o, v: w.items.evaluation(o, v),
        lambda h, i: h.get("/api/evaluations/mine"),
        listed=lambda r, i: i in _ids(r),
    ),
    Endpoint(
        "POST rerate",
        ("POST", "/api/evaluations/{evaluation_id}/rerate"),
        "evaluate",
        _rectified,
        lambda h, i: h.post(f"/api/evaluations/{i}/rerate", json={"level": "satisfied"}),
        lambda h: h.post(f"/api/evaluations/{_random()}/rerate", json={"level": "satisfied"}),
    ),
    Endpoint(
        "POST hotline tickets",
        ("POST", "/api/hotline/tickets"),
        "apply",
        lambda w, o, v: _value(Items.REGION[v]),
        lambda h, i: h.post("/api/hotline/tickets", json=_ticket_body(i)),
        lambda h: h.post("/api/hotline/tickets-none", json=_ticket_body("360100")),
        success=201,
        skip=frozenset({"other_matter", "other_principal"}),
    ),
    Endpoint(
        "GET hotline ticket",
        ("GET", "/api/hotline/tickets/{ticket_id}"),
        "view",
        lambda w, o, v: w.items.ticket(o, v),
        lambda h, i: h.get(f"/api/hotline/tickets/{i}"),
        lambda h: h.get(f"/api/hotline/tickets/{_random()}"),
        skip=frozenset({"other_matter"}),
    ),
    Endpoint(
        "GET hotline tickets",
        ("GET", "/api/hotline/tickets/mine"),
        "view",
        lambda w, o, v: w.items.ticket(o, v),
        lambda h, i: h.get("/api/hotline/tickets/mine"),
        listed=lambda r, i: i in _ids(r),
        skip=frozenset({"other_matter"}),
    ),
    *LICENCE_ENDPOINTS,
]


async def _none() -> None:
    return None


async def _value(value: Any) -> Any:
    return value


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
async def test_every_refusal_reads_like_not_found(app, world: World, endpoint: Endpoint) -> None:
    made: dict[tuple[str, str], Any] = {}

    async def item(owner: Account, variant: str) -> Any:
        key = (str(owner.id), variant)
        if key not in made:
            made[key] = await endpoint.make(world, owner, variant)
        return made[key]

    for condition in REFUSALS:
        if condition in endpoint.skip:
            continue
        owner = world.q if condition == "other_principal" else world.p
        variant = {"other_matter": "other_matter", "other_region": "far"}.get(condition, "in")
        target = await item(owner, variant)
        shift = dt.timedelta(hours=2) if condition == "after_expiry" else dt.timedelta(0)
        with timeutil.travel(shift):
            async with as_user(app, world.token(condition, endpoint.action)) as http:
                got = await endpoint.call(http, target)
                assert got.headers.get("x-acting-for") == f"person:{world.p.id}", condition
                if endpoint.listed is not None:
                    assert got.status_code == 200, (condition, got.text)
                    assert not endpoint.listed(got, target), f"{endpoint.name} listed the item: {condition}"
                else:
                    assert endpoint.missing is not None
                    expected = await endpoint.missing(http)
                    assert expected.status_code in (404, 422), expected.text
                    assert comparable(got) == comparable(expected), f"{endpoint.name}: {condition}"

    target = await item(world.p, "in")
    async with as_user(app, world.tokens["ok"]) as http:
        got = await endpoint.call(http, target)
    assert got.status_code == endpoint.success, f"{endpoint.name} in scope: {got.text}"
    assert got.headers["x-acting-for"] == f"person:{world.p.id}"
    assert got.headers["x-acting-basis"] == "proxy"
    if endpoint.listed is not None:
        assert endpoint.listed(got, target), f"{endpoint.name} did not list the item in scope"


async def test_switching_to_a_principal_needs_a_grant_in_force(app, world: World) -> None:
    """The acting switch itself answers 404 for every grant that is not in force."""
    stranger = await account()
    async with as_user(app, await long_token(stranger)) as http:
        missing = await http.put("/api/session/acting", json={"kind": "person", "id": str(uuid.uuid4())})
        assert missing.status_code == 404
        not_granted = await http.put("/api/session/acting", json={"kind": "person", "id": str(world.p.id)})
        assert comparable(not_granted) == comparable(missing)
