"""The data-source adapter interface and the built-in registers.

A source answers ``query(kind, key)`` with a :class:`SourceAnswer` that always names the source and
when the data was fetched, so decisions can show where each fact came from. The built-in
adapters read this database's register tables; other adapters (an HTTP registry, a cache in front
of one) implement the same protocol and are installed with :func:`register`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import msgspec

from core import pii, timeutil
from core.identifiers import normalise_credit_code, normalise_id_number
from datahub.tables import EnterpriseRecord, PopulationRecord


class SourceAnswer(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    kind: str
    found: bool
    record: dict[str, Any] = msgspec.field(default_factory=dict)
    fetched_at: dt.datetime
    fresh_until: dt.datetime | None = None


class SourceUnavailable(Exception):
    """The source did not answer (timeout, circuit open, error): never decide on missing data."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class DataSource(Protocol):
    name: str
    title: str

    async def query(self, kind: str, key: str) -> SourceAnswer: ...


class BuiltinPopulation:
    """人口库: persons by ID number."""

    name = "population"
    title = "省人口基础信息库"

    async def query(self, kind: str, key: str) -> SourceAnswer:
        if kind != "person":
            raise ValueError(f"population source has no {kind!r}")
        index = pii.blind_index(normalise_id_number(key), kind="id_number")
        row = await PopulationRecord.select().where(PopulationRecord.id_number_index == index).first()
        now = timeutil.now()
        if row is None:
            return SourceAnswer(source=self.name, kind=kind, found=False, fetched_at=now)
        record = {
            "name": row["name"],
            "gender": row["gender"],
            "ethnicity": row["ethnicity"],
            "birth_date": row["birth_date"].isoformat(),
            "household_region": row["household_region"],
            "household_address": row["household_address"],
            "household_head_index": row["household_head_index"],
            "relation_to_head": row["relation_to_head"],
            "residence_region": row["residence_region"],
            "deceased": bool(row["deceased"]),
            "guardians": _json_list(row["guardians"]),
            "disability": row["disability"],
        }
        return SourceAnswer(source=self.name, kind=kind, found=True, record=record, fetched_at=now)


class BuiltinEnterprises:
    """法人库: market entities by unified social credit code."""

    name = "enterprise"
    title = "省法人单位信息库"

    async def query(self, kind: str, key: str) -> SourceAnswer:
        if kind != "enterprise":
            raise ValueError(f"enterprise source has no {kind!r}")
        row = await EnterpriseRecord.select().where(EnterpriseRecord.credit_code == normalise_credit_code(key)).first()
        now = timeutil.now()
        if row is None:
            return SourceAnswer(source=self.name, kind=kind, found=False, fetched_at=now)
        record = {
            "credit_code": row["credit_code"],
            "name": row["name"],
            "kind": row["kind"],
            "legal_rep_name": row["legal_rep_name"],
            "legal_rep_id_index": row["legal_rep_id_index"],
            "region_code": row["region_code"],
            "address": row["address"],
            "established_on": row["established_on"].isoformat(),
            "status": row["status"],
            "registered_capital_wan": row["registered_capital_wan"],
            "industry": row["industry"],
            "attributes": _json_dict(row["attributes"]),
        }
        return SourceAnswer(source=self.name, kind=kind, found=True, record=record, fetched_at=now)


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return msgspec.json.decode(value or "[]")


def _json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return msgspec.json.decode(value or "{}")


_registry: dict[str, DataSource] = {}


def register(source: DataSource) -> None:
    _registry[source.name] = source


def get(name: str) -> DataSource:
    return _registry[name]


def names() -> list[str]:
    return sorted(_registry)


register(BuiltinPopulation())
register(BuiltinEnterprises())
