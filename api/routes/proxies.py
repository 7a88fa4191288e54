"""帮代办: proxy grants between principals and agents, what agents did, and agent organisations.

While a session acts for someone under a proxy grant, grant management is refused
(``proxy_not_allowed``): only the principal and the agent themselves manage their grants. Listing
whom one may act for stays available, so an agent can switch between principals.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from typing import Any, Literal

import msgspec
from litestar import Router, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, clerk, resident
from api.routes.applications import IdempotencyKey
from auth import residents
from auth.context import Caller
from core import settings
from core.errors import ProblemError
from proxies import acting, consent, describe, grants, organisations, states, transparency
from regions import tree as regions

log = logging.getLogger("zhangban.proxies")
EXPIRY_INTERVAL_SECONDS = 300


class MatterRef(msgspec.Struct):
    id: uuid.UUID
    name: str


class Labelled(msgspec.Struct):
    code: str
    label: str


class ScopeView(msgspec.Struct, kw_only=True):
    matters: list[MatterRef]
    groups: list[Labelled]
    actions: list[Labelled]
    regions: list[Labelled]
    text: str


class PartyView(msgspec.Struct, kw_only=True):
    kind: str
    name: str
    organisation_id: uuid.UUID | None = None


class GrantView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    state: str
    state_label: str
    basis: str
    basis_label: str
    relation: str
    my_role: Literal["principal", "agent"]
    principal: PartyView
    agent: PartyView
    scope: ScopeView
    valid_from: dt.datetime
    valid_until: dt.datetime
    pending_until: dt.datetime | None
    initiated_by: str
    created_at: dt.datetime
    ended_at: dt.datetime | None
    available: list[str]
    """Moves I can make now: accept, approve, decline, suspend, resume, revoke, opt_out, code."""


class EventView(msgspec.Struct):
    seq: int
    action: str
    from_state: str
    to_state: str
    actor: str
    note: str
    at: dt.datetime


class GrantDetail(msgspec.Struct, kw_only=True):
    grant: GrantView
    history: list[EventView]


class Offered(msgspec.Struct, kw_only=True):
    grant: GrantView
    code: str
    """The one-time code to hand to the agent (shown once; a new one can be issued)."""
    code_expires_at: dt.datetime


class CodeIssued(msgspec.Struct, kw_only=True):
    grant: GrantView
    code: str | None
    """For the principal's offer: the new hand-over code; for an agent's request: None (sent by SMS)."""
    code_expires_at: dt.datetime | None


class NewOffer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agent: consent.AgentRef
    scope: grants.ScopeIn
    basis: Literal["voluntary", "family_care"] = "voluntary"
    relation: str = ""
    enterprise_id: uuid.UUID | None = None
    """Grant as this company (legal representative only); default: as myself."""
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    note: str = ""


class NewRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    principal: consent.PrincipalQuery
    scope: grants.ScopeIn
    basis: Literal["voluntary", "family_care", "guardian"] = "voluntary"
    relation: str = ""
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    note: str = ""


class CodeAnswer(msgspec.Struct, forbid_unknown_fields=True):
    code: str


class Note(msgspec.Struct, forbid_unknown_fields=True):
    note: str = ""


class ActionView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    grant_id: uuid.UUID
    agent: str
    action: str
    verb: str
    label: str
    text: str
    object_type: str
    object_id: str
    notified: bool
    at: dt.datetime


class PrincipalOption(msgspec.Struct, kw_only=True):
    kind: str
    id: uuid.UUID
    name: str
    grant_id: uuid.UUID
    grant_number: str
    basis: str
    valid_until: dt.datetime
    actions: list[str]
    scope_text: str


class MemberView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    title: str


class OrganisationView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    kind: str
    region_code: str
    region_name: str
    address: str
    phone: str
    active: bool
    members: list[MemberView]


class NewOrganisation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str
    region_code: str
    kind: Literal["community_service_centre", "elderly_care_station", "disabled_service_station", "social_org"] = (
        "community_service_centre"
    )
    address: str = ""
    phone: str = ""


class NewMember(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str
    id_number: str
    title: str = ""


class ExpiryRun(msgspec.Struct):
    expired: int


# ---- shaping ---------------------------------------------------------------------------------------
async def scope_view(row: dict[str, Any]) -> ScopeView:
    matter_ids = [str(m) for m in grants.decode_list(row["matters"])]
    names = await describe.matter_names(matter_ids)
    tree = await regions.tree()
    return ScopeView(
        matters=[MatterRef(uuid.UUID(m), names.get(m, "")) for m in matter_ids],
        groups=[Labelled(g, describe.group_label(g)) for g in grants.decode_list(row["groups"])],
        actions=[Labelled(a, states.ACTION_LABELS[a]) for a in grants.decode_list(row["actions"])],
        regions=[Labelled(r, tree.name(r)) for r in grants.decode_list(row["regions"])],
        text=await describe.scope_text(row),
    )


def _available(row: dict[str, Any], role: str, state: str) -> list[str]:
    if state != row["state"]:  # ran out of time, not yet swept: nothing left to do
        return []
    moves = [t.action for t in states.TRANSITIONS if state in t.sources and role in t.who and t.who != {"system"}]
    moves = [m for m in moves if m not in ("expire", "end")]
    if state == "pending":
        if not (role == "principal" and row["initiated_by"] == "agent"):
            moves = [m for m in moves if m != "approve"]
        if role == row["initiated_by"]:
            moves = [m for m in moves if m != "decline"]  # one declines what the other side started
            moves.append("code")  # the offering principal re-issues; the asking agent re-sends the SMS
    return moves


async def grant_view(row: dict[str, Any], role: str) -> GrantView:
    state = grants.effective_state(row)
    organisation = None
    if row["agent_organisation"]:
        organisation = row["agent_organisation"]
    return GrantView(
        id=row["id"],
        number=row["number"],
        state=state,
        state_label=states.STATE_LABELS[state],
        basis=row["basis"],
        basis_label=states.BASIS_LABELS[row["basis"]],
        relation=row["relation"],
        my_role=role,  # type: ignore[arg-type]
        principal=PartyView(kind=row["principal_kind"], name=row["principal_name"]),
        agent=PartyView(kind=row["agent_kind"], name=row["agent_name"], organisation_id=organisation),
        scope=await scope_view(row),
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        pending_until=row["pending_until"] if state == "pending" else None,
        initiated_by=row["initiated_by"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
        available=_available(row, role, state),
    )


async def _fresh_view(grant_id: uuid.UUID, role: str) -> GrantView:
    row = await grants.get(grant_id)
    assert row is not None
    return await grant_view(row, role)


def _manager(caller: Caller) -> Caller:
    return resident(caller, proxies=False)


# ---- principal and agent -------------------------------------------------------------------------------
@post(
    "/grants",
    summary="Authorise an agent (the principal offers; returns a one-time code for the agent)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description=(
        "Needs a step-up SMS check in the last 10 minutes (`POST /api/auth/step-up`). The agent is a "
        "real-name-verified resident named by name + phone, or a member of an organisation "
        "(`kind: organisation`, see `GET /api/proxies/organisations`). Scope: matters by id and/or groups "
        "(`all`, `theme:养老`, `dept:mzj`, `hotline`, `licence:elderly_card`), actions (`view apply supplement "
        "receive evaluate withdraw present`), regions (default: the principal's province). Validity defaults to "
        "one year (voluntary) or three (family care). The grant stays pending until the agent enters the code "
        "(valid 24 hours)."
    ),
)
async def offer(caller: CallerDep, data: JSONBody[NewOffer], idempotency_key: IdempotencyKey = None) -> Offered:
    _manager(caller)
    row, code = await consent.offer(
        caller,
        enterprise_id=data.enterprise_id,
        agent=data.agent,
        basis=data.basis,
        relation=data.relation,
        scope=data.scope,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        note=data.note,
    )
    assert row["code_expires_at"] is not None
    return Offered(grant=await grant_view(row, "principal"), code=code, code_expires_at=row["code_expires_at"])


@post(
    "/requests",
    summary="Ask to act for someone (an SMS code goes to their verified phone)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422, 429),
    description=(
        "The principal is named by name + ID number (or a company by credit code; the code goes to its legal "
        "representative). They consent by reading the SMS code to the agent, who enters it with "
        "`POST /grants/{id}/accept`, or by approving in the app. `basis: guardian` is checked against the "
        "population register and is in force at once when the register names the caller as guardian."
    ),
)
async def ask(caller: CallerDep, data: JSONBody[NewRequest], idempotency_key: IdempotencyKey = None) -> GrantView:
    _manager(caller)
    row = await consent.request(
        caller,
        principal=data.principal,
        basis=data.basis,
        relation=data.relation,
        scope=data.scope,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        note=data.note,
    )
    return await grant_view(row, "agent")


@get(
    "/grants",
    summary="My grants, as principal and as agent",
    responses=problems.responses(401, 403),
    description="`role=principal` what I (or my company) authorised, `role=agent` what others authorised me.",
)
async def list_grants(
    caller: CallerDep, role: FromQuery[Literal["principal", "agent"] | None] = None
) -> list[GrantView]:
    _manager(caller)
    out: list[GrantView] = []
    if role in (None, "principal"):
        out += [await grant_view(row, "principal") for row in await grants.of_principal(caller)]
    if role in (None, "agent"):
        out += [await grant_view(row, "agent") for row in await grants.of_agent(caller)]
    return out


@get(
    "/grants/{grant_id:uuid}",
    summary="A grant with its whole history",
    responses=problems.responses(401, 403, 404),
)
async def grant_detail(caller: CallerDep, grant_id: FromPath[uuid.UUID]) -> GrantDetail:
    _manager(caller)
    row, found = await grants.load_for(caller, grant_id)
    history = [
        EventView(e["seq"], e["action"], e["from_state"], e["to_state"], e["actor_label"], e["note"], e["at"])
        for e in await grants.history(grant_id)
    ]
    return GrantDetail(grant=await grant_view(row, found.role), history=history)


@post(
    "/grants/{grant_id:uuid}/accept",
    status_code=200,
    summary="Accept a grant with the principal's code (agent)",
    responses=problems.responses(401, 403, 404, 409, 422),
    description="The code the principal handed over (their offer) or read out from their SMS (my request).",
)
async def accept(caller: CallerDep, grant_id: FromPath[uuid.UUID], data: JSONBody[CodeAnswer]) -> GrantView:
    _manager(caller)
    row = await consent.accept(caller, grant_id, data.code)
    return await grant_view(row, "agent")


def _move_handler(action: str, path: str, summary: str, description: str) -> Any:
    @post(
        f"/grants/{{grant_id:uuid}}/{path}",
        status_code=200,
        summary=summary,
        description=description,
        responses=problems.responses(401, 403, 404, 409),
        name=f"proxy-grant-{path}",
    )
    async def handler(
        caller: CallerDep, grant_id: FromPath[uuid.UUID], data: JSONBody[Note | None] = None
    ) -> GrantView:
        _manager(caller)
        row = await consent.transition(caller, grant_id, action, (data.note if data else "")[:500])
        found = await grants.party(caller, row)
        return await grant_view(row, found.role if found else "principal")

    handler.__name__ = f"grant_{action}"
    return handler


approve = _move_handler(
    "approve",
    "approve",
    "Approve an agent's request in the app (principal, after step-up)",
    "The in-app alternative to reading the SMS code to the agent.",
)
decline = _move_handler("decline", "decline", "Decline a pending grant", "Either side may decline while pending.")
suspend = _move_handler(
    "suspend", "suspend", "Suspend a grant (principal)", "From the next request on, the agent can do nothing for me."
)
resume = _move_handler("resume", "resume", "Resume a suspended grant (principal)", "Only until its end date.")
revoke = _move_handler(
    "revoke",
    "revoke",
    "Revoke a grant (principal)",
    "Takes effect on the agent's next request. Applications already submitted stay valid.",
)
opt_out = _move_handler(
    "opt_out", "opt-out", "Stop acting for this principal (agent)", "The principal is told; the grant ends."
)


@post(
    "/grants/{grant_id:uuid}/code",
    status_code=200,
    summary="Issue a new consent code for a pending grant",
    responses=problems.responses(401, 403, 404, 409, 429),
    description=(
        "The principal gets a new hand-over code for their offer (after step-up); the agent has a new SMS code "
        "sent to the principal for their request. Earlier codes stop working."
    ),
)
async def new_code(caller: CallerDep, grant_id: FromPath[uuid.UUID]) -> CodeIssued:
    _manager(caller)
    row, code = await consent.reissue_code(caller, grant_id)
    found = await grants.party(caller, row)
    return CodeIssued(
        grant=await grant_view(row, found.role if found else "agent"),
        code=code,
        code_expires_at=row["code_expires_at"] if code else None,
    )


def _action_view(row: dict[str, Any]) -> ActionView:
    return ActionView(
        id=row["id"],
        grant_id=row["grant"],
        agent=row["agent_name"],
        action=row["audit_action"],
        verb=row["verb"],
        label=row["label"],
        text=row["text"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        notified=row["notified"],
        at=row["at"],
    )


@get(
    "/actions",
    summary="What agents did on my behalf",
    responses=problems.responses(401, 403),
    description=(
        "Newest first, e.g. 您的代办人王小明为您提交了「老年人优待证办理」. Includes what agents looked at; every "
        "action that changed something was also notified (`agent_action`). While acting for a company as its "
        "legal representative: what agents did for the company."
    ),
)
async def my_actions(
    caller: CallerDep,
    grant_id: FromQuery[uuid.UUID | None] = None,
    limit: FromQuery[int] = 50,
    before: FromQuery[dt.datetime | None] = None,
) -> list[ActionView]:
    _manager(caller)
    key = f"person:{caller.account_id}"
    if caller.basis == "staff" and caller.principal is not None:
        if not await grants.is_legal_rep(caller.account_id, caller.principal.id):
            raise ProblemError("not_legal_representative")
        key = caller.principal.key
    rows = await transparency.for_principal(key, grant_id=grant_id, limit=max(1, min(limit, 200)), before=before)
    return [_action_view(row) for row in rows]


@get(
    "/grants/{grant_id:uuid}/actions",
    summary="What was done under one grant",
    responses=problems.responses(401, 403, 404),
    description="For both sides: the principal reads what the agent did, the agent what they did.",
)
async def grant_actions(
    caller: CallerDep, grant_id: FromPath[uuid.UUID], limit: FromQuery[int] = 100
) -> list[ActionView]:
    _manager(caller)
    row, _ = await grants.load_for(caller, grant_id)
    found = await transparency.for_principal(row["principal_key"], grant_id=grant_id, limit=max(1, min(limit, 200)))
    return [_action_view(r) for r in found]


@get(
    "/principals",
    summary="Whom I may act for now",
    responses=problems.responses(401, 403),
    description=(
        "Grants in force with me as agent, for the acting switcher; then `PUT /api/session/acting` with "
        '`{"kind": "person", "id": …}` (or `enterprise`). Also available while acting for someone.'
    ),
)
async def principals(caller: CallerDep) -> list[PrincipalOption]:
    resident(caller)
    options = []
    for kind in ("person", "enterprise"):
        for row in await acting.in_force_grants(caller, kind=kind):
            options.append(
                PrincipalOption(
                    kind=kind,
                    id=row["principal_resident"] if kind == "person" else row["principal_enterprise"],
                    name=row["principal_name"],
                    grant_id=row["id"],
                    grant_number=row["number"],
                    basis=row["basis"],
                    valid_until=row["valid_until"],
                    actions=grants.decode_list(row["actions"]),
                    scope_text=await describe.scope_text(row),
                )
            )
    return options


# ---- organisations ---------------------------------------------------------------------------------------
async def _organisation_view(row: dict[str, Any]) -> OrganisationView:
    tree = await regions.tree()
    return OrganisationView(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        region_code=row["region_code"],
        region_name=tree.name(row["region_code"]),
        address=row["address"],
        phone=row["phone"],
        active=row["active"],
        members=[
            MemberView(id=m["id"], name=m["resident.name"], title=m["title"])
            for m in await organisations.members(row["id"])
        ],
    )


@get(
    "/organisations",
    summary="Service organisations whose staff can act as agents",
    responses=problems.responses(401, 403),
    description="Community service centres and similar, in `region` and the regions below it (default: mine).",
)
async def list_organisations(caller: CallerDep, region: FromQuery[str | None] = None) -> list[OrganisationView]:
    resident(caller, verified=False)
    found = await organisations.in_region(region or caller.region_code)
    return [await _organisation_view(row) for row in found]


@post(
    "/proxy-organisations",
    summary="Register a service organisation (administrator)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 422),
)
async def create_organisation(
    caller: CallerDep, data: JSONBody[NewOrganisation], idempotency_key: IdempotencyKey = None
) -> OrganisationView:
    clerk(caller, "admin")
    row = await organisations.create(
        name=data.name,
        kind=data.kind,
        region_code=data.region_code,
        address=data.address,
        phone=data.phone,
        actor=caller.actor(),
    )
    return await _organisation_view(row)


@post(
    "/proxy-organisations/{organisation_id:uuid}/members",
    summary="Add a member who may act as the organisation's agent (administrator)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 422),
    description="The member is a real-name-verified resident, named by name + ID number.",
)
async def add_member(
    caller: CallerDep,
    organisation_id: FromPath[uuid.UUID],
    data: JSONBody[NewMember],
    idempotency_key: IdempotencyKey = None,
) -> OrganisationView:
    clerk(caller, "admin")
    name = residents.checked_name(data.name)
    number = residents.checked_id_number(data.id_number)
    await organisations.add_member(organisation_id, name=name, id_number=number, title=data.title, actor=caller.actor())
    row = await grants.organisation(organisation_id)
    assert row is not None
    return await _organisation_view(row)


@delete(
    "/proxy-organisations/{organisation_id:uuid}/members/{member_id:uuid}",
    summary="Remove a member (administrator); their grants for the organisation stop at once",
    status_code=200,
    responses=problems.responses(401, 403, 404),
)
async def remove_member(
    caller: CallerDep, organisation_id: FromPath[uuid.UUID], member_id: FromPath[uuid.UUID]
) -> OrganisationView:
    clerk(caller, "admin")
    await organisations.remove_member(organisation_id, member_id, actor=caller.actor())
    row = await grants.organisation(organisation_id)
    assert row is not None
    return await _organisation_view(row)


@post(
    "/proxies/expire",
    status_code=200,
    summary="Record the expiry of every grant whose time ran out (administrator)",
    responses=problems.responses(401, 403),
    description="Runs every five minutes in each worker anyway; decisions never wait for it.",
)
async def run_expiry(caller: CallerDep) -> ExpiryRun:
    clerk(caller, "admin")
    return ExpiryRun(await grants.expire_due())


# ---- the periodic expiry sweep -----------------------------------------------------------------------------
async def _loop() -> None:
    await asyncio.sleep(15)
    while True:
        try:
            count = await grants.expire_due()
            if count:
                log.info("proxies.expired", extra={"count": count})
        except Exception:  # a failed round must not stop the next
            log.exception("proxies.expiry.failed")
        await asyncio.sleep(EXPIRY_INTERVAL_SECONDS)


_task: asyncio.Task[Any] | None = None


async def on_startup(app: Any) -> None:
    global _task
    if settings.get().env != "test":
        _task = asyncio.create_task(_loop(), name="proxy-expiry")


async def on_shutdown(app: Any) -> None:
    global _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None


resident_router = Router(
    path="/api/proxies",
    route_handlers=[
        offer,
        ask,
        list_grants,
        grant_detail,
        accept,
        approve,
        decline,
        suspend,
        resume,
        revoke,
        opt_out,
        new_code,
        my_actions,
        grant_actions,
        principals,
        list_organisations,
    ],
    tags=["帮代办 Proxies"],
    security=SECURITY,
)
admin_router = Router(
    path="/api/admin",
    route_handlers=[create_organisation, add_member, remove_member, run_expiry],
    tags=["帮代办 Proxies"],
    security=SECURITY,
)
ROUTES = [resident_router, admin_router]
