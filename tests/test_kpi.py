"""Every KPI on a world of its own, with the expected values worked out by hand.

The world is a test province 990000 (测试省) with two cities, 990100 (甲市, with the county
990101 甲市一区) and 990200 (乙市). Nothing else in the shared test database lies in it, so each
KPI computed for 990000 counts exactly what is built here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from applications.tables import Application, ApplicationMaterial
from audit import log as audit
from auth.context import Caller, Principal
from catalogue import service as catalogue
from catalogue.elements import CrossRegion
from core import db, rows, timeutil
from evaluations import service as evaluations
from evaluations import subjects
from hotline import service as hotline
from kpi import compute
from regions import tree as regions
from regions.tables import Department, Region
from tests.factories import ADMIN, elements, published_matter
from tests.quality_support import at, make_hall, make_window
from tests.support import account, as_user, clerk_token

pytestmark = pytest.mark.anyio

P, C1, C1A, C2 = "990000", "990100", "990101", "990200"
SYSTEM = audit.Actor(kind="system", label="test")


def _clerk(department: uuid.UUID, region: str, *roles: str) -> Caller:
    return Caller(
        session_id="t",
        kind="clerk",
        account_id=timeutil.uuid7(),
        name="测试",
        csrf_token="",
        roles=frozenset(roles),
        department_id=department,
        region_code=region,
    )


async def _regions_and_departments() -> dict[tuple[str, str], uuid.UUID]:
    departments: dict[tuple[str, str], uuid.UUID] = {}
    async with db.write_tx():
        for position, (code, name, level, parent) in enumerate(
            [
                (P, "测试省", "province", None),
                (C1, "甲市", "city", P),
                (C1A, "甲市一区", "county", C1),
                (C2, "乙市", "city", P),
            ]
        ):
            await Region.insert(
                Region(
                    code=code,
                    name=name,
                    level=level,
                    parent_code=parent,
                    province_code=P,
                    full_name=name,
                    sort=position,
                )
            )
        for kind, region in (("scjg", P), ("scjg", C1), ("scjg", C1A), ("scjg", C2), ("zwfw", P)):
            departments[(kind, region)] = timeutil.uuid7()
            await Department.insert(
                Department(id=departments[(kind, region)], code=kind, name=f"{region}{kind}", region=region)
            )
    regions.invalidate()
    return departments


async def _application(
    matter: uuid.UUID,
    resident: uuid.UUID,
    *,
    region: str,
    status: str = "closed",
    decided: bool = True,
    accepted: bool = True,
    used: int = 0,
    limit: int = 0,
    extension: int = 0,
    due_on: dt.date | None = None,
    materials: tuple[tuple[str, str], ...] = (),
) -> uuid.UUID:
    view = await catalogue.current(matter)
    now = timeutil.now()
    app_id = timeutil.uuid7()
    async with db.write_tx():
        await rows.insert(
            Application,
            {
                "id": app_id,
                "number": f"T{app_id.hex[-16:]}",
                "matter": matter,
                "matter_version": view.version_id,
                "matter_name": view.elements.name,
                "applicant_kind": "person",
                "applicant_resident": resident,
                "actor_kind": "resident",
                "department": view.matter["department"],
                "receiving_region": region,
                "handling_region": region,
                "status": status,
                "submitted_at": now,
                "accepted_at": now if accepted else None,
                "decided_at": now if decided else None,
                "clock_state": "running" if status == "in_review" else "done",
                "clock_used_days": used,
                "clock_limit_days": limit,
                "extension_days": extension,
                "due_on": due_on,
                "created_at": now,
                "updated_at": now,
            },
        )
        for position, (source, state) in enumerate(materials):
            await rows.insert(
                ApplicationMaterial,
                {
                    "id": timeutil.uuid7(),
                    "application": app_id,
                    "material_code": f"m{position}",
                    "kind": f"m{position}",
                    "source": source,
                    "owner_key": f"person:{resident}",
                    "status": state,
                    "added_at": now,
                },
            )
    return app_id


async def _rate(app_id: uuid.UUID, level: int) -> dict[str, Any]:
    subject = await subjects.application_subject(app_id)
    assert subject is not None
    return await evaluations.record(
        subject, level=level, tags=[], comment="问题说明", channel="app", basis="self", rated_by=None, actor=SYSTEM
    )


@pytest.fixture(scope="module")
async def world(app) -> dict[str, Any]:
    dep = await _regions_and_departments()
    c, k = dep[("scjg", C1)], dep[("scjg", C1A)]
    shared = f"KX{uuid.uuid4().hex[:6].upper()}"

    def spec(region: str, level: str, **extra: Any) -> dict[str, Any]:
        return {"region_code": region, "region_level": level, "materials": [], **extra}

    m1 = await published_matter(**spec(C1, "city", hot=True, instant=True))
    m2 = await published_matter(**spec(C1, "city", hot=True, channels=["web", "window"]))
    m3 = await published_matter(**spec(C1A, "county", channels=["window"]))
    await published_matter(
        **spec(
            C1A, "county", instant=True, basic_code=shared, cross_region=CrossRegion(scope="province", modes=["online"])
        )
    )
    await published_matter(
        **spec(C2, "city", instant=True, cross_region=CrossRegion(scope="national", modes=["proxy_receive"]))
    )
    await published_matter(
        **spec(P, "province", cross_region=CrossRegion(scope="city", modes=["online", "proxy_receive"]))
    )
    await published_matter(**spec(C1, "city", instant=True, basic_code=shared))
    await catalogue.create(elements(**spec(C1, "city", instant=True)), actor=ADMIN, publish=False)  # a draft

    person = await account()
    who = person.id
    yesterday = timeutil.today() - dt.timedelta(days=1)
    a1 = await _application(m1, who, region=C1, used=3, limit=5, materials=(("licence", "provided"),))
    a2 = await _application(m1, who, region=C1, used=6, limit=5, materials=(("upload", "provided"),))
    a3 = await _application(
        m2, who, region=C1, used=2, limit=10, extension=5, materials=(("reuse", "provided"), ("upload", "superseded"))
    )
    a4 = await _application(m2, who, region=C1, used=0, limit=0)
    a5 = await _application(m1, who, region=C1, status="in_review", decided=False, used=4, limit=5, due_on=yesterday)
    a6 = await _application(m3, who, region=C1A, used=4, limit=4, materials=(("licence", "provided"),))
    a7 = await _application(m3, who, region=C1A, accepted=False)  # refused at acceptance: decided, never accepted

    resident = Caller(
        session_id="t",
        kind="resident",
        account_id=who,
        name="测试",
        csrf_token="",
        principal=Principal("person", who, "测试"),
    )
    await _rate(a1, 5)
    await _rate(a2, 4)
    await _rate(a3, 3)
    e4 = await _rate(a4, 2)
    fix4 = await evaluations.rectification_for(e4["id"])
    await evaluations.record_callback(_clerk(c, C1, "window"), fix4["id"], reached=True, note="已回访")
    await evaluations.resolve(_clerk(c, C1, "window"), fix4["id"], result="已整改")
    await evaluations.rerate(resident, e4["id"], level=4, comment="")
    e6 = await _rate(a5, 1)
    appeal = await evaluations.appeal(_clerk(c, C1, "head"), e6["id"], reason="与本部门无关")
    await evaluations.decide_appeal(_clerk(c, P, "admin"), appeal["id"], uphold=True, note="属实")
    sixty_days_ago = timeutil.now() - dt.timedelta(days=60)
    with at(sixty_days_ago):
        await _rate(a6, 1)  # its rectification stays open: deadline ~39 days ago
        e7 = await _rate(a7, 2)
    fix7 = await evaluations.rectification_for(e7["id"])
    with at(timeutil.now() - dt.timedelta(days=10)):
        await evaluations.record_callback(_clerk(k, C1A, "window"), fix7["id"], reached=True, note="已回访")
        await evaluations.resolve(_clerk(k, C1A, "window"), fix7["id"], result="已整改")  # after its deadline

    h1, h2 = await make_hall(C1), await make_hall(C1A)
    await make_hall(C2)
    await make_window(h1)
    await make_window(h2, kind="specialised", department=k)
    hall_subject = subjects.Subject(
        kind="appointment",
        id=timeutil.uuid7(),
        owner_key=f"person:{who}",
        label="大厅预约办事",
        rateable=True,
        department_id=c,
        hall_id=h1,
        region_code=C1,
    )
    await evaluations.record(
        hall_subject, level=5, tags=[], comment="", channel="app", basis="self", rated_by=None, actor=SYSTEM
    )

    thirty_days_ago = timeutil.now() - dt.timedelta(days=30)
    with at(thirty_days_ago):
        t1 = await hotline.create_from_app(
            resident, category="complaint", title="餐饮油烟", content="油烟", region_code=C1A
        )
        t4 = await hotline.create_from_app(
            resident, category="complaint", title="餐饮噪音", content="噪音", region_code=C2
        )
    t2 = await hotline.create_from_app(resident, category="complaint", title="餐饮卫生", content="卫生", region_code=C1)
    t3 = await hotline.create_from_app(
        resident, category="suggestion", title="建议多种树", content="太晒", region_code=C1
    )
    assert (t1["department"], t2["department"], t3["status"]) == (k, c, "pending_dispatch")
    await hotline.reply(_clerk(c, C1, "window"), t2, text="已处理")
    await hotline.reply(_clerk(dep[("scjg", C2)], C2, "window"), t4, text="已处理")  # ~3 weeks late
    return {"departments": dep, "m1": m1, "m2": m2, "m3": m3, "h1": h1, "person": person}


async def _kpi(kpi_id: str, region: str = P, **period: Any) -> compute.Kpi:
    found = {k.id: k for k in await compute.compute(region, **period)}
    return found[kpi_id]


async def test_online_rate(world) -> None:
    # Published matters in 测试省: M1–M7 (the draft M8 does not count) = 7.
    # Online (web or mobile channel): all but M3, which is window-only = 6.  6 / 7 = 0.8571.
    kpi = await _kpi("online_rate")
    assert (kpi.numerator, kpi.denominator, kpi.value) == (6, 7, 0.8571)
    assert kpi.target == 1.0 and kpi.met is False and kpi.measure == 5
    # 甲市一区 alone: M3 (window only) and M4 (online) → 1 / 2.
    county = await _kpi("online_rate", C1A)
    assert (county.numerator, county.denominator, county.value) == (1, 2, 0.5)


async def test_mobile_rate(world) -> None:
    # Mobile channel: M1, M4, M5, M6, M7 (M2 is web and window, M3 window only) = 5 of 7 = 0.7143.
    kpi = await _kpi("mobile_rate")
    assert (kpi.numerator, kpi.denominator, kpi.value) == (5, 7, 0.7143)
    assert kpi.target == 1.0 and [m.value for m in kpi.milestones] == [0.8, 1.0]


async def test_instant_matters_per_city(world) -> None:
    # 甲市 (990100 and 990101): M1, and M4/M7 which share one basic code → 2 distinct matters.
    # 乙市: M5 → 1. The draft M8 does not count. Neither reaches 30, so 0 of 2 cities meet the target.
    kpi = await _kpi("instant_per_city")
    assert [(p.key, p.value, p.met) for p in kpi.breakdown] == [(C1, 2, False), (C2, 1, False)]
    assert (kpi.value, kpi.denominator, kpi.met) == (0, 2, False)
    city = await _kpi("instant_per_city", C1)
    assert [(p.key, p.value) for p in city.breakdown] == [(C1, 2)]


async def test_paperless_share_of_high_frequency_matters(world) -> None:
    # Decided applications of hot matters (M1, M2): A1 (e-licence) yes, A2 (paper upload) no,
    # A3 (reused material; its upload was superseded) yes, A4 (no material needed) yes.
    # A5 is undecided; A6 and A7 are of M3, which is not hot.  3 / 4 = 0.75 < 0.8.
    kpi = await _kpi("paperless_share")
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.target, kpi.met) == (3, 4, 0.75, 0.8, False)


async def test_cross_region_online_rate(world) -> None:
    # Cross-region matters: M4 (全程网办), M5 (异地代收代办 only), M6 (全程网办 and 代收代办) → 2 / 3.
    kpi = await _kpi("cross_region_online")
    assert (kpi.numerator, kpi.denominator, kpi.value) == (2, 3, 0.6667)


async def test_good_rate(world) -> None:
    # Valid ratings: A1 5, A2 4, A3 3, A4 2 re-rated 4 after its rectification, A6 1, A7 2, the hall
    # visit 5; A5's rating was voided on appeal. Good (基本满意 or better): 5 of 7 = 0.7143.
    kpi = await _kpi("good_rate")
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.target) == (5, 7, 0.7143, None)
    # Only today's ratings: the two given sixty days ago (A6, A7) drop out → 5 / 5.
    today = await _kpi("good_rate", since=timeutil.today())
    assert (today.numerator, today.denominator, today.value) == (5, 5, 1.0)


async def test_rectification_on_time_rate(world) -> None:
    # Rectifications: A4's resolved on time; A6's still open forty days after opening, past its
    # deadline (late); A7's resolved ten days ago, after its deadline (late); A5's voided (ignored).
    kpi = await _kpi("rectification_on_time")
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.target, kpi.met) == (1, 3, 0.3333, 1.0, False)


async def test_average_handling_time_against_the_promise(world) -> None:
    # Accepted and decided: A1 3 of 5, A2 6 of 5 (late), A3 2 of 10 + 5 extension, A4 0 of 0,
    # A6 4 of 4. A5 is undecided and A7 was never accepted.
    # Used 3 + 6 + 2 + 0 + 4 = 15 over 5 → 3.0; promised 5 + 5 + 15 + 0 + 4 = 29 over 5 → 5.8.
    kpi = await _kpi("handling_time")
    assert (kpi.value, kpi.numerator, kpi.denominator, kpi.target, kpi.met) == (3.0, 15, 5, 5.8, True)
    assert {p.key: p.value for p in kpi.breakdown} == {"promised": 5.8, "late": 1}


async def test_overdue_counts(world) -> None:
    # A5's clock ran out yesterday; ticket T1 (dispatched thirty days ago, 5 working days) is
    # unanswered; A6's rectification is open past its deadline. 1 + 1 + 1 = 3 against a target of 0.
    kpi = await _kpi("overdue")
    assert {p.key: p.value for p in kpi.breakdown} == {"applications": 1, "tickets": 1, "rectifications": 1}
    assert (kpi.value, kpi.target, kpi.met) == (3, 0, False)


async def test_window_coverage(world) -> None:
    # Halls: 甲市 has a comprehensive window, 甲市一区 only a specialised one, 乙市 none → 1 / 3.
    kpi = await _kpi("window_coverage")
    assert (kpi.numerator, kpi.denominator, kpi.value, kpi.measure) == (1, 3, 0.3333, 1)


async def test_hotline_kpis(world) -> None:
    # Tickets: T1 and T4 routed thirty days ago, T2 routed and answered today, T3 (no rule matches)
    # waits for dispatch → 3 of 4 have reached someone.
    assigned = await _kpi("ticket_assigned")
    assert (assigned.numerator, assigned.denominator, assigned.value) == (3, 4, 0.75)
    # Answered on time: T2; answered late: T4; unanswered past its deadline: T1 → 1 / 3.
    on_time = await _kpi("ticket_on_time")
    assert (on_time.numerator, on_time.denominator, on_time.value, on_time.target) == (1, 3, 0.3333, None)


async def test_public_statistics_per_department_matter_and_hall(world, client) -> None:
    dep = world["departments"]
    by_department = (await client.get("/api/evaluations/stats", params={"group": "department", "region": P})).json()
    # 甲市 scjg: A1 5, A2 4, A3 3, A4 re-rated 4, hall visit 5 → 5 ratings, all good.
    # 甲市一区 scjg: A6 1, A7 2 → 2 ratings, none good. A5's voided rating is left out.
    assert [(g["id"], g["total"], g["good"], g["good_rate"]) for g in by_department["items"]] == [
        (str(dep[("scjg", C1)]), 5, 5, 1.0),
        (str(dep[("scjg", C1A)]), 2, 0, 0.0),
    ]
    assert by_department["items"][0]["by_level"] == {
        "very_satisfied": 2,
        "satisfied": 2,
        "fair": 1,
        "dissatisfied": 0,
        "very_dissatisfied": 0,
    }
    by_matter = (await client.get("/api/evaluations/stats", params={"group": "matter", "region": P})).json()
    assert {g["id"]: g["total"] for g in by_matter["items"]} == {
        str(world["m1"]): 2,
        str(world["m2"]): 2,
        str(world["m3"]): 2,
    }
    by_hall = (await client.get("/api/evaluations/stats", params={"group": "hall", "region": C1})).json()
    assert [(g["id"], g["total"], g["good_rate"]) for g in by_hall["items"]] == [(str(world["h1"]), 1, 1.0)]


async def test_kpi_api_and_csv_export(world, app) -> None:
    async with as_user(app, await clerk_token("admin")) as admin:
        report = await admin.get("/api/kpi", params={"region": P})
        assert report.status_code == 200, report.text
        kpis = {k["id"]: k for k in report.json()["kpis"]}
        assert set(kpis) == {fn.__name__ for fn in compute.ALL}
        assert kpis["online_rate"]["value"] == 0.8571 and kpis["online_rate"]["basis"].startswith("2023年底前")
        exported = await admin.get("/api/kpi/csv", params={"region": P})
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        text = exported.content.decode("utf-8")
        assert text.startswith("\ufeffkpi,名称,措施")
        assert "\r\nonline_rate,网上可办率,5,990000,,,6,7,0.8571,ratio,1,否," in text
        assert f"\r\ninstant_per_city:{C1},甲市,6,990000,,,,,2,,,否," in text
        invalid = await admin.get("/api/kpi", params={"region": "000000"})
        assert invalid.status_code == 422 and invalid.json()["code"] == "region_invalid"
        backwards = await admin.get("/api/kpi", params={"region": P, "since": "2026-02-01", "until": "2026-01-01"})
        assert backwards.status_code == 422
    async with as_user(app, await clerk_token("auditor")) as auditor:
        assert (await auditor.get("/api/kpi", params={"region": P})).status_code == 200
    async with as_user(app, await clerk_token("nc-window")) as clerk:
        assert (await clerk.get("/api/kpi")).status_code == 403
    async with as_user(app, world["person"].token) as resident:
        assert (await resident.get("/api/kpi/csv")).status_code == 403


async def test_the_dashboard_page_is_self_hosted(client) -> None:
    page = await client.get("/admin/kpi.html")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = await client.get("/admin/kpi.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "createElementNS" in script.text and "/api/kpi/csv" in script.text
    for text in (page.text, script.text, (await client.get("/admin/kpi.css")).text):
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text
