"""Liveness/readiness and the problem-type pages that ``type`` URIs point to."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.params import FromPath

from api import problems
from core import db
from core.errors import CATALOGUE, ProblemError


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str


@get(
    "/healthz",
    summary="Health check",
    tags=["Platform"],
    description=("Public. 200 only when the database answers a query; 503 otherwise (for load balancers)."),
    responses=problems.responses(503),
    cache_control=None,
)
async def healthz() -> Response[Health]:
    engine = "sqlite" if db.is_sqlite() else "postgresql"
    if await db.ping():
        return Response(Health("ok", "ok", engine), headers={"Cache-Control": "no-store"})
    return Response(
        Health("unavailable", "not answering", engine), status_code=503, headers={"Cache-Control": "no-store"}
    )


class ProblemType(msgspec.Struct):
    code: str
    status: int
    message_zh: str
    message_en: str


@get(
    "/problems/{code:str}",
    summary="Describe a problem type",
    tags=["Platform"],
    description="The page a problem's `type` URI names: what the code means, in Chinese and English.",
    responses=problems.responses(404),
)
async def problem_type(code: FromPath[str]) -> ProblemType:
    definition = CATALOGUE.get(code)
    if definition is None:
        raise ProblemError("not_found")
    return ProblemType(code, definition.status, definition.zh, definition.en)


@get("/problems", responses=problems.responses(), summary="List every problem code", tags=["Platform"])
async def problem_types() -> list[ProblemType]:
    return [ProblemType(code, d.status, d.zh, d.en) for code, d in sorted(CATALOGUE.items())]


ROUTES = [healthz, problem_type, problem_types]
