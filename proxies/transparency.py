"""Telling principals what was done on their behalf.

Every part of the platform audits its changes and sensitive reads with ``caller.actor()``, which
names the principal (``on_behalf_*``) and the grant (``grant_id``) when the caller acts under a
proxy. This module listens to the audit log (``audit.log.listeners``): for each entry made under a
proxy grant it records a :class:`~proxies.tables.ProxyAction` the principal can list, and — for
everything except reads — emits the ``agent_action`` notification, in the same transaction as the
change itself. New parts (e-licence presentation, instant approval) are covered without any code
here, as long as they audit with the caller's actor.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from applications.tables import Application
from core import rows, timeutil
from core.cache import AsyncCache
from notify.emit import emit
from proxies.describe import LICENCE_LABELS
from proxies.tables import ProxyAction, ProxyGrant

VERBS: dict[str, tuple[str, bool]] = {
    # audit action → (what the principal reads, notify?)
    "application.created": ("填写了", False),
    "application.submit": ("提交了", True),
    "application.supplement": ("补正了", True),
    "application.withdraw": ("撤回了", True),
    "application.deliver": ("签收了", True),
    "application.read": ("查看了", False),
    "appointment.booked": ("预约办理了", True),
    "appointment.rescheduled": ("改约了", True),
    "appointment.cancelled": ("取消了预约", True),
    "appointment.checked_in": ("签到了", True),
    "evaluation.rated": ("评价了", True),
    "evaluation.rerated": ("再次评价了", True),
    "ticket.created": ("提交了", True),
    "data.read": ("查询了", False),
    "licence.read": ("查看了", False),
}
SOURCE_LABELS = {"population": "人口库登记信息", "enterprise": "企业登记信息"}


def verb_for(action: str) -> tuple[str, bool]:
    if action in VERBS:
        return VERBS[action]
    if action.endswith((".read", ".viewed", ".listed")):
        return "查看了", False
    if "present" in action:
        return "出示了", True
    return "办理了", True


async def _grant_facts(grant_id: str) -> tuple[uuid.UUID, str, str] | None:
    """(grant id, principal key, agent name) for a proxy grant; None for any other authority."""
    try:
        ident = uuid.UUID(grant_id)
    except ValueError:
        return None
    row = (
        await ProxyGrant.select(ProxyGrant.id, ProxyGrant.principal_key, ProxyGrant.agent_name)
        .where(ProxyGrant.id == ident)
        .first()
    )
    return (row["id"], row["principal_key"], row["agent_name"]) if row else None


# Who the parties of a grant are never changes, so this is cached; staff authorisations (which
# also fill ``grant_id``) are cached as "not a proxy grant".
_grants: AsyncCache[str, tuple[uuid.UUID, str, str] | None] = AsyncCache(_grant_facts, maxsize=8192, ttl=600)


async def _label(entry: dict[str, Any]) -> str:
    object_type, object_id = entry["object_type"], entry["object_id"]
    application_id = entry["application_id"] or (object_id if object_type == "application" else "")
    if object_type.startswith("source:"):
        return SOURCE_LABELS.get(object_type.removeprefix("source:"), "登记信息")
    if application_id and object_type in ("application", ""):
        row = await rows.one(Application, uuid.UUID(application_id))
        return row["matter_name"] if row else "办件"
    if object_type == "appointment":
        from appointments.tables import Appointment

        found = await Appointment.select(Appointment.matter_name).where(Appointment.id == uuid.UUID(object_id)).first()
        return (found["matter_name"] if found else "") or "大厅预约"
    if object_type == "evaluation":
        from evaluations.tables import Evaluation

        found = await Evaluation.select(Evaluation.item_label).where(Evaluation.id == uuid.UUID(object_id)).first()
        return found["item_label"] if found else "服务"
    if object_type == "ticket":
        from hotline.tables import Ticket

        found = await Ticket.select(Ticket.number).where(Ticket.id == uuid.UUID(object_id)).first()
        return f"12345 工单 {found['number']}" if found else "12345 诉求"
    if "licence" in object_type or entry["action"].startswith(("licence.", "ecert.")):
        return await _licence_label(object_id, msgspec.json.decode(entry["details"] or "{}"))
    if application_id:
        row = await rows.one(Application, uuid.UUID(application_id))
        return row["matter_name"] if row else "办件"
    return "事项"


async def _licence_label(object_id: str, details: dict[str, Any]) -> str:
    """The licence's title (老年人优待证), from the e-licence wallet when it is installed."""
    if details.get("title"):
        return str(details["title"])
    fallback = LICENCE_LABELS.get(details.get("licence_type") or "", "电子证照")
    try:
        from ecert.tables import Licence
    except ImportError:  # the e-licence part is not part of this deployment
        return fallback
    try:
        ident = uuid.UUID(object_id)
    except ValueError:
        return fallback
    row = await Licence.select(Licence.title).where(Licence.id == ident).first()
    return row["title"] if row else fallback


def sentence(agent: str, verb: str, label: str) -> str:
    return f"您的代办人{agent}为您{verb}「{label}」"


async def on_audit(entry: dict[str, Any]) -> None:
    """``audit.log.listeners`` hook: record and notify actions taken under a proxy grant."""
    if not entry["grant_id"] or not entry["on_behalf_id"]:
        return
    facts = await _grants.get(entry["grant_id"])
    if facts is None:
        return
    grant_id, principal_key, agent_name = facts
    if principal_key != f"{entry['on_behalf_kind']}:{entry['on_behalf_id']}":
        return
    verb, notify = verb_for(entry["action"])
    label = (await _label(entry))[:200]
    text = sentence(agent_name, verb, label)
    await rows.insert(
        ProxyAction,
        {
            "id": timeutil.uuid7(),
            "grant": grant_id,
            "principal_key": principal_key,
            "agent_name": agent_name,
            "audit_action": entry["action"][:64],
            "verb": verb,
            "object_type": entry["object_type"][:32],
            "object_id": entry["object_id"][:64],
            "label": label,
            "text": text,
            "notified": notify,
            "audit_seq": entry["seq"],
            "at": entry["at"],
        },
    )
    if notify:
        link = f"/applications/{entry['application_id']}" if entry["application_id"] else "/proxies/actions"
        await emit(
            "agent_action",
            principal_key,
            dedupe_key=f"proxy-action:{entry['seq']}",
            link=link,
            application_id=uuid.UUID(entry["application_id"]) if entry["application_id"] else None,
            agent=agent_name,
            action=verb,
            matter=label,
        )


async def for_principal(
    principal_key: str, *, grant_id: uuid.UUID | None, limit: int, before: dt.datetime | None = None
) -> list[dict[str, Any]]:
    where = ProxyAction.principal_key == principal_key
    if grant_id is not None:
        where &= ProxyAction.grant == grant_id
    if before is not None:
        where &= ProxyAction.at < before
    return await ProxyAction.select().where(where).order_by(ProxyAction.audit_seq, ascending=False).limit(limit)
