"""CSV export of the KPI table (UTF-8 with a byte-order mark, so spreadsheet programs read Chinese)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from kpi.compute import Kpi

HEADER = [
    "kpi",
    "名称",
    "措施",
    "范围",
    "起",
    "止",
    "分子",
    "分母",
    "数值",
    "单位",
    "目标",
    "是否达标",
    "依据",
]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


def to_csv(kpis: list[Kpi], *, region: str, since: dt.date | None, until: dt.date | None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    period = (since.isoformat() if since else "", until.isoformat() if until else "")
    for kpi in kpis:
        met = "" if kpi.met is None else ("是" if kpi.met else "否")
        writer.writerow(
            [
                kpi.id,
                kpi.name,
                kpi.measure,
                region,
                *period,
                _number(kpi.numerator),
                _number(kpi.denominator),
                _number(kpi.value),
                kpi.unit,
                _number(kpi.target),
                met,
                kpi.basis,
            ]
        )
        for part in kpi.breakdown:
            met = "" if part.met is None else ("是" if part.met else "否")
            writer.writerow(
                [
                    f"{kpi.id}:{part.key}",
                    part.label,
                    kpi.measure,
                    region,
                    *period,
                    "",
                    "",
                    _number(part.value),
                    "",
                    "",
                    met,
                    "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode()
