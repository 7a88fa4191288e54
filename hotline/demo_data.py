"""Demo 12345 data: routing rules, two call-centre agents, knowledge-base answers and tickets."""

from __future__ import annotations

from typing import Any

from audit import log as audit
from auth import clerks
from auth.context import Caller, Principal
from core import db, timeutil
from demo.people import DEMO_PASSWORD
from hotline import knowledge, service
from hotline.tables import KnowledgeArticle, RoutingRule
from regions.tables import Department

ORDER = 50
ACTOR = audit.Actor(kind="system", label="演示数据")

# name, priority, category, keywords, topic, department kind, level
RULES: list[tuple[str, int, str, str, str, str, str]] = [
    ("营商环境投诉专席", 10, "business_env", "", "营商环境", "zwfw", "province"),
    ("市场监管", 50, "", "营业执照,食品,餐饮,饭店,小吃,价格,假冒,商家,消费", "市场监管", "scjg", "local"),
    ("社保就业", 50, "", "社保,养老保险,工伤,失业,就业,工资,欠薪,社保卡", "人力社保", "rsj", "local"),
    ("医疗保障", 50, "", "医保,报销,医疗保险,门诊", "医疗保障", "ybj", "local"),
    ("户籍证件", 50, "", "户口,身份证,户籍,居住证,落户", "公安户政", "gaj", "local"),
    ("住房公积金", 50, "", "公积金", "住房公积金", "gjj", "city"),
    ("民政服务", 50, "", "低保,养老院,婚姻登记,救助,残疾", "民政", "mzj", "local"),
    ("生态环境", 50, "", "噪音,污染,排污,异味,油烟", "生态环境", "sthj", "local"),
    ("教育", 50, "", "学校,入学,学位,幼儿园", "教育", "jyj", "local"),
    ("交通出行", 50, "", "公交,出租车,网约车,道路", "交通运输", "jtj", "local"),
    ("住房建设", 60, "", "房屋,物业,住房,装修", "住房城乡建设", "zjj", "local"),
]

AGENTS = [
    ("hotline-nc", "南昌12345·话务员 陈晓", "360100", "HOTLINENC234567AHOTLINENC234567A"),
    ("hotline-prov", "省12345营商环境专席 万青", "360000", "HOTLINEPROV23456HOTLINEPROV23456"),
]

ARTICLES: list[tuple[str, str, str, str, str]] = [
    (
        "社保卡丢失怎么补办",
        "社保卡丢了，在哪里补办，要带什么？",
        "可在掌办 App“社保卡挂失补换”中先挂失再申请补卡，选择邮寄或到合作银行网点领取；"
        "也可携带本人身份证到就近的社保卡服务网点现场补办，工本费按当地标准收取。",
        "社保卡,挂失,补卡,补办",
        "人力社保",
    ),
    (
        "居住证怎么办理",
        "外地户口在本地居住，怎么办居住证？",
        "在居住地连续居住半年以上、有合法稳定就业或住所的，可在掌办 App 或居住地派出所申请居住证，"
        "需身份证、近期照片和居住证明，一般 15 个工作日内办结。",
        "居住证,暂住证,外地户口",
        "公安户政",
    ),
    (
        "住房公积金提取条件",
        "哪些情况可以提取住房公积金？",
        "购买、建造、翻建、大修自住住房，偿还住房贷款本息，租房自住，离休退休等情形可以提取。"
        "租房提取可在掌办 App 直接办理，审核通过后一般 3 个工作日内到账。",
        "公积金,提取,租房提取",
        "住房公积金",
    ),
    (
        "个体工商户营业执照怎么办",
        "开小吃店要办营业执照吗，怎么办？",
        "开小吃店需要先办理个体工商户营业执照，再办理食品经营许可（小餐饮登记）。"
        "在掌办 App“准营准办”主题中可一次提交，营业执照可秒批，电子执照放入卡包。",
        "营业执照,个体户,开店,小吃店",
        "市场监管",
    ),
    (
        "新生儿怎么参加医保",
        "宝宝出生后怎么办理医保？",
        "新生儿出生后可通过“出生一件事”一次办理出生医学证明、户口登记和医保参保，"
        "出生 90 天内参保的，自出生之日起享受医保待遇。",
        "新生儿,医保,出生,参保",
        "医疗保障",
    ),
    (
        "婚姻登记需要预约吗",
        "结婚登记要不要预约，周末能办吗？",
        "婚姻登记可在掌办 App 预约，部分婚姻登记处周末和节假日提供预约服务（365 天不打烊），"
        "双方需携带本人户口簿、身份证和近期两寸合照。",
        "婚姻登记,结婚登记,预约,周末",
        "民政",
    ),
    (
        "小孩入学报名怎么操作",
        "小学一年级入学报名在哪里？",
        "义务教育招生报名一般在每年 6 至 7 月通过当地教育局招生平台或掌办 App 进行，"
        "需户口簿、房产证明或居住证等材料，具体以当地当年招生公告为准。",
        "入学,报名,小学,学位",
        "教育",
    ),
    (
        "身份证可以异地办理吗",
        "身份证到期了，不在户籍地能办吗？",
        "可以。居民身份证实行跨省通办，在全国任一公安户政窗口可申请换领、补领，办好后可选择邮寄到家。",
        "身份证,异地,换领,补领,跨省通办",
        "公安户政",
    ),
    (
        "老年人优待证怎么办理",
        "60 岁以上老人怎么办老年人优待证？",
        "年满 60 周岁的本地户籍老人可在掌办 App 长辈版或社区便民服务中心申请老年人优待证，"
        "凭证可享受公园景点、公共交通等优待，家属可帮代办。",
        "老年人,优待证,长辈,敬老",
        "民政",
    ),
    (
        "怎么查询 12345 工单进度",
        "打了 12345 之后怎么查办理进度？",
        "在掌办 App“我的 12345 工单”中可查看每一步的办理记录和答复；电话反映的诉求，"
        "如果来电号码已注册掌办账号，也会显示在其中。",
        "12345,工单,进度,查询",
        "12345",
    ),
]


