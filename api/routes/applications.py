"""The applicant's side: upload files, draft, submit, follow, supplement, withdraw, reuse materials."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Response, Router, get, patch, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, MultipartBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, resident
from applications import access, files, hooks, states, views
from applications import service as apps
from applications.service import MaterialRef
from applications.tables import Application, ApplicationMaterial
from audit import log as audit
from auth.context import Caller
from catalogue import service as catalogue
from core import rows, timeutil
from core.errors import ProblemError

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        description=(
            "Makes this request safe to retry: the same key with the same body returns the stored answer "
            "(`Idempotent-Replayed: true`); with a different body 422; while the first is running 409."
        ),
    ),
]


class FileInfo(msgspec.Struct):
    id: uuid.UUID
    sha256: str
    size: int
    mime: str
    name: str
    created_at: dt.datetime


class Upload(msgspec.Struct):
    file: Any


class NewApplication(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    matter_id: uuid.UUID
    form: dict[str, Any] = msgspec.field(default_factory=dict)
    materials: list[MaterialRef] = msgspec.field(default_factory=list)
    submit: bool = False
    receiving_region: str | None = None


class DraftChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    form: dict[str, Any] | None = None
    materials: list[MaterialRef] = msgspec.field(default_factory=list)


class SupplementAnswer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    materials: list[MaterialRef] = msgspec.field(default_factory=list)
    form: dict[str, Any] | None = None


class Withdrawal(msgspec.Struct, forbid_unknown_fields=True):
    reason: str = ""


class ReusableMaterial(msgspec.Struct):
    id: uuid.UUID
    material_code: str
    kind: str
    file_id: uuid.UUID
    file_name: str
    added_at: dt.datetime
    application_number: str
    usable_for: list[str]


def _file_info(row: dict[str, Any]) -> FileInfo:
    return FileInfo(row["id"], row["sha256"], row["size"], row["mime"], row["original_name"], row["created_at"])


@post(
    "/files",
    summary="Upload a file (PDF, JPEG or PNG)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 413, 415, 422),
    description=(
        "Multipart field `file`. The type is read from the file's bytes, not from its name. Files are kept "
        "under their SHA-256 and can then be attached to applications as materials."
    ),
)
async def upload(
    caller: CallerDep,
    data: MultipartBody[dict[str, Any]],
    idempotency_key: IdempotencyKey = None,
) -> FileInfo:
    upload_file = data.get("file") if isinstance(data, dict) else None
    if upload_file is None or not hasattr(upload_file, "read"):
        raise ProblemError("validation_failed", field="file", zh="请选择要上传的文件。", en="Attach a file as `file`.")
    if caller.kind == "clerk":
        owner = f"clerk:{caller.account_id}"
    else:
        resident(caller)
        assert caller.principal is not None
        owner = caller.principal.key
        if caller.basis == "proxy" and not await _proxy_may(caller, {"kind": "file", "owner_key": owner}, "apply"):
            raise ProblemError("not_found")  # as if the operation did not exist for this caller
    content = await upload_file.read()
    row = await files.store(content, name=upload_file.filename or "", owner_key=owner, uploaded_by=caller.account_id)
    return _file_info(row)


@get(
    "/files/{file_id:uuid}",
    summary="Download a file I may see",
    responses=problems.responses(401, 404),
    description="The owner, or a clerk handling an application that uses the file.",
)
async def download(caller: CallerDep, file_id: FromPath[uuid.UUID]) -> Response[bytes]:
    row = await files.get(file_id)
    allowed = False
    if row is not None:
        if caller.kind == "clerk":
            allowed = row["owner_key"] == f"clerk:{caller.account_id}" or (
                caller.department_id is not None
                and await views.file_visible_to_application_clerk(file_id, caller.department_id, caller.region_code)
            )
        else:
            allowed = caller.principal is not None and row["owner_key"] == caller.principal.key
            if allowed and caller.basis == "proxy":
                allowed = row["uploaded_by"] == caller.account_id or await _proxy_sees_file(caller, file_id)
    if row is None or not allowed:
        raise ProblemError("file_not_found")
    return Response(
        files.read(row),
        media_type=row["mime"],
        headers={"Content-Disposition": "attachment", "Cache-Control": "private, no-store"},
    )


async def _proxy_may(caller: Caller, item: dict[str, Any], action: str) -> bool:
    check = hooks.scope_checks.get("proxy")
    return check is not None and await check(caller, item, action)


async def _proxy_sees_application(caller: Caller, application_id: uuid.UUID) -> bool:
    row = await rows.one(Application, application_id)
    return row is not None and await _proxy_may(caller, row, "view")


async def _proxy_sees_file(caller: Caller, file_id: uuid.UUID) -> bool:
    """An agent opens the principal's file only as a material of an application the grant lets them see."""
    uses = await ApplicationMaterial.select(ApplicationMaterial.application).where(ApplicationMaterial.file == file_id)
    for use in uses:
        if await _proxy_sees_application(caller, use["application"]):
            return True
    return False


