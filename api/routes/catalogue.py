"""The public matter catalogue: search, detail, regions, departments and halls."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Router, get
from litestar.params import FromPath, FromQuery

from api import problems
from catalogue import elements as el
from catalogue import service
from core.errors import ProblemError
from regions import tree as regions
from regions.tables import Department, Hall, Region


class MatterSummary(msgspec.Struct):
    id: uuid.UUID
    code: str
    basic_code: str
    name: str
    kind: str
    kind_label: str
    department: str
    department_code: str
    region_code: str
    region_name: str
    region_level: str
    audience: list[str]
    themes: list[str]
    hot: bool
    instant: bool
    online: bool
    mobile: bool
    cross_region_scope: str


class MatterPage(msgspec.Struct):
    items: list[MatterSummary]
    total: int
    limit: int
    offset: int


class MatterDetail(msgspec.Struct):
    id: uuid.UUID
    code: str
    version: int
    version_id: uuid.UUID
    department: str
    region_name: str
    elements: el.MatterElements
    labels: dict[str, str]
    offered_in: list[str]
    """Region codes where it can be applied for at a hall (its region and those below it)."""


def _summary(row: dict[str, Any], tree: regions.RegionTree) -> MatterSummary:
    return MatterSummary(
        id=row["id"],
        code=row["code"],
        basic_code=row["basic_code"],
        name=row["name"],
        kind=row["kind"],
        kind_label=el.LABELS["kind"].get(row["kind"], row["kind"]),
        department=row["department_name"],
        department_code=row["department_code"],
        region_code=row["region_code"],
        region_name=tree.name(row["region_code"]),
        region_level=row["region_level"],
        audience=row["audience"].split(","),
        themes=[t for t in row["themes"].split(",") if t],
        hot=row["hot"],
        instant=row["instant"],
        online=row["online"],
        mobile=row["mobile"],
        cross_region_scope=row["cross_region_scope"],
    )


@get(
    "/matters",
    summary="Search the matter catalogue",
    responses=problems.responses(422),
    description=(
        "Public. `q` matches names, keywords and pinyin (initials like `sfz` or full `shenfenzheng`). `region` "
        "returns matters of that region and of the regions above it (a county resident also sees city and "
        "provincial matters)."
    ),
)
async def search(
    q: FromQuery[str] = "",
    region: FromQuery[str | None] = None,
    department: FromQuery[str | None] = None,
    audience: FromQuery[str | None] = None,
    theme: FromQuery[str | None] = None,
    hot: FromQuery[bool | None] = None,
    instant: FromQuery[bool | None] = None,
    limit: FromQuery[int] = 20,
    offset: FromQuery[int] = 0,
) -> MatterPage:
    if len(q) > 50:
        raise ProblemError("validation_failed", field="q", zh="搜索词太长。", en="The search text is too long.")
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    rows, total = await service.search(
        q=q,
        region=region,
        department=department,
        audience=audience,
        theme=theme,
        hot=hot,
        instant=instant,
        limit=limit,
        offset=offset,
    )
    tree = await regions.tree()
    return MatterPage([_summary(row, tree) for row in rows], total, limit, offset)


def _labels(elements: el.MatterElements) -> dict[str, str]:
    return {
        "kind": el.LABELS["kind"][elements.kind],
        "region_level": el.LABELS["region_level"][elements.region_level],
        "handling_mode": el.LABELS["handling_mode"][elements.handling_mode],
        "cross_scope": el.LABELS["cross_scope"][elements.cross_region.scope],
        "online_depth": el.LABELS["online_depth"].get(str(elements.online_depth), ""),
        "channels": "、".join(el.LABELS["channel"][c] for c in elements.channels),
        "audience": "、".join(el.LABELS["audience"][a] for a in elements.audience),
    }


@get(
    "/matters/{matter_id:uuid}",
    summary="A matter's standard elements",
    responses=problems.responses(404),
    description="Public. Materials (and which e-licences replace them), form, time limits, fee, handling mode, "
    "channels and cross-region scope of the current published version.",
)
async def detail(matter_id: FromPath[uuid.UUID]) -> MatterDetail:
    view = await service.current(matter_id)
    tree = await regions.tree()
    return MatterDetail(
        id=view.matter["id"],
        code=view.matter["code"],
        version=view.version,
        version_id=view.version_id,
        department=view.matter["department_name"],
        region_name=tree.name(view.elements.region_code),
        elements=view.elements,
        labels=_labels(view.elements),
        offered_in=tree.descendants(view.elements.region_code),
    )


@get(
    "/matters/{matter_id:uuid}/versions/{version:int}",
    summary="One published or past version of a matter",
    responses=problems.responses(404),
)
async def version_detail(matter_id: FromPath[uuid.UUID], version: FromPath[int]) -> el.MatterElements:
    rows = [row for row in await service.versions(matter_id) if row["version"] == version]
    if not rows or rows[0]["status"] == "draft":
        raise ProblemError("matter_not_found")
    return await service.version_elements(rows[0]["id"])


class RegionView(msgspec.Struct):
    code: str
    name: str
    level: str
    parent_code: str | None
    full_name: str


@get("/regions", summary="Regions (GB/T 2260), children of `parent`", responses=problems.responses(422))
async def region_list(parent: FromQuery[str | None] = None) -> list[RegionView]:
    query = Region.select().order_by(Region.sort).order_by(Region.code)
    query = query.where(Region.parent_code == parent) if parent else query.where(Region.level == "province")
    return [RegionView(r["code"], r["name"], r["level"], r["parent_code"], r["full_name"]) for r in await query]


@get("/regions/{code:str}", summary="One region with its ancestors", responses=problems.responses(404))
async def region_detail(code: FromPath[str]) -> list[RegionView]:
    tree = await regions.tree()
    if code not in tree:
        raise ProblemError("not_found")
    return [
        RegionView(n.code, n.name, n.level, n.parent, n.full_name)
        for n in map(tree.nodes.__getitem__, tree.ancestors(code))
    ]


class DepartmentView(msgspec.Struct):
    id: uuid.UUID
    code: str
    name: str
    region_code: str


@get("/departments", responses=problems.responses(), summary="Departments of a region")
async def department_list(region: FromQuery[str | None] = None) -> list[DepartmentView]:
    query = Department.select().order_by(Department.name)
    if region:
        query = query.where(Department.region == region)
    return [DepartmentView(r["id"], r["code"], r["name"], r["region"]) for r in await query]


class HallView(msgspec.Struct):
    id: uuid.UUID
    name: str
    region_code: str
    address: str
    phone: str
    opening_hours: list[dict[str, Any]]
    accessible: bool


@get("/halls", responses=problems.responses(), summary="Service halls of a region and the regions below it")
async def hall_list(region: FromQuery[str | None] = None) -> list[HallView]:
    query = Hall.select().order_by(Hall.name)
    if region:
        tree = await regions.tree()
        query = query.where(Hall.region.is_in(tree.descendants(region) if region in tree else [region]))
    rows = await query
    return [
        HallView(
            r["id"],
            r["name"],
            r["region"],
            r["address"],
            r["phone"],
            msgspec.json.decode(r["opening_hours"]) if isinstance(r["opening_hours"], str) else r["opening_hours"],
            r["accessible"],
        )
        for r in rows
    ]


router = Router(
    path="/api",
    route_handlers=[search, detail, version_detail, region_list, region_detail, department_list, hall_list],
    tags=["事项 Catalogue"],
)
ROUTES = [router]
