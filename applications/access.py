"""Who may see and touch an application. A refusal is indistinguishable from a missing one (404).

Residents see what belongs to their principal (themselves, the company they act for, or the
person who granted them a proxy, within the grant's scope). Clerks see applications of their own
department whose handling or receiving region is their region.
"""

from __future__ import annotations

import uuid
from typing import Any

from applications import hooks
from applications.tables import Application
from auth.context import Caller
from core import rows
from core.errors import ProblemError

# The proxy-scope action each resident-side operation needs (see ``proxy`` grants).
ACTION_SCOPE = {
    "view": "view",
    "apply": "apply",
    "submit": "apply",
    "supplement": "supplement",
    "withdraw": "withdraw",
    "deliver": "receive",
    "evaluate": "evaluate",
}


def applicant_key(row: dict[str, Any]) -> str:
    if row["applicant_kind"] == "enterprise":
        return f"enterprise:{row['applicant_enterprise']}"
    return f"person:{row['applicant_resident']}"


async def resident_may(caller: Caller, row: dict[str, Any], action: str) -> bool:
    if caller.kind != "resident" or caller.principal is None or caller.principal.key != applicant_key(row):
        return False
    if caller.basis == "proxy":
        check = hooks.scope_checks.get("proxy")
        return check is not None and await check(caller, row, ACTION_SCOPE.get(action, action))
    return True


def clerk_may_see(caller: Caller, row: dict[str, Any]) -> bool:
    return (
        caller.kind == "clerk"
        and caller.department_id is not None
        and row["department"] == caller.department_id
        and caller.region_code in (row["handling_region"], row["receiving_region"])
    )


async def load(caller: Caller, application_id: uuid.UUID, action: str = "view") -> dict[str, Any]:
    row = await rows.one(Application, application_id)
    if row is None:
        raise ProblemError("application_not_found")
    if caller.kind == "clerk":
        if not clerk_may_see(caller, row):
            raise ProblemError("application_not_found")
    elif not await resident_may(caller, row, action):
        raise ProblemError("application_not_found")
    return row


def clerk_parties(caller: Caller) -> frozenset[str]:
    return frozenset(caller.roles & {"window", "reviewer", "head"})
