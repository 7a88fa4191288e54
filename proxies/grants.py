"""Grants as stored: reading them, checking their scope and window, and every move of their life.

Every change is a compare-and-set on ``version`` plus one history row, one audit entry and the
notifications, in one transaction (:func:`insert`, :func:`move`). How a grant comes about — offers,
requests, codes — is in :mod:`proxies.consent`.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

import msgspec
from piccolo.query.methods.insert import OnConflictAction

from audit import log as audit
from auth.context import Caller
from auth.enterprises import staff_link
from auth.tables import EnterpriseStaff
from core import db, errors, pii, rows, timeutil
from core.errors import FieldError, ProblemError, field_error, invalid
from notify.emit import emit
from proxies import describe, states
from proxies.scope import GrantScope
from proxies.tables import ProxyGrant, ProxyGrantEvent, ProxyOrganisation, ProxyOrgMember
from regions import tree as regions

errors.register("grant_not_found", 404, "没有找到这份代办授权。", "No such proxy grant.")
errors.register(
    "grant_exists",
    409,
    "您和这位代办人之间已有一份生效或待确认的授权，请先撤销它或等它结束。",
    "A live grant between these two parties already exists; revoke it or let it end first.",
)
errors.register(
    "grant_state_conflict",
    409,
    "这份授权当前的状态不能进行这个操作，请刷新后再看。",
    "The grant's current state does not allow this; reload it.",
)
errors.register(
    "grant_code_invalid",
    422,
    "授权码不正确或已失效，请向委托人重新索取。",
    "The consent code is wrong or no longer valid; ask the principal for a new one.",
)
errors.register(
    "agent_not_found",
    404,
    "没有找到这位代办人。请确认对方已注册掌办并完成实名认证，姓名和手机号填写正确。",
    "No real-name-verified resident matches this agent's name and phone.",
)
errors.register(
    "principal_not_found",
    404,
    "没有找到这位委托人的实名账号，请核对姓名和身份证号码。",
    "No real-name-verified account matches the principal's name and ID number.",
)
errors.register(
    "guardian_not_registered",
    422,
    "人口库中没有您是这位居民监护人的记录，不能以法定监护的方式代办。",
    "The population register does not name you as this person's guardian.",
)
errors.register("self_grant", 422, "不能授权自己做自己的代办人。", "You cannot make yourself your own agent.")
errors.register(
    "organisation_not_found", 404, "没有找到这个服务机构或它的工作人员。", "No such organisation or member."
)
errors.register(
    "proxy_not_allowed",
    403,
    "代办时不能进行这项操作，请先切换回本人身份。",
    "This cannot be done while acting for someone else; switch back to yourself first.",
)

SYSTEM = audit.Actor(kind="system", label="系统")


class ScopeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    matters: list[uuid.UUID] = msgspec.field(default_factory=list)
    groups: list[str] = msgspec.field(default_factory=list)
    actions: list[str] = msgspec.field(default_factory=list)
    regions: list[str] | None = None


class Party(msgspec.Struct, frozen=True):
    """Which side of a grant the caller is on."""

    role: str  # principal | agent
    actor: audit.Actor


# ---- reading ----------------------------------------------------------------------------------------
def decode_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return msgspec.json.decode(value or "[]")


def effective_state(row: dict[str, Any], now: dt.datetime | None = None) -> str:
    return states.effective(
        row["state"], valid_until=row["valid_until"], pending_until=row["pending_until"], now=now or timeutil.now()
    )


def scope_of(row: dict[str, Any], *, agent_current: bool = True) -> GrantScope:
    return GrantScope(
        id=row["id"],
        number=row["number"],
        principal_key=row["principal_key"],
        agent_kind=row["agent_kind"],
        agent_name=row["agent_name"],
        basis=row["basis"],
        state=row["state"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        pending_until=row["pending_until"],
        actions=frozenset(decode_list(row["actions"])),
        matters=frozenset(str(m) for m in decode_list(row["matters"])),
        groups=frozenset(decode_list(row["groups"])),
        regions=tuple(decode_list(row["regions"])),
        agent_current=agent_current,
    )


async def get(grant_id: uuid.UUID) -> dict[str, Any] | None:
    return await rows.one(ProxyGrant, grant_id)


async def member_current(row: dict[str, Any]) -> bool:
    """An organisation's grant holds only while the named member still belongs to it."""
    if row["agent_kind"] != "organisation":
        return True
    member = (
        await ProxyOrgMember.select(ProxyOrgMember.id)
        .where(
            (ProxyOrgMember.organisation == row["agent_organisation"])
            & (ProxyOrgMember.resident == row["agent_resident"])
            & ProxyOrgMember.removed_at.is_null()
            & (ProxyOrgMember.organisation.active == True)  # noqa: E712
        )
        .first()
    )
    return member is not None


