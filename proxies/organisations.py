"""Organisations whose named members act as agents (社区服务中心, 助老服务站 …), kept by administrators.

A grant to an organisation names one member; it holds only while that member belongs to the
organisation and the organisation is active, so removing a member ends their power at once.
"""

from __future__ import annotations

import uuid
from typing import Any

from audit import log as audit
from auth import residents
from core import db, rows, timeutil
from core.errors import ProblemError, invalid
from proxies.tables import ProxyOrganisation, ProxyOrgMember
from regions import tree as regions


async def create(
    *, name: str, kind: str, region_code: str, address: str, phone: str, actor: audit.Actor
) -> dict[str, Any]:
    name = name.strip()
    if not 2 <= len(name) <= 200:
        raise invalid("name", zh="请填写机构名称。", en="Give the organisation's name.")
    if region_code not in await regions.tree():
        raise invalid("region_code", "region_invalid")
    row = {
        "id": timeutil.uuid7(),
        "name": name,
        "kind": kind,
        "region_code": region_code,
        "address": address.strip()[:500],
        "phone": phone.strip()[:32],
        "active": True,
        "created_at": timeutil.now(),
    }
    async with db.write_tx():
        await rows.insert(ProxyOrganisation, row)
        await audit.append(
            "proxy.organisation_created", actor=actor, object_type="proxy_organisation", object_id=row["id"]
        )
    return row


async def add_member(
    organisation_id: uuid.UUID, *, name: str, id_number: str, title: str, actor: audit.Actor
) -> dict[str, Any]:
    organisation = await ProxyOrganisation.select().where(ProxyOrganisation.id == organisation_id).first()
    if organisation is None:
        raise ProblemError("organisation_not_found")
    person = await residents.find_by_id_number(id_number)
    if person is None or person["name"] != name or person["realname_verified_at"] is None:
        raise ProblemError("applicant_not_found", field="id_number")
    async with db.write_tx():
        existing = (
            await ProxyOrgMember.select()
            .where(
                (ProxyOrgMember.organisation == organisation_id)
                & (ProxyOrgMember.resident == person["id"])
                & ProxyOrgMember.removed_at.is_null()
            )
            .first()
        )
        if existing is not None:
            return existing
        row = {
            "id": timeutil.uuid7(),
            "organisation": organisation_id,
            "resident": person["id"],
            "title": title.strip()[:64],
            "added_at": timeutil.now(),
            "removed_at": None,
        }
        await rows.insert(ProxyOrgMember, row)
        await audit.append(
            "proxy.member_added",
            actor=actor,
            object_type="proxy_org_member",
            object_id=row["id"],
            subject_kind="person",
            subject_id=person["id"],
        )
    return row


async def remove_member(organisation_id: uuid.UUID, member_id: uuid.UUID, *, actor: audit.Actor) -> None:
    async with db.write_tx():
        removed = (
            await ProxyOrgMember.update({ProxyOrgMember.removed_at: timeutil.now()})
            .where(
                (ProxyOrgMember.id == member_id)
                & (ProxyOrgMember.organisation == organisation_id)
                & ProxyOrgMember.removed_at.is_null()
            )
            .returning(ProxyOrgMember.resident)
        )
        if not removed:
            raise ProblemError("organisation_not_found")
        await audit.append(
            "proxy.member_removed",
            actor=actor,
            object_type="proxy_org_member",
            object_id=member_id,
            subject_kind="person",
            subject_id=removed[0]["resident"],
        )


async def members(organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    return await ProxyOrgMember.select(
        ProxyOrgMember.id, ProxyOrgMember.title, ProxyOrgMember.resident, ProxyOrgMember.resident.name
    ).where((ProxyOrgMember.organisation == organisation_id) & ProxyOrgMember.removed_at.is_null())


async def in_region(region_code: str) -> list[dict[str, Any]]:
    """Active organisations in the region, the regions below it and its city (a resident's neighbourhood)."""
    tree = await regions.tree()
    if region_code and region_code not in tree:
        raise invalid("region", "region_invalid")
    wanted = set(tree.descendants(tree.city_of(region_code) or region_code)) if region_code else None
    active = ProxyOrganisation.active == True  # noqa: E712
    found = await ProxyOrganisation.select().where(active).order_by(ProxyOrganisation.name)
    return [row for row in found if wanted is None or row["region_code"] in wanted]
