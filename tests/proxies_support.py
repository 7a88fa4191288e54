"""Helpers for the proxy tests: grants through the real API, acting sessions, principals' items.

Grants are made the way residents make them: the principal offers (after a step-up, which the
helper records on the principal's session directly — the SMS step-up itself is exercised in
``test_proxies_grants``) and the agent accepts with the one-time code.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any, ClassVar

import httpx

from audit import log as audit
from auth import sessions
from catalogue.elements import Result
from core import timeutil
from tests.factories import form_for, published_matter, upload
from tests.quality_support import make_hall, make_window, slot_at
from tests.support import Account, account, as_user, clerk_token, unique_person

ALL_ACTIONS = ["view", "apply", "supplement", "receive", "evaluate", "withdraw", "present"]
CLERKS = {"360100": ("nc-window", "nc-reviewer"), "360700": ("gz-window", "gz-reviewer")}
ISSUER = audit.Actor(kind="system", label="测试发证")


async def long_token(user: Account) -> str:
    """A session that survives the clock trips of the tests (idle 10 days, absolute 30)."""
    token, _ = await sessions.create("resident", user.id, idle=dt.timedelta(days=10), absolute=dt.timedelta(days=30))
    return token


async def step_up(token: str) -> None:
    await sessions.mark_step_up(sessions.token_id(token))


def agent_ref(agent: Account) -> dict[str, Any]:
    return {"kind": "person", "name": agent.person.name, "phone": agent.person.phone}


async def offer(
    app: Any,
    principal: Account,
    agent: Account,
    *,
    groups: list[str] | None = None,
    matters: list[str] | None = None,
    actions: list[str] | None = None,
    regions: list[str] | None = None,
    basis: str = "voluntary",
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> dict[str, Any]:
    """The principal's offer; returns the response body (grant + one-time code)."""
    token = await long_token(principal)
    await step_up(token)
    scope: dict[str, Any] = {"groups": groups or [], "matters": matters or [], "actions": actions or ALL_ACTIONS}
    if regions is not None:
        scope["regions"] = regions
    body: dict[str, Any] = {"agent": agent_ref(agent), "scope": scope, "basis": basis}
    if valid_from is not None:
        body["valid_from"] = valid_from.isoformat()
    if valid_until is not None:
        body["valid_until"] = valid_until.isoformat()
    async with as_user(app, token) as http:
        response = await http.post("/api/proxies/grants", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def grant(app: Any, principal: Account, agent: Account, **scope: Any) -> dict[str, Any]:
    """An offer accepted by the agent; returns the grant view."""
    offered = await offer(app, principal, agent, **scope)
    async with as_user(app, agent.token) as http:
        accepted = await http.post(
            f"/api/proxies/grants/{offered['grant']['id']}/accept", json={"code": offered["code"]}
        )
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


async def act_for(app: Any, token: str, principal: Account) -> httpx.Response:
    async with as_user(app, token) as http:
        return await http.put("/api/session/acting", json={"kind": "person", "id": str(principal.id)})


async def acting_token(app: Any, agent: Account, principal: Account) -> str:
    token = await long_token(agent)
    switched = await act_for(app, token, principal)
    assert switched.status_code == 200, switched.text
    return token


async def grant_move(app: Any, user: Account, grant_id: str, move: str) -> dict[str, Any]:
    async with as_user(app, await long_token(user)) as http:
        response = await http.post(f"/api/proxies/grants/{grant_id}/{move}", json={})
    assert response.status_code == 200, response.text
    return response.json()


def comparable(response: httpx.Response) -> tuple[int, dict[str, Any]]:
    """A problem without what differs per request (its id and path): status and body must match."""
    body = response.json()
    assert isinstance(body, dict), response.text
    return response.status_code, {k: v for k, v in body.items() if k not in ("request_id", "instance")}


# ---- the principal's items ---------------------------------------------------------------------------
class Items:
    """Matters of two themes in two cities and the principal-side items made from them.

    ``variant`` is ``in`` (covered theme, in 南昌), ``other_matter`` (another theme, in 南昌) or ``far``
    (covered theme, in 赣州, outside the grant's region).
    """

    REGION: ClassVar[dict[str, str]] = {"in": "360100", "other_matter": "360100", "far": "360700"}

    def __init__(self, app: Any) -> None:
        self.app = app
        tag = secrets.token_hex(3)
        self.theme_in = f"代办测试甲{tag}"
        self.theme_out = f"代办测试乙{tag}"
        self._matters: dict[tuple[str, str], uuid.UUID] = {}

    async def matter(self, family: str, variant: str) -> uuid.UUID:
        key = (family, variant)
        if key not in self._matters:
            region = self.REGION[variant]
            extra: dict[str, Any] = {
                "region_code": region,
                "themes": [self.theme_out if variant == "other_matter" else self.theme_in],
            }
            if family in ("plain", "pickup"):
                extra["materials"] = []
            if family == "pickup":
                extra["result"] = Result(kind="document", name="许可证（纸质）", delivery=["pickup"])
            self._matters[key] = await published_matter(**extra)
        return self._matters[key]

    async def draft(self, owner: Account, variant: str) -> str:
        matter = await self.matter("plain", variant)
        async with as_user(self.app, owner.token) as http:
            made = await http.post(
                "/api/applications", json={"matter_id": str(matter), "form": form_for(owner), "submit": False}
            )
        assert made.status_code == 201, made.text
        return made.json()["summary"]["id"]

    async def submitted(self, owner: Account, variant: str, family: str = "plain") -> dict[str, Any]:
        matter = await self.matter(family, variant)
        async with as_user(self.app, owner.token) as http:
            body: dict[str, Any] = {"matter_id": str(matter), "form": form_for(owner), "submit": True}
            if family == "mat":
                body["materials"] = [
                    {"code": "id_copy", "file_id": await upload(http, name="id.pdf")},
                    {"code": "premises", "file_id": await upload(http, name="premises.pdf")},
                ]
            made = await http.post("/api/applications", json=body)
        assert made.status_code == 201, made.text
        return made.json()

    async def _desk(self, variant: str, role: int, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with as_user(self.app, await clerk_token(CLERKS[self.REGION[variant]][role])) as desk:
            response = await desk.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def supplement_requested(self, owner: Account, variant: str) -> str:
        app_id = (await self.submitted(owner, variant))["summary"]["id"]
        base = f"/api/backoffice/applications/{app_id}"
        await self._desk(variant, 0, f"{base}/accept", {})
        await self._desk(variant, 0, f"{base}/supplement-request", {"items": [{"kind": "field", "code": "shop_name"}]})
        return app_id

    async def decided(self, owner: Account, variant: str, family: str) -> str:
        app_id = (await self.submitted(owner, variant, family))["summary"]["id"]
        base = f"/api/backoffice/applications/{app_id}"
        await self._desk(variant, 0, f"{base}/accept", {})
        await self._desk(variant, 1, f"{base}/review", {})
        await self._desk(variant, 1, f"{base}/decide", {"decision": "approve", "basis": "依法审查"})
        await self._desk(variant, 1, f"{base}/issue-result", {})
        return app_id

    async def result_ready(self, owner: Account, variant: str) -> str:
        return await self.decided(owner, variant, "pickup")

    async def closed(self, owner: Account, variant: str) -> str:
        return await self.decided(owner, variant, "plain")

    async def evaluation(self, owner: Account, variant: str, *, rectified: bool = False) -> str:
        app_id = await self.closed(owner, variant)
        body: dict[str, Any] = {"item_kind": "application", "item_id": app_id, "level": "satisfied"}
        if rectified:
            body.update(level="dissatisfied", tags=["等待时间长"], comment="等了很久。")
        async with as_user(self.app, owner.token) as http:
            rated = await http.post("/api/evaluations", json=body)
        assert rated.status_code == 201, rated.text
        if rectified:
            fix = rated.json()["rectification"]["id"]
            async with as_user(self.app, await clerk_token(CLERKS[self.REGION[variant]][0])) as desk:
                called = await desk.post(
                    f"/api/backoffice/rectifications/{fix}/callback", json={"reached": True, "note": "已回访"}
                )
                assert called.status_code == 200, called.text
                resolved = await desk.post(f"/api/backoffice/rectifications/{fix}/resolve", json={"result": "已整改"})
                assert resolved.status_code == 200, resolved.text
        return rated.json()["id"]

    async def slot(self, variant: str, *, soon: bool = False) -> tuple[uuid.UUID, dict[str, Any]]:
        hall = await make_hall(self.REGION[variant])
        window = await make_window(hall, capacity=5)
        start = timeutil.now() + (dt.timedelta(minutes=10) if soon else dt.timedelta(days=2))
        start = start.replace(second=0, microsecond=0)
        return await slot_at(window, start), window

    async def booking(self, owner: Account, variant: str, *, soon: bool = False) -> dict[str, Any]:
        slot, window = await self.slot(variant, soon=soon)
        matter = await self.matter("plain", variant)
        async with as_user(self.app, owner.token) as http:
            booked = await http.post("/api/appointments", json={"slot_id": str(slot), "matter_id": str(matter)})
        assert booked.status_code == 201, booked.text
        later = await slot_at(window, timeutil.now().replace(second=0, microsecond=0) + dt.timedelta(days=3))
        return {"id": booked.json()["id"], "other_slot": str(later)}

    async def licence(self, owner: Account, variant: str, *, verified: bool = False) -> str:
        """An e-licence of the owner: 居民身份证 (the grant's ``licence:id_card``) in the variant's city,
        or, for ``other_matter``, a 老年人优待证 that no covered matter issues. ``verified``: a verifier
        has also checked a presentation of it, so the holder's verification log has an entry."""
        from ecert import licences

        person = owner.person
        fields = {
            "name": person.name,
            "gender": "女",
            "birth_date": person.birth.isoformat(),
            "id_number": person.id_number[:4] + "**********" + person.id_number[-4:],
            "address": "江西省南昌市东湖区测试路 1 号",
            "region": self.REGION[variant],
        }
        row = await licences.issue(
            type_code="elderly_card" if variant == "other_matter" else "id_card",
            holder_key=f"person:{owner.id}",
            holder_name=person.name,
            region_code=self.REGION[variant],
            fields=fields,
            actor=ISSUER,
            source="import",
        )
        if verified:
            async with as_user(self.app, owner.token) as http:
                made = await http.post(
                    f"/api/ecert/licences/{row['id']}/presentations", json={"purpose": "identity", "fields": ["name"]}
                )
                assert made.status_code in (200, 201), made.text
                checked = await http.post(
                    "/api/ecert/verify", json={"text": made.json()["text"], "verifier": "测试药店"}
                )
                assert checked.status_code == 200, checked.text
        return str(row["id"])

    async def ticket(self, owner: Account, variant: str) -> str:
        async with as_user(self.app, owner.token) as http:
            filed = await http.post(
                "/api/hotline/tickets",
                json={
                    "category": "suggestion",
                    "title": "建议增加老年人专用窗口",
                    "content": "大厅排队时间长，建议设置老年人优先窗口。",
                    "region_code": self.REGION[variant],
                },
            )
        assert filed.status_code == 201, filed.text
        return filed.json()["id"]


async def fresh_account() -> Account:
    """An account for a state machine: Hypothesis seeds ``random`` per example, so people would repeat
    if ``tests.support`` did not remember the ID numbers and phones it handed out."""
    return await account(unique_person())