async def is_legal_rep(resident_id: uuid.UUID, enterprise_id: uuid.UUID) -> bool:
    link = await staff_link(resident_id, enterprise_id)
    return link is not None and link["role"] == "legal_rep"


async def party(caller: Caller, row: dict[str, Any]) -> Party | None:
    """The caller's side of the grant, or None (then the grant answers 404)."""
    if caller.kind != "resident" or caller.basis == "proxy":
        return None
    if row["principal_kind"] == "person" and row["principal_resident"] == caller.account_id:
        return Party("principal", self_actor(caller))
    if row["principal_kind"] == "enterprise" and await is_legal_rep(caller.account_id, row["principal_enterprise"]):
        return Party("principal", self_actor(caller))
    if row["agent_kind"] in ("person", "organisation") and row["agent_resident"] == caller.account_id:
        return Party("agent", self_actor(caller))
    return None


def self_actor(caller: Caller) -> audit.Actor:
    """Grant management is always the person themselves, never 'on behalf of'."""
    return audit.Actor(kind="resident", id=str(caller.account_id), label=caller.name, channel=caller.channel)


async def load_for(caller: Caller, grant_id: uuid.UUID) -> tuple[dict[str, Any], Party]:
    row = await get(grant_id)
    found = await party(caller, row) if row is not None else None
    if row is None or found is None:
        raise ProblemError("grant_not_found")
    return row, found


# ---- checking input ---------------------------------------------------------------------------------
LICENCE_TYPES = frozenset(
    "id_card household_register residence_permit business_licence food_licence driving_licence "
    "marriage_certificate property_certificate social_security_card diploma birth_medical_certificate "
    "disability_card elderly_card".split()
)


async def checked_scope(data: ScopeIn, *, principal_region: str, audience: str) -> dict[str, Any]:
    from catalogue.tables import Matter
    from regions.tables import Department

    problems: list[FieldError] = []
    actions = list(dict.fromkeys(data.actions))
    if not actions:
        problems.append(field_error("scope.actions", "validation_failed", "请至少选择一项可以代办的操作。"))
    for position, action in enumerate(actions):
        if action not in states.ACTIONS:
            problems.append(field_error(f"scope.actions[{position}]", "validation_failed", "不认识的代办操作。"))
    matters = list(dict.fromkeys(data.matters))
    if matters:
        found = {
            row["id"]: row
            for row in await Matter.select(Matter.id, Matter.audience, Matter.status).where(Matter.id.is_in(matters))
        }
        for position, matter_id in enumerate(matters):
            row = found.get(matter_id)
            if row is None or row["status"] != "published":
                problems.append(field_error(f"scope.matters[{position}]", "matter_not_found"))
            elif audience not in row["audience"].split(","):
                problems.append(
                    field_error(
                        f"scope.matters[{position}]",
                        "validation_failed",
                        "这个事项不面向委托人这类申请人办理。",
                        "This matter is not offered to this kind of principal.",
                    )
                )
    groups = list(dict.fromkeys(g.strip() for g in data.groups if g.strip()))
    department_codes = {row["code"] for row in await Department.select(Department.code).distinct()}
    for position, group in enumerate(groups):
        kind, _, value = group.partition(":")
        ok = (
            group in ("all", "hotline")
            or (kind == "theme" and 0 < len(value) <= 32)
            or (kind == "dept" and value in department_codes)
            or (kind == "licence" and value in LICENCE_TYPES)
        )
        if not ok:
            problems.append(
                field_error(
                    f"scope.groups[{position}]",
                    "validation_failed",
                    "事项范围不正确（全部事项、某一主题、某类部门、12345 诉求或某类证照）。",
                    "Use all, hotline, theme:<theme>, dept:<department kind> or licence:<type>.",
                )
            )
    if not matters and not groups:
        problems.append(field_error("scope.matters", "validation_failed", "请至少选择一个可以代办的事项或事项类别。"))
    tree = await regions.tree()
    if data.regions is None:
        node = tree.get(principal_region)
        chosen = [node.province] if node else []
    else:
        chosen = list(dict.fromkeys(data.regions))
        for position, code in enumerate(chosen):
            if code not in tree:
                problems.append(field_error(f"scope.regions[{position}]", "region_invalid"))
    if problems:
        raise ProblemError(
            problems[0].code if len(problems) == 1 else "validation_failed", field=problems[0].field, errors=problems
        )
    return {
        "matters": msgspec.json.encode([str(m) for m in matters]).decode(),
        "groups": msgspec.json.encode(groups).decode(),
        "actions": msgspec.json.encode([a for a in states.ACTIONS if a in actions]).decode(),
        "regions": msgspec.json.encode(chosen).decode(),
    }


