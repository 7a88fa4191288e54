"""The seed policy's numeric targets (关于纵深推进“放管服”改革进一步提升政务服务的若干措施).

Each KPI names the measure it reports on. Where the measure sets a number, ``target`` is the
latest milestone (end of 2023) and ``milestones`` lists every dated one; where it sets none, the
target is None and ``basis`` says what the measure asks for instead.
"""

from __future__ import annotations

import msgspec


class Milestone(msgspec.Struct, frozen=True):
    by: str
    value: float
    scope: str = ""


class Target(msgspec.Struct, frozen=True, kw_only=True):
    measure: int
    basis: str
    target: float | None
    direction: str = "at_least"  # at_least | at_most
    milestones: list[Milestone] = msgspec.field(default_factory=list)


TARGETS: dict[str, Target] = {
    "online_rate": Target(
        measure=5,
        basis="2023年底前，除涉密等特殊事项外，省、市、县三级依申请政务服务事项全部实现网上可办",
        target=1.0,
        milestones=[
            Milestone("2022-12-31", 0.95, "省级"),
            Milestone("2022-12-31", 0.85, "市县两级"),
            Milestone("2023-12-31", 1.0, "省市县三级"),
        ],
    ),
    "mobile_rate": Target(
        measure=6,
        basis="推动高频服务“掌上办”：掌上可办比例2022年底达80%，2023年底达100%",
        target=1.0,
        milestones=[Milestone("2022-12-31", 0.8), Milestone("2023-12-31", 1.0)],
    ),
    "instant_per_city": Target(
        measure=6,
        basis="设区市秒批秒办服务事项2022年底达10项，2023年底达30项",
        target=30,
        milestones=[Milestone("2022-12-31", 10, "每个设区市"), Milestone("2023-12-31", 30, "每个设区市")],
    ),
    "paperless_share": Target(
        measure=6,
        basis="高频政务服务事项办理使用数据、电子证照、电子材料比例2022年底达50%，2023年底达80%",
        target=0.8,
        milestones=[Milestone("2022-12-31", 0.5), Milestone("2023-12-31", 0.8)],
    ),
    "cross_region_online": Target(
        measure=8,
        basis="2023年底前，“跨省通办”“省内通办”“市内通办”高频事项基本实现全程网办",
        target=1.0,
        milestones=[Milestone("2023-12-31", 1.0)],
    ),
    "window_coverage": Target(
        measure=1,
        basis="2023年底前，省、市、县、乡四级政务服务中心（便民服务中心）实现通用综合窗口全覆盖",
        target=1.0,
        milestones=[Milestone("2022-12-31", 1.0, "市县乡三级"), Milestone("2023-12-31", 1.0, "省市县乡四级")],
    ),
    "ticket_assigned": Target(
        measure=12,
        basis="2022年底前，实现全省所有市场主体难事有渠道反映、问题有专人受理",
        target=1.0,
        milestones=[Milestone("2022-12-31", 1.0)],
    ),
    "ticket_on_time": Target(
        measure=12,
        basis="增强热线投诉处理能力，实现“接诉即办”（措施未设数值目标）",
        target=None,
    ),
    "good_rate": Target(
        measure=13,
        basis="完善政务服务“好差评”制度，倒逼政府部门深化改革、改进服务（措施未设数值目标）",
        target=None,
    ),
    "rectification_on_time": Target(
        measure=13,
        basis="完善“好差评”制度：差评须在期限内整改（措施未设数值；按全部按时整改衡量）",
        target=1.0,
    ),
    "handling_time": Target(
        measure=13,
        basis="办件须在承诺时限内办结：平均用时不超过平均承诺时限（目标值为本范围内的平均承诺时限）",
        target=None,
        direction="at_most",
    ),
    "overdue": Target(
        measure=13,
        basis="超期办件、超期工单、超期整改均应为零",
        target=0,
        direction="at_most",
    ),
}
