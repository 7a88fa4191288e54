"""Demo matter catalogue (事项清单): standard matter templates implemented in demo regions.

Each :class:`Template` holds the standard elements of one matter (同一事项、同一要素) and the
regions that implement it; :func:`matters` expands them into one :class:`MatterElements` per
region. Only ``region_code`` and ``region_level`` differ between implementations of one
``basic_code``.

Form field keys are shared across matters for the same concept (``applicant_name``,
``id_number``, ``phone``, ``bank_account`` …) so that forms can be merged (一表申请); the shared
fields and the standard material builders live at the top of this module.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from catalogue.elements import (
    Channel,
    CrossMode,
    CrossRegion,
    CrossScope,
    Fee,
    FieldType,
    FormField,
    MaterialSpec,
    MatterElements,
    Option,
    Result,
    TimeLimit,
)
from demo.regions import REGIONS

# ---------------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------------

JIANGXI = "360000"
NANCHANG, JIUJIANG, GANZHOU, SHANGRAO = "360100", "360400", "360700", "361100"
DONGHU, ZHANGGONG = "360102", "360702"
HANGZHOU, HZ_XIHU = "330100", "330106"

CITIES = (NANCHANG, GANZHOU)
"""City-level matters: 南昌市 and 赣州市."""
ALL_CITIES = (NANCHANG, JIUJIANG, GANZHOU, SHANGRAO)
COUNTIES = (DONGHU, ZHANGGONG)
"""County-level matters: 东湖区 and 章贡区."""

LEVELS: dict[str, str] = {code: level for code, _name, level, _parent in REGIONS}

# ---------------------------------------------------------------------------------------------
# Channels, time limits, cross-region service
# ---------------------------------------------------------------------------------------------

ONLINE: list[Channel] = ["mobile", "web", "window"]
"""掌上办 + 网上办 + 窗口办 (online depth 4)."""
WEB: list[Channel] = ["web", "window"]
"""网上申报 with a check on site or a paper result (online depth 3)."""
WINDOW: list[Channel] = ["window"]
"""窗口办 only (online depth 2: forms can be downloaded)."""


def days(statutory: int, promised: int, extension: int = 0) -> TimeLimit:
    return TimeLimit(statutory_days=statutory, promised_days=promised, max_extension_days=extension)


def cross(scope: CrossScope, *modes: CrossMode) -> CrossRegion:
    return CrossRegion(scope=scope, modes=list(modes))


FREE = Fee()

# ---------------------------------------------------------------------------------------------
# Form fields shared across matters (same key = same concept)
# ---------------------------------------------------------------------------------------------


def field(key: str, label: str, type: FieldType = "text", **kw: Any) -> FormField:
    return FormField(key=key, label=label, type=type, **kw)


def select(key: str, label: str, options: list[tuple[str, str]], *, multi: bool = False, **kw: Any) -> FormField:
    return FormField(
        key=key,
        label=label,
        type="multiselect" if multi else "select",
        options=[Option(value=value, label=text) for value, text in options],
        **kw,
    )


APPLICANT_NAME = field(
    "applicant_name", "申请人姓名", prefill="population.person.name", readonly=True, max_length=50
)
ID_NUMBER = field(
    "id_number", "公民身份号码", "id_number", prefill="population.person.id_number", readonly=True
)
PHONE = field("phone", "联系电话", "phone", help="用于接收办理进度短信")
HOUSEHOLD_ADDRESS = field(
    "household_address", "户籍地址", prefill="population.person.household_address", max_length=200
)
RESIDENCE_ADDRESS = field("residence_address", "现居住地址", max_length=200)
REASON = field("reason", "申请事由", "textarea", max_length=500)
POSTAL_ADDRESS = field(
    "postal_address", "邮寄地址", required=False, max_length=200, help="选择邮寄到家时填写"
)
RECEIVE_METHOD = select("receive_method", "领取方式", [("pickup", "窗口自取"), ("post", "免费邮寄到家")])
SPOUSE_NAME = field("spouse_name", "配偶姓名", max_length=50)
SPOUSE_ID_NUMBER = field("spouse_id_number", "配偶公民身份号码", "id_number")
CHILD_NAME = field("child_name", "子女姓名", max_length=50)
CHILD_ID_NUMBER = field("child_id_number", "子女公民身份号码", "id_number")
CHILD_BIRTH_DATE = field("child_birth_date", "子女出生日期", "date")
CHILD_GENDER = select("child_gender", "子女性别", [("male", "男"), ("female", "女")])
BANK_NAME = select(
    "bank_name",
    "开户银行",
    [
        ("icbc", "中国工商银行"),
        ("abc", "中国农业银行"),
        ("boc", "中国银行"),
        ("ccb", "中国建设银行"),
        ("psbc", "中国邮政储蓄银行"),
        ("jxbank", "江西银行"),
        ("jxnx", "江西农商银行"),
    ],
)
BANK_ACCOUNT = field("bank_account", "银行账号", pattern=r"\d{12,19}", help="本人名下的社会保障卡或一类银行账户")
PURPOSE = select(
    "purpose",
    "证明用途",
    [("employment", "就业、入职"), ("study", "升学、入学"), ("visa", "出国（境）"), ("other", "其他")],
)
FROM_REGION = field("from_region", "转出地", "region", help="原参保地所在的县（市、区）")
DRIVING_LICENCE_NO = field("driving_licence_no", "驾驶证档案编号", max_length=12, pattern=r"\d{12}")

ENTERPRISE_NAME = field(
    "enterprise_name", "企业名称", prefill="enterprise.enterprise.name", readonly=True, max_length=100
)
CREDIT_CODE = field(
    "credit_code", "统一社会信用代码", "credit_code", prefill="enterprise.enterprise.credit_code", readonly=True
)
CONTACT_NAME = field("contact_name", "经办人姓名", prefill="population.person.name", max_length=50)
PROPOSED_NAME = field("proposed_name", "拟申请名称", max_length=100, help="需先通过名称自主申报")
PREMISES_ADDRESS = field("premises_address", "经营场所（住所）地址", max_length=200)
BUSINESS_SCOPE = field("business_scope", "经营范围", "textarea", max_length=1000)
STAFF_COUNT = field("staff_count", "从业人员数", "integer", min=0, max=100000)

APPLICANT = [APPLICANT_NAME, ID_NUMBER]
ENTERPRISE = [ENTERPRISE_NAME, CREDIT_CODE]
CONTACT = [CONTACT_NAME, PHONE]

# ---------------------------------------------------------------------------------------------
# Materials
# ---------------------------------------------------------------------------------------------

REUSABLE_KINDS = frozenset(
    {"id_card", "household_register", "photo", "lease_contract", "premises_proof", "articles_of_association"}
)
"""Standard material kinds that, once submitted, can be reused (材料只交一次)."""

LICENCES_FOR_KIND: dict[str, tuple[str, ...]] = {
    "id_card": ("id_card",),
    "household_register": ("household_register",),
    "marriage_certificate": ("marriage_certificate",),
    "property_certificate": ("property_certificate",),
    "business_licence": ("business_licence",),
    "food_licence": ("food_licence",),
    "driving_licence": ("driving_licence",),
    "social_security_card": ("social_security_card",),
    "diploma": ("diploma",),
    "birth_certificate": ("birth_medical_certificate",),
    "residence_permit": ("residence_permit",),
    "disability_card": ("disability_card",),
    "premises_proof": ("property_certificate",),
    "bank_card": ("social_security_card",),
}
"""E-licence types that can stand in for a material of each kind (免证办理)."""

IMAGES = ["image/jpeg", "image/png"]


def material(name: str, kind: str = "", code: str | None = None, **kw: Any) -> MaterialSpec:
    """A material; ``code`` defaults to ``kind``, licences and reuse follow from the kind."""
    if code is None and not kind:
        raise ValueError(f"material {name!r} needs a code or a kind")
    kw.setdefault("licence_types", list(LICENCES_FOR_KIND.get(kind, ())))
    kw.setdefault("reusable", kind in REUSABLE_KINDS)
    return MaterialSpec(code=code or kind, name=name, kind=kind, **kw)


def id_card(name: str = "申请人居民身份证", code: str = "id_card", **kw: Any) -> MaterialSpec:
    return material(name, "id_card", code, **kw)


def household_register(name: str = "居民户口簿", **kw: Any) -> MaterialSpec:
    return material(name, "household_register", **kw)


def photo(name: str = "近期免冠彩色证件照", **kw: Any) -> MaterialSpec:
    kw.setdefault("note", "白底、正面、不戴帽子，电子照片不小于 358×441 像素")
    return material(name, "photo", accept=IMAGES, max_bytes=2 * 1024 * 1024, **kw)


def bank_card(name: str = "本人社会保障卡或银行卡", **kw: Any) -> MaterialSpec:
    return material(name, "bank_card", **kw)


def business_licence(name: str = "营业执照", **kw: Any) -> MaterialSpec:
    return material(name, "business_licence", **kw)


def premises_proof(name: str = "经营场所（住所）使用证明", **kw: Any) -> MaterialSpec:
    kw.setdefault("note", "自有房屋提供不动产权证书，租赁房屋提供租赁合同")
    return material(name, "premises_proof", **kw)


def document(code: str, name: str, **kw: Any) -> MaterialSpec:
    """A matter-specific material with no standard kind (申请书、承诺书 …)."""
    return material(name, code=code, **kw)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


class Template(NamedTuple):
    regions: tuple[str, ...]
    elements: dict[str, Any]
    """Every element except ``region_code`` and ``region_level``."""


def template(regions: tuple[str, ...], **elements: Any) -> Template:
    return Template(regions=regions, elements=elements)


# Person (个人) matters -----------------------------------------------------------------------

PERSON: list[Template] = [
    template(
        (DONGHU, ZHANGGONG, HZ_XIHU),
        basic_code="GA-SFZ-001",
        name="居民身份证换领",
        kind="confirmation",
        department_code="gaj",
        legal_basis=["《中华人民共和国居民身份证法》第十一条"],
        acceptance_conditions=[
            "居民身份证有效期满、登记项目变更或者证件严重损坏不能辨认的。",
            "申请人本人到场采集人像和指纹信息，可在户籍地以外的受理点异地办理。",
        ],
        materials=[
            id_card("原居民身份证", note="领取新证时交回原证"),
            household_register(required=False, note="登记项目变更的须提供"),
            photo("数码相片回执", required=False, note="也可在受理窗口免费现场拍摄"),
        ],
        form=[
            *APPLICANT,
            HOUSEHOLD_ADDRESS,
            select(
                "renew_reason",
                "换领原因",
                [("expired", "有效期满"), ("changed", "登记项目变更"), ("damaged", "证件损坏")],
            ),
            RECEIVE_METHOD,
            POSTAL_ADDRESS,
            PHONE,
        ],
        time_limit=days(60, 15),
        fee=Fee(charged=True, amount_yuan="20", basis="《关于居民身份证收费标准及有关问题的通知》"),
        online_depth=2,
        channels=WINDOW,
        cross_region=cross("national", "proxy_receive"),
        themes=["身份证件", "户籍"],
        keywords=["身份证过期", "换身份证", "身份证到期", "异地换证"],
        hot=True,
        result=Result(name="中华人民共和国居民身份证", delivery=["pickup", "post"]),
        visits=1,
        summary="身份证到期或损坏时到任一受理点换新证，新证可邮寄到家。",
    ),
    template(
        COUNTIES,
        basic_code="GA-HK-001",
        name="户口迁移（省内）",
        kind="confirmation",
        department_code="gaj",
        legal_basis=[
            "《中华人民共和国户口登记条例》第十条",
            "《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）",
        ],
        acceptance_conditions=[
            "在江西省内跨县（市、区）迁移户口，并在迁入地有合法稳定住所或符合投靠、就业等落户条件的。",
        ],
        materials=[
            id_card(),
            household_register("迁出地居民户口簿"),
            material("迁入地合法稳定住所证明", "property_certificate", required=False, note="以购房落户的提供"),
            material("结婚证", "marriage_certificate", required=False, note="夫妻投靠落户的提供"),
        ],
        form=[
            *APPLICANT,
            HOUSEHOLD_ADDRESS,
            field("move_in_address", "迁入地址", max_length=200),
            select(
                "move_reason",
                "迁移原因",
                [("housing", "购房落户"), ("family", "投靠亲属"), ("work", "就业落户"), ("graduate", "毕业落户")],
            ),
            select(
                "relation_to_head",
                "与迁入户户主关系",
                [("self", "本人"), ("spouse", "配偶"), ("child", "子女"), ("parent", "父母"), ("other", "其他")],
            ),
            PHONE,
        ],
        time_limit=days(20, 5),
        cross_region=cross("province", "online", "multi_region"),
        themes=["户籍"],
        keywords=["迁户口", "落户", "户口迁移", "一站式迁户"],
        result=Result(name="户口迁移登记及新户口簿", delivery=["post", "pickup"]),
        summary="在省内换地方落户，网上申请后迁出、迁入一次办好，不用两地跑。",
    ),
    template(
        COUNTIES,
        basic_code="GA-JZZ-001",
        name="居住证办理",
        kind="confirmation",
        department_code="gaj",
        legal_basis=["《居住证暂行条例》第二条", "《居住证暂行条例》第九条"],
        acceptance_conditions=[
            "离开常住户口所在地到本地居住半年以上，且有合法稳定就业、合法稳定住所或连续就读条件之一的。",
        ],
        materials=[
            id_card(),
            photo(),
            material("居住地住址证明", "lease_contract", note="租赁合同或房屋产权证明"),
            document("work_or_study_proof", "就业或就读证明", required=False),
        ],
        form=[
            *APPLICANT,
            HOUSEHOLD_ADDRESS,
            RESIDENCE_ADDRESS,
            field("residence_since", "在本地居住起始日期", "date"),
            select(
                "residence_basis",
                "申领条件",
                [("employment", "合法稳定就业"), ("housing", "合法稳定住所"), ("study", "连续就读")],
            ),
            PHONE,
        ],
        time_limit=days(15, 7),
        themes=["户籍", "身份证件"],
        keywords=["居住证", "暂住证", "外地人办居住证"],
        hot=True,
        result=Result(kind="licence", licence_type="residence_permit", name="居住证", delivery=["electronic", "post"]),
        summary="外地户籍在本地住满半年，可以申领居住证，享受本地基本公共服务。",
    ),
    template(
        COUNTIES,
        basic_code="GA-JZZ-002",
        name="居住证签注",
        kind="confirmation",
        department_code="gaj",
        legal_basis=["《居住证暂行条例》"],
        acceptance_conditions=["居住证持有人在居住地连续居住，在居住每满一年之日前一个月内申请签注。"],
        materials=[
            material("居住证", "residence_permit"),
            material("居住地住址证明", "lease_contract", required=False, note="住址未变更的无需提供"),
        ],
        form=[
            *APPLICANT,
            field("residence_permit_no", "居住证编号", max_length=30),
            RESIDENCE_ADDRESS,
            PHONE,
        ],
        time_limit=days(1, 0),
        handling_mode="immediate",
        themes=["户籍", "身份证件"],
        keywords=["居住证续签", "居住证签注", "居住证年审"],
        instant=True,
        result=Result(kind="licence", licence_type="residence_permit", name="居住证（签注）"),
        summary="居住证每年签注一次，手机上提交即时签注，不用跑派出所。",
    ),
    template(
        (DONGHU, ZHANGGONG, HZ_XIHU),
        basic_code="GA-ZM-001",
        name="无犯罪记录证明",
        kind="public_service",
        department_code="gaj",
        legal_basis=["《公安机关办理犯罪记录查询工作规定》（公通字〔2021〕19号）"],
        acceptance_conditions=["个人查询本人有无犯罪记录，用于就业、升学、出国（境）等用途。"],
        materials=[
            id_card(),
            document("authorization", "授权委托书及受托人身份证", required=False, note="委托他人代办时提供"),
        ],
        form=[
            *APPLICANT,
            PURPOSE,
            field("receiving_unit", "证明使用单位", required=False, max_length=100),
            PHONE,
        ],
        time_limit=days(3, 0),
        handling_mode="immediate",
        cross_region=cross("national", "online"),
        themes=["证明"],
        keywords=["开无犯罪证明", "无犯罪记录", "政审证明", "良民证"],
        hot=True,
        instant=True,
        result=Result(name="无犯罪记录证明（电子）"),
        summary="网上申请本人的无犯罪记录证明，查询后当场出具电子证明。",
    ),
    template(
        ALL_CITIES,
        basic_code="GA-JSZ-001",
        name="驾驶证期满换证",
        kind="licensing",
        department_code="gaj",
        legal_basis=[
            "《中华人民共和国道路交通安全法》第十九条",
            "《机动车驾驶证申领和使用规定》（公安部令第162号）",
        ],
        acceptance_conditions=[
            "机动车驾驶证有效期满前九十日内申请，且身体条件符合驾驶许可条件的。",
        ],
        materials=[
            material("机动车驾驶证", "driving_licence"),
            id_card(),
            material("机动车驾驶人身体条件证明", "medical_report", note="由体检医疗机构联网上传的免提交"),
            photo(required=False),
        ],
        form=[
            *APPLICANT,
            DRIVING_LICENCE_NO,
            select(
                "licence_class",
                "准驾车型",
                [("C1", "C1 小型汽车"), ("C2", "C2 小型自动挡汽车"), ("B2", "B2 大型货车"), ("A1", "A1 大型客车")],
            ),
            RECEIVE_METHOD,
            POSTAL_ADDRESS,
            PHONE,
        ],
        time_limit=days(1, 1, 10),
        fee=Fee(
            charged=True,
            amount_yuan="10",
            basis="《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》（发改价格〔2017〕1186号）",
        ),
        cross_region=cross("national", "online"),
        themes=["交通出行", "身份证件"],
        keywords=["驾照到期", "换驾照", "驾驶证过期"],
        hot=True,
        result=Result(
            kind="licence", licence_type="driving_licence", name="机动车驾驶证", delivery=["electronic", "post"]
        ),
        summary="驾驶证快到期时在手机上申请换证，新证邮寄到家。",
    ),
    template(
        COUNTIES,
        basic_code="WJ-SY-001",
        name="生育登记",
        kind="confirmation",
        department_code="wjw",
        legal_basis=["《中华人民共和国人口与计划生育法》第十八条", "《江西省人口与计划生育条例》"],
        acceptance_conditions=["夫妻一方户籍在本地或在本地居住，生育子女前或生育后均可登记。"],
        materials=[
            id_card("夫妻双方居民身份证"),
            material("结婚证", "marriage_certificate", required=False),
        ],
        form=[
            *APPLICANT,
            SPOUSE_NAME,
            SPOUSE_ID_NUMBER,
            select("pregnancy_status", "生育状况", [("pregnant", "已怀孕"), ("born", "已生育")]),
            select("child_order", "本次生育孩次", [("1", "第一孩"), ("2", "第二孩"), ("3", "第三孩及以上")]),
            HOUSEHOLD_ADDRESS,
            PHONE,
        ],
        time_limit=days(1, 0),
        handling_mode="immediate",
        cross_region=cross("province", "online"),
        themes=["婚育"],
        keywords=["准生证", "生育登记", "生二胎登记", "怀孕登记"],
        hot=True,
        instant=True,
        result=Result(name="生育登记服务单"),
        summary="怀孕或生孩子后在网上做生育登记，即时出具电子登记服务单。",
    ),
    template(
        COUNTIES,
        basic_code="WJ-CS-001",
        name="出生医学证明补发",
        kind="public_service",
        department_code="wjw",
        legal_basis=["《中华人民共和国母婴保健法》第二十三条"],
        acceptance_conditions=["出生医学证明遗失，新生儿在本辖区医疗机构出生或已在本地办理出生登记的。"],
        materials=[
            id_card("父母双方居民身份证"),
            household_register("新生儿居民户口簿", required=False, note="已落户的提供"),
            document("delivery_record", "出生时医疗机构的分娩记录", required=False, note="签发机构可调取的免提交"),
        ],
        form=[
            *APPLICANT,
            CHILD_NAME,
            CHILD_GENDER,
            CHILD_BIRTH_DATE,
            field("birth_hospital", "出生医疗机构", max_length=100),
            SPOUSE_NAME,
            PHONE,
        ],
        time_limit=days(20, 10),
        online_depth=2,
        channels=WINDOW,
        themes=["婚育", "证明"],
        keywords=["出生证丢了", "补办出生证", "出生医学证明"],
        result=Result(
            kind="licence",
            licence_type="birth_medical_certificate",
            name="出生医学证明",
            delivery=["electronic", "pickup"],
        ),
        visits=1,
        summary="孩子的出生医学证明丢了，可以到签发机构申请补发。",
    ),
    template(
        COUNTIES,
        basic_code="MZ-HY-001",
        name="结婚登记",
        kind="confirmation",
        department_code="mzj",
        legal_basis=["《中华人民共和国民法典》第一千零四十九条", "《婚姻登记条例》第四条", "《婚姻登记条例》第五条"],
        acceptance_conditions=[
            "男女双方均达到法定婚龄、均无配偶，且自愿结婚。",
            "双方须亲自到婚姻登记机关办理。",
        ],
        materials=[
            id_card("双方居民身份证"),
            household_register("双方居民户口簿"),
            photo("双方近期半身免冠合影照片", form="original", copies=3, note="2 寸红底双人合影"),
            document("declaration", "无配偶及无禁止结婚亲属关系的签字声明", form="original", note="在登记窗口现场签署"),
        ],
        form=[
            *APPLICANT,
            SPOUSE_NAME,
            SPOUSE_ID_NUMBER,
            field("appointment_date", "预约登记日期", "date"),
            PHONE,
        ],
        time_limit=days(1, 0),
        handling_mode="immediate",
        online_depth=2,
        channels=WINDOW,
        themes=["婚育"],
        keywords=["领证", "结婚证", "登记结婚", "预约结婚"],
        hot=True,
        result=Result(
            kind="licence", licence_type="marriage_certificate", name="结婚证", delivery=["pickup", "electronic"]
        ),
        visits=1,
        summary="男女双方带上身份证和户口簿，一起到婚姻登记处当场领结婚证。",
    ),
    template(
        (DONGHU, ZHANGGONG, HZ_XIHU),
        basic_code="MZ-HY-002",
        name="婚姻登记记录证明",
        kind="public_service",
        department_code="mzj",
        legal_basis=[
            "《婚姻登记档案管理办法》",
            "《国务院办公厅关于加快推进政务服务“跨省通办”的指导意见》（国办发〔2020〕35号）",
        ],
        acceptance_conditions=["当事人查询本人在婚姻登记机关留存的婚姻登记记录。"],
        materials=[id_card()],
        form=[
            *APPLICANT,
            select(
                "query_purpose",
                "查询用途",
                [("housing", "购房"), ("loan", "贷款"), ("household", "户籍办理"), ("other", "其他")],
            ),
            PHONE,
        ],
        time_limit=days(1, 0),
        handling_mode="immediate",
        cross_region=cross("national", "online"),
        themes=["婚育", "证明"],
        keywords=["单身证明", "婚姻状况证明", "结婚记录查询"],
        instant=True,
        result=Result(name="婚姻登记记录证明（电子）"),
        summary="买房贷款要用婚姻状况证明时，网上查询本人婚姻登记记录并出具证明。",
    ),
    template(
        COUNTIES,
        basic_code="MZ-LN-001",
        name="老年人优待证办理",
        kind="public_service",
        department_code="mzj",
        legal_basis=["《中华人民共和国老年人权益保障法》"],
        acceptance_conditions=["年满60周岁的本地户籍或在本地居住的老年人。"],
        materials=[id_card(), photo(required=False, note="不提供的从人口库调取证件照")],
        form=[*APPLICANT, HOUSEHOLD_ADDRESS, PHONE],
        time_limit=days(5, 0),
        handling_mode="immediate",
        themes=["养老"],
        keywords=["老年证", "老年卡", "敬老卡", "老人优待证"],
        instant=True,
        result=Result(kind="licence", licence_type="elderly_card", name="老年人优待证"),
        summary="满60周岁的老人在手机上申请老年人优待证，即时出电子证，乘车逛公园可享优待。",
    ),
    template(
        COUNTIES,
        basic_code="MZ-LN-002",
        name="高龄津贴申领",
        kind="payment",
        department_code="mzj",
        legal_basis=["《中华人民共和国老年人权益保障法》第三十三条"],
        acceptance_conditions=["年满80周岁且户籍在本地的老年人。"],
        materials=[id_card(), bank_card()],
        form=[*APPLICANT, HOUSEHOLD_ADDRESS, BANK_NAME, BANK_ACCOUNT, PHONE],
        time_limit=days(20, 0),
        handling_mode="immediate",
        themes=["养老", "救助"],
        keywords=["高龄补贴", "80岁补贴", "老人津贴"],
        instant=True,
        result=Result(kind="payment", name="高龄津贴（按月发放）"),
        summary="80岁以上老人申请后，高龄津贴每月打到本人社保卡或银行卡。",
    ),
    template(
        COUNTIES,
        basic_code="MZ-DB-001",
        name="最低生活保障申请",
        kind="payment",
        department_code="mzj",
        legal_basis=["《社会救助暂行办法》第十一条", "《最低生活保障审核确认办法》（民发〔2021〕57号）"],
        acceptance_conditions=[
            "共同生活的家庭成员人均月收入低于当地最低生活保障标准，且家庭财产状况符合规定的。",
        ],
        materials=[
            id_card("申请人及共同生活家庭成员居民身份证"),
            household_register(),
            document("income_check_authorization", "家庭经济状况核对授权书", note="在线签署"),
            document("income_proof", "家庭收入情况说明", required=False),
        ],
        form=[
            *APPLICANT,
            HOUSEHOLD_ADDRESS,
            field("family_size", "共同生活家庭人口数", "integer", min=1, max=20),
            field("monthly_income", "家庭月总收入（元）", "money", min=0, max=100000),
            REASON,
            BANK_NAME,
            BANK_ACCOUNT,
            PHONE,
        ],
        time_limit=days(30, 20),
        themes=["救助"],
        keywords=["低保", "申请低保", "困难补助"],
        result=Result(kind="payment", name="最低生活保障金"),
        summary="家庭收入低于当地低保标准的，可以网上申请低保，审核通过后按月发放保障金。",
    ),
    template(
        COUNTIES,
        basic_code="MZ-CJ-001",
        name="困难残疾人生活补贴",
        kind="payment",
        department_code="mzj",
        legal_basis=["《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）"],
        acceptance_conditions=["持有第二代中华人民共和国残疾人证，且属于最低生活保障家庭的残疾人。"],
        materials=[id_card(), material("中华人民共和国残疾人证", "disability_card"), bank_card()],
        form=[
            *APPLICANT,
            field("disability_card_no", "残疾人证号", max_length=22),
            HOUSEHOLD_ADDRESS,
            BANK_NAME,
            BANK_ACCOUNT,
            PHONE,
        ],
        time_limit=days(20, 10),
        themes=["残疾人", "救助"],
        keywords=["残疾补贴", "残疾人生活补贴", "两项补贴"],
        result=Result(kind="payment", name="困难残疾人生活补贴"),
        summary="低保家庭中的残疾人可申请生活补贴，按月发放到本人账户。",
    ),
    template(
        COUNTIES,
        basic_code="CL-CJZ-001",
        name="残疾人证申领",
        kind="confirmation",
        department_code="cl",
        legal_basis=["《中华人民共和国残疾人保障法》第二条", "《中华人民共和国残疾人证管理办法》"],
        acceptance_conditions=["符合残疾标准的本地户籍居民，经指定医疗机构评定残疾类别和等级。"],
        materials=[
            id_card(),
            household_register(),
            photo(),
            material("残疾评定表", "disability_assessment", note="由指定评定机构出具"),
        ],
        form=[
            *APPLICANT,
            HOUSEHOLD_ADDRESS,
            select(
                "disability_type",
                "残疾类别",
                [
                    ("visual", "视力残疾"),
                    ("hearing", "听力残疾"),
                    ("speech", "言语残疾"),
                    ("physical", "肢体残疾"),
                    ("intellectual", "智力残疾"),
                    ("mental", "精神残疾"),
                    ("multiple", "多重残疾"),
                ],
            ),
            field("guardian_name", "监护人姓名", required=False, max_length=50),
            PHONE,
        ],
        time_limit=days(30, 15),
        online_depth=2,
        channels=WINDOW,
        themes=["残疾人"],
        keywords=["办残疾证", "残疾证申请", "残疾评定"],
        result=Result(
            kind="licence",
            licence_type="disability_card",
            name="中华人民共和国残疾人证",
            delivery=["electronic", "pickup", "post"],
        ),
        visits=1,
        summary="经指定医院评定残疾等级后，到残联窗口申领残疾人证。",
    ),
    template(
        COUNTIES,
        basic_code="RS-YL-001",
        name="城乡居民养老保险参保登记",
        kind="public_service",
        department_code="rsj",
        legal_basis=[
            "《中华人民共和国社会保险法》第二十条",
            "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
        ],
        acceptance_conditions=[
            "年满16周岁（不含在校学生），未参加职工基本养老保险的本地户籍城乡居民。",
        ],
        materials=[id_card(), household_register(required=False)],
        form=[
            *APPLICANT,
            HOUSEHOLD_ADDRESS,
            select(
                "contribution_grade",
                "每年缴费档次",
                [(str(n), f"{n} 元/年") for n in (300, 500, 800, 1000, 1500, 2000, 3000, 5000)],
            ),
            PHONE,
        ],
        time_limit=days(5, 0),
        handling_mode="immediate",
        themes=["社保", "养老"],
        keywords=["农村养老保险", "居民养老保险", "城乡居民社保"],
        result=Result(name="城乡居民养老保险参保登记回执"),
        summary="没有单位的城乡居民可以参加居民养老保险，选好缴费档次就能参保。",
    ),
    template(
        CITIES,
        basic_code="RS-SB-001",
        name="灵活就业人员参保登记",
        kind="public_service",
        department_code="rsj",
        legal_basis=["《中华人民共和国社会保险法》第十条", "《中华人民共和国社会保险法》第二十三条"],
        acceptance_conditions=["无雇工的个体工商户、非全日制从业人员及其他灵活就业人员。"],
        materials=[id_card()],
        form=[
            *APPLICANT,
            HOUSEHOLD_ADDRESS,
            select(
                "flexible_insurance_types",
                "参保险种",
                [("pension", "职工基本养老保险"), ("medical", "职工基本医疗保险")],
                multi=True,
            ),
            select(
                "employment_type",
                "就业形式",
                [
                    ("self_employed", "无雇工个体工商户"),
                    ("part_time", "非全日制从业"),
                    ("platform", "新就业形态（平台就业）"),
                    ("other", "其他灵活就业"),
                ],
            ),
            PHONE,
        ],
        time_limit=days(5, 0),
        handling_mode="immediate",
        themes=["社保", "就业创业"],
        keywords=["自己交社保", "个人交社保", "灵活就业"],
        instant=True,
        result=Result(name="灵活就业人员参保登记回执"),
        summary="没有单位的灵活就业人员在手机上登记后，就能以个人身份缴纳职工社保。",
    ),
    template(
        (JIANGXI, NANCHANG, GANZHOU, HANGZHOU),
        basic_code="RS-SB-002",
        name="社会保险关系转移接续",
        kind="public_service",
        department_code="rsj",
        legal_basis=[
            "《中华人民共和国社会保险法》第十九条",
            "《城镇企业职工基本养老保险关系转移接续暂行办法》（国办发〔2009〕66号）",
        ],
        acceptance_conditions=["参保人员跨统筹地区流动就业，已在新就业地参保的。"],
        materials=[
            id_card(),
            document("contribution_proof", "参保缴费凭证", required=False, note="系统可自动获取的免提交"),
        ],
        form=[
            *APPLICANT,
            FROM_REGION,
            select(
                "transfer_insurance",
                "转移险种",
                [
                    ("enterprise_pension", "企业职工基本养老保险"),
                    ("institution_pension", "机关事业单位养老保险"),
                    ("resident_pension", "城乡居民养老保险"),
                    ("unemployment", "失业保险"),
                ],
            ),
            PHONE,
        ],
        time_limit=days(15, 0),
        handling_mode="immediate",
        cross_region=cross("national", "online"),
        themes=["社保"],
        keywords=["社保转移", "社保转到外地", "换城市工作社保"],
        hot=True,
        instant=True,
        result=Result(name="参保缴费凭证及转移接续联系函"),
        summary="到外地工作后，在新参保地网上申请，把原来的社保缴费记录转过来。",
    ),
    template(
        (NANCHANG, JIUJIANG, GANZHOU),
        basic_code="RS-SY-001",
        name="失业保险金申领",
        kind="payment",
        department_code="rsj",
        legal_basis=["《中华人民共和国社会保险法》第四十五条", "《失业保险条例》第十四条"],
        acceptance_conditions=[
            "失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，且已进行失业登记并有求职要求。",
        ],
        materials=[
            id_card(),
            document("termination_proof", "解除或终止劳动关系证明", required=False, note="单位已网上申报的免提交"),
            bank_card(),
        ],
        form=[
            *APPLICANT,
            field("last_employer", "原工作单位", max_length=100),
            field("termination_date", "劳动关系解除日期", "date"),
            BANK_NAME,
            BANK_ACCOUNT,
            PHONE,
        ],
        time_limit=days(10, 3),
        cross_region=cross("national", "online"),
        themes=["社保", "就业创业"],
        keywords=["失业金", "领失业金", "失业补助"],
        hot=True,
        result=Result(kind="payment", name="失业保险金"),
        summary="非本人原因失业的参保人员，网上申领失业保险金，按月发放到本人账户。",
    ),
    template(
        CITIES,
        basic_code="RS-TX-001",
        name="职工正常退休申请",
        kind="confirmation",
        department_code="rsj",
        legal_basis=[
            "《中华人民共和国社会保险法》第十六条",
            "《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》",
        ],
        acceptance_conditions=["达到法定退休年龄，且基本养老保险累计缴费满最低缴费年限的职工。"],
        materials=[
            id_card(),
            document("personnel_file", "本人人事档案", required=False, note="由档案保管机构调阅，本人无需提交"),
            bank_card(),
        ],
        form=[
            *APPLICANT,
            field("employer_name", "所在单位", max_length=100),
            field("retirement_date", "申请退休日期", "date"),
            BANK_NAME,
            BANK_ACCOUNT,
            PHONE,
        ],
        time_limit=days(20, 10),
        themes=["养老", "社保"],
        keywords=["办退休", "退休手续", "领养老金"],
        result=Result(name="基本养老金核定表"),
        summary="到了退休年龄、社保缴费年限够了，网上申请退休并核定养老金。",
    ),
    template(
        ALL_CITIES,
        basic_code="RS-SBK-001",
        name="社会保障卡申领",
        kind="public_service",
        department_code="rsj",
        legal_basis=["《中华人民共和国社会保险法》第五十八条"],
        acceptance_conditions=["在本地参加社会保险或需要办理社会保障卡的人员，此前未持有有效社会保障卡。"],
        materials=[id_card(), photo()],
        form=[*APPLICANT, BANK_NAME, RECEIVE_METHOD, POSTAL_ADDRESS, PHONE],
        time_limit=days(20, 5),
        themes=["社保", "医保"],
        keywords=["办社保卡", "社保卡", "电子社保卡"],
        hot=True,
        result=Result(
            kind="licence",
            licence_type="social_security_card",
            name="社会保障卡",
            delivery=["electronic", "pickup", "post"],
        ),
        summary="网上申请社保卡，同时领取电子社保卡，实体卡可邮寄到家。",
    ),
    template(
        CITIES,
        basic_code="YB-ZY-001",
        name="基本医疗保险关系转移接续",
        kind="public_service",
        department_code="ybj",
        legal_basis=[
            "《中华人民共和国社会保险法》第三十二条",
            "《基本医疗保障关系转移接续暂行办法》（医保办发〔2021〕43号）",
        ],
        acceptance_conditions=["参保人员跨统筹地区流动，已在转入地参加基本医疗保险的。"],
        materials=[id_card(), document("contribution_proof", "参保缴费凭证", required=False)],
        form=[
            *APPLICANT,
            FROM_REGION,
            select("medical_insurance_type", "医保类型", [("employee", "职工医保"), ("resident", "居民医保")]),
            PHONE,
        ],
        time_limit=days(15, 5),
        cross_region=cross("national", "online"),
        themes=["医保"],
        keywords=["医保转移", "医保转到外地", "医保接续"],
        result=Result(name="基本医疗保险关系转移接续凭证"),
        summary="换城市工作后，网上把原来的医保缴费年限转到新参保地。",
    ),
    template(
        (JIANGXI, NANCHANG, GANZHOU, HANGZHOU),
        basic_code="YB-YD-001",
        name="异地就医备案",
        kind="public_service",
        department_code="ybj",
        legal_basis=[
            "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
        ],
        acceptance_conditions=["参加基本医疗保险，因长期居住异地、常驻异地工作、转诊或临时外出需要在异地就医的。"],
        materials=[id_card(), document("commitment", "个人承诺书", note="在线勾选承诺")],
        form=[
            *APPLICANT,
            select(
                "filing_type",
                "备案类型",
                [
                    ("resident", "异地长期居住"),
                    ("worker", "常驻异地工作"),
                    ("referral", "异地转诊"),
                    ("temporary", "临时外出就医"),
                ],
            ),
            field("destination_region", "就医地", "region"),
            field("start_date", "备案开始日期", "date"),
            PHONE,
        ],
        time_limit=days(1, 0),
        handling_mode="immediate",
        cross_region=cross("national", "online"),
        themes=["医保"],
        keywords=["异地就医", "外地看病报销", "医保备案"],
        hot=True,
        instant=True,
        result=Result(name="异地就医备案凭证"),
        summary="去外地长住或看病前在手机上备案，到了就医地看病可直接用医保结算。",
    ),
    template(
        ALL_CITIES,
        basic_code="GJJ-TQ-001",
        name="住房公积金提取（租房）",
        kind="public_service",
        department_code="gjj",
        legal_basis=["《住房公积金管理条例》第二十四条", "《住房公积金管理条例》第二十五条"],
        acceptance_conditions=["职工本人及配偶在缴存地无自有住房且租房自住的。"],
        materials=[
            id_card(),
            material("房屋租赁合同", "lease_contract", required=False, note="按当地标准定额提取的无需提供"),
            bank_card(),
        ],
        form=[
            *APPLICANT,
            field("rental_address", "租住房屋地址", max_length=200),
            field("monthly_rent", "月租金（元）", "money", min=0, max=50000),
            field("withdraw_amount", "本次提取金额（元）", "money", min=0, max=200000),
            BANK_NAME,
            BANK_ACCOUNT,
            PHONE,
        ],
        time_limit=days(3, 1),
        themes=["公积金", "住房"],
        keywords=["提公积金", "租房提取公积金", "公积金取出来"],
        hot=True,
        result=Result(kind="payment", name="住房公积金提取款"),
        summary="租房住的职工可以提取住房公积金付房租，钱直接转到本人银行卡。",
    ),
    template(
        COUNTIES,
        basic_code="JY-RX-001",
        name="义务教育入学报名",
        kind="public_service",
        department_code="jyj",
        legal_basis=["《中华人民共和国义务教育法》第十一条", "《中华人民共和国义务教育法》第十二条"],
        acceptance_conditions=["适龄儿童、少年户籍或居住地在本学区范围内，由父母或其他法定监护人报名。"],
        materials=[
            household_register(),
            material("出生医学证明", "birth_certificate"),
            material("房屋产权证明", "property_certificate", required=False, note="以住房入学的提供"),
            material("房屋租赁合同及居住证", "lease_contract", required=False, note="随迁子女提供"),
            document("vaccination_check", "预防接种证查验证明", required=False),
        ],
        form=[
            *APPLICANT,
            CHILD_NAME,
            CHILD_ID_NUMBER,
            CHILD_BIRTH_DATE,
            CHILD_GENDER,
            select("enrol_stage", "报名学段", [("primary", "小学一年级"), ("junior", "初中一年级")]),
            HOUSEHOLD_ADDRESS,
            PHONE,
        ],
        time_limit=days(30, 20),
        themes=["教育"],
        keywords=["小学报名", "入学报名", "孩子上学", "小升初"],
        hot=True,
        result=Result(name="入学录取通知"),
        summary="孩子上小学、初中一年级，家长在网上报名，录取结果网上可查。",
    ),
    template(
        (JIANGXI,),
        basic_code="JY-XL-001",
        name="学历证明",
        kind="public_service",
        department_code="jyj",
        legal_basis=["《中华人民共和国教育法》第二十二条"],
        acceptance_conditions=["在本省取得普通高中或中等职业学校学历的毕业生。"],
        materials=[id_card(), material("毕业证书", "diploma", required=False, note="遗失的无需提供")],
        form=[
            *APPLICANT,
            field("school_name", "毕业学校", max_length=100),
            field("graduation_year", "毕业年份", "integer", min=1950, max=2030),
            select("education_level", "学历层次", [("senior", "普通高中"), ("vocational", "中等职业学校")]),
            PURPOSE,
            PHONE,
        ],
        time_limit=days(5, 0),
        handling_mode="immediate",
        themes=["教育", "证明"],
        keywords=["学历证明", "毕业证丢了", "高中学历证明"],
        instant=True,
        result=Result(name="学历证明（电子）"),
        summary="高中、中专毕业证丢了或需要学历证明时，网上申请即时出具电子证明。",
    ),
    template(
        ALL_CITIES,
        basic_code="ZR-BDC-001",
        name="二手房转移登记",
        kind="confirmation",
        department_code="zrzy",
        legal_basis=[
            "《中华人民共和国民法典》第二百零九条",
            "《不动产登记暂行条例》第五条",
            "《不动产登记暂行条例》第二十条",
        ],
        acceptance_conditions=[
            "买卖双方已签订存量房买卖合同并缴清税费，房屋无查封等限制转移的情形。",
        ],
        materials=[
            id_card("买受人居民身份证", code="buyer_id_card"),
            id_card("出卖人居民身份证", code="seller_id_card"),
            material("不动产权证书", "property_certificate"),
            document("sale_contract", "存量房买卖合同"),
            document("tax_receipt", "完税凭证", required=False, note="税务部门共享的免提交"),
        ],
        form=[
            *APPLICANT,
            field("seller_name", "出卖人姓名", max_length=50),
            field("seller_id_number", "出卖人公民身份号码", "id_number"),
            field("property_address", "房屋坐落", max_length=200),
            field("property_certificate_no", "不动产权证书号", max_length=50),
            field("transaction_price", "成交价格（元）", "money", min=0, max=1000000000),
            PHONE,
        ],
        time_limit=days(30, 3),
        fee=Fee(
            charged=True,
            amount_yuan="80",
            basis="《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        ),
        themes=["不动产", "住房"],
        keywords=["过户", "二手房过户", "房产证过户", "买房登记"],
        hot=True,
        result=Result(
            kind="licence",
            licence_type="property_certificate",
            name="不动产权证书",
            delivery=["electronic", "pickup"],
        ),
        summary="买卖二手房后，买卖双方网上申请过户，领取新的不动产权证书。",
    ),
]

# Enterprise (法人) matters -------------------------------------------------------------------

ENTERPRISE_MATTERS: list[Template] = [
    template(
        (*ALL_CITIES, HANGZHOU),
        basic_code="SC-QY-001",
        name="企业设立登记",
        kind="licensing",
        department_code="scjg",
        legal_basis=[
            "《中华人民共和国市场主体登记管理条例》第三条",
            "《中华人民共和国市场主体登记管理条例》第十九条",
            "《中华人民共和国公司法》第二十九条",
        ],
        acceptance_conditions=[
            "企业名称已通过自主申报，住所真实合法。",
            "申请材料齐全、符合法定形式。",
        ],
        materials=[
            document("application_form", "企业设立登记申请书", note="在线填写并电子签名"),
            material("公司章程", "articles_of_association"),
            id_card("法定代表人及股东身份证明"),
            premises_proof(),
        ],
        form=[
            *APPLICANT,
            PROPOSED_NAME,
            select(
                "enterprise_type",
                "企业类型",
                [
                    ("llc", "有限责任公司"),
                    ("jsc", "股份有限公司"),
                    ("sole", "个人独资企业"),
                    ("partnership", "合伙企业"),
                ],
            ),
            field("registered_capital", "注册资本（万元）", "money", min=0, max=100000000),
            BUSINESS_SCOPE,
            PREMISES_ADDRESS,
            PHONE,
        ],
        time_limit=days(3, 1, 10),
        cross_region=cross("province", "online"),
        audience=["enterprise"],
        themes=["开办企业", "就业创业"],
        keywords=["开公司", "注册公司", "办营业执照"],
        hot=True,
        result=Result(
            kind="licence", licence_type="business_licence", name="营业执照", delivery=["electronic", "post"]
        ),
        summary="开公司网上申请营业执照，一天内办结，电子营业执照即时可用。",
    ),
    template(
        COUNTIES,
        basic_code="SC-GT-001",
        name="个体工商户设立登记",
        kind="licensing",
        department_code="scjg",
        legal_basis=["《促进个体工商户发展条例》", "《中华人民共和国市场主体登记管理条例》第十九条"],
        acceptance_conditions=["有经营能力的自然人，经营场所真实合法且经营项目不属于禁止经营的。"],
        materials=[id_card("经营者居民身份证"), premises_proof()],
        form=[
            *APPLICANT,
            field("proposed_name", "拟申请名称", required=False, max_length=100, help="个体工商户可以不起字号"),
            select("organisation_form", "组成形式", [("individual", "个人经营"), ("family", "家庭经营")]),
            BUSINESS_SCOPE,
            PREMISES_ADDRESS,
            field("funds_amount", "资金数额（万元）", "money", min=0, max=100000),
            STAFF_COUNT,
            PHONE,
        ],
        time_limit=days(3, 0, 10),
        handling_mode="immediate",
        audience=["person", "enterprise"],
        themes=["开办企业", "就业创业"],
        keywords=["办个体户", "个体营业执照", "开店"],
        hot=True,
        instant=True,
        result=Result(kind="licence", licence_type="business_licence", name="营业执照（个体工商户）"),
        summary="开小店办个体户，手机上填好信息即时领电子营业执照。",
    ),
    template(
        CITIES,
        basic_code="SC-QY-002",
        name="企业变更登记",
        kind="licensing",
        department_code="scjg",
        legal_basis=["《中华人民共和国市场主体登记管理条例》第二十四条"],
        acceptance_conditions=["企业登记事项发生变更，自作出变更决议或决定之日起30日内申请。"],
        materials=[
            document("application_form", "企业变更登记申请书", note="在线填写并电子签名"),
            document("resolution", "股东会决议或股东决定"),
            business_licence(),
            material("修改后的公司章程", "articles_of_association", required=False, note="涉及章程修改的提供"),
        ],
        form=[
            *ENTERPRISE,
            select(
                "change_items",
                "变更事项",
                [
                    ("name", "名称"),
                    ("address", "住所"),
                    ("legal_rep", "法定代表人"),
                    ("capital", "注册资本"),
                    ("scope", "经营范围"),
                    ("shareholder", "股东"),
                ],
                multi=True,
            ),
            field("change_details", "变更内容说明", "textarea", max_length=1000),
            *CONTACT,
        ],
        time_limit=days(3, 1, 10),
        audience=["enterprise"],
        themes=["开办企业"],
        keywords=["公司变更", "换法人", "改经营范围", "变更地址"],
        result=Result(name="准予变更登记通知书"),
        summary="公司名称、地址、法人、经营范围等变了，网上申请变更登记。",
    ),
    template(
        CITIES,
        basic_code="SC-QY-003",
        name="企业简易注销登记",
        kind="licensing",
        department_code="scjg",
        legal_basis=["《中华人民共和国市场主体登记管理条例》第三十三条"],
        acceptance_conditions=[
            "未发生债权债务或已将债权债务清偿完结，已结清清算费用、职工工资和社会保险费用。",
            "经国家企业信用信息公示系统公示20日无异议。",
        ],
        materials=[document("investor_commitment", "全体投资人承诺书", note="在线签署"), business_licence()],
        form=[
            *ENTERPRISE,
            select(
                "cancel_reason",
                "注销原因",
                [("dissolution", "决议解散"), ("expiry", "营业期限届满"), ("other", "其他原因")],
            ),
            field("publicity_start", "简易注销公告开始日期", "date", required=False),
            *CONTACT,
        ],
        time_limit=days(3, 1, 10),
        audience=["enterprise"],
        themes=["开办企业"],
        keywords=["公司注销", "注销营业执照", "简易注销"],
        result=Result(name="准予简易注销登记通知书"),
        summary="没有债务的企业公示20天无异议后，网上申请简易注销。",
    ),
    template(
        COUNTIES,
        basic_code="SC-SP-001",
        name="食品经营许可（新办）",
        kind="licensing",
        department_code="scjg",
        legal_basis=[
            "《中华人民共和国食品安全法》第三十五条",
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
        ],
        acceptance_conditions=[
            "已取得营业执照，具有与经营的食品品种、数量相适应的经营场所、设备设施和食品安全管理制度。",
        ],
        materials=[
            business_licence(),
            premises_proof("经营场所平面布局图及设备布局"),
            document("safety_rules", "食品安全管理制度"),
            material("从业人员健康证明", "medical_report", required=False, note="已录入健康证系统的免提交"),
        ],
        form=[
            *ENTERPRISE,
            select(
                "operator_type",
                "主体业态",
                [("sales", "食品销售经营者"), ("catering", "餐饮服务经营者"), ("canteen", "单位食堂")],
            ),
            select(
                "food_items",
                "经营项目",
                [
                    ("prepackaged", "预包装食品销售"),
                    ("bulk", "散装食品销售"),
                    ("hot_food", "热食类食品制售"),
                    ("cold_food", "冷食类食品制售"),
                    ("pastry", "糕点类食品制售"),
                ],
                multi=True,
            ),
            PREMISES_ADDRESS,
            STAFF_COUNT,
            *CONTACT,
        ],
        time_limit=days(20, 5, 10),
        audience=["enterprise"],
        themes=["准营准办"],
        keywords=["食品经营许可证", "开饭店办证", "卖食品办证"],
        result=Result(kind="licence", licence_type="food_licence", name="食品经营许可证"),
        summary="开饭店、卖食品先办食品经营许可证，网上申请，现场核查后发电子证。",
    ),
    template(
        COUNTIES,
        basic_code="SC-SP-002",
        name="食品经营许可（延续）",
        kind="licensing",
        department_code="scjg",
        legal_basis=[
            "《中华人民共和国行政许可法》第五十条",
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
        ],
        acceptance_conditions=["在食品经营许可证有效期届满前提出延续申请，且经营条件未发生变化。"],
        materials=[material("食品经营许可证", "food_licence"), business_licence()],
        form=[
            *ENTERPRISE,
            field("food_licence_no", "食品经营许可证编号", max_length=20),
            field("conditions_unchanged", "经营条件未发生变化", "bool"),
            *CONTACT,
        ],
        time_limit=days(20, 0, 10),
        handling_mode="immediate",
        audience=["enterprise"],
        themes=["准营准办"],
        keywords=["食品许可证到期", "食品经营许可证续期", "许可证延续"],
        instant=True,
        result=Result(kind="licence", licence_type="food_licence", name="食品经营许可证（延续）"),
        summary="食品经营许可证快到期且经营条件没变的，网上申请即时延续。",
    ),
    template(
        CITIES,
        basic_code="SC-YP-001",
        name="药品零售企业许可",
        kind="licensing",
        department_code="scjg",
        legal_basis=[
            "《中华人民共和国药品管理法》第五十一条",
            "《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）",
        ],
        acceptance_conditions=[
            "有依法经过资格认定的药师，有与所经营药品相适应的营业场所、设备、仓储设施和质量管理制度。",
        ],
        materials=[
            business_licence(),
            premises_proof(),
            document("pharmacist_certificate", "执业药师注册证"),
            document("quality_documents", "药品质量管理制度文件"),
        ],
        form=[
            *ENTERPRISE,
            PREMISES_ADDRESS,
            select(
                "drug_scope",
                "经营范围",
                [
                    ("prescription", "处方药"),
                    ("otc_a", "甲类非处方药"),
                    ("otc_b", "乙类非处方药"),
                    ("herbal_pieces", "中药饮片"),
                ],
                multi=True,
            ),
            field("pharmacist_name", "执业药师姓名", max_length=50),
            *CONTACT,
        ],
        time_limit=days(20, 10, 10),
        online_depth=3,
        channels=WEB,
        audience=["enterprise"],
        themes=["准营准办"],
        keywords=["开药店", "药品经营许可证", "药店办证"],
        result=Result(name="药品经营许可证", delivery=["electronic", "pickup"]),
        summary="开药店要办药品经营许可证，网上申报后由监管部门现场检查。",
    ),
    template(
        COUNTIES,
        basic_code="GA-GZ-001",
        name="公章刻制备案",
        kind="filing",
        department_code="gaj",
        legal_basis=[
            "《国务院关于第三批取消中央指定地方实施行政许可事项的决定》（国发〔2017〕7号）",
            "《印铸刻字业暂行管理规则》",
        ],
        acceptance_conditions=["已取得营业执照的企业，委托已备案的印章刻制企业刻制印章。"],
        materials=[
            business_licence(),
            id_card("法定代表人居民身份证"),
            document("seal_imprint", "印章印模", required=False, accept=IMAGES, note="刻章企业上传的免提交"),
        ],
        form=[
            *ENTERPRISE,
            select(
                "seal_types",
                "刻制印章",
                [
                    ("official", "法定名称章"),
                    ("finance", "财务专用章"),
                    ("invoice", "发票专用章"),
                    ("contract", "合同专用章"),
                    ("legal_rep", "法定代表人名章"),
                ],
                multi=True,
            ),
            field("seal_maker", "刻章单位", max_length=100),
            *CONTACT,
        ],
        time_limit=days(1, 0),
        handling_mode="immediate",
        audience=["enterprise"],
        themes=["开办企业"],
        keywords=["刻章", "公章备案", "刻公章"],
        result=Result(name="印章刻制备案回执"),
        summary="新开企业刻公章后网上备案，备案结果即时可查。",
    ),
    template(
        COUNTIES,
        basic_code="SW-FP-001",
        name="发票领用",
        kind="other_power",
        department_code="sw",
        legal_basis=["《中华人民共和国税收征收管理法》第二十一条", "《中华人民共和国发票管理办法》第十五条"],
        acceptance_conditions=["已办理登记、需要领用发票的纳税人。"],
        materials=[id_card("经办人居民身份证"), business_licence(required=False)],
        form=[
            *ENTERPRISE,
            select(
                "invoice_type",
                "发票种类",
                [
                    ("digital_normal", "数电发票（普通发票）"),
                    ("digital_special", "数电发票（增值税专用发票）"),
                    ("roll", "增值税普通发票（卷式）"),
                ],
            ),
            field("invoice_quantity", "申领数量（份）", "integer", min=1, max=1000),
            *CONTACT,
        ],
        time_limit=days(5, 1),
        audience=["enterprise"],
        themes=["税务", "开办企业"],
        keywords=["领发票", "申领发票", "开票额度"],
        result=Result(name="发票领用结果通知"),
        summary="企业网上申请领用发票，核定后即可开具数电发票。",
    ),
    template(
        CITIES,
        basic_code="RS-DW-001",
        name="单位参保登记",
        kind="public_service",
        department_code="rsj",
        legal_basis=["《中华人民共和国社会保险法》第五十七条", "《社会保险费征缴暂行条例》"],
        acceptance_conditions=["用人单位自成立之日起三十日内申请办理社会保险登记。"],
        materials=[business_licence(), id_card("经办人居民身份证")],
        form=[
            *ENTERPRISE,
            select(
                "insurance_types",
                "参保险种",
                [
                    ("pension", "基本养老保险"),
                    ("medical", "基本医疗保险"),
                    ("unemployment", "失业保险"),
                    ("injury", "工伤保险"),
                    ("maternity", "生育保险"),
                ],
                multi=True,
            ),
            STAFF_COUNT,
            BANK_NAME,
            BANK_ACCOUNT,
            *CONTACT,
        ],
        time_limit=days(15, 1),
        audience=["enterprise"],
        themes=["社保", "开办企业"],
        keywords=["单位社保开户", "公司交社保", "社保登记"],
        result=Result(name="社会保险登记回执"),
        summary="新成立的单位网上办理社保登记，之后就能为员工缴纳社保。",
    ),
    template(
        COUNTIES,
        basic_code="ZJ-SG-001",
        name="建筑工程施工许可证核发",
        kind="licensing",
        department_code="zjj",
        legal_basis=[
            "《中华人民共和国建筑法》第七条",
            "《中华人民共和国建筑法》第八条",
            "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）",
        ],
        acceptance_conditions=[
            "已办理用地批准手续和建设工程规划许可证，已确定施工企业，有满足施工需要的资金安排和技术资料。",
        ],
        materials=[
            document("planning_permit", "建设工程规划许可证"),
            document("construction_contract", "施工合同"),
            business_licence("建设单位营业执照"),
            document("drawing_review", "施工图设计文件审查合格书", required=False, note="实行告知承诺的可后补"),
        ],
        form=[
            *ENTERPRISE,
            field("project_name", "工程名称", max_length=100),
            field("project_address", "建设地址", max_length=200),
            field("contract_amount", "合同价格（万元）", "money", min=0, max=10000000),
            field("floor_area", "建筑面积（平方米）", "number", min=0, max=10000000),
            field("planned_start_date", "计划开工日期", "date"),
            *CONTACT,
        ],
        time_limit=days(7, 3, 10),
        online_depth=3,
        channels=WEB,
        audience=["enterprise"],
        themes=["准营准办"],
        keywords=["施工许可证", "工程开工", "施工证"],
        result=Result(name="建筑工程施工许可证", delivery=["electronic", "pickup"]),
        summary="房屋建筑工程开工前，建设单位网上申请施工许可证。",
    ),
    template(
        COUNTIES,
        basic_code="JT-HY-001",
        name="道路货物运输经营许可",
        kind="licensing",
        department_code="jtj",
        legal_basis=[
            "《中华人民共和国道路运输条例》第二十一条",
            "《中华人民共和国道路运输条例》第二十四条",
            "《道路货物运输及站场管理规定》",
        ],
        acceptance_conditions=["有与经营业务相适应并经检测合格的车辆、符合条件的驾驶人员和健全的安全生产管理制度。"],
        materials=[
            business_licence(),
            document("vehicle_list", "拟投入车辆承诺书及机动车行驶证"),
            material("驾驶人员从业资格证及机动车驾驶证", "driving_licence", code="driver_qualification"),
            document("safety_rules", "安全生产管理制度"),
        ],
        form=[
            *ENTERPRISE,
            select(
                "freight_scope",
                "经营范围",
                [("general", "普通货运"), ("special", "货物专用运输"), ("oversize", "大型物件运输")],
                multi=True,
            ),
            field("vehicle_count", "车辆数（辆）", "integer", min=1, max=1000),
            PREMISES_ADDRESS,
            *CONTACT,
        ],
        time_limit=days(20, 10, 10),
        online_depth=3,
        channels=WEB,
        audience=["enterprise"],
        themes=["准营准办", "交通出行"],
        keywords=["道路运输许可证", "货运资质", "物流公司办证"],
        result=Result(name="道路运输经营许可证", delivery=["electronic", "pickup"]),
        summary="从事货运经营的企业网上申请道路运输经营许可证。",
    ),
    template(
        (NANCHANG, JIUJIANG, GANZHOU),
        basic_code="ST-PW-001",
        name="排污许可",
        kind="licensing",
        department_code="sthj",
        legal_basis=["《中华人民共和国环境保护法》第四十五条", "《排污许可管理条例》第二条"],
        acceptance_conditions=[
            "纳入固定污染源排污许可分类管理名录的排污单位，已取得环境影响评价审批文件或符合规定。",
        ],
        materials=[
            document("application_form", "排污许可证申请表"),
            business_licence(),
            document("eia_approval", "环境影响评价审批文件"),
            document("monitoring_plan", "自行监测方案"),
        ],
        form=[
            *ENTERPRISE,
            select("management_class", "管理类别", [("key", "重点管理"), ("simplified", "简化管理")]),
            field("outlet_count", "排放口数量", "integer", min=1, max=100),
            PREMISES_ADDRESS,
            *CONTACT,
        ],
        time_limit=days(30, 15, 10),
        online_depth=3,
        channels=WEB,
        audience=["enterprise"],
        themes=["准营准办"],
        keywords=["排污证", "排污许可证", "环保许可"],
        result=Result(name="排污许可证", delivery=["electronic", "pickup"]),
        summary="排放污染物的企业在排污许可管理平台申报，取得排污许可证后方可排污。",
    ),
]

TEMPLATES: list[Template] = [*PERSON, *ENTERPRISE_MATTERS]


def implement(tpl: Template, region_code: str) -> MatterElements:
    """One region's implementation of a template: the same elements, its own region."""
    elements = copy.deepcopy(tpl.elements)
    return MatterElements(**elements, region_code=region_code, region_level=LEVELS[region_code])


def matters() -> list[MatterElements]:
    """Every demo matter implementation, templates in order, each in its regions."""
    return [implement(tpl, region) for tpl in TEMPLATES for region in tpl.regions]
