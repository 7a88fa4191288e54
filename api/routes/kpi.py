"""The KPI dashboard's data: every KPI beside the seed policy's target, as JSON or CSV."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Response, Router, get
from litestar.params import FromQuery

from api import problems
from api.deps import SECURITY, CallerDep, clerk
from core import settings, timeutil
from kpi import compute, export


class KpiReport(msgspec.Struct, kw_only=True):
    region: str
    since: dt.date | None
    until: dt.date | None
    computed_at: dt.datetime
    kpis: list[compute.Kpi]


DESCRIPTION = (
    "`region` (default: the platform's province) includes every region below it. `since`/`until` (China dates) "
    "bound the flow KPIs (decisions, ratings, rectifications, tickets); catalogue and hall KPIs are as of now. "
    "How each KPI is computed: docs/kpis.md."
)


@get(
    "",
    summary="KPIs with the seed policy's targets (administrators, auditors)",
    responses=problems.responses(401, 403),
    description=DESCRIPTION,
)
async def report(
    caller: CallerDep,
    region: FromQuery[str | None] = None,
    since: FromQuery[dt.date | None] = None,
    until: FromQuery[dt.date | None] = None,
) -> KpiReport:
    clerk(caller, "admin", "auditor")
    code = region or settings.get().platform_region
    kpis = await compute.compute(code, since=since, until=until)
    return KpiReport(region=code, since=since, until=until, computed_at=timeutil.now(), kpis=kpis)


@get(
    "/csv",
    summary="The KPIs as CSV",
    responses=problems.responses(401, 403),
    description=DESCRIPTION,
    media_type="text/csv",
)
async def report_csv(
    caller: CallerDep,
    region: FromQuery[str | None] = None,
    since: FromQuery[dt.date | None] = None,
    until: FromQuery[dt.date | None] = None,
) -> Response[bytes]:
    clerk(caller, "admin", "auditor")
    code = region or settings.get().platform_region
    kpis = await compute.compute(code, since=since, until=until)
    body = export.to_csv(kpis, region=code, since=since, until=until)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="kpi-{code}.csv"'},
    )


ROUTES = [Router(path="/api/kpi", route_handlers=[report, report_csv], tags=["指标 KPIs"], security=SECURITY)]
