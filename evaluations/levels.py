"""The five levels of 好差评 and the tag vocabulary.

The national 好差评 rules count 非常满意, 满意 and 基本满意 as good (好评) and 不满意, 非常不满意 as
bad (差评); every bad rating must be rectified.
"""

from __future__ import annotations

from typing import Literal

LevelCode = Literal["very_satisfied", "satisfied", "fair", "dissatisfied", "very_dissatisfied"]

LEVELS: dict[int, tuple[str, str]] = {
    5: ("very_satisfied", "非常满意"),
    4: ("satisfied", "满意"),
    3: ("fair", "基本满意"),
    2: ("dissatisfied", "不满意"),
    1: ("very_dissatisfied", "非常不满意"),
}
BY_CODE: dict[str, int] = {code: value for value, (code, _label) in LEVELS.items()}
GOOD_MIN = 3
"""Levels at or above this are 好评."""

GOOD_TAGS = ("办事快捷", "一次办成", "服务热情", "材料精简", "指引清晰", "网上办方便", "不用跑腿")
BAD_TAGS = ("多次跑动", "等待时间长", "态度不好", "材料繁琐", "超时未办", "系统难用", "推诿扯皮", "指引不清")
MAX_TAGS = 5


def is_bad(level: int) -> bool:
    return level < GOOD_MIN


def code(level: int) -> str:
    return LEVELS[level][0]


def label(level: int) -> str:
    return LEVELS[level][1]


def allowed_tags(level: int) -> tuple[str, ...]:
    """Good tags for 满意 and above, bad ones for 差评; 基本满意 may use both."""
    if level > GOOD_MIN:
        return GOOD_TAGS
    if level < GOOD_MIN:
        return BAD_TAGS
    return GOOD_TAGS + BAD_TAGS
