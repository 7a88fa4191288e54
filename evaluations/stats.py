"""Public 好差评 statistics per department, matter or hall.

Counts use each rating's effective level (the re-rating after a rectification when there is one)
and leave out ratings voided by an upheld appeal. 好评率 = (非常满意 + 满意 + 基本满意) / all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

from core import timeutil
from evaluations import levels
from evaluations.tables import Evaluation

Group = Literal["department", "matter", "hall"]

_NAMES = {
    "department": ('"department"', 'LEFT JOIN "department" g ON g."id" = e."department"', 'g."name"'),
    "matter": ('"matter"', 'LEFT JOIN "matter" g ON g."id" = e."matter"', 'g."name"'),
    "hall": ('"hall"', 'LEFT JOIN "hall" g ON g."id" = e."hall"', 'g."name"'),
}


class GroupStats(msgspec.Struct, kw_only=True):
    id: str
    name: str
    total: int
    by_level: dict[str, int]
    good: int
    bad: int
    good_rate: float | None


def _bounds(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """China dates to UTC instants: [since 00:00 CST, until+1 00:00 CST)."""
    start = midnight(since) if since else None
    end = midnight(until + dt.timedelta(days=1)) if until else None
    return start, end


def midnight(day: dt.date) -> dt.datetime:
    """The UTC instant a China date begins."""
    return dt.datetime.combine(day, dt.time(), timeutil.CST).astimezone(dt.UTC)


def filters(
    alias: str, *, regions: list[str] | None, since: dt.date | None, until: dt.date | None, column: str
) -> tuple[str, list[Any]]:
    """SQL conditions (with ``{}`` placeholders) restricting to regions and a period."""
    sql, args = [], []
    if regions is not None:
        if not regions:
            return " AND 1 = 0", []
        sql.append(f' AND {alias}."region_code" IN ({", ".join("{}" for _ in regions)})')
        args += regions
    start, end = _bounds(since, until)
    if start is not None:
        sql.append(f' AND {alias}."{column}" >= {{}}')
        args.append(start)
    if end is not None:
        sql.append(f' AND {alias}."{column}" < {{}}')
        args.append(end)
    return "".join(sql), args


async def by_group(
    group: Group, *, regions: list[str] | None, since: dt.date | None, until: dt.date | None, limit: int = 100
) -> list[GroupStats]:
    column, join, name = _NAMES[group]
    level_sums = ", ".join(
        f'SUM(CASE WHEN COALESCE(e."rerated_level", e."level") = {value} THEN 1 ELSE 0 END) AS "l{value}"'
        for value in levels.LEVELS
    )
    where, args = filters("e", regions=regions, since=since, until=until, column="created_at")
    sql = (
        f'SELECT e.{column} AS "gid", {name} AS "gname", COUNT(*) AS "total", {level_sums} '  # noqa: S608
        f'FROM "evaluation" e {join} WHERE e."status" = \'valid\' AND e.{column} IS NOT NULL{where} '
        f"GROUP BY e.{column}, {name} ORDER BY COUNT(*) DESC, {name} LIMIT {{}}"
    )
    out = []
    for row in await Evaluation.raw(sql, *args, limit):
        by_level = {levels.code(value): int(row[f"l{value}"] or 0) for value in levels.LEVELS}
        good = sum(int(row[f"l{value}"] or 0) for value in levels.LEVELS if value >= levels.GOOD_MIN)
        total = int(row["total"])
        out.append(
            GroupStats(
                id=str(row["gid"]),
                name=row["gname"] or "",
                total=total,
                by_level=by_level,
                good=good,
                bad=total - good,
                good_rate=round(good / total, 4) if total else None,
            )
        )
    return out