async def _detail(caller: Caller, row: dict[str, Any]) -> views.ApplicationDetail:
    elements = await catalogue.version_elements(row["matter_version"])
    actions = states.available(row["status"], frozenset({"applicant"}), row)
    if caller.basis == "proxy":  # an agent is offered only what their grant lets them do
        actions = [a for a in actions if await _proxy_may(caller, row, access.ACTION_SCOPE.get(a, a))]
    return await views.detail(
        row,
        elements,
        for_clerk=False,
        actions=actions,
        department_name=await catalogue.department_name(row["department"]),
    )


@post(
    "/applications",
    summary="Start or submit an application",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description=(
        "`submit: false` saves a draft to resume later (fields are type-checked, not required); "
        "`submit: true` validates the whole form against the matter's schema and requires every "
        "required material, given as an uploaded `file_id`, an e-licence `licence_id` (with "
        "`consent: true`) or an earlier material `reuse_of`. Instant-approval matters are decided "
        "in the same response."
    ),
)
async def create_application(
    caller: CallerDep, data: JSONBody[NewApplication], idempotency_key: IdempotencyKey = None
) -> views.ApplicationDetail:
    resident(caller)
    row = await apps.create(
        caller,
        matter_id=data.matter_id,
        form=data.form,
        materials=data.materials,
        submit=data.submit,
        receiving_region=data.receiving_region,
    )
    fresh = await rows.one(Application, row["id"])
    assert fresh is not None
    return await _detail(caller, fresh)


@get("/applications", summary="My applications", responses=problems.responses(401, 403))
async def my_applications(
    caller: CallerDep, status: FromQuery[str | None] = None, limit: FromQuery[int] = 50, offset: FromQuery[int] = 0
) -> list[views.ApplicationSummary]:
    resident(caller)
    assert caller.principal is not None
    column = (
        Application.applicant_enterprise if caller.principal.kind == "enterprise" else Application.applicant_resident
    )
    where = column == caller.principal.id
    if status:
        where &= Application.status == status
    rows = (
        await Application.select()
        .where(where)
        .order_by(Application.created_at, ascending=False)
        .limit(max(1, min(limit, 100)))
        .offset(max(0, offset))
    )
    visible = [row for row in rows if await access.resident_may(caller, row, "view")]
    return [views.summary(row) for row in visible]


@get(
    "/applications/{application_id:uuid}",
    summary="One of my applications with its whole timeline",
    responses=problems.responses(401, 404),
)
async def get_application(caller: CallerDep, application_id: FromPath[uuid.UUID]) -> views.ApplicationDetail:
    resident(caller)
    row = await access.load(caller, application_id, "view")
    if caller.basis == "proxy":
        await audit.append(
            "application.read",
            actor=caller.actor(),
            object_type="application",
            object_id=application_id,
            subject_kind=row["applicant_kind"],
            subject_id=access.applicant_key(row).split(":", 1)[1],
            application_id=application_id,
            purpose="代办查看办件",
        )
    return await _detail(caller, row)


@patch(
    "/applications/{application_id:uuid}", summary="Change a draft", responses=problems.responses(401, 404, 409, 422)
)
async def change_draft(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[DraftChange]
) -> views.ApplicationDetail:
    resident(caller)
    row = await access.load(caller, application_id, "apply")
    return await _detail(caller, await apps.update_draft(caller, row, form=data.form, materials=data.materials))


@post(
    "/applications/{application_id:uuid}/submit",
    status_code=200,
    summary="Submit a draft",
    opt=IDEMPOTENT,
    responses=problems.responses(401, 404, 409, 422),
)
async def submit(
    caller: CallerDep, application_id: FromPath[uuid.UUID], idempotency_key: IdempotencyKey = None
) -> views.ApplicationDetail:
    resident(caller)
    row = await access.load(caller, application_id, "submit")
    await apps.submit_draft(caller, row)
    fresh = await rows.one(Application, application_id)
    assert fresh is not None
    return await _detail(caller, fresh)


