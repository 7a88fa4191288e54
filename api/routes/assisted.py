"""大厅帮办: a window clerk acts for a resident who is at the counter, for at most 30 minutes.

The clerk re-identifies the resident on the spot (name + ID number against the population
register, as for walk-in intake) and opens an assisted session: a proxy grant with basis
``hall_assisted`` and the clerk as agent. Inside it the clerk files applications, answers
supplement notices and reads the resident's applications — each time recorded as the actor, with
the resident as the applicant, checked against the session's scope like any proxy, and told to
the resident (``agent_action``). The session ends when the clerk closes it or after 30 minutes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from litestar import Router, get, post
from litestar.params import FromPath, JSONBody, MultipartBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, clerk
from api.routes.applications import FileInfo, IdempotencyKey, SupplementAnswer
from api.routes.backoffice import WalkIn
from api.routes.proxies import ScopeView, scope_view
from applications import files, states, views
from applications import service as apps
from applications.service import MaterialRef
from applications.tables import Application
from audit import log as audit
from auth import codes, residents
from auth.context import Caller
from auth.tables import Resident
from catalogue import service as catalogue
from core import db, errors, rows, timeutil
from core.errors import ProblemError, field_error
from datahub import access as datahub
from proxies import acting, grants, scope
from proxies import states as grant_states
from proxies.scope import GrantScope

errors.register("assisted_session_not_found", 404, "没有找到这次帮办服务。", "No such assisted session.")

DEFAULT_ACTIONS = ["view", "apply", "supplement", "receive"]


class StartSession(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    resident: WalkIn
    scope: grants.ScopeIn | None = None
    """Default: every matter, actions view / apply / supplement / receive, the resident's province."""
    minutes: int = 30


class SessionView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    state: str
    principal_name: str
    principal_id_number_masked: str
    clerk: str
    scope: ScopeView
    started_at: dt.datetime
    ends_at: dt.datetime
    seconds_left: int


