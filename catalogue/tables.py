"""The matter catalogue (事项清单): matters and their published versions."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from regions.tables import Department


class Matter(Table, tablename="matter"):
    """One matter as implemented in one region (实施清单), with search columns derived from its
    current published version so that search never parses version documents."""

    id = UUID(primary_key=True)
    code = Varchar(length=64, unique=True)  # implementation code: basic code + region
    basic_code = Varchar(length=32, index=True)  # the same for the same matter everywhere (同要素)
    name = Varchar(length=200)
    kind = Varchar(length=32, default="public_service")
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, index=True)
    region_code = Varchar(length=12, index=True)
    region_level = Varchar(length=16)
    audience = Varchar(length=32, default="person")  # person | enterprise | person,enterprise
    themes = Varchar(length=300, default="")  # ",婚育,养老," for LIKE filtering
    search_text = Text(default="")
    pinyin_initials = Varchar(length=200, default="")
    pinyin_full = Text(default="")
    hot = Boolean(default=False, index=True)
    instant = Boolean(default=False)
    online = Boolean(default=True)  # can be applied for without visiting a hall
    mobile = Boolean(default=True)  # can be applied for on a phone
    cross_region_scope = Varchar(length=16, default="none")
    status = Varchar(length=16, default="draft")  # draft | published | retired
    current_version = Integer(default=0)
    popularity = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class MatterVersion(Table, tablename="matter_version"):
    """An immutable snapshot of a matter's standard elements; applications pin one."""

    id = UUID(primary_key=True)
    matter = ForeignKey(references=Matter, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    elements = Text()  # msgspec-encoded catalogue.elements.MatterElements
    status = Varchar(length=16, default="draft")  # draft | published | superseded
    note = Text(default="")
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)
