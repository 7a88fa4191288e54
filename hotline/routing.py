"""Classify a ticket and choose its department from the routing rules (rules are data).

Rules are tried by ``priority``; the first whose category matches (or is empty) and whose keywords
include one found in the title or text wins. The rule names a kind of department (``scjg``,
``rsj``, …) and a level: ``local`` is the ticket's region or the nearest region above it that has
such a department, ``city`` its city, ``province`` the province (the 营商环境 专席 is there).
No match leaves the ticket for an agent to dispatch by hand.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from hotline.tables import RoutingRule
from regions import tree as regions
from regions.tables import Department


class Route(msgspec.Struct, frozen=True):
    department_id: uuid.UUID
    topic: str
    rule_id: uuid.UUID | None


def matches(rule: dict[str, Any], category: str, text: str) -> bool:
    if rule["category"] and rule["category"] != category:
        return False
    keywords = [word.strip() for word in rule["keywords"].split(",") if word.strip()]
    return not keywords or any(word in text for word in keywords)


async def department_for(code: str, region_code: str, level: str) -> uuid.UUID | None:
    """The department of kind ``code`` competent for ``region_code`` at ``level``."""
    tree = await regions.tree()
    chain = tree.ancestors(region_code)
    if not chain:
        return None
    if level == "province":
        chain = chain[-1:]
    elif level == "city":
        city = tree.city_of(region_code)
        chain = chain[chain.index(city) :] if city else chain
    found = {
        row["region"]: row["id"]
        for row in await Department.select(Department.id, Department.region).where(
            (Department.code == code) & Department.region.is_in(chain) & (Department.active == True)  # noqa: E712
        )
    }
    return next((found[code_] for code_ in chain if code_ in found), None)


async def route(category: str, title: str, content: str, region_code: str) -> Route | None:
    text = f"{title}\n{content}"
    rules = (
        await RoutingRule.select()
        .where(RoutingRule.active == True)  # noqa: E712
        .order_by(RoutingRule.priority)
        .order_by(RoutingRule.created_at)
    )
    for rule in rules:
        if not matches(rule, category, text):
            continue
        department = await department_for(rule["department_code"], region_code, rule["level"])
        if department is not None:
            return Route(department, rule["topic"], rule["id"])
    return None


async def parent_department(department_id: uuid.UUID) -> uuid.UUID | None:
    """The same kind of department one level up (红牌督办), if there is one."""
    row = await Department.select().where(Department.id == department_id).first()
    if row is None:
        return None
    tree = await regions.tree()
    node = tree.get(row["region"])
    if node is None or node.parent is None:
        return None
    return await department_for(row["code"], node.parent, "local")
