"""Load the demo data set into an empty database.

Domain packages add their own demo data in ``<package>/demo_data.py`` with an
``async def seed(ctx: SeedContext) -> None`` and an integer ``ORDER``; they run by ``ORDER`` after the
platform core (regions, departments, halls, registers, accounts, catalogue) and may use what it
created through the context.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from audit import log as audit
from auth import clerks
from auth.tables import Resident
from catalogue import service as catalogue
from core import db, discovery, pii, timeutil
from core.identifiers import id_birth_date, id_gender
from datahub.tables import EnterpriseRecord, PopulationRecord
from demo import departments, people
from demo.regions import REGIONS, full_names
from regions import tree as regions
from regions.tables import Department, Hall, Region

log = logging.getLogger("zhangban.demo")

def seeders() -> list[Any]:
    modules = [importlib.import_module(name) for name in discovery.modules_named("demo_data.py")]
    return sorted(modules, key=lambda module: (getattr(module, "ORDER", 100), module.__name__))


class SeedContext(msgspec.Struct, kw_only=True):
    residents: dict[str, Any] = msgspec.field(default_factory=dict)  # DemoPerson.key → resident id
    clerks: dict[str, Any] = msgspec.field(default_factory=dict)  # username → clerk id
    departments: dict[tuple[str, str], Any] = msgspec.field(default_factory=dict)  # (kind, region) → department id


async def _regions() -> None:
    names = full_names()
    async with db.write_tx():
        for position, (code, name, level, parent) in enumerate(REGIONS):
            province = code[:2] + "0000"
            await Region.insert(
                Region(
                    code=code,
                    name=name,
                    level=level,
                    parent_code=parent,
                    province_code=province,
                    full_name=names[code],
                    sort=position,
                )
            )
    regions.invalidate()


async def _departments(ctx: SeedContext) -> None:
    async with db.write_tx():
        for kind, name, region in departments.departments():
            department_id = timeutil.uuid7()
            await Department.insert(Department(id=department_id, code=kind, name=name, region=region))
            ctx.departments[(kind, region)] = department_id


async def _halls() -> None:
    from demo.halls import HALLS

    async with db.write_tx():
        for hall in HALLS:
            await Hall.insert(
                Hall(
                    id=timeutil.uuid7(),
                    name=hall["name"],
                    region=hall["region_code"],
                    address=hall["address"],
                    phone=hall["phone"],
                    opening_hours=msgspec.json.encode(hall["opening_hours"]).decode(),
                    latitude=hall.get("latitude", ""),
                    longitude=hall.get("longitude", ""),
                    accessible=hall.get("accessible", True),
                )
            )


async def _registers() -> None:
    async with db.write_tx():
        for person in people.PEOPLE:
            number = person.id_number
            await PopulationRecord.insert(
                PopulationRecord(
                    id=timeutil.uuid7(),
                    id_number_index=pii.blind_index(number, kind="id_number"),
                    id_number_enc=pii.encrypt(number, context="population.id_number"),
                    name=person.name,
                    gender=id_gender(number),
                    birth_date=person.birth,
                    household_region=person.household_region,
                    household_address=person.address,
                    residence_region=person.residence_region or person.household_region,
                    disability=person.disability,
                    updated_at=timeutil.now(),
                )
            )
        for enterprise in people.ENTERPRISES:
            rep = people.person(enterprise.legal_rep)
            await EnterpriseRecord.insert(
                EnterpriseRecord(
                    id=timeutil.uuid7(),
                    credit_code=enterprise.credit_code,
                    name=enterprise.name,
                    kind=enterprise.kind,
                    legal_rep_name=rep.name,
                    legal_rep_id_index=pii.blind_index(rep.id_number, kind="id_number"),
                    region_code=enterprise.region,
                    address=enterprise.address,
                    established_on=enterprise.established,
                    registered_capital_wan=enterprise.capital_wan,
                    industry=enterprise.industry,
                    scope=enterprise.scope,
                    attributes=msgspec.json.encode(enterprise.attributes).decode(),
                    updated_at=timeutil.now(),
                )
            )


async def _residents(ctx: SeedContext) -> None:
    """Accounts for demo people with a phone, already real-name verified."""
    from auth.codes import phone_index

    async with db.write_tx():
        for person in people.PEOPLE:
            if person.phone is None:
                continue
            number = person.id_number
            resident_id = timeutil.uuid7()
            await Resident.insert(
                Resident(
                    id=resident_id,
                    phone_index=phone_index(person.phone),
                    phone_enc=pii.encrypt(person.phone, context="resident.phone"),
                    phone_masked=pii.mask_phone(person.phone),
                    name=person.name,
                    id_number_index=pii.blind_index(number, kind="id_number"),
                    id_number_enc=pii.encrypt(number, context="resident.id_number"),
                    id_number_masked=pii.mask_id_number(number),
                    birth_date=id_birth_date(number),
                    gender=id_gender(number),
                    region_code=person.residence_region or person.household_region,
                    realname_verified_at=timeutil.now(),
                    elder_mode=person.elder_mode,
                    preferences=msgspec.json.encode(
                        {"channels": ["inbox", "sms"]} if person.elder_mode else {}
                    ).decode(),
                    created_at=timeutil.now(),
                )
            )
            ctx.residents[person.key] = resident_id


async def _clerks(ctx: SeedContext) -> None:
    for clerk in people.CLERKS:
        department = ctx.departments.get((clerk.department, clerk.region)) if clerk.department else None
        row, _ = await clerks.create_clerk(
            username=clerk.username,
            display_name=clerk.display_name,
            password=people.DEMO_PASSWORD,
            department_id=department,
            region_code=clerk.region,
            roles=list(clerk.roles),
            totp_secret=clerk.totp_secret,
        )
        ctx.clerks[clerk.username] = row["id"]


async def _matters() -> int:
    from demo.matters import matters

    actor = audit.Actor(kind="system", label="演示数据")
    count = 0
    for elements in matters():
        await catalogue.create(elements, actor=actor, publish=True)
        count += 1
    return count


Seeder = Callable[[SeedContext], Awaitable[None]]


async def seed() -> dict[str, int]:
    """Load everything into an empty database; does nothing when regions already exist."""
    if await Region.count() > 0:
        return {"skipped": 1}
    discovery.load_wiring()  # hooks and registries, as when the app starts
    ctx = SeedContext()
    await _regions()
    await _departments(ctx)
    await _halls()
    await _registers()
    await _residents(ctx)
    await _clerks(ctx)
    matters = await _matters()
    for module in seeders():
        await module.seed(ctx)
    log.info("demo.seeded", extra={"matters": matters, "residents": len(ctx.residents), "clerks": len(ctx.clerks)})
    return {"regions": len(REGIONS), "matters": matters, "residents": len(ctx.residents), "clerks": len(ctx.clerks)}