class AssistedApplication(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    matter_id: uuid.UUID
    form: dict[str, Any] = msgspec.field(default_factory=dict)
    materials: list[MaterialRef] = msgspec.field(default_factory=list)
    submit: bool = True


async def _view(row: dict[str, Any]) -> SessionView:
    resident_row = await _principal(row)
    state = grants.effective_state(row)
    left = int((row["valid_until"] - timeutil.now()).total_seconds())
    return SessionView(
        id=row["id"],
        number=row["number"],
        state=state,
        principal_name=row["principal_name"],
        principal_id_number_masked=resident_row["id_number_masked"] if resident_row else "",
        clerk=row["agent_name"],
        scope=await scope_view(row),
        started_at=row["valid_from"],
        ends_at=row["valid_until"],
        seconds_left=max(0, left) if state == "active" else 0,
    )


async def _principal(row: dict[str, Any]) -> dict[str, Any] | None:
    return await Resident.select().where(Resident.id == row["principal_resident"]).first()


def _window(caller: Caller) -> Caller:
    return clerk(caller, "window")


async def _session(caller: Caller, session_id: uuid.UUID) -> dict[str, Any]:
    row = await grants.get(session_id)
    if row is None or row["basis"] != "hall_assisted" or row["agent_clerk"] != caller.account_id:
        raise ProblemError("assisted_session_not_found")
    return row


async def _acting(caller: Caller, session_id: uuid.UUID) -> tuple[Caller, dict[str, Any]]:
    row = await _session(_window(caller), session_id)
    return acting.as_agent(caller, row), row


@post(
    "",
    summary="Start an assisted session for a resident at the window (at most 30 minutes)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 409, 422),
    description=(
        "Window clerks only. Name + ID number are checked against the population register on the spot; a resident "
        "without an account gets one bound to the given phone. The session is a proxy grant (`hall_assisted`) "
        "with the clerk as agent; everything done in it is checked against its scope and told to the resident."
    ),
)
async def start(caller: CallerDep, data: JSONBody[StartSession], idempotency_key: IdempotencyKey = None) -> SessionView:
    _window(caller)
    if not 1 <= data.minutes <= 30:
        raise ProblemError(
            "validation_failed", field="minutes", zh="帮办服务最长 30 分钟。", en="A session lasts 1 to 30 minutes."
        )
    name = residents.checked_name(data.resident.name, "resident.name")
    number = residents.checked_id_number(data.resident.id_number, "resident.id_number")
    phone = codes.checked_phone(data.resident.phone, "resident.phone")
    answer = await datahub.read(
        "population",
        "person",
        number,
        actor=caller.actor(),
        purpose="大厅帮办核验身份",
        subject_kind="person",
        subject_id=None,
    )
    if not answer.found or answer.record["name"] != name or answer.record["deceased"]:
        raise ProblemError("realname_failed", errors=[field_error("resident.id_number", "realname_failed")])
    async with db.write_tx():
        person = await residents.find_by_id_number(number)
        if person is None:
            person = await residents.find_or_create_by_phone(phone)
            if person["realname_verified_at"] is not None:
                raise ProblemError("realname_taken", field="resident.phone")
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
            purpose="大厅帮办核验身份",
        )
        principal = grants.PrincipalRef("person", person["id"], person["name"], person["region_code"], person["id"])
        wanted = data.scope or grants.ScopeIn(groups=["all"], actions=DEFAULT_ACTIONS)
        checked = await grants.checked_scope(wanted, principal_region=person["region_code"], audience="person")
        now = timeutil.now()
        row = grants.new_row(
            timeutil.uuid7(),
            principal,
            agent_kind="clerk",
            agent_resident=None,
            organisation=None,
            agent_clerk=caller.account_id,
            agent_name=caller.name,
            basis="hall_assisted",
            relation="窗口帮办",
            scope=checked,
            start=now,
            end=now + min(dt.timedelta(minutes=data.minutes), grant_states.LENGTHS["hall_assisted"].maximum),
            state="active",
            initiated_by="clerk",
            pending_until=None,
            note="",
        )
        stored = await grants.insert(row, caller.actor(), "assisted_started", "窗口工作人员当面核验身份后开始帮办")
    return await _view(stored)


@get("/{session_id:uuid}", summary="An assisted session", responses=problems.responses(401, 403, 404))
async def show(caller: CallerDep, session_id: FromPath[uuid.UUID]) -> SessionView:
    return await _view(await _session(_window(caller), session_id))


@post(
    "/{session_id:uuid}/end",
    status_code=200,
    summary="End an assisted session",
    responses=problems.responses(401, 403, 404, 409),
)
async def end(caller: CallerDep, session_id: FromPath[uuid.UUID]) -> SessionView:
    row = await _session(_window(caller), session_id)
    after = await grants.move(row, "end", party="clerk", actor=caller.actor())
    return await _view(after)


@post(
    "/{session_id:uuid}/files",
    summary="Upload a material for the resident (scanned at the window)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 413, 415, 422),
    description="Multipart field `file`; the file belongs to the resident and can be attached in this session.",
)
async def upload(
    caller: CallerDep,
    session_id: FromPath[uuid.UUID],
    data: MultipartBody[dict[str, Any]],
    idempotency_key: IdempotencyKey = None,
) -> FileInfo:
    agent, row = await _acting(caller, session_id)
    grant: GrantScope = agent.scope
    if not grant.in_force() or not ({"apply", "supplement"} & grant.actions):
        raise ProblemError("assisted_session_not_found")
    upload_file = data.get("file") if isinstance(data, dict) else None
    if upload_file is None or not hasattr(upload_file, "read"):
        raise ProblemError("validation_failed", field="file", zh="请选择要上传的文件。", en="Attach a file as `file`.")
    content = await upload_file.read()
    stored = await files.store(
        content, name=upload_file.filename or "", owner_key=row["principal_key"], uploaded_by=caller.account_id
    )
    return FileInfo(
        stored["id"], stored["sha256"], stored["size"], stored["mime"], stored["original_name"], stored["created_at"]
    )


