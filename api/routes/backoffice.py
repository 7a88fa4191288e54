"""The back office (后厂): worklist, claim and assign, accept, supplement, review, decide, result, intake."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import msgspec
from litestar import Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, clerk
from api.routes.applications import IdempotencyKey
from applications import access, states, views, worklist
from applications import service as apps
from applications.service import MaterialRef
from applications.tables import Application
from audit import log as audit
from auth import codes, residents
from auth.context import Caller
from auth.tables import Clerk
from catalogue import service as catalogue
from core import db, rows
from core.errors import ProblemError, field_error
from datahub import access as datahub


class Worklist(msgspec.Struct):
    items: list[views.ApplicationSummary]
    total: int


class Versioned(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    expected_version: int | None = None
    note: str = ""


class Refusal(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: str
    expected_version: int | None = None


class SupplementItem(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["material", "field"]
    code: str
    reason: str = ""


class SupplementRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    items: list[SupplementItem]
    note: str = ""
    expected_version: int | None = None


class Decision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    decision: Literal["approve", "deny"]
    basis: str = ""
    note: str = ""
    expected_version: int | None = None


class Extension(msgspec.Struct, forbid_unknown_fields=True):
    days: int
    reason: str


class Suspension(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: str
    expected_version: int | None = None


class Assignment(msgspec.Struct, forbid_unknown_fields=True):
    clerk_id: uuid.UUID


class WalkIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    id_number: str
    phone: str


class Intake(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    matter_id: uuid.UUID
    applicant: WalkIn
    form: dict[str, Any] = msgspec.field(default_factory=dict)
    materials: list[MaterialRef] = msgspec.field(default_factory=list)
    submit: bool = True


class ColleagueView(msgspec.Struct):
    id: uuid.UUID
    display_name: str
    roles: list[str]


def _desk(caller: Caller) -> Caller:
    return clerk(caller, "window", "reviewer", "head")


async def _load(caller: Caller, application_id: uuid.UUID) -> dict[str, Any]:
    return await access.load(_desk(caller), application_id)


async def _detail(caller: Caller, row: dict[str, Any]) -> views.ApplicationDetail:
    elements = await catalogue.version_elements(row["matter_version"])
    actions = states.available(row["status"], access.clerk_parties(caller), row)
    return await views.detail(row, elements, for_clerk=True, actions=actions, clerk_id=caller.account_id)


async def _fresh(application_id: uuid.UUID) -> dict[str, Any]:
    row = await rows.one(Application, application_id)
    assert row is not None
    return row


@get(
    "/applications",
    summary="My worklist",
    responses=problems.responses(401, 403),
    description=(
        "Open applications of my department whose handling or receiving region is mine, earliest due date first. "
        "`flag=near_due` (≤ 2 working days left) or `flag=overdue`."
    ),
)
async def list_work(
    caller: CallerDep,
    status: FromQuery[str | None] = None,
    flag: FromQuery[worklist.Flag | None] = None,
    assigned: FromQuery[worklist.Assigned] = "any",
    q: FromQuery[str] = "",
    limit: FromQuery[int] = 50,
    offset: FromQuery[int] = 0,
) -> Worklist:
    rows, total = await worklist.worklist(
        _desk(caller),
        status=status,
        flag=flag,
        assigned=assigned,
        q=q[:50],
        limit=max(1, min(limit, 200)),
        offset=max(0, offset),
    )
    return Worklist([views.summary(row, clerk_id=caller.account_id) for row in rows], total)


@get(
    "/applications/{application_id:uuid}",
    summary="An application with materials, history and internal notes",
    responses=problems.responses(401, 403, 404),
    description="Every opening is recorded in the applicant's access log.",
)
async def open_application(caller: CallerDep, application_id: FromPath[uuid.UUID]) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    subject_kind, subject_id = access.applicant_key(row).split(":", 1)
    await audit.append(
        "application.read",
        actor=caller.actor(),
        object_type="application",
        object_id=application_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        application_id=application_id,
        purpose="审批办理",
    )
    return await _detail(caller, row)


@post(
    "/applications/{application_id:uuid}/claim",
    status_code=200,
    summary="Take an unassigned application",
    responses=problems.responses(401, 403, 404, 409),
)
async def claim(caller: CallerDep, application_id: FromPath[uuid.UUID]) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    async with db.write_tx():
        row = await apps.set_assignee(caller, row, caller.account_id, only_if_unassigned=True)
        if row["status"] == "accepted" and caller.has_role("reviewer", "head"):
            await apps.move(
                row, "start_review", parties=access.clerk_parties(caller), actor=caller.actor(), caller=caller
            )
    return await _detail(caller, await _fresh(application_id))


@post(
    "/applications/{application_id:uuid}/assign",
    status_code=200,
    summary="Assign to a reviewer (department head)",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def assign(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Assignment]
) -> views.ApplicationDetail:
    clerk(caller, "head")
    row = await _load(caller, application_id)
    colleague = await Clerk.select().where(Clerk.id == data.clerk_id).first()
    if (
        colleague is None
        or colleague["department"] != caller.department_id
        or colleague["region_code"] != caller.region_code
        or "reviewer" not in colleague["roles"].split(",")
    ):
        raise ProblemError("assignee_invalid", field="clerk_id")
    await apps.set_assignee(caller, row, data.clerk_id, only_if_unassigned=False)
    return await _detail(caller, await _fresh(application_id))


@post(
    "/applications/{application_id:uuid}/accept",
    status_code=200,
    summary="Accept (受理): the legal clock starts",
    responses=problems.responses(401, 403, 404, 409),
)
async def accept(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Versioned]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.accept(
        row,
        caller=caller,
        actor=caller.actor(),
        parties=access.clerk_parties(caller),
        expected_version=data.expected_version,
        note=data.note,
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/refuse",
    status_code=200,
    summary="Do not accept (不予受理), with the reason",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def refuse(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Refusal]
) -> views.ApplicationDetail:
    if not data.reason.strip():
        raise ProblemError("reason_required", field="reason")
    row = await _load(caller, application_id)
    after = await apps.move(
        row,
        "refuse",
        parties=access.clerk_parties(caller),
        actor=caller.actor(),
        caller=caller,
        public_text=f"不予受理：{data.reason.strip()}",
        expected_version=data.expected_version,
        data={"reason": data.reason.strip()},
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/supplement-request",
    status_code=200,
    summary="Ask for everything missing, once (一次性告知)",
    responses=problems.responses(401, 403, 404, 409, 422),
    description="Lists every missing material or field in one notice; the legal clock stops until it is answered.",
)
async def request_supplement(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[SupplementRequest]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.request_supplement(
        caller,
        row,
        items=[msgspec.to_builtins(i) for i in data.items],
        note=data.note,
        expected_version=data.expected_version,
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/review",
    status_code=200,
    summary="Start the substantive review",
    responses=problems.responses(401, 403, 404, 409),
)
async def start_review(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Versioned]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.move(
        row,
        "start_review",
        parties=access.clerk_parties(caller),
        actor=caller.actor(),
        caller=caller,
        internal_note=data.note,
        expected_version=data.expected_version,
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/suspend",
    status_code=200,
    summary="Suspend (中止): the legal clock stops",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def suspend(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Suspension]
) -> views.ApplicationDetail:
    if not data.reason.strip():
        raise ProblemError("reason_required", field="reason")
    row = await _load(caller, application_id)
    after = await apps.move(
        row,
        "suspend",
        parties=access.clerk_parties(caller),
        actor=caller.actor(),
        caller=caller,
        public_text=f"办理中止：{data.reason.strip()}",
        expected_version=data.expected_version,
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/resume",
    status_code=200,
    summary="Resume after a suspension",
    responses=problems.responses(401, 403, 404, 409),
)
async def resume(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Versioned]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.move(
        row,
        "resume",
        parties=access.clerk_parties(caller),
        actor=caller.actor(),
        caller=caller,
        internal_note=data.note,
        expected_version=data.expected_version,
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/decide",
    status_code=200,
    summary="Approve or deny, with the legal basis",
    responses=problems.responses(401, 403, 404, 409, 422),
    description=(
        "Compare-and-set on the application's version: when two clerks decide at once exactly one wins and "
        "the other gets 409 `decision_conflict`. A denial must give its reasons and legal basis."
    ),
)
async def decide(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Decision]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.decide(
        caller,
        row,
        approve=data.decision == "approve",
        basis=data.basis,
        note=data.note,
        expected_version=data.expected_version,
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/extend",
    status_code=200,
    summary="Extend the time limit once (department head)",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def extend(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Extension]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    await apps.extend(caller, row, days=data.days, reason=data.reason)
    return await _detail(caller, await _fresh(application_id))


@post(
    "/applications/{application_id:uuid}/issue-result",
    status_code=200,
    summary="Issue the result (出件)",
    responses=problems.responses(401, 403, 404, 409),
    description="An electronic-only result is delivered and the application closed at once.",
)
async def issue_result(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Versioned]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.issue_result(
        caller, row, actor=caller.actor(), parties=access.clerk_parties(caller), expected_version=data.expected_version
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/deliver",
    status_code=200,
    summary="Record delivery (pickup or post)",
    responses=problems.responses(401, 403, 404, 409),
)
async def deliver(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Versioned]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.move(
        row,
        "deliver",
        parties=access.clerk_parties(caller),
        actor=caller.actor(),
        caller=caller,
        internal_note=data.note,
        expected_version=data.expected_version,
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/close",
    status_code=200,
    summary="Close (办结)",
    responses=problems.responses(401, 403, 404, 409),
)
async def close(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Versioned]
) -> views.ApplicationDetail:
    row = await _load(caller, application_id)
    after = await apps.move(
        row,
        "close",
        parties=access.clerk_parties(caller),
        actor=caller.actor(),
        caller=caller,
        internal_note=data.note,
        expected_version=data.expected_version,
    )
    return await _detail(caller, after)


@post(
    "/intake",
    summary="File an application for a walk-in resident (综合窗口)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description=(
        "The window clerk re-identifies the resident (name + ID number against the population register) and "
        "files for them: the clerk is recorded as the actor, the resident as the applicant. A resident "
        "without an account gets one bound to the given phone."
    ),
)
async def intake(
    caller: CallerDep, data: JSONBody[Intake], idempotency_key: IdempotencyKey = None
) -> views.ApplicationDetail:
    clerk(caller, "window")
    name = residents.checked_name(data.applicant.name, "applicant.name")
    number = residents.checked_id_number(data.applicant.id_number, "applicant.id_number")
    phone = codes.checked_phone(data.applicant.phone, "applicant.phone")
    answer = await datahub.read(
        "population",
        "person",
        number,
        actor=caller.actor(),
        purpose="综合窗口核验身份",
        subject_kind="person",
        subject_id=None,
    )
    if not answer.found or answer.record["name"] != name or answer.record["deceased"]:
        raise ProblemError("realname_failed", errors=[field_error("applicant.id_number", "realname_failed")])
    async with db.write_tx():
        person = await residents.find_by_id_number(number)
        if person is None:
            person = await residents.find_or_create_by_phone(phone)
            if person["realname_verified_at"] is not None:
                raise ProblemError("realname_taken", field="applicant.phone")
            person = await residents.bind_identity(
                person["id"], name, number, answer.record["household_region"], actor=caller.actor()
            )
        await audit.append(
            "data.read",
            actor=caller.actor(),
            object_type="source:population",
            object_id="person",
            subject_kind="person",
            subject_id=person["id"],
            purpose="综合窗口核验身份",
        )
        row = await apps.create(
            caller,
            matter_id=data.matter_id,
            form=data.form,
            materials=data.materials,
            submit=data.submit,
            applicant=person,
        )
    return await _detail(caller, await _fresh(row["id"]))


@get(
    "/colleagues",
    summary="Reviewers of my department and region (for assignment)",
    responses=problems.responses(401, 403),
)
async def colleagues(caller: CallerDep) -> list[ColleagueView]:
    _desk(caller)
    rows = (
        await Clerk.select(Clerk.id, Clerk.display_name, Clerk.roles)
        .where(
            (Clerk.department == caller.department_id)
            & (Clerk.region_code == caller.region_code)
            & (Clerk.active == True)  # noqa: E712
        )
        .order_by(Clerk.display_name)
    )
    return [ColleagueView(r["id"], r["display_name"], [x for x in r["roles"].split(",") if x]) for r in rows]


router = Router(
    path="/api/backoffice",
    route_handlers=[
        list_work,
        open_application,
        claim,
        assign,
        accept,
        refuse,
        request_supplement,
        start_review,
        suspend,
        resume,
        decide,
        extend,
        issue_result,
        deliver,
        close,
        intake,
        colleagues,
    ],
    tags=["后台 Back office"],
    security=SECURITY,
)
ROUTES = [router]
