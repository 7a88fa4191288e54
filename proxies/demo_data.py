"""Demo proxies: 张秀英 has authorised her son 王小明 (family care: 养老, 医保 and 社保 matters, a year),
and the community service centre of her street, whose 助老员 李娟 may look at and apply for her
养老 matters and 12345 requests. Both grants went through the real consent flow (offer, code, accept).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from auth.codes import phone_index
from auth.context import Caller, Principal
from auth.tables import Resident
from core import db, pii, timeutil
from core.identifiers import id_birth_date, id_gender, make_id_number
from datahub.tables import PopulationRecord
from proxies import consent, organisations
from proxies.consent import AgentRef
from proxies.grants import ScopeIn

ORDER = 70

WORKER = {
    "name": "李娟",
    "birth": dt.date(1986, 4, 9),
    "sequence": 264,
    "region": "360102",
    "address": "江西省南昌市东湖区八一大道 301 号",
    "phone": "13800000021",
}
CENTRE = {
    "name": "东湖区八一社区服务中心",
    "region_code": "360102",
    "address": "江西省南昌市东湖区八一大道 299 号",
    "phone": "0791-86000000",
}


def _caller(resident_id: Any, name: str) -> Caller:
    return Caller(
        session_id="demo",
        kind="resident",
        account_id=resident_id,
        name=name,
        csrf_token="",
        principal=Principal("person", resident_id, name),
        realname_verified=True,
        step_up_at=timeutil.now(),
    )


async def _worker() -> Any:
    number = make_id_number(WORKER["region"], WORKER["birth"], WORKER["sequence"])
    resident_id = timeutil.uuid7()
    async with db.write_tx():
        await PopulationRecord.insert(
            PopulationRecord(
                id=timeutil.uuid7(),
                id_number_index=pii.blind_index(number, kind="id_number"),
                id_number_enc=pii.encrypt(number, context="population.id_number"),
                name=WORKER["name"],
                gender=id_gender(number),
                birth_date=WORKER["birth"],
                household_region=WORKER["region"],
                household_address=WORKER["address"],
                residence_region=WORKER["region"],
                updated_at=timeutil.now(),
            )
        )
        await Resident.insert(
            Resident(
                id=resident_id,
                phone_index=phone_index(WORKER["phone"]),
                phone_enc=pii.encrypt(WORKER["phone"], context="resident.phone"),
                phone_masked=pii.mask_phone(WORKER["phone"]),
                name=WORKER["name"],
                id_number_index=pii.blind_index(number, kind="id_number"),
                id_number_enc=pii.encrypt(number, context="resident.id_number"),
                id_number_masked=pii.mask_id_number(number),
                birth_date=id_birth_date(number),
                gender=id_gender(number),
                region_code=WORKER["region"],
                realname_verified_at=timeutil.now(),
                preferences=msgspec.json.encode({}).decode(),
                created_at=timeutil.now(),
            )
        )
    return resident_id, number


async def seed(ctx: Any) -> None:
    from audit import log as audit

    grandma, son = ctx.residents.get("grandma"), ctx.residents.get("son")
    if grandma is None or son is None:
        return
    elder, child = _caller(grandma, "张秀英"), _caller(son, "王小明")
    offered, code = await consent.offer(
        elder,
        enterprise_id=None,
        agent=AgentRef(kind="person", name="王小明", phone="13800000002"),
        basis="family_care",
        relation="子女",
        scope=ScopeIn(
            groups=["theme:养老", "theme:医保", "theme:社保"],
            actions=["view", "apply", "supplement", "receive", "evaluate", "present"],
            regions=["360000"],
        ),
        valid_from=None,
        valid_until=timeutil.now() + dt.timedelta(days=365),
        note="演示：儿子帮妈妈办养老、医保、社保的事",
    )
    await consent.accept(child, offered["id"], code)

    worker_id, worker_number = await _worker()
    actor = audit.Actor(kind="system", label="演示数据")
    centre = await organisations.create(kind="community_service_centre", actor=actor, **CENTRE)
    member = await organisations.add_member(
        centre["id"], name=WORKER["name"], id_number=worker_number, title="社区助老员", actor=actor
    )
    offered, code = await consent.offer(
        elder,
        enterprise_id=None,
        agent=AgentRef(kind="organisation", organisation_id=centre["id"], member_id=member["id"]),
        basis="voluntary",
        relation="社区助老员",
        scope=ScopeIn(groups=["theme:养老", "hotline"], actions=["view", "apply"], regions=["360102"]),
        valid_from=None,
        valid_until=None,
        note="演示：社区助老员上门帮办",
    )
    await consent.accept(_caller(worker_id, WORKER["name"]), offered["id"], code)
    ctx.residents["community_worker"] = worker_id