async def _applicant_detail(row: dict[str, Any]) -> views.ApplicationDetail:
    elements = await catalogue.version_elements(row["matter_version"])
    return await views.detail(
        row,
        elements,
        for_clerk=False,
        actions=states.available(row["status"], frozenset({"applicant"}), row),
        department_name=await catalogue.department_name(row["department"]),
    )


async def _may(agent: Caller, row: dict[str, Any], action: str) -> bool:
    return await scope.check(agent, row, action)


@post(
    "/{session_id:uuid}/applications",
    summary="File an application for the resident in this session",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description="Builds on walk-in intake: the clerk is the actor, the resident the applicant, the session the grant.",
)
async def file_application(
    caller: CallerDep,
    session_id: FromPath[uuid.UUID],
    data: JSONBody[AssistedApplication],
    idempotency_key: IdempotencyKey = None,
) -> views.ApplicationDetail:
    agent, row = await _acting(caller, session_id)
    person = await _principal(row)
    assert person is not None
    created = await apps.create(
        agent, matter_id=data.matter_id, form=data.form, materials=data.materials, submit=data.submit, applicant=person
    )
    fresh = await rows.one(Application, created["id"])
    assert fresh is not None
    return await _applicant_detail(fresh)


@get(
    "/{session_id:uuid}/applications",
    summary="The resident's applications this session may see",
    responses=problems.responses(401, 403, 404),
    description="Recorded in the resident's access log.",
)
async def list_applications(caller: CallerDep, session_id: FromPath[uuid.UUID]) -> list[views.ApplicationSummary]:
    agent, row = await _acting(caller, session_id)
    found = (
        await Application.select()
        .where(Application.applicant_resident == row["principal_resident"])
        .order_by(Application.created_at, ascending=False)
        .limit(100)
    )
    visible = [app for app in found if await _may(agent, app, "view")]
    if visible:
        await audit.append(
            "application.read",
            actor=agent.actor(),
            object_type="application_list",
            object_id=row["id"],
            subject_kind="person",
            subject_id=row["principal_resident"],
            purpose="大厅帮办查看办件",
        )
    return [views.summary(app) for app in visible]


async def _load(agent: Caller, application_id: uuid.UUID, action: str) -> dict[str, Any]:
    found = await rows.one(Application, application_id)
    if found is None or not await _may(agent, found, action):
        raise ProblemError("application_not_found")
    return found


@get(
    "/{session_id:uuid}/applications/{application_id:uuid}",
    summary="One of the resident's applications, as the resident sees it",
    responses=problems.responses(401, 403, 404),
)
async def show_application(
    caller: CallerDep, session_id: FromPath[uuid.UUID], application_id: FromPath[uuid.UUID]
) -> views.ApplicationDetail:
    agent, row = await _acting(caller, session_id)
    found = await _load(agent, application_id, "view")
    await audit.append(
        "application.read",
        actor=agent.actor(),
        object_type="application",
        object_id=application_id,
        subject_kind="person",
        subject_id=row["principal_resident"],
        application_id=application_id,
        purpose="大厅帮办查看办件",
    )
    return await _applicant_detail(found)


@post(
    "/{session_id:uuid}/applications/{application_id:uuid}/supplement",
    status_code=200,
    summary="Answer a supplement notice for the resident",
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def supplement(
    caller: CallerDep,
    session_id: FromPath[uuid.UUID],
    application_id: FromPath[uuid.UUID],
    data: JSONBody[SupplementAnswer],
    idempotency_key: IdempotencyKey = None,
) -> views.ApplicationDetail:
    agent, _ = await _acting(caller, session_id)
    found = await _load(agent, application_id, "supplement")
    return await _applicant_detail(await apps.supplement(agent, found, materials=data.materials, form=data.form))


router = Router(
    path="/api/backoffice/assisted-sessions",
    route_handlers=[start, show, end, upload, file_application, list_applications, show_application, supplement],
    tags=["帮代办 Proxies"],
    security=SECURITY,
)
ROUTES = [router]
