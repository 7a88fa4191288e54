"""Proxy grants (帮代办授权), their append-only history, what agents did, and agent organisations.

A grant names a principal (a person or an enterprise), an agent (a person, a named member of an
organisation such as a community service centre, or a hall clerk for one assisted session), a
basis, a scope (matters, matter groups, actions, regions) and a validity window. Rows of
``proxy_grant`` change state only by compare-and-set on ``version``; every change appends one
``proxy_grant_event``. ``live_key`` is unique while a grant is pending, active or suspended and NULL
afterwards, so one principal has at most one live grant to the same agent, also under races.
"""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from auth.tables import Clerk, Enterprise, Resident


class ProxyOrganisation(Table, tablename="proxy_organisation"):
    """An organisation whose named members act as agents (社区服务中心, 助老服务站, 残联服务站)."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    kind = Varchar(length=32, default="community_service_centre")
    region_code = Varchar(length=12, index=True)
    address = Text(default="")
    phone = Varchar(length=32, default="")  # the organisation's public service number, not a person's
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ProxyOrgMember(Table, tablename="proxy_org_member"):
    """A resident who may act as an agent for the organisation while the membership lasts."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=ProxyOrganisation, on_delete=OnDelete.restrict, index=True)
    resident = ForeignKey(references=Resident, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=64, default="")
    added_at = Timestamptz(default=TimestamptzNow())
    removed_at = Timestamptz(null=True, default=None)


class ProxyGrant(Table, tablename="proxy_grant"):
    id = UUID(primary_key=True)
    number = Varchar(length=24, unique=True)  # shown to people and quoted at a hall
    principal_kind = Varchar(length=16)  # person | enterprise
    principal_resident = ForeignKey(references=Resident, on_delete=OnDelete.restrict, null=True, index=True)
    principal_enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, null=True, index=True)
    principal_key = Varchar(length=64, index=True)  # "person:<id>" | "enterprise:<id>"
    principal_name = Varchar(length=200)
    agent_kind = Varchar(length=16)  # person | organisation | clerk
    agent_resident = ForeignKey(references=Resident, on_delete=OnDelete.restrict, null=True, index=True)
    agent_organisation = ForeignKey(references=ProxyOrganisation, on_delete=OnDelete.restrict, null=True)
    agent_clerk = ForeignKey(references=Clerk, on_delete=OnDelete.restrict, null=True, index=True)
    agent_name = Varchar(length=200)  # "王小明", "八一社区服务中心 李娟", a clerk's display name
    basis = Varchar(length=16)  # voluntary | guardian | family_care | hall_assisted
    relation = Varchar(length=32, default="")  # 子女, 配偶, 社区工作者 … as the parties state it
    matters = JSON(default="[]")  # matter ids
    groups = JSON(default="[]")  # "all", "theme:养老", "dept:mzj", "hotline", "licence:elderly_card"
    actions = JSON(default="[]")  # view apply supplement receive evaluate withdraw present
    regions = JSON(default="[]")  # region codes; an item must lie within one of them
    valid_from = Timestamptz()
    valid_until = Timestamptz()
    state = Varchar(length=24, index=True)  # pending active suspended expired revoked declined agent_opted_out
    initiated_by = Varchar(length=16)  # principal | agent | clerk
    pending_until = Timestamptz(null=True, default=None)  # a pending grant lapses after this
    code_hash = Varchar(length=64, default="")  # the one-time consent code (blind-indexed)
    code_expires_at = Timestamptz(null=True, default=None)
    code_attempts = Integer(default=0)
    live_key = Varchar(length=200, null=True, default=None, unique=True)
    version = Integer(default=1)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)


class ProxyGrantEvent(Table, tablename="proxy_grant_event"):
    """One step of a grant's history; rows are only ever inserted."""

    id = UUID(primary_key=True)
    grant = ForeignKey(references=ProxyGrant, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    action = Varchar(length=32)
    from_state = Varchar(length=24, default="")
    to_state = Varchar(length=24)
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    actor_label = Varchar(length=128, default="")
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class ProxyAction(Table, tablename="proxy_action"):
    """Something an agent did for a principal, as the principal reads it (one per audit entry)."""

    id = UUID(primary_key=True)
    grant = ForeignKey(references=ProxyGrant, on_delete=OnDelete.restrict, index=True)
    principal_key = Varchar(length=64, index=True)
    agent_name = Varchar(length=200)
    audit_action = Varchar(length=64)
    verb = Varchar(length=32)
    object_type = Varchar(length=32, default="")
    object_id = Varchar(length=64, default="")
    label = Varchar(length=200, default="")
    text = Text()
    notified = Boolean(default=False)
    audit_seq = BigInt(unique=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
