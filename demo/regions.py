"""Demo regions: Jiangxi (360000) with its 11 prefecture-level cities and several counties under
their real GB/T 2260 codes, plus Zhejiang (330000) as the second province for cross-province
service (跨省通办)."""

from __future__ import annotations

# (code, name, level, parent)
REGIONS: list[tuple[str, str, str, str | None]] = [
    ("360000", "江西省", "province", None),
    ("360100", "南昌市", "city", "360000"),
    ("360102", "东湖区", "county", "360100"),
    ("360103", "西湖区", "county", "360100"),
    ("360104", "青云谱区", "county", "360100"),
    ("360111", "青山湖区", "county", "360100"),
    ("360112", "新建区", "county", "360100"),
    ("360113", "红谷滩区", "county", "360100"),
    ("360121", "南昌县", "county", "360100"),
    ("360123", "安义县", "county", "360100"),
    ("360124", "进贤县", "county", "360100"),
    ("360200", "景德镇市", "city", "360000"),
    ("360202", "昌江区", "county", "360200"),
    ("360203", "珠山区", "county", "360200"),
    ("360281", "乐平市", "county", "360200"),
    ("360300", "萍乡市", "city", "360000"),
    ("360302", "安源区", "county", "360300"),
    ("360313", "湘东区", "county", "360300"),
    ("360400", "九江市", "city", "360000"),
    ("360402", "濂溪区", "county", "360400"),
    ("360403", "浔阳区", "county", "360400"),
    ("360404", "柴桑区", "county", "360400"),
    ("360483", "庐山市", "county", "360400"),
    ("360500", "新余市", "city", "360000"),
    ("360502", "渝水区", "county", "360500"),
    ("360600", "鹰潭市", "city", "360000"),
    ("360602", "月湖区", "county", "360600"),
    ("360681", "贵溪市", "county", "360600"),
    ("360700", "赣州市", "city", "360000"),
    ("360702", "章贡区", "county", "360700"),
    ("360703", "南康区", "county", "360700"),
    ("360704", "赣县区", "county", "360700"),
    ("360722", "信丰县", "county", "360700"),
    ("360781", "瑞金市", "county", "360700"),
    ("360800", "吉安市", "city", "360000"),
    ("360802", "吉州区", "county", "360800"),
    ("360881", "井冈山市", "county", "360800"),
    ("360900", "宜春市", "city", "360000"),
    ("360902", "袁州区", "county", "360900"),
    ("360983", "高安市", "county", "360900"),
    ("361000", "抚州市", "city", "360000"),
    ("361002", "临川区", "county", "361000"),
    ("361100", "上饶市", "city", "360000"),
    ("361102", "信州区", "county", "361100"),
    ("361181", "德兴市", "county", "361100"),
    # townships (乡镇/街道) under 东湖区 and 章贡区, for halls at the lowest level
    ("360102001", "公园街道", "township", "360102"),
    ("360102002", "八一桥街道", "township", "360102"),
    ("360702001", "解放街道", "township", "360702"),
    # the second province
    ("330000", "浙江省", "province", None),
    ("330100", "杭州市", "city", "330000"),
    ("330102", "上城区", "county", "330100"),
    ("330106", "西湖区", "county", "330100"),
    ("330200", "宁波市", "city", "330000"),
    ("330203", "海曙区", "county", "330200"),
]


def full_names() -> dict[str, str]:
    by_code = {code: (name, parent) for code, name, _, parent in REGIONS}
    out: dict[str, str] = {}
    for code in by_code:
        parts, current = [], code
        while current:
            name, parent = by_code[current]
            parts.append(name)
            current = parent  # type: ignore[assignment]
        out[code] = "".join(reversed(parts))
    return out