def checked_window(
    basis: str, valid_from: dt.datetime | None, valid_until: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    now = timeutil.now()
    length = states.LENGTHS[basis]
    start = valid_from or now
    if start.tzinfo is None:
        raise invalid("valid_from", zh="请给出带时区的时间。", en="Give a timezone-aware time.")
    if start < now - dt.timedelta(minutes=5):
        raise invalid("valid_from", zh="开始时间不能早于现在。", en="The grant cannot start in the past.")
    if start > now + dt.timedelta(days=365):
        raise invalid("valid_from", zh="开始时间不能晚于一年以后。", en="The grant must start within a year.")
    start = max(start, now)
    end = valid_until or start + length.default
    if end.tzinfo is None:
        raise invalid("valid_until", zh="请给出带时区的时间。", en="Give a timezone-aware time.")
    if end <= start:
        raise invalid("valid_until", zh="结束时间必须晚于开始时间。", en="The grant must end after it starts.")
    if end - start > length.maximum:
        days = length.maximum.days
        raise invalid(
            "valid_until",
            zh=f"这种授权最长 {days} 天，请缩短有效期。",
            en=f"A grant on this basis lasts at most {days} days.",
        )
    return start, end


def _number() -> str:
    return f"DB{timeutil.today():%Y%m%d}{secrets.randbelow(10**8):08d}"


def code_hash(grant_id: uuid.UUID, code: str) -> str:
    return pii.blind_index(code, kind=f"proxy-code:{grant_id}")


def _live_key(principal_key: str, agent_kind: str, agent_id: uuid.UUID, organisation: uuid.UUID | None) -> str:
    return f"{principal_key}>{agent_kind}:{organisation or '-'}:{agent_id}"


# ---- the history, one move at a time ------------------------------------------------------------------
async def _event(row: dict[str, Any], action: str, before: str, after: str, actor: audit.Actor, note: str) -> None:
    await rows.insert(
        ProxyGrantEvent,
        {
            "id": timeutil.uuid7(),
            "grant": row["id"],
            "seq": row["version"],
            "action": action,
            "from_state": before,
            "to_state": after,
            "actor_kind": actor.kind,
            "actor_id": uuid.UUID(actor.id) if actor.id else None,
            "actor_label": actor.label,
            "note": note[:500],
            "at": timeutil.now(),
        },
    )


def _subject(row: dict[str, Any]) -> tuple[str, str]:
    kind, _, ident = row["principal_key"].partition(":")
    return kind, ident


async def _audit(row: dict[str, Any], action: str, actor: audit.Actor, details: dict[str, Any]) -> None:
    kind, ident = _subject(row)
    await audit.append(
        f"proxy.{action}",
        actor=actor,
        object_type="proxy_grant",
        object_id=row["id"],
        subject_kind=kind,
        subject_id=ident,
        details=details,
    )


async def insert(row: dict[str, Any], actor: audit.Actor, action: str, note: str = "") -> dict[str, Any]:
    """Store a new grant with its first history entry; refuses a second live grant to the same agent."""
    async with db.write_tx():
        await expire_due(live_key=row["live_key"])
        inserted = (
            await ProxyGrant.insert(ProxyGrant(**row))
            .on_conflict(action=OnConflictAction.do_nothing, target=ProxyGrant.live_key)
            .returning(ProxyGrant.id)
        )
        if not inserted:  # the database, not a read before the write, keeps one live grant per pair
            existing = await ProxyGrant.select(ProxyGrant.id).where(ProxyGrant.live_key == row["live_key"]).first()
            raise ProblemError("grant_exists", extra={"grant_id": str(existing["id"]) if existing else ""})
        await _event(row, action, "", row["state"], actor, note)
        await _audit(row, action, actor, {"state": row["state"], "basis": row["basis"]})
    stored = await get(row["id"])
    assert stored is not None
    return stored


async def move(
    row: dict[str, Any],
    action: str,
    *,
    party: str,
    actor: audit.Actor,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One transition of :data:`states.TRANSITIONS`, by compare-and-set on ``version``."""
    transition = states.BY_ACTION[action]
    current = effective_state(row)
    if current != row["state"] and action != "expire":
        # The clock ran out before the sweep: record the expiry, then refuse the move.
        await move(row, "expire", party="system", actor=SYSTEM)
        raise ProblemError("grant_state_conflict", extra={"state": "expired"})
    if not states.allowed(action, row["state"], party):
        raise ProblemError("grant_state_conflict", extra={"state": current})
    now = timeutil.now()
    update: dict[str, Any] = {**(changes or {}), "state": transition.target, "version": row["version"] + 1}
    update["updated_at"] = now
    if transition.target in states.TERMINAL:
        update.update(live_key=None, ended_at=now, code_hash="")
    async with db.write_tx():
        if not await rows.update(ProxyGrant, update, id=row["id"], version=row["version"]):
            raise ProblemError("grant_state_conflict")
        after = {**row, **update}
        await _event(after, action, row["state"], transition.target, actor, note or transition.text)
        await _audit(after, action, actor, {"from": row["state"], "to": transition.target})
        await _notify_move(after, action, actor)
    return after


async def _notify_move(row: dict[str, Any], action: str, actor: audit.Actor) -> None:
    agent_key = f"person:{row['agent_resident']}" if row["agent_resident"] else ""
    scope_text = await describe.scope_text(row)
    dedupe = f"proxy:{row['id']}:{row['version']}:{action}"
    if row["state"] == "active" and action in ("accept", "approve", "resume"):
        if action == "accept":  # the agent completed consent: the principal hears it is in force
            await emit(
                "proxy_granted",
                row["principal_key"],
                dedupe_key=dedupe,
                link=f"/proxies/grants/{row['id']}",
                agent=row["agent_name"],
                scope=scope_text,
                until=describe.day(row["valid_until"]),
            )
        elif agent_key:  # the principal approved or resumed: the agent hears they may act
            await emit(
                "proxy_confirmed",
                agent_key,
                dedupe_key=dedupe,
                link="/proxies/principals",
                principal=row["principal_name"],
                scope=scope_text,
                until=describe.day(row["valid_until"]),
            )
        return
    how = {
        "decline": "已被拒绝",
        "suspend": "已被委托人暂停",
        "revoke": "已被委托人撤销",
        "opt_out": "代办人已退出",
        "expire": "已到期",
        "end": "已结束",
    }.get(action)
    if how is None:
        return
    # Tell the other side; a move by the platform (expiry) concerns both.
    if actor.kind == "system":
        recipients = [row["principal_key"], agent_key]
    elif row["agent_resident"] is not None and actor.id == str(row["agent_resident"]):
        recipients = [row["principal_key"]]
    else:
        recipients = [agent_key]
    for recipient in recipients:
        if not recipient:
            continue
        other = row["agent_name"] if recipient == row["principal_key"] else row["principal_name"]
        await emit(
            "proxy_ended",
            recipient,
            dedupe_key=f"{dedupe}:{recipient}",
            link=f"/proxies/grants/{row['id']}",
            other=other,
            scope=scope_text,
            how=how,
        )


class PrincipalRef(msgspec.Struct, frozen=True):
    kind: str
    id: uuid.UUID
    name: str
    region: str
    contact: uuid.UUID  # the resident who consents for the principal (the person, or the legal representative)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def new_row(
    grant_id: uuid.UUID,
    principal: PrincipalRef,
    *,
    agent_kind: str,
    agent_resident: uuid.UUID | None,
    organisation: uuid.UUID | None,
    agent_name: str,
    basis: str,
    relation: str,
    scope: dict[str, Any],
    start: dt.datetime,
    end: dt.datetime,
    state: str,
    initiated_by: str,
    pending_until: dt.datetime | None,
    note: str,
    agent_clerk: uuid.UUID | None = None,
) -> dict[str, Any]:
    now = timeutil.now()
    agent_id = agent_resident or agent_clerk
    assert agent_id is not None
    return {
        "id": grant_id,
        "number": _number(),
        "principal_kind": principal.kind,
        "principal_resident": principal.id if principal.kind == "person" else None,
        "principal_enterprise": principal.id if principal.kind == "enterprise" else None,
        "principal_key": principal.key,
        "principal_name": principal.name,
        "agent_kind": agent_kind,
        "agent_resident": agent_resident,
        "agent_organisation": organisation,
        "agent_clerk": agent_clerk,
        "agent_name": agent_name,
        "basis": basis,
        "relation": relation.strip()[:32],
        **scope,
        "valid_from": start,
        "valid_until": end,
        "state": state,
        "initiated_by": initiated_by,
        "pending_until": pending_until,
        "code_hash": "",
        "code_expires_at": None,
        "code_attempts": 0,
        "live_key": _live_key(principal.key, agent_kind, agent_id, organisation),
        "version": 1,
        "note": note.strip()[:500],
        "created_at": now,
        "updated_at": now,
        "ended_at": None,
    }


async def expire_due(*, live_key: str | None = None, limit: int = 500) -> int:
    """Record the expiry of every live grant whose time ran out (idempotent; safe in many workers)."""
    now = timeutil.now()
    where = ProxyGrant.state.is_in(list(states.LIVE)) & (
        (ProxyGrant.valid_until <= now) | ((ProxyGrant.state == "pending") & (ProxyGrant.pending_until <= now))
    )
    if live_key is not None:
        where &= ProxyGrant.live_key == live_key
    due = await ProxyGrant.select().where(where).limit(limit)
    done = 0
    for row in due:
        try:
            await move(row, "expire", party="system", actor=SYSTEM)
            done += 1
        except ProblemError:  # another worker (or the party) moved it first
            continue
    return done


# ---- lists ------------------------------------------------------------------------------------------------
async def of_principal(caller: Caller) -> list[dict[str, Any]]:
    keys = [f"person:{caller.account_id}"]
    links = await EnterpriseStaff.select(EnterpriseStaff.enterprise).where(
        (EnterpriseStaff.resident == caller.account_id)
        & (EnterpriseStaff.role == "legal_rep")
        & EnterpriseStaff.revoked_at.is_null()
    )
    keys += [f"enterprise:{link['enterprise']}" for link in links]
    return (
        await ProxyGrant.select()
        .where(ProxyGrant.principal_key.is_in(keys))
        .order_by(ProxyGrant.created_at, ascending=False)
        .limit(200)
    )


async def of_agent(caller: Caller) -> list[dict[str, Any]]:
    return (
        await ProxyGrant.select()
        .where(
            (ProxyGrant.agent_resident == caller.account_id) & ProxyGrant.agent_kind.is_in(["person", "organisation"])
        )
        .order_by(ProxyGrant.created_at, ascending=False)
        .limit(200)
    )


async def history(grant_id: uuid.UUID) -> list[dict[str, Any]]:
    return await ProxyGrantEvent.select().where(ProxyGrantEvent.grant == grant_id).order_by(ProxyGrantEvent.seq)


async def organisation(organisation_id: uuid.UUID) -> dict[str, Any] | None:
    return await ProxyOrganisation.select().where(ProxyOrganisation.id == organisation_id).first()
