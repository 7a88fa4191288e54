"""Demo wallets: every demo resident's licences from the registers, the two demo companies' 营业执照
and 食品经营许可证, and a few licences departments issued earlier (驾驶证, 社保卡, 学历, 居住证)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from audit import log as audit
from auth.tables import Enterprise
from core import db, timeutil
from datahub.tables import EnterpriseRecord
from demo import people
from ecert import hooks, licences, trust

ORDER = 30
ACTOR = audit.Actor(kind="system", label="演示数据：电子证照归集")

EXTRA: dict[str, dict[str, dict[str, Any]]] = {
    "grandma": {"social_security_card": {}},
    "son": {"driving_licence": {"licence_class": "C1", "first_issued": "1998-07-15"}},
    "resident": {"social_security_card": {}},
    "legal_rep": {"driving_licence": {"licence_class": "A2", "first_issued": "1992-04-10"}},
    "staff": {
        "diploma": {
            "school": "南昌大学",
            "major": "食品科学与工程",
            "level": "本科",
            "graduated_on": "2010-06-30",
        }
    },
}
FOOD_ITEMS = {"lvyuan": "预包装食品销售；热食类食品制售", "xiaochi": "小餐饮：热食类食品制售"}


async def _enterprise_row(record: dict[str, Any]) -> Any:
    """The platform's enterprise row (as the legal representative's claim would create it)."""
    async with db.write_tx():
        row = await Enterprise.select(Enterprise.id).where(Enterprise.credit_code == record["credit_code"]).first()
        if row is not None:
            return row["id"]
        enterprise_id = timeutil.uuid7()
        await Enterprise.insert(
            Enterprise(
                id=enterprise_id,
                credit_code=record["credit_code"],
                name=record["name"],
                kind=record["kind"],
                legal_rep_name=record["legal_rep_name"],
                legal_rep_id_index=record["legal_rep_id_index"],
                region_code=record["region_code"],
                created_at=timeutil.now(),
            )
        )
        return enterprise_id


async def seed(ctx: Any) -> None:
    await trust.ensure_root(ACTOR)
    for key, resident_id in ctx.residents.items():
        await hooks.import_person(resident_id, actor=ACTOR, extra=EXTRA.get(key))
    migrant = ctx.residents.get("migrant")
    if migrant is not None:
        person = people.person("migrant")
        await licences.issue(
            type_code="residence_permit",
            holder_key=f"person:{migrant}",
            holder_name=person.name,
            region_code=person.residence_region,
            fields={
                "name": person.name,
                "gender": "女",
                "birth_date": person.birth.isoformat(),
                "id_number": person.id_number[:4] + "*" * 10 + person.id_number[-4:],
                "residence_region": "江西省赣州市章贡区",
                "residence_address": "江西省赣州市章贡区文清路 8 号",
            },
            actor=ACTOR,
            valid_from=timeutil.today() - dt.timedelta(days=120),
            source="import",
        )
    for enterprise in people.ENTERPRISES:
        record = await EnterpriseRecord.select().where(EnterpriseRecord.credit_code == enterprise.credit_code).first()
        if record is None:
            continue
        enterprise_id = await _enterprise_row(record)
        await hooks.import_enterprise(enterprise_id, actor=ACTOR)
        await licences.issue(
            type_code="food_licence",
            holder_key=f"enterprise:{enterprise_id}",
            holder_name=enterprise.name,
            region_code=enterprise.region,
            fields={
                "name": enterprise.name,
                "credit_code": enterprise.credit_code,
                "licence_no": f"JY1{enterprise.region}{enterprise.established.year}0{len(enterprise.key):04d}",
                "items": FOOD_ITEMS.get(enterprise.key, "食品销售"),
                "address": enterprise.address,
            },
            actor=ACTOR,
            valid_from=enterprise.established,
            valid_until=dt.date(timeutil.today().year + 3, 4, 17),
            source="import",
        )
    trust.invalidate()