@post(
    "/applications/{application_id:uuid}/supplement",
    status_code=200,
    summary="Answer a supplement notice (补正)",
    opt=IDEMPOTENT,
    responses=problems.responses(401, 404, 409, 422),
    description="Everything the notice listed must be supplied at once; the legal clock restarts.",
)
async def answer_supplement(
    caller: CallerDep,
    application_id: FromPath[uuid.UUID],
    data: JSONBody[SupplementAnswer],
    idempotency_key: IdempotencyKey = None,
) -> views.ApplicationDetail:
    resident(caller)
    row = await access.load(caller, application_id, "supplement")
    return await _detail(caller, await apps.supplement(caller, row, materials=data.materials, form=data.form))


@post(
    "/applications/{application_id:uuid}/withdraw",
    status_code=200,
    summary="Withdraw my application",
    responses=problems.responses(401, 404, 409),
)
async def withdraw(
    caller: CallerDep, application_id: FromPath[uuid.UUID], data: JSONBody[Withdrawal]
) -> views.ApplicationDetail:
    resident(caller)
    row = await access.load(caller, application_id, "withdraw")
    after = await apps.move(
        row,
        "withdraw",
        parties=frozenset({"applicant"}),
        actor=caller.actor(),
        caller=caller,
        internal_note=data.reason[:500],
    )
    return await _detail(caller, after)


@post(
    "/applications/{application_id:uuid}/receipt",
    status_code=200,
    summary="Confirm I received the result (pickup or post)",
    responses=problems.responses(401, 404, 409),
)
async def confirm_receipt(caller: CallerDep, application_id: FromPath[uuid.UUID]) -> views.ApplicationDetail:
    resident(caller)
    row = await access.load(caller, application_id, "deliver")
    after = await apps.move(
        row,
        "deliver",
        parties=frozenset({"applicant"}),
        actor=caller.actor(),
        caller=caller,
        public_text="申请人已确认收到结果",
    )
    return await _detail(caller, after)


@get(
    "/materials/reusable",
    summary="Materials I submitted before that this matter accepts again (只交一次)",
    responses=problems.responses(401, 403, 404),
)
async def reusable(caller: CallerDep, matter_id: FromQuery[uuid.UUID]) -> list[ReusableMaterial]:
    resident(caller)
    assert caller.principal is not None
    view = await catalogue.current(matter_id)
    proxy = caller.basis == "proxy"
    if proxy and not await _proxy_may(
        caller,
        {
            "matter": view.matter["id"],
            "department": view.matter["department"],
            "applicant_kind": caller.principal.kind,
            "applicant_resident": caller.principal.id if caller.principal.kind == "person" else None,
            "applicant_enterprise": caller.principal.id if caller.principal.kind == "enterprise" else None,
            "handling_region": view.elements.region_code,
        },
        "apply",
    ):
        raise ProblemError("matter_not_found")
    wanted = {(spec.kind or spec.code): spec for spec in view.elements.materials if spec.reusable}
    if not wanted:
        return []
    rows = (
        await ApplicationMaterial.select(
            *ApplicationMaterial.all_columns(),
            ApplicationMaterial.file.original_name,
            ApplicationMaterial.application.number,
        )
        .where(
            (ApplicationMaterial.owner_key == caller.principal.key)
            & ApplicationMaterial.kind.is_in(list(wanted))
            & (ApplicationMaterial.status == "provided")
            & ApplicationMaterial.file.is_not_null()
        )
        .order_by(ApplicationMaterial.added_at, ascending=False)
    )
    now = timeutil.now()
    out, seen = [], set()
    for row in rows:
        spec = wanted[row["kind"]]
        if row["file"] in seen or now - row["added_at"] > dt.timedelta(days=spec.reuse_valid_days):
            continue
        if proxy and not await _proxy_sees_application(caller, row["application"]):
            continue
        seen.add(row["file"])
        out.append(
            ReusableMaterial(
                row["id"],
                row["material_code"],
                row["kind"],
                row["file"],
                row["file.original_name"] or "",
                row["added_at"],
                row["application.number"],
                [spec.code],
            )
        )
    return out


router = Router(
    path="/api",
    route_handlers=[
        upload,
        download,
        create_application,
        my_applications,
        get_application,
        change_draft,
        submit,
        answer_supplement,
        withdraw,
        confirm_receipt,
        reusable,
    ],
    tags=["办件 Applications"],
    security=SECURITY,
)
ROUTES = [router]
