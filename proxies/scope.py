"""What a grant covers, decided on the principal's item — contract C3 (``scope_checks["proxy"]``).

The check answers one question: may this caller, acting under this grant, take this action on
this item *now*? It looks only at the grant loaded for the request (``caller.scope``) and at the
item, which belongs to the principal: the agent's own rights play no part. Items are application
rows, or dicts with ``kind`` ``appointment``, ``ticket``, ``licence`` or ``file`` (an upload before
it is attached; see :func:`facts`).

Coverage of an item:

* **matters** — the item's matter is listed by id, or falls in a listed group: ``theme:<主题>``
  (e.g. ``theme:养老``) or ``dept:<department kind>`` (e.g. ``dept:mzj``); ``all`` covers everything;
* **12345 tickets** — the group ``hotline``;
* **e-licences** — ``licence:<type>``, or any licence type that a covered matter issues (a grant for
  老年人优待证办理 covers presenting the 老年人优待证 it produced);
* **regions** — the item's region (handling region of an application, the hall of an appointment,
  the ticket's region, the licence's issuing region) lies within one of the grant's regions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from applications.access import applicant_key
from catalogue import service as catalogue
from catalogue.tables import Matter
from core import timeutil
from core.cache import AsyncCache
from regions import tree as regions
from regions.tables import Department, Hall


class GrantScope(msgspec.Struct, frozen=True, kw_only=True):
    """A grant as one request sees it (``caller.scope``); decisions never re-read it mid-request."""

    id: uuid.UUID
    number: str
    principal_key: str
    agent_kind: str
    agent_name: str
    basis: str
    state: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    pending_until: dt.datetime | None = None
    actions: frozenset[str]
    matters: frozenset[str]
    groups: frozenset[str]
    regions: tuple[str, ...]
    agent_current: bool = True
    """The agent is still who the grant names (an organisation member still belongs to it)."""

    def in_force(self, now: dt.datetime | None = None) -> bool:
        return self.standing(now) == "active"

    def standing(self, now: dt.datetime | None = None) -> str:
        """``active`` when in force, else why not: a grant state, ``not_yet_valid`` or ``agent_left``."""
        moment = now or timeutil.now()
        if self.state in ("active", "suspended") and moment >= self.valid_until:
            return "expired"
        if self.state != "active":
            return self.state
        if moment < self.valid_from:
            return "not_yet_valid"
        if not self.agent_current:
            return "agent_left"
        return "active"


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    kind: str  # application | appointment | ticket | licence
    owner_key: str
    region: str = ""
    matter_id: str = ""
    department_id: uuid.UUID | None = None
    licence_type: str = ""


class MatterFacts(msgspec.Struct, frozen=True):
    id: str
    themes: frozenset[str]
    department_code: str
    licence_type: str


async def _matter_facts(matter_id: str) -> MatterFacts | None:
    row = (
        await Matter.select(Matter.id, Matter.themes, Matter.department.code)
        .where(Matter.id == uuid.UUID(matter_id))
        .first()
    )
    if row is None:
        return None
    try:
        view = await catalogue.current(row["id"], published_only=False)
        licence_type = view.elements.result.licence_type or ""
    except Exception:  # a matter without a readable version still has its themes and department
        licence_type = ""
    themes = frozenset(t for t in row["themes"].split(",") if t)
    return MatterFacts(matter_id, themes, row["department.code"] or "", licence_type)


async def _licence_issuers(_: str) -> tuple[MatterFacts, ...]:
    """Every matter whose result is an e-licence (the catalogue is small; refreshed every minute)."""
    ids = await Matter.select(Matter.id).where(Matter.status.is_in(["published", "retired"]))
    found = []
    for row in ids:
        facts = await _matters.get(str(row["id"]))
        if facts is not None and facts.licence_type:
            found.append(facts)
    return tuple(found)


async def _department_code(department_id: uuid.UUID) -> str:
    row = await Department.select(Department.code).where(Department.id == department_id).first()
    return row["code"] if row else ""


async def _hall_region(hall_id: uuid.UUID) -> str:
    row = await Hall.select(Hall.region).where(Hall.id == hall_id).first()
    return row["region"] if row else ""


# Reference data: matter themes and departments change rarely and only by administrators, so a
# minute of staleness is acceptable; the grant itself is never cached (it is read per request).
_matters: AsyncCache[str, MatterFacts | None] = AsyncCache(_matter_facts, maxsize=4096, ttl=60)
_issuers: AsyncCache[str, tuple[MatterFacts, ...]] = AsyncCache(_licence_issuers, maxsize=1, ttl=60)
_departments: AsyncCache[uuid.UUID, str] = AsyncCache(_department_code, maxsize=4096, ttl=60)
_halls: AsyncCache[uuid.UUID, str] = AsyncCache(_hall_region, maxsize=4096, ttl=60)


def invalidate() -> None:
    for cache in (_matters, _issuers, _departments, _halls):
        cache.clear()


async def facts(item: dict[str, Any]) -> Facts | None:
    """Normalise the item shapes of contract C3."""
    kind = item.get("kind")
    if kind is None and "applicant_kind" in item:
        return Facts(
            kind="application",
            owner_key=applicant_key(item),
            region=item.get("handling_region") or "",
            matter_id=str(item["matter"]) if item.get("matter") else "",
            department_id=item.get("department"),
        )
    if kind == "appointment":
        hall = item.get("hall")
        return Facts(
            kind="appointment",
            owner_key=item.get("owner_key") or "",
            region=await _halls.get(hall) if hall else "",
            matter_id=str(item["matter"]) if item.get("matter") else "",
            department_id=item.get("department"),
        )
    if kind == "ticket":
        return Facts(kind="ticket", owner_key=item.get("reporter_key") or "", region=item.get("region_code") or "")
    if kind == "file":  # an upload that will become a material of an application in scope
        return Facts(kind="file", owner_key=item.get("owner_key") or "")
    if kind == "licence":
        return Facts(
            kind="licence",
            owner_key=item.get("holder_key") or "",
            region=item.get("region_code") or "",
            licence_type=item.get("licence_type") or "",
        )
    return None


async def _matter_covered(scope: GrantScope, matter_id: str) -> bool:
    if matter_id in scope.matters:
        return True
    matter = await _matters.get(matter_id)
    if matter is None:
        return False
    return any(f"theme:{t}" in scope.groups for t in matter.themes) or f"dept:{matter.department_code}" in scope.groups


async def covers(scope: GrantScope, item: Facts) -> bool:
    """Does the grant's matter scope include the item (actions, time and region aside)?"""
    if "all" in scope.groups:
        return True
    if item.kind == "ticket":
        return "hotline" in scope.groups
    if item.kind == "licence":
        if not item.licence_type:
            return False
        if f"licence:{item.licence_type}" in scope.groups:
            return True
        for matter in await _issuers.get(""):
            if matter.licence_type == item.licence_type and await _matter_covered(scope, matter.id):
                return True
        return False
    if item.matter_id:
        return await _matter_covered(scope, item.matter_id)
    if item.department_id is not None:  # an appointment at a window without a chosen matter
        return f"dept:{await _departments.get(item.department_id)}" in scope.groups
    return False


async def within_regions(scope: GrantScope, region: str) -> bool:
    if not scope.regions:
        return True
    if not region:
        return False
    tree = await regions.tree()
    return any(tree.is_within(region, allowed) for allowed in scope.regions)


async def allows(scope: Any, principal_key: str | None, item: dict[str, Any], action: str) -> bool:
    """The whole decision; any doubt answers False."""
    if not isinstance(scope, GrantScope) or principal_key is None or scope.principal_key != principal_key:
        return False
    if action not in scope.actions or not scope.in_force():
        return False
    found = await facts(item)
    if found is None or found.owner_key != principal_key:
        return False
    if found.kind == "file":
        return True  # attaching it is checked again on the application it goes into
    return await covers(scope, found) and await within_regions(scope, found.region)


async def check(caller: Any, item: dict[str, Any], action: str) -> bool:
    """``applications.hooks.scope_checks["proxy"]``: ``(caller, item, action) -> bool``."""
    if getattr(caller, "basis", None) != "proxy" or caller.principal is None:
        return False
    return await allows(caller.scope, caller.principal.key, item, action)
