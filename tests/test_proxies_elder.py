"""长辈版: SMS by default for elderly residents, and the short list of most used tasks first."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import form_for, published_matter
from tests.proxies_support import acting_token, grant
from tests.support import account, as_user, unique_person

pytestmark = pytest.mark.anyio
REASONS = ["mine", "area", "elder_theme", "popular"]


async def test_elderly_residents_get_sms_by_default_until_they_choose(app) -> None:
    old = await account(unique_person(birth=dt.date(1950, 5, 1)))
    young = await account(unique_person(birth=dt.date(1995, 5, 1)))
    async with as_user(app, old.token) as http:
        prefs = (await http.get("/api/me")).json()["preferences"]
        assert prefs["channels"] == ["inbox", "push", "sms"] and prefs["channels_chosen"] is False
    async with as_user(app, young.token) as http:
        assert (await http.get("/api/me")).json()["preferences"]["channels"] == ["inbox", "push"]
        switched = await http.patch("/api/me/preferences", json={"elder_mode": True})
        assert switched.status_code == 200, switched.text
        assert switched.json()["elder_mode"] is True
        assert switched.json()["preferences"]["channels"] == ["inbox", "push", "sms"]  # elder mode: SMS too
        chosen = await http.patch("/api/me/preferences", json={"channels": ["inbox", "push"]})
        prefs = chosen.json()["preferences"]
        assert prefs["channels"] == ["inbox", "push"] and prefs["channels_chosen"] is True
        off = await http.patch("/api/me/preferences", json={"elder_mode": False})
        assert off.json()["preferences"]["channels"] == ["inbox", "push"]


async def test_the_short_list_puts_what_the_principal_used_first(app) -> None:
    elder = await account(unique_person(birth=dt.date(1945, 2, 2)), elder=True)
    async with as_user(app, elder.token) as http:
        before = (await http.get("/api/elder/tasks")).json()
        assert before["elder_mode"] and before["elderly"] and before["acting_for"] is None
        tasks = before["tasks"]
        assert len(tasks) == 5
        assert [REASONS.index(t["reason"]) for t in tasks] == sorted(REASONS.index(t["reason"]) for t in tasks)
        assert len({t["basic_code"] for t in tasks}) == 5  # one implementation per matter
        matter = await published_matter(materials=[], themes=["社保"], name="长辈常办测试事项")
        for _ in range(2):
            made = await http.post(
                "/api/applications", json={"matter_id": str(matter), "form": form_for(elder), "submit": True}
            )
            assert made.status_code == 201, made.text
        after = (await http.get("/api/elder/tasks", params={"limit": 3})).json()["tasks"]
    assert len(after) == 3
    assert after[0]["matter_id"] == str(matter) and after[0]["reason"] == "mine" and after[0]["times_used"] == 2


async def test_an_agent_sees_the_principals_list_within_the_grant(app) -> None:
    elder = await account(unique_person(birth=dt.date(1944, 3, 3)))
    son = await account(unique_person(birth=dt.date(1975, 8, 21)))
    await grant(app, elder, son, groups=["theme:养老"], actions=["view", "apply"])
    token = await acting_token(app, son, elder)
    async with as_user(app, token) as http:
        home = (await http.get("/api/elder/tasks")).json()
    assert home["acting_for"] == elder.person.name and home["elderly"] is False  # the agent's own account is young
    assert home["tasks"] and all("养老" in task["themes"] for task in home["tasks"])
