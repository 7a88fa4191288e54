"""Demo people, enterprises and staff accounts.

Every ID number and credit code here is generated with valid check characters but belongs to no
real person or company. Clerk passwords and TOTP secrets are fixed so that the README can show how
to log in; they exist only in development data.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from core.identifiers import make_credit_code, make_id_number


class DemoPerson(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    name: str
    birth: dt.date
    sequence: int  # odd = male, even = female (GB 11643 sequence code parity)
    household_region: str
    address: str
    phone: str | None = None  # None: in the population register only, no account
    residence_region: str = ""
    elder_mode: bool = False
    disability: str = ""
    note: str = ""

    @property
    def id_number(self) -> str:
        return make_id_number(self.household_region, self.birth, self.sequence)


PEOPLE: list[DemoPerson] = [
    DemoPerson(
        key="grandma",
        name="张秀英",
        birth=dt.date(1948, 3, 12),
        sequence=122,
        household_region="360102",
        address="江西省南昌市东湖区八一大道 357 号 3 栋 2 单元 501 室",
        phone="13800000001",
        elder_mode=True,
        note="78 岁，长辈版；授权儿子王小明代办",
    ),
    DemoPerson(
        key="son",
        name="王小明",
        birth=dt.date(1975, 8, 21),
        sequence=131,
        household_region="360102",
        address="江西省南昌市东湖区八一大道 357 号 3 栋 2 单元 501 室",
        phone="13800000002",
        note="张秀英的儿子，她的代办人",
    ),
    DemoPerson(
        key="resident",
        name="李华",
        birth=dt.date(1995, 5, 4),
        sequence=212,
        household_region="360702",
        address="江西省赣州市章贡区红旗大道 18 号",
        phone="13800000003",
        note="普通居民，赣州章贡区",
    ),
    DemoPerson(
        key="migrant",
        name="陈静",
        birth=dt.date(1990, 11, 2),
        sequence=348,
        household_region="330106",
        address="浙江省杭州市西湖区文三路 90 号",
        phone="13800000004",
        residence_region="360702",
        note="户籍在杭州西湖区，居住在赣州：跨省通办",
    ),
    DemoPerson(
        key="legal_rep",
        name="刘建国",
        birth=dt.date(1970, 1, 15),
        sequence=417,
        household_region="360113",
        address="江西省南昌市红谷滩区丰和中大道 1000 号",
        phone="13800000005",
        note="南昌绿源食品有限公司法定代表人",
    ),
    DemoPerson(
        key="staff",
        name="赵敏",
        birth=dt.date(1988, 6, 30),
        sequence=526,
        household_region="360111",
        address="江西省南昌市青山湖区北京东路 36 号",
        phone="13800000006",
        note="南昌绿源食品有限公司经办人",
    ),
    DemoPerson(
        key="newcomer",
        name="周芳",
        birth=dt.date(1999, 9, 9),
        sequence=628,
        household_region="360103",
        address="江西省南昌市西湖区中山路 120 号",
        phone=None,
        note="只在人口库中：用来演示实名认证或综合窗口代录",
    ),
    DemoPerson(
        key="walk_in",
        name="孙德胜",
        birth=dt.date(1951, 2, 28),
        sequence=711,
        household_region="360702",
        address="江西省赣州市章贡区解放路 66 号",
        phone=None,
        disability="肢体三级",
        note="只在人口库中：到章贡区窗口办事的老人",
    ),
]


class DemoEnterprise(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    name: str
    category: str  # first two characters of the credit code: 91 company, 92 individual business
    region: str
    body: str  # nine characters of organisation code
    kind: str
    legal_rep: str  # DemoPerson.key
    address: str
    established: dt.date
    capital_wan: str
    industry: str
    scope: str
    attributes: dict[str, object] = msgspec.field(default_factory=dict)
    staff: tuple[str, ...] = ()

    @property
    def credit_code(self) -> str:
        return make_credit_code(self.category, self.region, self.body)


ENTERPRISES: list[DemoEnterprise] = [
    DemoEnterprise(
        key="lvyuan",
        name="南昌绿源食品有限公司",
        category="91",
        region="360113",
        body="MA35LY0Q1",
        kind="company",
        legal_rep="legal_rep",
        address="江西省南昌市红谷滩区丰和中大道 1000 号 5 层",
        established=dt.date(2019, 4, 18),
        capital_wan="500",
        industry="食品制造",
        scope="食品生产；食品经营；农副产品销售",
        staff=("staff",),
        attributes={"employees": 48, "high_tech": False, "small_micro": True, "revenue_wan": 3200},
    ),
    DemoEnterprise(
        key="xiaochi",
        name="章贡区李华小吃店",
        category="92",
        region="360702",
        body="L2H6X8C31",
        kind="individual_business",
        legal_rep="resident",
        address="江西省赣州市章贡区红旗大道 18 号一楼",
        established=dt.date(2023, 3, 1),
        capital_wan="5",
        industry="餐饮",
        scope="小餐饮；食品销售",
        attributes={"employees": 3, "small_micro": True, "revenue_wan": 60},
    ),
]


class DemoClerk(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    display_name: str
    region: str
    department: str | None  # department kind code in that region
    roles: tuple[str, ...]
    totp_secret: str


DEMO_PASSWORD = "zhangban-demo-2026"

CLERKS: list[DemoClerk] = [
    DemoClerk(
        username="nc-window",
        display_name="南昌市场监管·窗口 黄丽",
        region="360100",
        department="scjg",
        roles=("window",),
        totp_secret="NCWINDOW2345ABCDNCWINDOW2345ABCD",
    ),
    DemoClerk(
        username="nc-reviewer",
        display_name="南昌市场监管·审批 吴强",
        region="360100",
        department="scjg",
        roles=("reviewer",),
        totp_secret="NCREVIEW2345ABCDNCREVIEW2345ABCD",
    ),
    DemoClerk(
        username="nc-head",
        display_name="南昌市场监管·科长 郑军",
        region="360100",
        department="scjg",
        roles=("head", "reviewer"),
        totp_secret="NCHEAD234567ABCDNCHEAD234567ABCD",
    ),
    DemoClerk(
        username="nc-mzj",
        display_name="南昌民政·综合窗口 何梅",
        region="360100",
        department="mzj",
        roles=("window", "reviewer"),
        totp_secret="NCMZJ234567ABCDENCMZJ234567ABCDE",
    ),
    DemoClerk(
        username="gz-window",
        display_name="赣州市场监管·窗口 邱燕",
        region="360700",
        department="scjg",
        roles=("window",),
        totp_secret="GZWINDOW2345ABCDGZWINDOW2345ABCD",
    ),
    DemoClerk(
        username="gz-reviewer",
        display_name="赣州市场监管·审批 钟涛",
        region="360700",
        department="scjg",
        roles=("reviewer", "head"),
        totp_secret="GZREVIEW2345ABCDGZREVIEW2345ABCD",
    ),
    DemoClerk(
        username="gz-rsj",
        display_name="赣州人社·综合窗口 谢芳",
        region="360700",
        department="rsj",
        roles=("window", "reviewer"),
        totp_secret="GZRSJ234567ABCDEGZRSJ234567ABCDE",
    ),
    DemoClerk(
        username="admin",
        display_name="省政务服务办·管理员 胡伟",
        region="360000",
        department=None,
        roles=("admin",),
        totp_secret="ADMIN234567ABCDEADMIN234567ABCDE",
    ),
    DemoClerk(
        username="auditor",
        display_name="省政务服务办·审计员 罗静",
        region="360000",
        department=None,
        roles=("auditor",),
        totp_secret="AUDITOR234567ABCAUDITOR234567ABC",
    ),
]


def person(key: str) -> DemoPerson:
    return next(p for p in PEOPLE if p.key == key)
