"""Compute every KPI from live data for a region (and everything below it) and a period.

Stock KPIs (the catalogue, halls) are as of now; flow KPIs (decisions, ratings, rectifications,
tickets) count what happened in ``[since, until]`` (China dates, both optional). ``docs/kpis.md``
says exactly what each one counts; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from catalogue.tables import Matter
from core import timeutil
from core.errors import invalid
from evaluations import levels
from evaluations.stats import midnight
from kpi.targets import TARGETS, Milestone
from regions import tree as regions


class Part(msgspec.Struct, kw_only=True):
    """One row of a breakdown (a city's 秒批 count, one kind of overdue item)."""

    key: str
    label: str
    value: float
    met: bool | None = None


class Kpi(msgspec.Struct, kw_only=True):
    id: str
    name: str
    measure: int
    unit: str  # ratio | count | working_days
    value: float | None
    """None when there is nothing to count (e.g. no decided applications in the period)."""
    numerator: float | None = None
    denominator: float | None = None
    target: float | None
    direction: str
    milestones: list[Milestone]
    basis: str
    met: bool | None
    breakdown: list[Part] = msgspec.field(default_factory=list)


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    region: str
    codes: tuple[str, ...]
    since: dt.date | None
    until: dt.date | None
    today: dt.date


async def scope(region: str, since: dt.date | None, until: dt.date | None) -> Scope:
    tree = await regions.tree()
    if region not in tree:
        raise invalid("region", "region_invalid")
    if since and until and since > until:
        raise invalid("since", zh="开始日期不能晚于结束日期。", en="since must not be after until.")
    return Scope(region=region, codes=tuple(tree.descendants(region)), since=since, until=until, today=timeutil.today())


_REGION = '"region_code"'
_HANDLING = '"handling_region"'
_M_REGION = 'm."region_code"'
_A_HANDLING = 'a."handling_region"'
_H_REGION = 'h."region"'


def _in(column: str, values: tuple[str, ...] | list[str]) -> str:
    return f"{column} IN ({', '.join('{}' for _ in values)})"


def _period(column: str, where: Scope) -> tuple[str, list[Any]]:
    sql, args = "", []
    if where.since:
        sql += f" AND {column} >= {{}}"
        args.append(midnight(where.since))
    if where.until:
        sql += f" AND {column} < {{}}"
        args.append(midnight(where.until + dt.timedelta(days=1)))
    return sql, args


def _kpi(kpi_id: str, name: str, unit: str, value: float | None, **extra: Any) -> Kpi:
    spec = TARGETS[kpi_id]
    target = extra.pop("target", spec.target)
    met = None
    if value is not None and target is not None:
        met = value >= target if spec.direction == "at_least" else value <= target
    return Kpi(
        id=kpi_id,
        name=name,
        measure=spec.measure,
        unit=unit,
        value=value,
        target=target,
        direction=spec.direction,
        milestones=list(spec.milestones),
        basis=spec.basis,
        met=met,
        **extra,
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


async def _one(sql: str, args: list[Any]) -> dict[str, Any]:
    found = await Matter.raw(sql, *args)
    # Every KPI aggregate is a count or a sum of whole days; PostgreSQL answers SUM with numerics.
    return {key: int(value or 0) for key, value in found[0].items()} if found else {}


# ---- catalogue ---------------------------------------------------------------------------------------
_PUBLISHED = "\"status\" = 'published'"


async def online_rate(where: Scope) -> Kpi:
    """网上可办率: published matters of the scope that can be applied for online (web or mobile,
    online depth ≥ 3) / all published matters of the scope."""
    row = await _one(
        f'SELECT COUNT(*) AS "total", SUM(CASE WHEN "online" = {{}} THEN 1 ELSE 0 END) AS "yes" '  # noqa: S608
        f'FROM "matter" WHERE {_PUBLISHED} AND {_in(_REGION, where.codes)}',
        [True, *where.codes],
    )
    return _kpi(
        "online_rate",
        "网上可办率",
        "ratio",
        _ratio(row["yes"], row["total"]),
        numerator=row["yes"],
        denominator=row["total"],
    )


async def mobile_rate(where: Scope) -> Kpi:
    """掌上可办比例: published matters of the scope offered on the phone channel / all published."""
    row = await _one(
        f'SELECT COUNT(*) AS "total", SUM(CASE WHEN "mobile" = {{}} THEN 1 ELSE 0 END) AS "yes" '  # noqa: S608
        f'FROM "matter" WHERE {_PUBLISHED} AND {_in(_REGION, where.codes)}',
        [True, *where.codes],
    )
    return _kpi(
        "mobile_rate",
        "掌上可办比例",
        "ratio",
        _ratio(row["yes"], row["total"]),
        numerator=row["yes"],
        denominator=row["total"],
    )


async def instant_per_city(where: Scope) -> Kpi:
    """秒批事项数 per 设区市: distinct basic codes of published instant matters implemented in the city
    or a county below it. The value is how many cities reach the target."""
    tree = await regions.tree()
    node = tree.get(where.region)
    assert node is not None
    if node.level == "province":
        cities = [code for code in tree.children(where.region) if tree.nodes[code].level == "city"]
    else:
        city = tree.city_of(where.region)
        cities = [city] if city else []
    target = TARGETS["instant_per_city"].target or 0
    parts = []
    for city in cities:
        codes = tree.descendants(city)
        row = await _one(
            f'SELECT COUNT(DISTINCT "basic_code") AS "n" FROM "matter" WHERE {_PUBLISHED} '  # noqa: S608
            f'AND "instant" = {{}} AND {_in(_REGION, codes)}',
            [True, *codes],
        )
        count = int(row["n"])
        parts.append(Part(key=city, label=tree.name(city), value=count, met=count >= target))
    reached = sum(1 for part in parts if part.met)
    return _kpi(
        "instant_per_city",
        "设区市秒批秒办事项数（达标城市）",
        "count",
        reached if parts else None,
        numerator=reached,
        denominator=len(parts),
        target=len(parts) if parts else target,
        breakdown=parts,
    )


async def cross_region_online(where: Scope) -> Kpi:
    """全程网办率 of cross-region matters: published matters of the scope whose 通办 scope is not
    ``none`` and whose current version offers the ``online`` (全程网办) mode / all such matters."""
    found = await Matter.raw(
        'SELECT v."elements" FROM "matter" m JOIN "matter_version" v '  # noqa: S608
        'ON v."matter" = m."id" AND v."version" = m."current_version" '
        f"WHERE m.{_PUBLISHED} AND m.\"cross_region_scope\" <> 'none' AND {_in(_M_REGION, where.codes)}",
        *where.codes,
    )
    total = len(found)
    online = 0
    for row in found:
        elements = msgspec.json.decode(row["elements"])
        if "online" in elements.get("cross_region", {}).get("modes", []):
            online += 1
    return _kpi(
        "cross_region_online",
        "跨区域通办事项全程网办率",
        "ratio",
        _ratio(online, total),
        numerator=online,
        denominator=total,
    )


# ---- applications ------------------------------------------------------------------------------------
async def paperless_share(where: Scope) -> Kpi:
    """Decided applications of high-frequency (hot) matters handled in the scope during the period
    in which no material is a paper upload — every material came from an e-licence or an earlier
    submission (or none was needed: the form came from data) / all such decided applications."""
    period, args = _period('a."decided_at"', where)
    row = await _one(
        'SELECT COUNT(*) AS "total", SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM "application_material" x '  # noqa: S608
        'WHERE x."application" = a."id" AND x."status" = \'provided\' AND x."source" = \'upload\') '
        'THEN 1 ELSE 0 END) AS "yes" FROM "application" a JOIN "matter" m ON m."id" = a."matter" '
        f'WHERE m."hot" = {{}} AND a."decided_at" IS NOT NULL AND {_in(_A_HANDLING, where.codes)}{period}',
        [True, *where.codes, *args],
    )
    return _kpi(
        "paperless_share",
        "高频事项使用数据、电子证照办理比例",
        "ratio",
        _ratio(row["yes"], row["total"]),
        numerator=row["yes"],
        denominator=row["total"],
    )


async def handling_time(where: Scope) -> Kpi:
    """Average working days used (the legal clock at the decision) against the average promised
    limit (承诺时限 plus any extension) of applications accepted and decided in the period."""
    period, args = _period('"decided_at"', where)
    row = await _one(
        'SELECT COUNT(*) AS "n", SUM("clock_used_days") AS "used", '  # noqa: S608
        'SUM("clock_limit_days" + "extension_days") AS "promised", '
        'SUM(CASE WHEN "clock_used_days" > "clock_limit_days" + "extension_days" THEN 1 ELSE 0 END) AS "late" '
        'FROM "application" WHERE "decided_at" IS NOT NULL AND "accepted_at" IS NOT NULL '
        f"AND {_in(_HANDLING, where.codes)}{period}",
        [*where.codes, *args],
    )
    count = int(row["n"])
    used = round(row["used"] / count, 2) if count else None
    promised = round(row["promised"] / count, 2) if count else None
    return _kpi(
        "handling_time",
        "平均办理用时（工作日）",
        "working_days",
        used,
        numerator=row["used"],
        denominator=count,
        target=promised,
        breakdown=[
            Part(key="promised", label="平均承诺时限", value=promised or 0),
            Part(key="late", label="超过承诺时限办结", value=row["late"]),
        ],
    )


async def overdue(where: Scope) -> Kpi:
    """Open items past their deadline today: applications on a running clock, 12345 tickets not
    answered, rectifications not resolved."""
    apps = await _one(
        'SELECT COUNT(*) AS "n" FROM "application" WHERE "clock_state" = \'running\' AND "due_on" < {} '  # noqa: S608
        f"AND {_in(_HANDLING, where.codes)}",
        [where.today, *where.codes],
    )
    tickets = await _one(
        'SELECT COUNT(*) AS "n" FROM "hotline_ticket" WHERE "status" = \'dispatched\' AND "due_on" < {} '  # noqa: S608
        f"AND {_in(_REGION, where.codes)}",
        [where.today, *where.codes],
    )
    fixes = await _one(
        'SELECT COUNT(*) AS "n" FROM "rectification" WHERE "status" = \'open\' AND "deadline" < {} '  # noqa: S608
        f"AND {_in(_REGION, where.codes)}",
        [where.today, *where.codes],
    )
    parts = [
        Part(key="applications", label="超期办件", value=apps["n"]),
        Part(key="tickets", label="超期 12345 工单", value=tickets["n"]),
        Part(key="rectifications", label="超期未整改差评", value=fixes["n"]),
    ]
    return _kpi("overdue", "超期件数", "count", sum(part.value for part in parts), breakdown=parts)


# ---- service quality ---------------------------------------------------------------------------------
async def good_rate(where: Scope) -> Kpi:
    """好评率: valid ratings in the period whose effective level (the re-rating when there is one)
    is 基本满意 or better / all valid ratings."""
    period, args = _period('"created_at"', where)
    row = await _one(
        'SELECT COUNT(*) AS "total", SUM(CASE WHEN COALESCE("rerated_level", "level") >= {} '  # noqa: S608
        f'THEN 1 ELSE 0 END) AS "good" FROM "evaluation" WHERE "status" = \'valid\' '
        f"AND {_in(_REGION, where.codes)}{period}",
        [levels.GOOD_MIN, *where.codes, *args],
    )
    return _kpi(
        "good_rate",
        "好评率",
        "ratio",
        _ratio(row["good"], row["total"]),
        numerator=row["good"],
        denominator=row["total"],
    )


async def rectification_on_time(where: Scope) -> Kpi:
    """Rectifications opened in the period (voided ones left out) that were resolved by their
    deadline / those resolved plus those still open past their deadline (open ones not yet due
    are not counted either way)."""
    period, args = _period('"created_at"', where)
    row = await _one(
        'SELECT SUM(CASE WHEN "resolved_on" IS NOT NULL AND "resolved_on" <= "deadline" THEN 1 ELSE 0 END) '  # noqa: S608
        'AS "yes", SUM(CASE WHEN "resolved_on" IS NOT NULL OR "deadline" < {} THEN 1 ELSE 0 END) AS "decided" '
        f'FROM "rectification" WHERE "status" <> \'voided\' AND {_in(_REGION, where.codes)}'
        f"{period}",
        [where.today, *where.codes, *args],
    )
    return _kpi(
        "rectification_on_time",
        "差评整改按时率",
        "ratio",
        _ratio(row.get("yes", 0), row.get("decided", 0)),
        numerator=row.get("yes", 0),
        denominator=row.get("decided", 0),
    )


async def window_coverage(where: Scope) -> Kpi:
    """通用综合窗口覆盖率: halls of the scope with at least one active comprehensive window / halls."""
    row = await _one(
        'SELECT COUNT(*) AS "total", SUM(CASE WHEN EXISTS (SELECT 1 FROM "hall_window" w WHERE w."hall" = h."id" '  # noqa: S608
        'AND w."kind" = \'comprehensive\' AND w."active" = {}) THEN 1 ELSE 0 END) AS "yes" FROM "hall" h '
        f"WHERE {_in(_H_REGION, where.codes)}",
        [True, *where.codes],
    )
    return _kpi(
        "window_coverage",
        "通用综合窗口覆盖率",
        "ratio",
        _ratio(row["yes"], row["total"]),
        numerator=row["yes"],
        denominator=row["total"],
    )


async def ticket_assigned(where: Scope) -> Kpi:
    """问题有专人受理: tickets filed in the period that reached a department or were answered by the
    centre (anything but still waiting for dispatch) / all tickets filed in the period."""
    period, args = _period('"created_at"', where)
    row = await _one(
        'SELECT COUNT(*) AS "total", SUM(CASE WHEN "status" <> \'pending_dispatch\' THEN 1 ELSE 0 END) AS "yes" '  # noqa: S608
        f'FROM "hotline_ticket" WHERE {_in(_REGION, where.codes)}{period}',
        [*where.codes, *args],
    )
    return _kpi(
        "ticket_assigned",
        "12345 工单受理派单率",
        "ratio",
        _ratio(row["yes"], row["total"]),
        numerator=row["yes"],
        denominator=row["total"],
    )


async def ticket_on_time(where: Scope) -> Kpi:
    """接诉即办: tickets answered in the period on or before their deadline / tickets answered in the
    period plus tickets still unanswered past their deadline."""
    replied, args = _period('"replied_at"', where)
    row = await _one(
        'SELECT SUM(CASE WHEN "replied_on" IS NOT NULL AND "replied_on" <= "due_on" THEN 1 ELSE 0 END) AS "yes", '  # noqa: S608
        'COUNT(*) AS "decided" FROM "hotline_ticket" WHERE "due_on" IS NOT NULL AND '
        f'{_in(_REGION, where.codes)} AND (("replied_on" IS NOT NULL{replied}) '
        'OR ("status" = \'dispatched\' AND "due_on" < {}))',
        [*where.codes, *args, where.today],
    )
    return _kpi(
        "ticket_on_time",
        "12345 工单按时答复率",
        "ratio",
        _ratio(row.get("yes", 0), row.get("decided", 0)),
        numerator=row.get("yes", 0),
        denominator=row.get("decided", 0),
    )


ALL = (
    online_rate,
    mobile_rate,
    instant_per_city,
    paperless_share,
    cross_region_online,
    good_rate,
    rectification_on_time,
    handling_time,
    overdue,
    window_coverage,
    ticket_assigned,
    ticket_on_time,
)


async def compute(region: str, *, since: dt.date | None = None, until: dt.date | None = None) -> list[Kpi]:
    where = await scope(region, since, until)
    return [await function(where) for function in ALL]
