"""12345 tickets: take them in, route them, answer them, escalate the late ones, call back.

Every state change is a compare-and-set on ``version`` with the expected status, appends one
history row and one audit entry, in one transaction.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from audit import log as audit
from auth.codes import checked_phone, phone_index
from auth.context import Caller
from auth.tables import Resident
from core import db, errors, pii, rows, timeutil, workdays
from core.errors import ProblemError, invalid
from hotline import categories, routing
from hotline.tables import KnowledgeArticle, Ticket, TicketEvent
from notify.emit import emit
from regions import tree as regions
from regions.tables import Department

errors.register("ticket_not_found", 404, "没有找到这张工单。", "No such ticket.")
errors.register(
    "ticket_state", 409, "工单当前状态下不能进行这个操作。", "This is not possible in the ticket's current state."
)
errors.register("department_not_found", 422, "没有找到这个承办部门。", "No such department to dispatch the ticket to.")

TITLE_MAX = 100
CONTENT_MAX = 2000


def _validate(category: str, title: str, content: str, region_code: str, tree: regions.RegionTree) -> None:
    problems = []
    if category not in categories.CATEGORIES:
        problems.append(errors.field_error("category", "validation_failed"))
    if not title.strip() or len(title) > TITLE_MAX:
        problems.append(errors.field_error("title", "validation_failed", zh=f"请用 {TITLE_MAX} 字以内概括诉求。"))
    if not content.strip() or len(content) > CONTENT_MAX:
        problems.append(errors.field_error("content", "validation_failed", zh=f"请描述诉求（{CONTENT_MAX} 字以内）。"))
    if region_code not in tree:
        problems.append(errors.field_error("region_code", "region_invalid"))
    if problems:
        raise ProblemError("validation_failed", field=problems[0].field, errors=problems)


async def _event(row: dict[str, Any], action: str, actor: audit.Actor, text: str = "") -> None:
    await rows.insert(
        TicketEvent,
        {
            "id": timeutil.uuid7(),
            "ticket": row["id"],
            "seq": row["version"],
            "action": action,
            "status": row["status"],
            "actor_kind": actor.kind,
            "actor_id": uuid.UUID(actor.id) if actor.id else None,
            "actor_label": actor.label,
            "text": text,
            "at": timeutil.now(),
        },
    )
    await audit.append(
        f"ticket.{action}", actor=actor, object_type="ticket", object_id=row["id"], details={"status": row["status"]}
    )


async def _move(
    row: dict[str, Any],
    changes: dict[str, Any],
    *,
    expect: tuple[str, ...],
    action: str,
    actor: audit.Actor,
    text: str = "",
) -> dict[str, Any]:
    if row["status"] not in expect:
        raise ProblemError("ticket_state", extra={"status": row["status"]})
    changes = {**changes, "version": row["version"] + 1, "updated_at": timeutil.now()}
    async with db.write_tx():
        if not await rows.update(Ticket, changes, id=row["id"], version=row["version"], status=row["status"]):
            raise ProblemError("conflict")
        after = {**row, **changes}
        await _event(after, action, actor, text)
    return after


def _dispatch_changes(department_id: uuid.UUID, category: str) -> dict[str, Any]:
    today = timeutil.today()
    return {
        "status": "dispatched",
        "department": department_id,
        "dispatched_at": timeutil.now(),
        "due_on": workdays.current().add_working_days(today, categories.CATEGORIES[category].days),
        "escalation_level": 0,
        "escalated_at": None,
        "supervising_department": None,
    }


async def _create(
    *,
    category: str,
    title: str,
    content: str,
    region_code: str,
    channel: str,
    reporter_key: str | None,
    contact_name: str,
    contact_phone: str | None,
    recorded_by: uuid.UUID | None,
    actor: audit.Actor,
) -> dict[str, Any]:
    tree = await regions.tree()
    _validate(category, title, content, region_code, tree)
    found = await routing.route(category, title, content, region_code)
    now = timeutil.now()
    row: dict[str, Any] = {
        "id": timeutil.uuid7(),
        "number": f"{timeutil.today():%Y%m%d}{secrets.randbelow(10**6):06d}",
        "category": category,
        "topic": found.topic if found else "",
        "title": title.strip(),
        "content": content.strip(),
        "channel": channel,
        "reporter_key": reporter_key,
        "contact_name": contact_name[:64],
        "contact_phone_enc": pii.encrypt(contact_phone, context="hotline.phone") if contact_phone else None,
        "contact_phone_masked": pii.mask_phone(contact_phone) if contact_phone else "",
        "region_code": region_code,
        "rule": found.rule_id if found else None,
        "status": "pending_dispatch",
        "recorded_by": recorded_by,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    if found is not None:
        row.update(_dispatch_changes(found.department_id, category))
    async with db.write_tx():
        await rows.insert(Ticket, row)
        text = "已受理，自动派单" if found else "已受理，等待人工派单"
        await _event(row, "created", actor, text)
        stored = await rows.one(Ticket, row["id"])
    assert stored is not None
    return stored


async def create_from_app(
    caller: Caller, *, category: str, title: str, content: str, region_code: str
) -> dict[str, Any]:
    assert caller.principal is not None
    if caller.basis == "proxy":
        from applications import hooks

        check = hooks.scope_checks.get("proxy")
        item = {"kind": "ticket", "reporter_key": caller.principal.key, "region_code": region_code}
        if check is None or not await check(caller, item, "apply"):
            raise ProblemError("not_found")  # as if filing did not exist for an agent without "hotline"
    return await _create(
        category=category,
        title=title,
        content=content,
        region_code=region_code,
        channel="app",
        reporter_key=caller.principal.key,
        contact_name=caller.principal.name,
        contact_phone=None,
        recorded_by=None,
        actor=caller.actor(),
    )


async def create_by_agent(
    agent: Caller,
    *,
    category: str,
    title: str,
    content: str,
    region_code: str,
    contact_name: str,
    contact_phone: str,
) -> dict[str, Any]:
    """A call taken by the 12345 centre; a caller with an account sees and rates it in the app too."""
    contact_phone = checked_phone(contact_phone, "contact_phone")
    resident = await Resident.select(Resident.id).where(Resident.phone_index == phone_index(contact_phone)).first()
    return await _create(
        category=category,
        title=title,
        content=content,
        region_code=region_code,
        channel="phone",
        reporter_key=f"person:{resident['id']}" if resident else None,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone,
        recorded_by=agent.account_id,
        actor=agent.actor(),
    )


# ---- who sees what ------------------------------------------------------------------------------------
def is_agent(caller: Caller) -> bool:
    return caller.kind == "clerk" and caller.has_role("hotline", "admin")


async def agent_may_see(caller: Caller, row: dict[str, Any]) -> bool:
    if caller.has_role("admin"):
        return True
    tree = await regions.tree()
    return caller.has_role("hotline") and tree.is_within(row["region_code"], caller.region_code)


async def load(caller: Caller, ticket_id: uuid.UUID) -> dict[str, Any]:
    """Reporters see their own tickets; agents those of their region; departments those they
    handle or supervise. Anything else is 404."""
    row = await rows.one(Ticket, ticket_id)
    if row is None:
        raise ProblemError("ticket_not_found")
    if caller.kind == "resident":
        if caller.principal is None or row["reporter_key"] != caller.principal.key:
            raise ProblemError("ticket_not_found")
        if caller.basis == "proxy":
            from applications import hooks

            check = hooks.scope_checks.get("proxy")
            if check is None or not await check(caller, {**row, "kind": "ticket"}, "view"):
                raise ProblemError("ticket_not_found")
        return row
    if is_agent(caller) and await agent_may_see(caller, row):
        return row
    if caller.department_id is not None and caller.department_id in (row["department"], row["supervising_department"]):
        return row
    raise ProblemError("ticket_not_found")


async def load_any(ticket_id: uuid.UUID) -> dict[str, Any]:
    """A ticket without an access check (jobs and tests)."""
    row = await rows.one(Ticket, ticket_id)
    if row is None:
        raise ProblemError("ticket_not_found")
    return row


def _department_desk(caller: Caller, row: dict[str, Any]) -> None:
    if caller.kind != "clerk" or row["department"] != caller.department_id:
        raise ProblemError("ticket_not_found")
    if not caller.has_role("window", "reviewer", "head"):
        raise ProblemError("forbidden")


async def history(ticket_id: uuid.UUID) -> list[dict[str, Any]]:
    return await TicketEvent.select().where(TicketEvent.ticket == ticket_id).order_by(TicketEvent.seq)


async def listing(
    caller: Caller, *, status: str | None, overdue: bool, limit: int, offset: int
) -> list[dict[str, Any]]:
    query = Ticket.select().order_by(Ticket.created_at, ascending=False).limit(limit).offset(offset)
    if caller.kind == "resident":
        assert caller.principal is not None
        query = query.where(Ticket.reporter_key == caller.principal.key)
    elif is_agent(caller) and not caller.has_role("admin"):
        tree = await regions.tree()
        query = query.where(Ticket.region_code.is_in(tree.descendants(caller.region_code)))
    elif not caller.has_role("admin"):
        query = query.where(
            (Ticket.department == caller.department_id) | (Ticket.supervising_department == caller.department_id)
        )
    if status:
        query = query.where(Ticket.status == status)
    if overdue:
        query = query.where((Ticket.status == "dispatched") & (Ticket.due_on < timeutil.today()))
    found = await query
    if caller.kind == "resident" and caller.basis == "proxy":
        from applications import hooks

        check = hooks.scope_checks.get("proxy")  # an agent lists only what the grant lets them see
        return [row for row in found if check is not None and await check(caller, {**row, "kind": "ticket"}, "view")]
    return found


# ---- the agent's moves -------------------------------------------------------------------------------
async def _department(department_id: uuid.UUID) -> dict[str, Any]:
    row = await Department.select().where(Department.id == department_id).first()
    if row is None:
        raise invalid("department_id", "department_not_found")
    return row


async def dispatch(agent: Caller, row: dict[str, Any], *, department_id: uuid.UUID, note: str) -> dict[str, Any]:
    department = await _department(department_id)
    return await _move(
        row,
        _dispatch_changes(department_id, row["category"]),
        expect=("pending_dispatch",),
        action="dispatched",
        actor=agent.actor(),
        text=f"派至{department['name']}" + (f"：{note.strip()}" if note.strip() else ""),
    )


async def classify(
    agent: Caller, row: dict[str, Any], *, category: str, department_id: uuid.UUID | None
) -> dict[str, Any]:
    """Re-classify (and re-route): the deadline restarts from today for the new category."""
    if category not in categories.CATEGORIES:
        raise invalid("category")
    if department_id is not None:
        await _department(department_id)
        target, topic, rule = department_id, row["topic"], row["rule"]
    else:
        found = await routing.route(category, row["title"], row["content"], row["region_code"])
        target, topic, rule = (found.department_id, found.topic, found.rule_id) if found else (None, "", None)
    changes: dict[str, Any] = {"category": category, "topic": topic, "rule": rule}
    if target is not None:
        changes.update(_dispatch_changes(target, category))
    else:
        changes.update(status="pending_dispatch", department=None, due_on=None, escalation_level=0)
    label = categories.CATEGORIES[category].label
    return await _move(
        row,
        changes,
        expect=("pending_dispatch", "dispatched"),
        action="classified",
        actor=agent.actor(),
        text=f"重新分类为「{label}」",
    )


def _reply_changes(caller: Caller, text: str) -> dict[str, Any]:
    return {
        "status": "replied",
        "reply": text.strip()[:CONTENT_MAX],
        "replied_at": timeutil.now(),
        "replied_on": timeutil.today(),
        "replied_by": caller.account_id,
    }


async def _tell_reporter(row: dict[str, Any]) -> None:
    if row["reporter_key"]:
        await emit(
            "ticket_replied",
            row["reporter_key"],
            dedupe_key=f"ticket:{row['id']}:replied:{row['version']}",
            link=f"/hotline/tickets/{row['id']}",
            number=row["number"],
        )


async def answer_from_knowledge(
    agent: Caller, row: dict[str, Any], *, article_id: uuid.UUID, text: str
) -> dict[str, Any]:
    """A consultation answered on the spot from the knowledge base (一号响应)."""
    if row["category"] != "consultation":
        raise ProblemError("ticket_state", extra={"category": row["category"]})
    article = await rows.one(KnowledgeArticle, article_id)
    if article is None or article["status"] != "published":
        raise invalid("article_id", "not_found")
    changes = {**_reply_changes(agent, text.strip() or article["answer"]), "knowledge_article": article_id}
    if row["due_on"] is None:
        changes["due_on"] = timeutil.today()
    async with db.write_tx():
        after = await _move(
            row, changes, expect=("pending_dispatch", "dispatched"), action="answered", actor=agent.actor()
        )
        await KnowledgeArticle.update({KnowledgeArticle.hits: KnowledgeArticle.hits + 1}).where(
            KnowledgeArticle.id == article_id
        )
        await _tell_reporter(after)
    return after


async def callback(agent: Caller, row: dict[str, Any], *, reached: bool, note: str) -> dict[str, Any]:
    """满意度回访 that did not produce a rating (not reached, or the caller declined to rate)."""
    if row["status"] != "replied":
        raise ProblemError("ticket_state", extra={"status": row["status"]})
    return await _move(
        row,
        {"status": "closed", "closed_at": timeutil.now(), "close_reason": "callback" if reached else "unreached"},
        expect=("replied",),
        action="callback",
        actor=agent.actor(),
        text=("已回访" if reached else "回访未接通") + (f"：{note.strip()}" if note.strip() else ""),
    )


async def close_after_rating(row: dict[str, Any], actor: audit.Actor) -> None:
    if row["status"] == "replied":
        await _move(
            row,
            {"status": "closed", "closed_at": timeutil.now(), "close_reason": "rated"},
            expect=("replied",),
            action="closed",
            actor=actor,
            text="已评价，工单办结",
        )


# ---- the department's moves ------------------------------------------------------------------------
async def reply(caller: Caller, row: dict[str, Any], *, text: str) -> dict[str, Any]:
    _department_desk(caller, row)
    if not text.strip():
        raise invalid("text", "reason_required", zh="请填写答复内容。", en="Write the reply.")
    async with db.write_tx():
        after = await _move(
            row, _reply_changes(caller, text), expect=("dispatched",), action="replied", actor=caller.actor()
        )
        await _tell_reporter(after)
    return after


async def return_ticket(caller: Caller, row: dict[str, Any], *, reason: str) -> dict[str, Any]:
    """退单: not ours — back to the centre for another dispatch."""
    _department_desk(caller, row)
    if not reason.strip():
        raise invalid("reason", "reason_required")
    return await _move(
        row,
        {
            "status": "pending_dispatch",
            "department": None,
            "due_on": None,
            "escalation_level": 0,
            "supervising_department": None,
            "returned_count": row["returned_count"] + 1,
        },
        expect=("dispatched",),
        action="returned",
        actor=caller.actor(),
        text=f"退回：{reason.strip()}",
    )


# ---- escalation --------------------------------------------------------------------------------------
async def _supervisor(row: dict[str, Any], level: int) -> uuid.UUID | None:
    if level >= categories.MAX_LEVEL:
        tree = await regions.tree()
        province = tree.ancestors(row["region_code"])[-1]
        return await routing.department_for(categories.SUPERVISOR_CODE, province, "province")
    if level >= 2 and row["department"] is not None:
        return await routing.parent_department(row["department"])
    return row["supervising_department"]


async def escalate_overdue(limit: int = 500) -> int:
    """Raise every late ticket to the level its lateness calls for; returns how many moved."""
    today = timeutil.today()
    calendar = workdays.current()
    late = (
        await Ticket.select()
        .where((Ticket.status == "dispatched") & (Ticket.due_on < today))
        .order_by(Ticket.due_on)
        .limit(limit)
    )
    moved = 0
    for row in late:
        level = categories.escalation_level(calendar.working_days_between(row["due_on"], today))
        if level <= row["escalation_level"]:
            continue
        supervisor = await _supervisor(row, level)
        try:
            await _move(
                row,
                {"escalation_level": level, "escalated_at": timeutil.now(), "supervising_department": supervisor},
                expect=("dispatched",),
                action="escalated",
                actor=audit.SYSTEM,
                text=f"超期{categories.LEVEL_LABELS[level]}",
            )
        except ProblemError:
            continue  # replied or re-dispatched meanwhile
        moved += 1
    return moved


async def callback_rating(
    agent: Caller, row: dict[str, Any], *, level: int, tags: list[str], comment: str
) -> dict[str, Any]:
    """满意度回访 with a rating: the agent records what the caller said; the rating closes the ticket."""
    from evaluations import service as evaluations
    from evaluations import subjects

    if row["status"] != "replied":
        raise ProblemError("ticket_state", extra={"status": row["status"]})
    subject = await subjects.resolve("ticket", row["id"])
    assert subject is not None
    return await evaluations.record(
        subject,
        level=level,
        tags=tags,
        comment=comment,
        channel="callback",
        basis="callback",
        rated_by=agent.account_id,
        actor=agent.actor(),
    )
