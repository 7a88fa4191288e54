"""Regions, departments and halls: who is competent where."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Region(Table, tablename="region"):
    """A GB/T 2260 division: province (省), city (市), county (县/区) or township (乡镇/街道)."""

    code = Varchar(length=12, primary_key=True)
    name = Varchar(length=64)
    level = Varchar(length=16)  # province | city | county | township
    parent_code = Varchar(length=12, null=True, default=None, index=True)
    province_code = Varchar(length=12, index=True)
    full_name = Varchar(length=200, default="")
    sort = Integer(default=0)


class Department(Table, tablename="department"):
    """A competent department at one level of government (e.g. 南昌市市场监督管理局)."""

    id = UUID(primary_key=True)
    code = Varchar(length=32)  # the kind of department, same at every level: "scjg", "gaj", …
    name = Varchar(length=128)
    region = ForeignKey(references=Region, on_delete=OnDelete.restrict, index=True)
    phone = Varchar(length=32, default="")
    active = Boolean(default=True)


class Hall(Table, tablename="hall"):
    """A service hall (政务服务中心/便民服务中心) with its comprehensive and specialised windows."""

    id = UUID(primary_key=True)
    name = Varchar(length=128)
    region = ForeignKey(references=Region, on_delete=OnDelete.restrict, index=True)
    address = Text(default="")
    phone = Varchar(length=32, default="")
    opening_hours = JSON(default="[]")  # [{"days": "1-5", "open": "09:00", "close": "17:30"}, …]
    latitude = Varchar(length=16, default="")
    longitude = Varchar(length=16, default="")
    accessible = Boolean(default=True)  # step-free access, priority window for the elderly
