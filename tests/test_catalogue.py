"""The matter catalogue: search (including pinyin), filters, detail and published versions."""

from __future__ import annotations

import msgspec
import pytest

from applications.tables import Application
from catalogue.elements import FormField
from tests.factories import elements, form_for, published_matter
from tests.support import account, as_user, clerk_token

pytestmark = pytest.mark.anyio


async def test_demo_catalogue_is_searchable_by_name_keyword_and_pinyin(client) -> None:
    everything = (await client.get("/api/matters", params={"limit": 100})).json()
    assert everything["total"] >= 60
    by_name = (await client.get("/api/matters", params={"q": "生育登记"})).json()["items"]
    assert by_name and all("生育登记" in item["name"] for item in by_name)
    by_initials = (await client.get("/api/matters", params={"q": "sydj"})).json()["items"]
    assert {item["id"] for item in by_name} <= {item["id"] for item in by_initials}
    by_full = (await client.get("/api/matters", params={"q": "shengyudengji"})).json()["items"]
    assert {item["id"] for item in by_name} <= {item["id"] for item in by_full}
    nothing = (await client.get("/api/matters", params={"q": "不存在的事项名称"})).json()
    assert nothing == {"items": [], "total": 0, "limit": 20, "offset": 0}
    # LIKE wildcards typed by a resident are matched literally, not as wildcards.
    for wildcard in ("%", "_", "%%", "\\"):
        assert (await client.get("/api/matters", params={"q": wildcard})).json()["total"] == 0
    page_two = (await client.get("/api/matters", params={"limit": 5, "offset": 5})).json()
    assert page_two["total"] == everything["total"] and len(page_two["items"]) == 5
    past_end = (await client.get("/api/matters", params={"offset": 100000})).json()
    assert past_end["items"] == [] and past_end["total"] == everything["total"]


async def test_filters(client) -> None:
    county = (await client.get("/api/matters", params={"region": "360102", "limit": 100})).json()["items"]
    regions = {item["region_code"] for item in county}
    assert regions <= {"360102", "360100", "360000"} and {"360102", "360100"} <= regions
    enterprise = (await client.get("/api/matters", params={"audience": "enterprise", "limit": 100})).json()["items"]
    assert enterprise and all("enterprise" in item["audience"] for item in enterprise)
    scjg = (await client.get("/api/matters", params={"department": "scjg", "limit": 100})).json()["items"]
    assert scjg and all(item["department_code"] == "scjg" for item in scjg)
    hot = (await client.get("/api/matters", params={"hot": "true", "limit": 100})).json()["items"]
    assert hot and all(item["hot"] for item in hot)
    themed = (await client.get("/api/matters", params={"theme": "婚育", "limit": 100})).json()["items"]
    assert themed and all("婚育" in item["themes"] for item in themed)
    bad = await client.get("/api/matters", params={"region": "999999"})
    assert bad.status_code == 422 and bad.json()["code"] == "region_invalid"
    wrong_type = await client.get("/api/matters", params={"limit": "lots"})
    assert wrong_type.status_code in (400, 422) and wrong_type.json()["field"] == "limit"


