"""Who gets a notice on which channel and when: preferences, elderly residents, quiet hours, companies.

The inbox is always written; push goes to the local push service (VAPID checked, payload decrypted)
and SMS through the development sender into the dev-only inbox, where the texts are read back.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

import pytest

from auth import sms
from auth.tables import DevSms, Enterprise, EnterpriseStaff
from core import timeutil
from core.identifiers import make_credit_code
from devtools.pushservice import PushService
from notify.tables import InboxItem
from tests.push_support import (
    at,
    deliver,
    deliveries_of,
    elderly,
    message_of,
    next_cst,
    notice,
    push_service_fixture,  # noqa: F401 — the push_service fixture
    subscribe,
    young,
)
from tests.support import Account, as_user

pytestmark = pytest.mark.anyio


async def texts_to(user: Account) -> list[str]:
    rows = await DevSms.select(DevSms.text).where(DevSms.phone == user.person.phone).order_by(DevSms.id)
    return [row["text"] for row in rows]


async def prefer(app, user: Account, **changes) -> None:
    async with as_user(app, user.token) as http:
        answer = await http.patch("/api/me/preferences", json=changes)
        assert answer.status_code == 200, answer.text


async def test_younger_residents_get_push_and_no_sms_by_default(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    item = await notice(f"person:{user.id}")
    await deliver()
    assert len(push_service.messages_for(browser)) == 1
    assert await texts_to(user) == []
    assert [d["channel"] for d in await deliveries_of(item)] == ["push"]


@pytest.mark.parametrize("elder_mode", [False, True], ids=["aged-60-or-more", "elder-mode"])
async def test_elderly_residents_get_an_sms_by_default(app, push_service: PushService, elder_mode: bool) -> None:
    user = await elderly(elder_mode=elder_mode)
    browser = await subscribe(app, user, push_service)
    item = await notice(f"person:{user.id}", "application_accepted", due_on="2026-12-31")
    await deliver()
    assert await texts_to(user) == ["【掌办】「测试小餐饮经营许可」已受理，承诺在 2026-12-31 前办结。"]
    assert len(push_service.messages_for(browser)) == 1  # they subscribed, so push too
    assert sorted(d["channel"] for d in await deliveries_of(item)) == ["push", "sms"]
    # Delivered once: a later round sends nothing again.
    with timeutil.travel(dt.timedelta(hours=1)):
        await deliver()
    assert len(await texts_to(user)) == 1


@pytest.mark.parametrize(
    ("channels", "push", "sms"),
    [
        (["inbox"], 0, 0),
        (["inbox", "sms"], 0, 1),
        (["push"], 1, 0),
        (["inbox", "push", "sms"], 1, 1),
    ],
)
async def test_preferences_choose_push_and_sms_and_the_inbox_is_always_written(
    app, push_service: PushService, channels: list[str], push: int, sms: int
) -> None:
    user = await elderly()  # SMS by default: the preference overrides the default either way
    browser = await subscribe(app, user, push_service)
    await prefer(app, user, channels=channels)
    item = await notice(f"person:{user.id}")
    await deliver()
    assert len(push_service.messages_for(browser)) == push
    assert len(await texts_to(user)) == sms
    assert await InboxItem.count().where(InboxItem.id == item) == 1
    assert (await message_of(item))["status"] == "sent"


async def test_a_channel_switched_off_before_the_retry_is_not_used(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    push_service.script(browser, 503)
    item = await notice(f"person:{user.id}")
    await deliver()
    await prefer(app, user, channels=["inbox"])
    with timeutil.travel(dt.timedelta(seconds=15)):
        await deliver()
    assert push_service.messages_for(browser) == []
    assert [d["status"] for d in await deliveries_of(item)] == ["skipped"]
    assert (await message_of(item))["status"] == "sent"


async def test_quiet_hours_hold_push_and_sms_until_they_end(app, push_service: PushService) -> None:
    user = await elderly()
    browser = await subscribe(app, user, push_service)
    await prefer(app, user, quiet_hours={"start": "22:00", "end": "07:00"})
    night = next_cst(23, 10)
    morning = (night + dt.timedelta(days=1)).replace(hour=7, minute=0)
    with at(night):
        item = await notice(f"person:{user.id}", "supplement_requested", count=1, respond_by="2026-12-20")
        await deliver()
        row = await message_of(item)
        assert row["status"] == "pending" and row["attempts"] == 0  # waiting is not failing
        assert row["available_at"] == morning.astimezone(dt.UTC)
        assert {d["not_before"] for d in await deliveries_of(item)} == {morning.astimezone(dt.UTC)}
    async with as_user(app, user.token) as http:  # the inbox has it while push and SMS wait
        assert (await http.get(f"/api/me/inbox/{item}")).status_code == 200
    with at(morning - dt.timedelta(minutes=1)):
        await deliver()
    assert push_service.messages_for(browser) == [] and await texts_to(user) == []
    with at(morning + dt.timedelta(seconds=30)):
        await deliver()
    assert [m.payload["id"] for m in push_service.messages_for(browser)] == [str(item)]
    assert len(await texts_to(user)) == 1
    assert (await message_of(item))["status"] == "sent"


async def test_quiet_hours_within_a_day_and_outside_them(app, push_service: PushService) -> None:
    user = await young()
    browser = await subscribe(app, user, push_service)
    await prefer(app, user, quiet_hours={"start": "12:00", "end": "14:00"})
    lunch = next_cst(12, 30)
    with at(lunch):
        held = await notice(f"person:{user.id}")
        await deliver()
        assert (await message_of(held))["available_at"] == lunch.replace(hour=14, minute=0).astimezone(dt.UTC)
    with at(lunch.replace(hour=15)):
        now = await notice(f"person:{user.id}")
        await deliver()
    assert sorted(m.payload["id"] for m in push_service.messages_for(browser)) == sorted([str(held), str(now)])


async def test_an_agent_acting_in_my_name_is_told_even_in_quiet_hours(app, push_service: PushService) -> None:
    user = await elderly()
    browser = await subscribe(app, user, push_service)
    await prefer(app, user, quiet_hours={"start": "22:00", "end": "07:00"})
    with at(next_cst(2, 0)):
        item = await notice(f"person:{user.id}", "agent_action", agent="王小明", action="提交了")
        await deliver()
    assert [m.payload for m in push_service.messages_for(browser)] == [{"id": str(item), "event": "agent_action"}]
    assert await texts_to(user) == ["【掌办】您的代办人王小明为您提交了「测试小餐饮经营许可」。"]


async def _enterprise() -> uuid.UUID:
    enterprise_id = timeutil.uuid7()
    await Enterprise.insert(
        Enterprise(
            id=enterprise_id,
            credit_code=make_credit_code("91", "360100", f"MA{secrets.randbelow(10**7):07d}"),
            name="测试通知有限公司",
            legal_rep_name="测试",
            legal_rep_id_index="x",
            region_code="360100",
        )
    )
    return enterprise_id


async def _link(enterprise_id: uuid.UUID, user: Account, role: str = "staff", **extra) -> None:
    await EnterpriseStaff.insert(
        EnterpriseStaff(
            id=timeutil.uuid7(),
            enterprise=enterprise_id,
            resident=user.id,
            role=role,
            created_at=timeutil.now(),
            **extra,
        )
    )


async def test_a_company_notice_reaches_its_legal_representative_and_current_staff(
    app, push_service: PushService
) -> None:
    company = await _enterprise()
    rep, staff, revoked, expired = await elderly(), await elderly(), await young(), await young()
    await _link(company, rep, "legal_rep")
    await _link(company, staff)
    await _link(company, revoked, revoked_at=timeutil.now())
    await _link(company, expired, valid_until=timeutil.now() - dt.timedelta(days=1))
    browsers = {
        who: await subscribe(app, user, push_service)
        for who, user in {"rep": rep, "staff": staff, "revoked": revoked, "expired": expired}.items()
    }
    item = await notice(f"enterprise:{company}", "application_decided", decision="准予许可")
    await deliver()
    reached = {who for who, browser in browsers.items() if push_service.messages_for(browser)}
    assert reached == {"rep", "staff"}
    assert len(await texts_to(rep)) == 1  # SMS: the legal representative only (elderly, so by default)
    assert await texts_to(staff) == []  # staff are elderly too, but a company's texts go to one person
    # The service worker of each one reached opens the notice without switching to the company first.
    for user, status in ((rep, 200), (staff, 200), (revoked, 404), (expired, 404)):
        async with as_user(app, user.token) as http:
            assert (await http.get(f"/api/me/inbox/{item}")).status_code == status


class FlakySms:
    """The development sender behind a gateway that breaks in an unexpected way, once, for one phone."""

    def __init__(self, phone: str) -> None:
        self.phone = phone
        self.failures = 1

    async def send(self, phone: str, text: str) -> None:
        if phone == self.phone and self.failures:
            self.failures -= 1
            raise RuntimeError("gateway client bug")
        await sms.DevSmsSender().send(phone, text)


async def test_a_failing_sms_is_retried_alone_and_the_push_is_not_sent_again(app, push_service: PushService) -> None:
    user = await elderly()
    browser = await subscribe(app, user, push_service)
    sms.use(FlakySms(user.person.phone))
    try:
        item = await notice(f"person:{user.id}")
        await deliver()
        assert len(push_service.messages_for(browser)) == 1 and await texts_to(user) == []
        statuses = {d["channel"]: (d["status"], d["last_error"]) for d in await deliveries_of(item)}
        assert statuses == {"push": ("sent", ""), "sms": ("pending", "RuntimeError")}
        assert (await message_of(item))["status"] == "pending"
        with timeutil.travel(dt.timedelta(seconds=15)):
            await deliver()
    finally:
        sms.use(None)
    assert len(push_service.messages_for(browser)) == 1
    assert len(await texts_to(user)) == 1
    assert (await message_of(item))["status"] == "sent"