async def seed(ctx: Any) -> None:
    async with db.write_tx():
        for name, priority, category, keywords, topic, code, level in RULES:
            await RoutingRule.insert(
                RoutingRule(
                    id=timeutil.uuid7(),
                    name=name,
                    priority=priority,
                    category=category,
                    keywords=keywords,
                    topic=topic,
                    department_code=code,
                    level=level,
                    created_at=timeutil.now(),
                )
            )
    for username, display, region, secret in AGENTS:
        department = ctx.departments.get(("zwfw", region))
        row, _ = await clerks.create_clerk(
            username=username,
            display_name=display,
            password=DEMO_PASSWORD,
            department_id=department,
            region_code=region,
            roles=["hotline"],
            totp_secret=secret,
        )
        ctx.clerks[username] = row["id"]
    for title, question, answer, keywords, topic in ARTICLES:
        await knowledge.save(
            title=title,
            question=question,
            answer=answer,
            keywords=keywords,
            topic=topic,
            region_code="",
            actor=ACTOR,
            updated_by=None,
        )
    await _tickets(ctx)


def _resident(ctx: Any, key: str, name: str) -> Caller | None:
    resident = ctx.residents.get(key)
    if resident is None:
        return None
    return Caller(
        session_id="demo",
        kind="resident",
        account_id=resident,
        name=name,
        csrf_token="",
        principal=Principal("person", resident, name),
    )


async def _tickets(ctx: Any) -> None:
    """李华's complaint (answered), 张秀英's question (answered from the knowledge base) and a suggestion."""
    li = _resident(ctx, "resident", "李华")
    grandma = _resident(ctx, "grandma", "张秀英")
    if li is None or grandma is None:
        return
    answered = await service.create_from_app(
        li,
        category="complaint",
        title="楼下餐饮店油烟和噪音扰民",
        content="章贡区红旗大道一家小吃店每天晚上十点后还在营业，油烟直排，噪音很大，希望有关部门处理。",
        region_code="360702",
    )
    if answered["department"] is not None:
        department = await Department.select().where(Department.id == answered["department"]).first()
        desk = Caller(
            session_id="demo",
            kind="clerk",
            account_id=timeutil.uuid7(),
            name=f"{department['name']}·承办人",
            csrf_token="",
            roles=frozenset({"window"}),
            department_id=department["id"],
            region_code=department["region"],
        )
        await service.reply(
            desk, answered, text="已到现场核查，责令商户安装油烟净化设备并于 22 点前停止营业，后续将持续回访。"
        )
    asked = await service.create_from_app(
        grandma,
        category="consultation",
        title="老年人优待证怎么办",
        content="我今年 78 岁，想办一张老年人优待证，坐公交能不能免费？",
        region_code="360102",
    )
    article = (
        await KnowledgeArticle.select(KnowledgeArticle.id)
        .where(KnowledgeArticle.title == "老年人优待证怎么办理")
        .first()
    )
    agent_id = ctx.clerks.get("hotline-nc")
    if article is not None and agent_id is not None:
        agent = Caller(
            session_id="demo",
            kind="clerk",
            account_id=agent_id,
            name="南昌12345·话务员 陈晓",
            csrf_token="",
            roles=frozenset({"hotline"}),
            region_code="360100",
        )
        await service.answer_from_knowledge(agent, asked, article_id=article["id"], text="")
    await service.create_from_app(
        li,
        category="suggestion",
        title="建议增加大厅周末开放时间",
        content="章贡区政务服务中心周末不开门，上班族办事不方便，建议周六上午开放。",
        region_code="360702",
    )
