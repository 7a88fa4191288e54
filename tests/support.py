"""Helpers that create unique people, accounts and sessions, so tests never share data."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

import httpx
import msgspec

from auth import sessions
from auth.codes import phone_index
from auth.tables import Clerk, Resident
from core import pii, timeutil
from core.identifiers import id_birth_date, id_gender, make_id_number
from datahub.tables import PopulationRecord
from demo.documents import pdf_bytes as pdf_bytes  # re-exported for the tests

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "建国",
    "志强",
    "文",
    "斌",
    "宇",
    "浩",
]


class Person(msgspec.Struct, kw_only=True):
    name: str
    id_number: str
    phone: str
    region: str
    birth: dt.date


class Account(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    person: Person
    token: str
    csrf: str


ISSUED_PHONES: set[str] = set()
"""Phones handed out in this process: a thousand or two draws from 10**8 numbers repeat now and then."""


def unique_phone() -> str:
    while True:
        phone = "139" + f"{random.randrange(10**8):08d}"
        if phone not in ISSUED_PHONES:
            ISSUED_PHONES.add(phone)
            return phone


_ISSUED: set[str] = set()


def unique_person(region: str = "360102", birth: dt.date | None = None, name: str | None = None) -> Person:
    """A person no other test has; with a fixed birth date and region only 1,000 numbers exist, so
    the numbers handed out in this process are remembered."""
    birth = birth or dt.date(random.randint(1950, 2004), random.randint(1, 12), random.randint(1, 28))
    free = [n for n in range(1000) if make_id_number(region, birth, n) not in _ISSUED]
    if not free:
        raise RuntimeError(f"every ID number for {region} born {birth} is taken")
    id_number = make_id_number(region, birth, random.choice(free))
    _ISSUED.add(id_number)
    return Person(
        name=name or random.choice(SURNAMES) + random.choice(GIVEN),
        id_number=id_number,
        phone=unique_phone(),
        region=region,
        birth=birth,
    )


async def register(person: Person, **extra: Any) -> None:
    """Put ``person`` into the built-in population register."""
    await PopulationRecord.insert(
        PopulationRecord(
            id=timeutil.uuid7(),
            id_number_index=pii.blind_index(person.id_number, kind="id_number"),
            id_number_enc=pii.encrypt(person.id_number, context="population.id_number"),
            name=person.name,
            gender=id_gender(person.id_number),
            birth_date=person.birth,
            household_region=person.region,
            household_address=extra.pop("address", "江西省南昌市东湖区测试路 1 号"),
            residence_region=extra.pop("residence_region", person.region),
            **extra,
        )
    )


async def account(person: Person | None = None, *, verified: bool = True, elder: bool = False) -> Account:
    """A resident account (registered and, by default, real-name verified) with a bearer session."""
    person = person or unique_person()
    await register(person)
    resident_id = timeutil.uuid7()
    fields: dict[str, Any] = {
        "id": resident_id,
        "phone_index": phone_index(person.phone),
        "phone_enc": pii.encrypt(person.phone, context="resident.phone"),
        "phone_masked": pii.mask_phone(person.phone),
        "created_at": timeutil.now(),
        "elder_mode": elder,
    }
    if verified:
        fields.update(
            name=person.name,
            id_number_index=pii.blind_index(person.id_number, kind="id_number"),
            id_number_enc=pii.encrypt(person.id_number, context="resident.id_number"),
            id_number_masked=pii.mask_id_number(person.id_number),
            birth_date=id_birth_date(person.id_number),
            gender=id_gender(person.id_number),
            region_code=person.region,
            realname_verified_at=timeutil.now(),
        )
    await Resident.insert(Resident(**fields))
    token, row = await sessions.create(
        "resident", resident_id, idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12)
    )
    return Account(id=resident_id, person=person, token=token, csrf=row["csrf_token"])


async def clerk_token(username: str) -> str:
    row = await Clerk.select(Clerk.id).where(Clerk.username == username).first()
    assert row is not None, f"no demo clerk {username}"
    token, _ = await sessions.create("clerk", row["id"], idle=dt.timedelta(minutes=15), absolute=dt.timedelta(hours=8))
    return token


def random_client_address() -> tuple[str, int]:
    """Each test client gets its own address so per-address rate limits never couple tests."""
    return (f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}", 40000)


def as_user(app: Any, token: str, **headers: str) -> httpx.AsyncClient:
    """A client that authenticates with a bearer token (no cookie, so no CSRF header needed)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=random_client_address()),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


async def demo_resident_token(phone: str) -> str:
    row = await Resident.select(Resident.id).where(Resident.phone_index == phone_index(phone)).first()
    assert row is not None
    token, _ = await sessions.create(
        "resident", row["id"], idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=1)
    )
    return token


async def latest_code(client: httpx.AsyncClient, phone: str) -> str:
    response = await client.get("/api/dev/sms", params={"phone": phone, "codes_only": True})
    assert response.status_code == 200, response.text
    text = response.json()[0]["text"]
    return next(text[i : i + 6] for i in range(len(text) - 5) if text[i : i + 6].isdigit())