async def test_matter_detail_has_every_standard_element(client) -> None:
    item = (await client.get("/api/matters", params={"q": "企业设立登记", "region": "360100"})).json()["items"][0]
    detail = (await client.get(f"/api/matters/{item['id']}")).json()
    elements_ = detail["elements"]
    for key in (
        "basic_code",
        "legal_basis",
        "acceptance_conditions",
        "materials",
        "form",
        "time_limit",
        "fee",
        "handling_mode",
        "online_depth",
        "channels",
        "cross_region",
        "audience",
    ):
        assert key in elements_, key
    assert detail["labels"]["kind"] == "行政许可" and detail["department"].endswith("市场监督管理局")
    assert "360102" in detail["offered_in"]
    missing = await client.get("/api/matters/00000000-0000-7000-8000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "matter_not_found"


async def test_applications_keep_the_version_they_were_made_under(app) -> None:
    spec = elements(materials=[])
    matter = await published_matter(**{k: getattr(spec, k) for k in ("basic_code", "materials")})
    user = await account()
    async with as_user(app, user.token) as http:
        draft = (await http.post("/api/applications", json={"matter_id": str(matter), "form": form_for(user)})).json()
    admin = await clerk_token("admin")
    changed = msgspec.structs.replace(
        spec,
        name="测试小餐饮经营许可（新版）",
        form=[*spec.form, FormField(key="hygiene_cert", label="健康证编号")],
    )
    async with as_user(app, admin) as http:
        stale = await http.post(
            f"/api/admin/matters/{matter}/versions", json={"elements": msgspec.to_builtins(changed), "based_on": 0}
        )
        assert stale.status_code == 409 and stale.json()["code"] == "matter_version_conflict"
        drafted = await http.post(
            f"/api/admin/matters/{matter}/versions",
            json={"elements": msgspec.to_builtins(changed), "based_on": 1, "note": "增加健康证"},
        )
        assert drafted.status_code == 201 and drafted.json()["version"] == 2
        published = await http.post(f"/api/admin/matters/{matter}/versions/2/publish")
        assert published.status_code == 200
        again = await http.post(f"/api/admin/matters/{matter}/versions/2/publish")
        assert again.status_code == 409
        versions = (await http.get(f"/api/admin/matters/{matter}/versions")).json()
        assert [(v["version"], v["status"]) for v in versions] == [(1, "superseded"), (2, "published")]
    async with as_user(app, user.token) as http:
        # The draft made under version 1 is submitted without the new field.
        submitted = await http.post(f"/api/applications/{draft['summary']['id']}/submit")
        assert submitted.status_code == 200, submitted.text
        # A new application needs it.
        fresh = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
        )
        assert fresh.status_code == 422 and fresh.json()["field"] == "form.hygiene_cert"
    versions_used = {
        row["matter_version"]
        for row in await Application.select(Application.matter_version).where(Application.matter == matter)
    }
    assert len(versions_used) == 1
    async with as_user(app, user.token) as http:
        current = (await http.get(f"/api/matters/{matter}")).json()
        assert current["version"] == 2 and current["elements"]["name"].endswith("（新版）")
        old = (await http.get(f"/api/matters/{matter}/versions/1")).json()
        assert old["name"] == "测试小餐饮经营许可"


async def test_only_administrators_edit_the_catalogue(app) -> None:
    spec = msgspec.to_builtins(elements())
    user = await account()
    async with as_user(app, user.token) as http:
        assert (await http.post("/api/admin/matters", json={"elements": spec})).status_code == 403
    async with as_user(app, await clerk_token("nc-head")) as http:
        assert (await http.post("/api/admin/matters", json={"elements": spec})).status_code == 403
    async with as_user(app, await clerk_token("admin")) as http:
        wrong = await http.post("/api/admin/matters", json={"elements": {**spec, "region_code": "999999"}})
        assert wrong.status_code == 422
        unknown = await http.post("/api/admin/matters", json={"elements": {**spec, "colour": "red"}})
        assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_field"
        created = await http.post("/api/admin/matters", json={"elements": spec, "publish": True})
        assert created.status_code == 201
        duplicate = await http.post("/api/admin/matters", json={"elements": spec})
        assert duplicate.status_code == 409
        retired = await http.post(f"/api/admin/matters/{created.json()['id']}/retire")
        assert retired.status_code == 200
    async with as_user(app, user.token) as http:
        gone = await http.get(f"/api/matters/{created.json()['id']}")
        assert gone.status_code == 404


async def test_regions_departments_and_halls(client) -> None:
    provinces = (await client.get("/api/regions")).json()
    assert {p["code"] for p in provinces} >= {"360000", "330000"}
    cities = (await client.get("/api/regions", params={"parent": "360000"})).json()
    assert len(cities) == 11 and {c["name"] for c in cities} >= {"南昌市", "赣州市", "上饶市"}
    chain = (await client.get("/api/regions/360702")).json()
    assert [r["code"] for r in chain] == ["360702", "360700", "360000"]
    departments = (await client.get("/api/departments", params={"region": "360100"})).json()
    assert len(departments) >= 10
    halls = (await client.get("/api/halls", params={"region": "360100"})).json()
    assert halls and all(h["region_code"].startswith("3601") for h in halls)
