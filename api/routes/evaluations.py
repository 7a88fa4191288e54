"""好差评: residents rate and re-rate, departments rectify and appeal, administrators decide,
everyone reads the statistics."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec
from litestar import Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, clerk, resident
from api.routes.applications import IdempotencyKey
from auth.context import Caller
from core import timeutil
from core.errors import ProblemError, invalid
from evaluations import levels, service, stats
from regions import tree as regions


class NewEvaluation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    item_kind: Literal["application", "appointment", "ticket"]
    item_id: uuid.UUID
    level: levels.LevelCode
    tags: list[str] = msgspec.field(default_factory=list)
    comment: str = ""


class Rerating(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    level: levels.LevelCode
    comment: str = ""


class CallbackNote(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reached: bool
    note: str


class RectifyResult(msgspec.Struct, forbid_unknown_fields=True):
    result: str


class AppealRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class AppealDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    uphold: bool
    note: str


class RectificationView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    evaluation_id: uuid.UUID
    status: str
    opened_on: dt.date
    callback_due: dt.date
    deadline: dt.date
    callback_at: dt.datetime | None
    callback_reached: bool | None
    callback_note: str
    result: str
    resolved_on: dt.date | None
    on_time: bool | None
    """Resolved by the deadline (None while open and not yet late)."""
    overdue: bool


class EvaluationView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    item_kind: str
    item_id: uuid.UUID
    item_label: str
    level: str
    level_label: str
    tags: list[str]
    comment: str
    channel: str
    status: str
    created_at: dt.datetime
    rerated_level: str | None
    rerated_at: dt.datetime | None
    rectification: RectificationView | None = None


class AppealView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    evaluation_id: uuid.UUID
    department_id: uuid.UUID | None
    reason: str
    status: str
    filed_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class LevelOption(msgspec.Struct):
    code: str
    label: str
    good: bool
    tags: list[str]
    comment_required: bool


class StatsPage(msgspec.Struct, kw_only=True):
    group: str
    region: str | None
    since: dt.date | None
    until: dt.date | None
    items: list[stats.GroupStats]


def rectification_view(row: dict[str, Any], *, for_clerk: bool) -> RectificationView:
    today = timeutil.today()
    resolved_on = row["resolved_on"]
    on_time = None
    if resolved_on is not None:
        on_time = resolved_on <= row["deadline"]
    elif row["status"] == "open" and today > row["deadline"]:
        on_time = False
    return RectificationView(
        id=row["id"],
        evaluation_id=row["evaluation"],
        status=row["status"],
        opened_on=row["opened_on"],
        callback_due=row["callback_due"],
        deadline=row["deadline"],
        callback_at=row["callback_at"],
        callback_reached=None if row["callback_reached"] is None else bool(row["callback_reached"]),
        callback_note=row["callback_note"] if for_clerk else "",
        result=row["result"],
        resolved_on=resolved_on,
        on_time=on_time,
        overdue=row["status"] == "open" and today > row["deadline"],
    )


async def evaluation_view(row: dict[str, Any], *, for_clerk: bool) -> EvaluationView:
    rectification = await service.rectification_for(row["id"])
    return EvaluationView(
        id=row["id"],
        item_kind=row["item_kind"],
        item_id=row["item_id"],
        item_label=row["item_label"],
        level=levels.code(row["level"]),
        level_label=levels.label(row["level"]),
        tags=msgspec.json.decode(row["tags"]) if isinstance(row["tags"], str) else row["tags"],
        comment=row["comment"],
        channel=row["channel"],
        status=row["status"],
        created_at=row["created_at"],
        rerated_level=levels.code(row["rerated_level"]) if row["rerated_level"] else None,
        rerated_at=row["rerated_at"],
        rectification=rectification_view(rectification, for_clerk=for_clerk) if rectification else None,
    )


def appeal_view(row: dict[str, Any]) -> AppealView:
    return AppealView(
        id=row["id"],
        evaluation_id=row["evaluation"],
        department_id=row["department"],
        reason=row["reason"],
        status=row["status"],
        filed_at=row["filed_at"],
        decided_at=row.get("decided_at"),
        decision_note=row.get("decision_note", ""),
    )


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, 200)), max(0, offset)


# ---- residents ---------------------------------------------------------------------------------------
@post(
    "",
    summary="Rate a completed application, appointment or 12345 ticket",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description=(
        "Once per item (409 `already_rated`), only for the caller's own completed items (404 otherwise). "
        "`dissatisfied` and `very_dissatisfied` need a comment and open a rectification with a deadline."
    ),
)
async def rate(
    caller: CallerDep, data: JSONBody[NewEvaluation], idempotency_key: IdempotencyKey = None
) -> EvaluationView:
    row = await service.rate(
        resident(caller),
        kind=data.item_kind,
        item_id=data.item_id,
        level=levels.BY_CODE[data.level],
        tags=data.tags,
        comment=data.comment,
    )
    return await evaluation_view(row, for_clerk=False)


@get("/mine", summary="My ratings", responses=problems.responses(401, 403))
async def my_ratings(caller: CallerDep, limit: FromQuery[int] = 50, offset: FromQuery[int] = 0) -> list[EvaluationView]:
    limit, offset = _page(limit, offset)
    return [
        await evaluation_view(r, for_clerk=False)
        for r in await service.mine(resident(caller), limit=limit, offset=offset)
    ]


@get(
    "/{evaluation_id:uuid}",
    summary="One of my ratings with its rectification",
    responses=problems.responses(401, 403, 404),
)
async def my_rating(caller: CallerDep, evaluation_id: FromPath[uuid.UUID]) -> EvaluationView:
    return await evaluation_view(await service.load_for_owner(resident(caller), evaluation_id), for_clerk=False)


@post(
    "/{evaluation_id:uuid}/rerate",
    status_code=200,
    summary="Rate again after the rectification",
    responses=problems.responses(401, 403, 404, 409),
)
async def rerate(caller: CallerDep, evaluation_id: FromPath[uuid.UUID], data: JSONBody[Rerating]) -> EvaluationView:
    row = await service.rerate(resident(caller), evaluation_id, level=levels.BY_CODE[data.level], comment=data.comment)
    return await evaluation_view(row, for_clerk=False)


# ---- public ------------------------------------------------------------------------------------------
@get("/options", summary="Rating levels and tags", responses=problems.responses())
async def options() -> list[LevelOption]:
    return [
        LevelOption(code, label, value >= levels.GOOD_MIN, list(levels.allowed_tags(value)), levels.is_bad(value))
        for value, (code, label) in levels.LEVELS.items()
    ]


@get(
    "/stats",
    summary="Public 好差评 statistics per department, matter or hall",
    responses=problems.responses(),
    description=(
        "`region` includes every region below it. Counts use the re-rating after a rectification when there "
        "is one and leave out ratings voided on appeal. 好评率 = (非常满意 + 满意 + 基本满意) / all."
    ),
)
async def public_stats(
    group: FromQuery[stats.Group] = "department",
    region: FromQuery[str | None] = None,
    since: FromQuery[dt.date | None] = None,
    until: FromQuery[dt.date | None] = None,
    limit: FromQuery[int] = 100,
) -> StatsPage:
    codes = None
    if region:
        tree = await regions.tree()
        if region not in tree:
            raise invalid("region", "region_invalid")
        codes = tree.descendants(region)
    if since and until and since > until:
        raise invalid("since", zh="开始日期不能晚于结束日期。", en="since must not be after until.")
    items = await stats.by_group(group, regions=codes, since=since, until=until, limit=max(1, min(limit, 500)))
    return StatsPage(group=group, region=region, since=since, until=until, items=items)


# ---- departments -------------------------------------------------------------------------------------
def _desk(caller: Caller) -> Caller:
    return clerk(caller, "window", "reviewer", "head", "admin", "auditor")


@get(
    "/evaluations",
    summary="Ratings of my department",
    responses=problems.responses(401, 403),
    description="Administrators and auditors see every department's.",
)
async def department_ratings(
    caller: CallerDep, bad_only: FromQuery[bool] = False, limit: FromQuery[int] = 50, offset: FromQuery[int] = 0
) -> list[EvaluationView]:
    limit, offset = _page(limit, offset)
    found = await service.for_department(_desk(caller), bad_only=bad_only, limit=limit, offset=offset)
    return [await evaluation_view(row, for_clerk=True) for row in found]


@get(
    "/evaluations/{evaluation_id:uuid}",
    summary="One rating of my department",
    responses=problems.responses(401, 403, 404),
)
async def department_rating(caller: CallerDep, evaluation_id: FromPath[uuid.UUID]) -> EvaluationView:
    return await evaluation_view(await service.load_for_clerk(_desk(caller), evaluation_id), for_clerk=True)


@post(
    "/evaluations/{evaluation_id:uuid}/appeal",
    summary="Appeal a bad rating as unfair (department head)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def appeal(
    caller: CallerDep,
    evaluation_id: FromPath[uuid.UUID],
    data: JSONBody[AppealRequest],
    idempotency_key: IdempotencyKey = None,
) -> AppealView:
    return appeal_view(await service.appeal(caller, evaluation_id, reason=data.reason))


@get(
    "/rectifications",
    summary="Rectifications of my department, earliest deadline first",
    responses=problems.responses(401, 403),
)
async def rectification_list(
    caller: CallerDep,
    status: FromQuery[Literal["open", "resolved", "closed", "voided"] | None] = None,
    overdue: FromQuery[bool] = False,
    limit: FromQuery[int] = 50,
    offset: FromQuery[int] = 0,
) -> list[RectificationView]:
    limit, offset = _page(limit, offset)
    found = await service.rectifications(
        clerk(caller, "window", "reviewer", "head"), status=status, overdue=overdue, limit=limit, offset=offset
    )
    return [rectification_view(row, for_clerk=True) for row in found]


@post(
    "/rectifications/{rectification_id:uuid}/callback",
    status_code=200,
    summary="Record the callback to the resident",
    responses=problems.responses(401, 403, 404, 409),
)
async def rectification_callback(
    caller: CallerDep, rectification_id: FromPath[uuid.UUID], data: JSONBody[CallbackNote]
) -> RectificationView:
    row = await service.record_callback(caller, rectification_id, reached=data.reached, note=data.note)
    return rectification_view(row, for_clerk=True)


@post(
    "/rectifications/{rectification_id:uuid}/resolve",
    status_code=200,
    summary="Record the rectification result",
    responses=problems.responses(401, 403, 404, 409),
    description="Needs the callback first (409 `callback_required`); the resident is told and may rate again.",
)
async def rectification_resolve(
    caller: CallerDep, rectification_id: FromPath[uuid.UUID], data: JSONBody[RectifyResult]
) -> RectificationView:
    return rectification_view(await service.resolve(caller, rectification_id, result=data.result), for_clerk=True)


# ---- administrators ----------------------------------------------------------------------------------
@get("/appeals", summary="Appeals against ratings", responses=problems.responses(401, 403))
async def appeal_list(
    caller: CallerDep,
    status: FromQuery[Literal["pending", "upheld", "rejected"] | None] = "pending",
    limit: FromQuery[int] = 50,
    offset: FromQuery[int] = 0,
) -> list[AppealView]:
    clerk(caller, "admin", "auditor")
    limit, offset = _page(limit, offset)
    return [appeal_view(row) for row in await service.appeals(status=status, limit=limit, offset=offset)]


@post(
    "/appeals/{appeal_id:uuid}/decide",
    status_code=200,
    summary="Decide an appeal",
    responses=problems.responses(401, 403, 404, 409),
    description="Upheld: the rating is voided (left out of statistics) with its rectification. Rejected: it stands.",
)
async def appeal_decide(
    caller: CallerDep, appeal_id: FromPath[uuid.UUID], data: JSONBody[AppealDecision]
) -> AppealView:
    if caller.kind != "clerk":
        raise ProblemError("forbidden")
    return appeal_view(await service.decide_appeal(caller, appeal_id, uphold=data.uphold, note=data.note))


ROUTES = [
    Router(
        path="/api/evaluations",
        route_handlers=[rate, my_ratings, my_rating, rerate],
        tags=["好差评 Evaluations"],
        security=SECURITY,
    ),
    Router(path="/api/evaluations", route_handlers=[options, public_stats], tags=["好差评 Evaluations"]),
    Router(
        path="/api/backoffice",
        route_handlers=[
            department_ratings,
            department_rating,
            appeal,
            rectification_list,
            rectification_callback,
            rectification_resolve,
        ],
        tags=["好差评 Evaluations"],
        security=SECURITY,
    ),
    Router(
        path="/api/admin", route_handlers=[appeal_list, appeal_decide], tags=["好差评 Evaluations"], security=SECURITY
    ),
]
