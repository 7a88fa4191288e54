"""Enterprises: the legal representative claims the company and authorises staff (经办人)."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from litestar import Router, delete, get, post
from litestar.params import FromPath, JSONBody

from api import problems
from api.deps import SECURITY, CallerDep, resident
from auth import enterprises
from auth.context import Caller
from core.errors import ProblemError


class Claim(msgspec.Struct, forbid_unknown_fields=True):
    credit_code: str


class EnterpriseView(msgspec.Struct):
    id: uuid.UUID
    credit_code: str
    name: str
    role: str


class StaffRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    id_number: str
    valid_until: dt.datetime | None = None


class StaffView(msgspec.Struct):
    id: uuid.UUID
    role: str
    name: str
    id_number_masked: str
    created_at: dt.datetime
    valid_until: dt.datetime | None


async def _staff_views(caller: Caller, enterprise_id: uuid.UUID) -> list[StaffView]:
    return [
        StaffView(
            row["id"],
            row["role"],
            row["resident.name"],
            row["resident.id_number_masked"],
            row["created_at"],
            row["valid_until"],
        )
        for row in await enterprises.staff_of(caller, enterprise_id)
    ]


@get("/", summary="Companies I may act for", responses=problems.responses(401, 403))
async def mine(caller: CallerDep) -> list[EnterpriseView]:
    resident(caller, proxies=False)
    return [
        EnterpriseView(link["enterprise.id"], link["enterprise.credit_code"], link["enterprise.name"], link["role"])
        for link in await enterprises.my_enterprises(caller.account_id)
    ]


@post(
    "/",
    summary="Claim a company as its legal representative",
    status_code=201,
    responses=problems.responses(401, 403, 404, 422),
    description=(
        "The credit code (GB 32100 check character) is looked up in the enterprise register; only the "
        "registered legal representative, after real-name verification, can claim it."
    ),
)
async def claim(caller: CallerDep, data: JSONBody[Claim]) -> EnterpriseView:
    resident(caller, proxies=False)
    row = await enterprises.bind_as_legal_rep(caller, data.credit_code)
    return EnterpriseView(row["id"], row["credit_code"], row["name"], "legal_rep")


@get(
    "/{enterprise_id:uuid}/staff",
    summary="Staff authorised for my company",
    responses=problems.responses(401, 403, 404),
)
async def staff(caller: CallerDep, enterprise_id: FromPath[uuid.UUID]) -> list[StaffView]:
    resident(caller, proxies=False)
    return await _staff_views(caller, enterprise_id)


@post(
    "/{enterprise_id:uuid}/staff",
    summary="Authorise a staff member",
    status_code=201,
    responses=problems.responses(401, 403, 404, 422),
    description="Legal representative only, with a step-up SMS code confirmed in the last 10 minutes.",
)
async def add_staff(caller: CallerDep, enterprise_id: FromPath[uuid.UUID], data: JSONBody[StaffRequest]) -> StaffView:
    resident(caller, proxies=False)
    if not caller.step_up_fresh():
        raise ProblemError("step_up_required")
    row = await enterprises.authorise_staff(caller, enterprise_id, data.name, data.id_number, data.valid_until)
    return next(view for view in await _staff_views(caller, enterprise_id) if view.id == row["id"])


@delete(
    "/{enterprise_id:uuid}/staff/{staff_id:uuid}",
    summary="Withdraw a staff authorisation",
    status_code=204,
    responses=problems.responses(401, 403, 404),
)
async def remove_staff(caller: CallerDep, enterprise_id: FromPath[uuid.UUID], staff_id: FromPath[uuid.UUID]) -> None:
    resident(caller, proxies=False)
    await enterprises.revoke_staff(caller, enterprise_id, staff_id)


router = Router(
    path="/api/enterprises",
    route_handlers=[mine, claim, staff, add_staff, remove_staff],
    tags=["企业 Enterprises"],
    security=SECURITY,
)
ROUTES = [router]
