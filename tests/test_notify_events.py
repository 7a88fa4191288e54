"""The events residents hear about, their texts, and that none of them carries personal data."""

from __future__ import annotations

import datetime as dt
import json
import re
import string
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from auth import sms
from auth.tables import DevSms
from core import pii, timeutil
from datahub.tables import PopulationRecord
from devtools.pushservice import PushService
from notify import sms_text
from notify.events import EVENTS, render
from tests.factories import form_for, published_matter
from tests.push_support import (
    deliver,
    deliveries_of,
    message_of,
    notice,
    push_service_fixture,  # noqa: F401 — the push_service fixture
    subscribe,
)
from tests.quality_support import closed_application
from tests.support import account, as_user, clerk_token, unique_person

pytestmark = pytest.mark.anyio

ISSUE_EVENTS = [
    "application_submitted",
    "application_accepted",
    "supplement_requested",
    "application_decided",
    "result_ready",
    "agent_action",
    "licence_expiring",
    "benefit_granted",
    "appointment_reminder",
    "evaluation_invited",
]
SAMPLE = {
    "matter": "个体工商户设立登记",
    "number": "JX2026120400012",
    "due_on": "2026-12-18",
    "reason": "材料不全",
    "count": 2,
    "respond_by": "2026-12-25",
    "decision": "准予许可",
    "licence_hint": "，电子证照已放入您的卡包",
    "agent": "王小明",
    "action": "提交了",
    "licence": "食品经营许可证",
    "expires_on": "2027-01-03",
    "policy": "小微企业稳岗返还",
    "amount": "3000 元",
    "when": "12月8日 09:30",
    "hall": "东湖区政务服务中心",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("event", ISSUE_EVENTS)
def test_every_event_of_the_issue_has_plain_chinese_text(event: str) -> None:
    text = EVENTS[event]
    fields = {name for _, name, _, _ in string.Formatter().parse(text.body) if name}
    assert fields <= set(SAMPLE), f"{event} needs {fields - set(SAMPLE)}"
    title, body = render(event, **SAMPLE)
    assert CJK.search(title) and CJK.search(body) and text.title_en
    assert "{" not in body and "}" not in body
    assert not fields & {"id_number", "phone", "address", "name"}  # texts travel to SMS
    sms = sms_text.render(event, title, body)
    assert sms.startswith("【掌办】") and len(sms) <= sms_text.MAX_CHARS


def test_sms_texts_never_carry_free_text_and_mask_what_looks_like_an_id_or_phone() -> None:
    title, body = render(
        "application_not_accepted", matter="测试事项", reason="请联系 13812345678，身份证 360102199003071234"
    )
    assert (
        sms_text.render("application_not_accepted", title, body)
        == "【掌办】申请未予受理。详情请打开掌办“我的消息”查看。"
    )
    title, body = render("application_withdrawn", matter="13812345678 与 360102199003071234")
    text = sms_text.render("application_withdrawn", title, body)
    assert "13812345678" not in text and "360102199003071234" not in text and "138****5678" in text
    title, body = render("application_withdrawn", matter="很长的事项名称" * 40)
    assert len(sms_text.render("application_withdrawn", title, body)) == sms_text.MAX_CHARS
    assert sms_text.render("some_future_event", "标题", "正文 360102199003071234") == (
        "【掌办】标题。详情请打开掌办“我的消息”查看。"
    )


async def test_every_step_of_an_application_reaches_push_and_sms_without_personal_data(
    app, push_service: PushService
) -> None:
    person = unique_person(birth=dt.date(1952, 9, 14))  # 60 or more: SMS by default
    address = "江西省南昌市东湖区八一大道 357 号 3 栋 2 单元"
    user = await account(person)
    await PopulationRecord.update({PopulationRecord.household_address: address}).where(  # where she lives
        PopulationRecord.id_number_index == pii.blind_index(person.id_number, kind="id_number")
    )
    browser = await subscribe(app, user, push_service)

    await closed_application(app, user)  # submitted, accepted, approved, result, closed
    matter = await published_matter(materials=[])
    async with as_user(app, user.token) as http:
        created = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True}
        )
        assert created.status_code == 201, created.text
    async with as_user(app, await clerk_token("nc-window")) as desk:
        refused = await desk.post(
            f"/api/backoffice/applications/{created.json()['summary']['id']}/refuse",
            json={"reason": f"请本人携带身份证 {person.id_number} 到 {address} 办理，或致电 {person.phone}"},
        )
        assert refused.status_code == 200, refused.text
    await deliver()

    pushed = push_service.messages_for(browser)
    assert sorted(m.payload["event"] for m in pushed) == sorted(
        [
            "application_submitted",
            "application_accepted",
            "application_decided",
            "result_ready",
            "evaluation_invited",
            "application_submitted",
            "application_not_accepted",
        ]
    )
    assert all(set(m.payload) == {"id", "event"} for m in pushed)
    texts = [r["text"] for r in await DevSms.select(DevSms.text).where(DevSms.phone == person.phone)]
    assert len(texts) == len(pushed) and "【掌办】申请未予受理。详情请打开掌办“我的消息”查看。" in texts
    assert any("已受理，承诺在" in t for t in texts) and any("办理结果已出" in t for t in texts)
    leaks = [person.id_number, person.id_number[-8:], person.phone, person.phone[-8:], person.name, "八一大道"]
    for where in [m.plaintext.decode() for m in pushed] + texts:
        assert not [secret for secret in leaks if secret in where], where


class Gateway:
    """A local HTTP SMS gateway that answers as scripted per phone and keeps what it was sent."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.received: list[tuple[dict[str, Any], str]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                script = gateway.answers.get(body["phone"]) or [(200, {})]
                status, headers = script.pop(0)
                gateway.received.append((body, self.headers.get("Authorization", "")))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    made = Gateway()
    sms.use(sms.HttpSmsSender(made.url, "gateway-token"))
    try:
        yield made
    finally:
        sms.use(None)
        made.server.shutdown()
        made.server.server_close()


async def test_the_http_sms_provider_retries_429_and_gives_up_on_a_refused_number(app, gateway: Gateway) -> None:
    user = await account(unique_person(birth=dt.date(1948, 1, 2)))
    gateway.answers[user.person.phone] = [(429, {"Retry-After": "90"})]
    first = await notice(f"person:{user.id}", "application_accepted", due_on="2026-12-31")
    await deliver()
    row = await message_of(first)
    assert row["status"] == "pending" and 80 <= (row["available_at"] - timeutil.now()).total_seconds() <= 90
    with timeutil.travel(dt.timedelta(seconds=91)):
        await deliver()
    assert (await message_of(first))["status"] == "sent"
    [(body, auth), (again, _)] = [(b, a) for b, a in gateway.received if b["phone"] == user.person.phone]
    assert (
        body
        == again
        == {"phone": user.person.phone, "text": "【掌办】「测试小餐饮经营许可」已受理，承诺在 2026-12-31 前办结。"}
    )
    assert auth == "Bearer gateway-token"

    gateway.answers[user.person.phone] = [(400, {})]
    second = await notice(f"person:{user.id}")
    await deliver()
    [delivery] = await deliveries_of(second)
    assert delivery["status"] == "failed" and delivery["last_status"] == 400
    assert (await message_of(second))["status"] == "dead"
