"""长辈版: the short list of tasks an elderly resident (or their agent) sees first.

"The five most used tasks first" is decided on the principal's data: the matters they applied
for most often, then what residents of their area applied for most in the past year, then the
matters of the themes that concern elderly residents most. Only matters that can be done on a
phone are listed, one implementation per matter (the one nearest the principal's region); an
agent sees only matters their grant lets them apply for.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

from applications import hooks
from applications.tables import Application
from auth.context import Caller
from catalogue.tables import Matter
from core import timeutil
from core.cache import AsyncCache
from regions import tree as regions

ELDER_THEMES = ("养老", "医保", "社保", "救助", "残疾人")
"""Themes that matter most to elderly residents, in order (老年人优待, 高龄津贴, 医保, 养老金 …)."""
LOOKBACK = dt.timedelta(days=365)


async def _area_counts(region: str) -> dict[uuid.UUID, int]:
    """Applications per matter in the past year by applicants of the principal's city."""
    tree = await regions.tree()
    city = tree.city_of(region) or region
    since = timeutil.now() - LOOKBACK
    found = await Application.select(Application.matter).where(
        Application.receiving_region.is_in(tree.descendants(city)) & (Application.created_at >= since)
    )
    return dict(Counter(row["matter"] for row in found))


# Popularity moves slowly; five minutes of staleness keeps this list cheap for every home page.
_areas: AsyncCache[str, dict[uuid.UUID, int]] = AsyncCache(_area_counts, maxsize=512, ttl=300)


async def _candidates(region: str, audience: str) -> list[dict[str, Any]]:
    tree = await regions.tree()
    nearest = {code: distance for distance, code in enumerate(tree.ancestors(region))} if region else {}
    query = Matter.select().where((Matter.status == "published") & (Matter.mobile == True))  # noqa: E712
    if nearest:
        query = query.where(Matter.region_code.is_in(list(nearest)))
    rows = [row for row in await query if audience in row["audience"].split(",")]
    best: dict[str, dict[str, Any]] = {}
    for row in rows:  # one implementation per matter: the one closest to the principal
        current = best.get(row["basic_code"])
        if current is None or nearest.get(row["region_code"], 99) < nearest.get(current["region_code"], 99):
            best[row["basic_code"]] = row
    return list(best.values())


def _theme_rank(row: dict[str, Any]) -> int:
    themes = [t for t in row["themes"].split(",") if t]
    ranks = [ELDER_THEMES.index(t) for t in themes if t in ELDER_THEMES]
    return min(ranks) if ranks else len(ELDER_THEMES)


async def tasks(caller: Caller, *, limit: int = 5) -> list[tuple[dict[str, Any], int, str]]:
    """Up to ``limit`` (matter row, times the principal used it, why it is listed)."""
    assert caller.principal is not None
    principal = caller.principal
    column = Application.applicant_enterprise if principal.kind == "enterprise" else Application.applicant_resident
    mine = await Application.select(Application.matter, Application.matter.basic_code).where(column == principal.id)
    used_by_code = Counter(row["matter.basic_code"] for row in mine)
    area = await _areas.get(caller.region_code)
    candidates = await _candidates(caller.region_code, principal.kind)
    area_by_code: Counter[str] = Counter()
    ids_by_code: dict[str, set[uuid.UUID]] = {}
    if area:
        for row in await Matter.select(Matter.id, Matter.basic_code).where(Matter.id.is_in(list(area))):
            ids_by_code.setdefault(row["basic_code"], set()).add(row["id"])
    for code, ids in ids_by_code.items():
        area_by_code[code] = sum(area.get(i, 0) for i in ids)

    def order(row: dict[str, Any]) -> tuple[int, int, int, int, str]:
        code = row["basic_code"]
        return (-used_by_code[code], -area_by_code[code], _theme_rank(row), -int(row["hot"]), row["name"])

    chosen: list[tuple[dict[str, Any], int, str]] = []
    check = hooks.scope_checks.get("proxy") if caller.basis == "proxy" else None
    for row in sorted(candidates, key=order):
        if caller.basis == "proxy":
            item = {
                "matter": row["id"],
                "department": row["department"],
                "applicant_kind": principal.kind,
                "applicant_resident": principal.id if principal.kind == "person" else None,
                "applicant_enterprise": principal.id if principal.kind == "enterprise" else None,
                "handling_region": row["region_code"],
            }
            if check is None or not await check(caller, item, "apply"):
                continue
        code = row["basic_code"]
        reason = "mine" if used_by_code[code] else "area" if area_by_code[code] else "elder_theme"
        if reason == "elder_theme" and _theme_rank(row) == len(ELDER_THEMES):
            reason = "popular"
        chosen.append((row, used_by_code[code], reason))
        if len(chosen) >= limit:
            break
    return chosen


async def summaries(matter_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The one-line plain summary of each matter's current version (for large-print cards)."""
    from catalogue import service as catalogue

    out: dict[uuid.UUID, str] = {}
    for matter_id in matter_ids:
        view = await catalogue.current(matter_id, published_only=False)
        out[matter_id] = view.elements.summary
    return out
