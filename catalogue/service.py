"""Maintain and search the matter catalogue.

Editing never changes a published version: it creates a draft version, publishing it supersedes
the previous one, and the ``Matter`` row's search columns are refreshed from the version that is
now current. Applications keep pointing at the version they were made under.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from pypinyin import Style, lazy_pinyin

from audit import log as audit
from catalogue import elements as el
from catalogue.tables import Matter, MatterVersion
from core import db, rows, timeutil
from core.cache import AsyncCache
from core.errors import ProblemError, invalid
from regions import tree as regions
from regions.tables import Department


def _pinyin(texts: list[str]) -> tuple[str, str]:
    initials = ["".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower() for text in texts if text]
    full = ["".join(lazy_pinyin(text, errors="ignore")).lower() for text in texts if text]
    return " ".join(initials), " ".join(full)


def derived_columns(elements: el.MatterElements) -> dict[str, Any]:
    """Columns of ``Matter`` that follow from its current elements (kept for fast filtering)."""
    words = [elements.name, *elements.keywords]
    initials, full = _pinyin(words)
    return {
        "name": elements.name,
        "kind": elements.kind,
        "region_code": elements.region_code,
        "region_level": elements.region_level,
        "audience": ",".join(elements.audience),
        "themes": "," + ",".join(elements.themes) + "," if elements.themes else "",
        "search_text": " ".join([elements.name, *elements.keywords, elements.summary]).lower(),
        "pinyin_initials": initials,
        "pinyin_full": full,
        "hot": elements.hot,
        "instant": elements.instant,
        "online": elements.online_depth >= 3 and bool({"web", "mobile"} & set(elements.channels)),
        "mobile": "mobile" in elements.channels and elements.online_depth >= 3,
        "cross_region_scope": elements.cross_region.scope,
    }


async def _department_for(elements: el.MatterElements) -> uuid.UUID:
    row = (
        await Department.select(Department.id)
        .where((Department.code == elements.department_code) & (Department.region == elements.region_code))
        .first()
    )
    if row is None:
        raise invalid("elements.department_code", zh="该地区没有这个部门。", en="No such department in that region.")
    return row["id"]


async def _check_region(elements: el.MatterElements) -> None:
    tree = await regions.tree()
    node = tree.get(elements.region_code)
    if node is None:
        raise invalid("elements.region_code", "region_invalid")
    if node.level != elements.region_level:
        raise invalid(
            "elements.region_level", zh="层级与行政区划不一致。", en="region_level does not match the region."
        )


def implementation_code(elements: el.MatterElements) -> str:
    return f"{elements.basic_code}-{elements.region_code}"


async def create(elements: el.MatterElements, *, actor: audit.Actor, publish: bool = False) -> uuid.UUID:
    await _check_region(elements)
    department = await _department_for(elements)
    matter_id = timeutil.uuid7()
    async with db.write_tx():
        code = implementation_code(elements)
        if await Matter.exists().where(Matter.code == code):
            raise ProblemError(
                "conflict",
                field="elements.basic_code",
                zh="该地区已有这个事项。",
                en="This matter already exists in that region.",
            )
        await Matter.insert(
            Matter(
                id=matter_id,
                code=code,
                basic_code=elements.basic_code,
                department=department,
                status="draft",
                current_version=0,
                updated_at=timeutil.now(),
                **derived_columns(elements),
            )
        )
        await MatterVersion.insert(
            MatterVersion(
                id=timeutil.uuid7(),
                matter=matter_id,
                version=1,
                elements=el.encode(elements),
                status="draft",
                created_by=actor.id,
                created_at=timeutil.now(),
            )
        )
        await audit.append("matter.created", actor=actor, object_type="matter", object_id=matter_id)
        if publish:
            await publish_version(matter_id, 1, actor=actor)
    return matter_id


async def new_version(
    matter_id: uuid.UUID, elements: el.MatterElements, *, based_on: int, actor: audit.Actor, note: str = ""
) -> int:
    """Add a draft version; ``based_on`` must be the latest version (optimistic concurrency)."""
    matter = await rows.one(Matter, matter_id)
    if matter is None:
        raise ProblemError("matter_not_found")
    if implementation_code(elements) != matter["code"]:
        raise invalid(
            "elements.basic_code",
            zh="不能修改事项编码或实施地区。",
            en="The basic code and region of a matter cannot change.",
        )
    await _check_region(elements)
    await _department_for(elements)
    async with db.write_tx():
        latest = (
            await MatterVersion.select(MatterVersion.version)
            .where(MatterVersion.matter == matter_id)
            .order_by(MatterVersion.version, ascending=False)
            .first()
        )
        latest_version = latest["version"] if latest else 0
        if latest_version != based_on:
            raise ProblemError("matter_version_conflict", extra={"latest_version": latest_version})
        version = latest_version + 1
        await MatterVersion.insert(
            MatterVersion(
                id=timeutil.uuid7(),
                matter=matter_id,
                version=version,
                elements=el.encode(elements),
                status="draft",
                note=note,
                created_by=actor.id,
                created_at=timeutil.now(),
            )
        )
        await audit.append(
            "matter.version_created",
            actor=actor,
            object_type="matter",
            object_id=matter_id,
            details={"version": version},
        )
    return version


async def publish_version(matter_id: uuid.UUID, version: int, *, actor: audit.Actor) -> None:
    async with db.write_tx():
        row = (
            await MatterVersion.select()
            .where((MatterVersion.matter == matter_id) & (MatterVersion.version == version))
            .first()
        )
        if row is None:
            raise ProblemError("matter_not_found")
        if row["status"] != "draft":
            raise ProblemError("conflict", zh="这个版本已经发布过。", en="This version was already published.")
        elements = el.decode(row["elements"])
        now = timeutil.now()
        await MatterVersion.update({MatterVersion.status: "superseded"}).where(
            (MatterVersion.matter == matter_id) & (MatterVersion.status == "published")
        )
        await MatterVersion.update({MatterVersion.status: "published", MatterVersion.published_at: now}).where(
            MatterVersion.id == row["id"]
        )
        department = await _department_for(elements)
        await Matter.update(
            {
                **{getattr(Matter, k): v for k, v in derived_columns(elements).items()},
                Matter.status: "published",
                Matter.current_version: version,
                Matter.department: department,
                Matter.updated_at: now,
            }
        ).where(Matter.id == matter_id)
        await audit.append(
            "matter.published", actor=actor, object_type="matter", object_id=matter_id, details={"version": version}
        )


async def retire(matter_id: uuid.UUID, *, actor: audit.Actor) -> None:
    async with db.write_tx():
        rows = (
            await Matter.update({Matter.status: "retired", Matter.updated_at: timeutil.now()})
            .where(Matter.id == matter_id)
            .returning(Matter.id)
        )
        if not rows:
            raise ProblemError("matter_not_found")
        await audit.append("matter.retired", actor=actor, object_type="matter", object_id=matter_id)


class MatterView(msgspec.Struct, frozen=True):
    matter: dict[str, Any]
    version_id: uuid.UUID
    version: int
    elements: el.MatterElements


async def _load_version(key: tuple[uuid.UUID, int]) -> tuple[uuid.UUID, el.MatterElements] | None:
    row = (
        await MatterVersion.select(MatterVersion.id, MatterVersion.elements)
        .where((MatterVersion.matter == key[0]) & (MatterVersion.version == key[1]))
        .first()
    )
    return (row["id"], el.decode(row["elements"])) if row else None


async def _load_version_by_id(version_id: uuid.UUID) -> el.MatterElements | None:
    row = await MatterVersion.select(MatterVersion.elements).where(MatterVersion.id == version_id).first()
    return el.decode(row["elements"]) if row else None


async def _load_department_name(department_id: uuid.UUID) -> str:
    row = await Department.select(Department.name).where(Department.id == department_id).first()
    return row["name"] if row else ""


# A version's elements never change once its row exists (editing inserts a new version), so they
# are cached without expiry. Department names are reference data: a short TTL is enough.
_versions: AsyncCache[tuple[uuid.UUID, int], tuple[uuid.UUID, el.MatterElements] | None] = AsyncCache(
    _load_version, maxsize=4096
)
_versions_by_id: AsyncCache[uuid.UUID, el.MatterElements | None] = AsyncCache(_load_version_by_id, maxsize=4096)
_department_names: AsyncCache[uuid.UUID, str] = AsyncCache(_load_department_name, maxsize=4096, ttl=60)


async def department_name(department_id: uuid.UUID) -> str:
    return await _department_names.get(department_id)


async def current(matter_id: uuid.UUID, *, published_only: bool = True) -> MatterView:
    """A matter with the elements of its current published version."""
    matter = await Matter.select().where(Matter.id == matter_id).first()
    if matter is None or (published_only and matter["status"] != "published"):
        raise ProblemError("matter_not_found")
    version = await _versions.get((matter_id, matter["current_version"]))
    if version is None:
        raise ProblemError("matter_not_found")
    matter["department_name"] = await department_name(matter["department"])
    return MatterView(matter, version[0], matter["current_version"], version[1])


async def version_elements(version_id: uuid.UUID) -> el.MatterElements:
    elements = await _versions_by_id.get(version_id)
    if elements is None:
        raise ProblemError("matter_not_found")
    return elements


async def versions(matter_id: uuid.UUID) -> list[dict[str, Any]]:
    return (
        await MatterVersion.select(
            MatterVersion.id,
            MatterVersion.version,
            MatterVersion.status,
            MatterVersion.note,
            MatterVersion.created_at,
            MatterVersion.published_at,
        )
        .where(MatterVersion.matter == matter_id)
        .order_by(MatterVersion.version)
    )


_LIST_SQL = (
    'SELECT m."id", m."code", m."basic_code", m."name", m."kind", m."region_code", m."region_level", '
    'm."audience", m."themes", m."hot", m."instant", m."online", m."mobile", m."cross_region_scope", '
    'm."current_version", d."name" AS "department_name", d."code" AS "department_code", COUNT(*) OVER () AS "total" '
    'FROM "matter" m JOIN "department" d ON d."id" = m."department" WHERE m."status" = \'published\''
)


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (``%`` and ``_`` in the input are escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def search(
    *,
    q: str = "",
    region: str | None = None,
    department: str | None = None,
    audience: str | None = None,
    theme: str | None = None,
    hot: bool | None = None,
    instant: bool | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Published matters matching every given filter; ``region`` includes the regions above it.

    One hand-written query (with the total as a window count): this is the most-used public
    endpoint, and Piccolo's join builder costs more than the query itself.
    """
    sql, args = [_LIST_SQL], []
    if q:
        needle = q.strip().lower()
        sql.append(
            " AND (m.\"search_text\" LIKE {} ESCAPE '\\' OR m.\"pinyin_initials\" LIKE {} ESCAPE '\\'"
            " OR m.\"pinyin_full\" LIKE {} ESCAPE '\\')"
        )
        args += [_like(needle), _like(needle), _like(needle.replace(" ", ""))]
    if region:
        tree = await regions.tree()
        if region not in tree:
            raise invalid("region", "region_invalid")
        codes = tree.ancestors(region)
        sql.append(f' AND m."region_code" IN ({", ".join("{}" for _ in codes)})')
        args += codes
    if department:
        sql.append(' AND d."code" = {}')
        args.append(department)
    if audience:
        sql.append(" AND m.\"audience\" LIKE {} ESCAPE '\\'")
        args.append(_like(audience))
    if theme:
        sql.append(" AND m.\"themes\" LIKE {} ESCAPE '\\'")
        args.append(_like(f",{theme},"))
    if hot is not None:
        sql.append(' AND m."hot" = {}')
        args.append(hot)
    if instant is not None:
        sql.append(' AND m."instant" = {}')
        args.append(instant)
    sql.append(' ORDER BY m."hot" DESC, m."popularity" DESC, m."name" LIMIT {} OFFSET {}')
    args += [limit, offset]
    rows_ = await Matter.raw("".join(sql), *args)
    if rows_:
        return rows_, rows_[0]["total"]
    if offset:  # past the end: the window count is unknown, ask for it
        _, total = await search(
            q=q,
            region=region,
            department=department,
            audience=audience,
            theme=theme,
            hot=hot,
            instant=instant,
            limit=1,
            offset=0,
        )
        return [], total
    return [], 0
