"""Demo service halls (政务服务中心 / 便民服务中心) in the demo regions.

``opening_hours`` lists opening periods: ``days`` is a range of ISO weekdays (1 = Monday), times
are local. Halls that are "365 天不打烊" also open at weekends; several offer an evening period
(延时服务) on one weekday.
"""

from __future__ import annotations

from typing import Any


def hours(days: str, open_: str, close: str) -> dict[str, str]:
    return {"days": days, "open": open_, "close": close}


def weekdays() -> list[dict[str, str]]:
    """Ordinary weekday hours with a lunch break."""
    return [hours("1-5", "09:00", "12:00"), hours("1-5", "13:30", "17:30")]


def weekdays_no_break() -> list[dict[str, str]]:
    """Weekday hours without a lunch break (午间不间断服务)."""
    return [hours("1-5", "09:00", "17:30")]


def summer_weekdays() -> list[dict[str, str]]:
    """Weekday hours with a long summer lunch break (赣南夏季作息)."""
    return [hours("1-5", "08:30", "12:00"), hours("1-5", "14:30", "17:30")]


def evening(day: str) -> dict[str, str]:
    """An evening extended-hours period (延时服务) on one weekday."""
    return hours(day, "17:30", "20:00")


def weekend() -> dict[str, str]:
    """Weekend hours of the 365 天不打烊 halls."""
    return hours("6-7", "09:00", "17:00")

HALLS: list[dict[str, Any]] = [
    {
        "name": "江西省政务服务中心",
        "region_code": "360000",
        "address": "江西省南昌市红谷滩区丰和中大道1198号",
        "phone": "0791-86288123",
        "opening_hours": [*weekdays_no_break(), evening("3"), weekend()],
        "latitude": "28.690712",
        "longitude": "115.858419",
        "accessible": True,
    },
    {
        "name": "南昌市政务服务中心",
        "region_code": "360100",
        "address": "江西省南昌市红谷滩区凤凰中大道1000号",
        "phone": "0791-83887345",
        "opening_hours": [*weekdays_no_break(), evening("4"), weekend()],
        "latitude": "28.683519",
        "longitude": "115.852341",
        "accessible": True,
    },
    {
        "name": "东湖区政务服务中心",
        "region_code": "360102",
        "address": "江西省南昌市东湖区二七北路566号",
        "phone": "0791-86712390",
        "opening_hours": [*weekdays(), evening("2"), hours("6", "09:00", "12:00")],
        "latitude": "28.695863",
        "longitude": "115.904287",
        "accessible": True,
    },
    {
        "name": "公园街道便民服务中心",
        "region_code": "360102001",
        "address": "江西省南昌市东湖区孺子路188号",
        "phone": "0791-86775421",
        "opening_hours": weekdays(),
        "latitude": "28.680214",
        "longitude": "115.898136",
        "accessible": True,
    },
    {
        "name": "赣州市政务服务中心",
        "region_code": "360700",
        "address": "江西省赣州市章贡区长征大道31号",
        "phone": "0797-8993456",
        "opening_hours": [*weekdays_no_break(), evening("3"), weekend()],
        "latitude": "25.830694",
        "longitude": "114.933546",
        "accessible": True,
    },
    {
        "name": "章贡区政务服务中心",
        "region_code": "360702",
        "address": "江西省赣州市章贡区红旗大道98号",
        "phone": "0797-8221367",
        "opening_hours": [*summer_weekdays(), evening("4")],
        "latitude": "25.845167",
        "longitude": "114.935329",
        "accessible": True,
    },
    {
        "name": "解放街道便民服务中心",
        "region_code": "360702001",
        "address": "江西省赣州市章贡区解放路72号",
        "phone": "0797-8123580",
        "opening_hours": [*summer_weekdays()],
        "latitude": "25.857238",
        "longitude": "114.929871",
        "accessible": False,
    },
    {
        "name": "九江市政务服务中心",
        "region_code": "360400",
        "address": "江西省九江市濂溪区长虹大道266号",
        "phone": "0792-8576210",
        "opening_hours": [*weekdays(), evening("3"), hours("6", "09:00", "16:00")],
        "latitude": "29.660931",
        "longitude": "116.001784",
        "accessible": True,
    },
    {
        "name": "上饶市政务服务中心",
        "region_code": "361100",
        "address": "江西省上饶市信州区三清山大道1号",
        "phone": "0793-8263317",
        "opening_hours": [*weekdays(), weekend()],
        "latitude": "28.451562",
        "longitude": "117.955013",
        "accessible": True,
    },
    {
        "name": "杭州市民中心",
        "region_code": "330100",
        "address": "浙江省杭州市上城区解放东路18号",
        "phone": "0571-85252345",
        "opening_hours": [*weekdays_no_break(), evening("5"), weekend()],
        "latitude": "30.245153",
        "longitude": "120.211367",
        "accessible": True,
    },
]
