"""Demo applications, so that every demo clerk opens a worklist with work in it.

李华 (赣州) has applied for 失业保险金 at 赣州 (waiting for 赣州人社 to accept); 绿源食品 (acting:
刘建国, its legal representative) has three 企业变更登记 at 南昌市场监管: one waiting at the window,
one accepted today and one accepted six days ago that is now past its promised date (the worklist
flags it). Everything goes
through the same service calls a resident and a clerk make.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from applications import files
from applications import service as apps
from applications.service import MaterialRef
from applications.tables import Application
from auth import enterprises
from auth.context import Caller, Principal
from catalogue.tables import Matter
from core import rows, timeutil
from demo import people
from demo.documents import pdf_bytes

ORDER = 40


def _resident(ctx: Any, key: str) -> Caller | None:
    resident_id = ctx.residents.get(key)
    if resident_id is None:
        return None
    name = people.person(key).name
    return Caller(
        session_id="demo",
        kind="resident",
        account_id=resident_id,
        name=name,
        csrf_token="",
        realname_verified=True,
        principal=Principal("person", resident_id, name),
    )


def _clerk(ctx: Any, username: str) -> Caller:
    clerk = next(c for c in people.CLERKS if c.username == username)
    return Caller(
        session_id="demo",
        kind="clerk",
        account_id=ctx.clerks[username],
        name=clerk.display_name,
        csrf_token="",
        channel="window",
        roles=frozenset(clerk.roles),
        department_id=ctx.departments.get((clerk.department, clerk.region)),
        region_code=clerk.region,
        realname_verified=True,
    )


async def _matter(basic_code: str, region: str) -> Any:
    row = await Matter.select(Matter.id).where(Matter.code == f"{basic_code}-{region}").first()
    return row["id"] if row else None


async def _upload(caller: Caller, *names: str) -> list[Any]:
    assert caller.principal is not None
    stored = []
    for name in names:
        row = await files.store(
            pdf_bytes(name), name=f"{name}.pdf", owner_key=caller.principal.key, uploaded_by=caller.account_id
        )
        stored.append(row["id"])
    return stored


async def _apply(caller: Caller, matter_id: Any, form: dict[str, Any], materials: dict[str, Any]) -> dict[str, Any]:
    refs = [MaterialRef(code=code, file_id=file_id) for code, file_id in materials.items()]
    return await apps.create(caller, matter_id=matter_id, form=form, materials=refs, submit=True)


async def _accept(clerk: Caller, row: dict[str, Any]) -> dict[str, Any]:
    fresh = await rows.one(Application, row["id"])
    assert fresh is not None
    return await apps.accept(fresh, caller=clerk, actor=clerk.actor(), parties=apps._parties(clerk))


async def seed(ctx: Any) -> None:
    await _li_hua(ctx)
    await _lvyuan(ctx)


async def _li_hua(ctx: Any) -> None:
    li = _resident(ctx, "resident")
    if li is None:
        return
    person = people.person("resident")
    unemployment = await _matter("RS-SY-001", "360700")
    if unemployment is not None:
        id_card, bank_card = await _upload(li, "身份证", "社会保障卡")
        await _apply(
            li,
            unemployment,
            {
                "applicant_name": person.name,
                "id_number": person.id_number,
                "last_employer": "赣州章贡区某物流有限公司",
                "termination_date": (timeutil.today() - dt.timedelta(days=20)).isoformat(),
                "bank_name": "jxbank",
                "bank_account": "6231900000000012345",
                "phone": person.phone,
            },
            {"id_card": id_card, "bank_card": bank_card},
        )


async def _lvyuan(ctx: Any) -> None:
    rep = _resident(ctx, "legal_rep")
    change = await _matter("SC-QY-002", "360100")
    if rep is None or change is None:
        return
    lvyuan = next(e for e in people.ENTERPRISES if e.key == "lvyuan")
    enterprise = await enterprises.bind_as_legal_rep(rep, lvyuan.credit_code)
    staff = Caller(
        session_id="demo",
        kind="resident",
        account_id=rep.account_id,
        name=rep.name,
        csrf_token="",
        realname_verified=True,
        principal=Principal("enterprise", enterprise["id"], enterprise["name"]),
        basis="staff",
    )
    changes = [
        (["address"], "住所由南昌市青山湖区变更为南昌高新技术产业开发区火炬大街 188 号。"),
        (["scope"], "经营范围增加：食品互联网销售；保健食品销售。"),
        (["capital"], "注册资本由 500 万元增加至 1000 万元。"),
    ]
    made = []
    for items, details in changes:
        form_file, resolution, licence = await _upload(staff, "变更登记申请书", "股东会决议", "营业执照")
        made.append(
            await _apply(
                staff,
                change,
                {
                    "enterprise_name": enterprise["name"],
                    "credit_code": enterprise["credit_code"],
                    "change_items": items,
                    "change_details": details,
                    "contact_name": rep.name,
                    "phone": people.person("legal_rep").phone,
                },
                {"application_form": form_file, "resolution": resolution, "business_licence": licence},
            )
        )
    window = _clerk(ctx, "nc-window")
    # accepted six days ago: past its promised date by now
    with timeutil.travel(dt.timedelta(days=-6)):
        await _accept(window, made[2])
    await _accept(window, made[1])
