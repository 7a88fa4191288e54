"""Demo departments: the same kinds of department at province, city and county level."""

from __future__ import annotations

from demo.regions import REGIONS

# code → (province name, city name template, county name template); "{r}" is the region's name.
KINDS: dict[str, tuple[str, str, str]] = {
    "gaj": ("江西省公安厅", "{r}公安局", "{r}公安分局"),
    "scjg": ("江西省市场监督管理局", "{r}市场监督管理局", "{r}市场监督管理局"),
    "rsj": ("江西省人力资源和社会保障厅", "{r}人力资源和社会保障局", "{r}人力资源和社会保障局"),
    "mzj": ("江西省民政厅", "{r}民政局", "{r}民政局"),
    "wjw": ("江西省卫生健康委员会", "{r}卫生健康委员会", "{r}卫生健康委员会"),
    "ybj": ("江西省医疗保障局", "{r}医疗保障局", "{r}医疗保障局"),
    "zrzy": ("江西省自然资源厅", "{r}自然资源和规划局", "{r}自然资源局"),
    "zjj": ("江西省住房和城乡建设厅", "{r}住房和城乡建设局", "{r}住房和城乡建设局"),
    "gjj": ("江西省住房公积金管理中心", "{r}住房公积金管理中心", "{r}住房公积金管理部"),
    "jyj": ("江西省教育厅", "{r}教育局", "{r}教育体育局"),
    "jtj": ("江西省交通运输厅", "{r}交通运输局", "{r}交通运输局"),
    "sw": ("国家税务总局江西省税务局", "国家税务总局{r}税务局", "国家税务总局{r}税务局"),
    "cl": ("江西省残疾人联合会", "{r}残疾人联合会", "{r}残疾人联合会"),
    "sthj": ("江西省生态环境厅", "{r}生态环境局", "{r}生态环境分局"),
    "zwfw": ("江西省政务服务管理办公室", "{r}行政审批局", "{r}行政审批局"),
}
ZHEJIANG_KINDS: dict[str, tuple[str, str, str]] = {
    "gaj": ("浙江省公安厅", "{r}公安局", "{r}公安分局"),
    "scjg": ("浙江省市场监督管理局", "{r}市场监督管理局", "{r}市场监督管理局"),
    "rsj": ("浙江省人力资源和社会保障厅", "{r}人力资源和社会保障局", "{r}人力资源和社会保障局"),
    "mzj": ("浙江省民政厅", "{r}民政局", "{r}民政局"),
    "ybj": ("浙江省医疗保障局", "{r}医疗保障局", "{r}医疗保障局"),
}


def departments() -> list[tuple[str, str, str]]:
    """(code, name, region code) for every department in every demo region above township level."""
    out: list[tuple[str, str, str]] = []
    for code, name, level, _parent in REGIONS:
        if level == "township":
            continue
        kinds = ZHEJIANG_KINDS if code.startswith("33") else KINDS
        for kind, (province, city, county) in kinds.items():
            if level == "province":
                out.append((kind, province, code))
            else:
                out.append((kind, (city if level == "city" else county).format(r=name), code))
    return out
