"""Rate, rectify, re-rate and appeal.

One rating per item is a unique key in the database (``evaluation.subject_key``), inserted with
``ON CONFLICT DO NOTHING``: of any number of concurrent attempts exactly one lands, on both engines.
A bad rating opens its rectification in the same transaction, with a callback due in
:data:`CALLBACK_DAYS` and a result due in :data:`RECTIFY_DAYS` working days of the holiday calendar.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from piccolo.query.methods.insert import OnConflictAction

from applications import hooks
from audit import log as audit
from auth.context import Caller
from core import db, errors, rows, timeutil, workdays
from core.errors import ProblemError, invalid
from evaluations import levels, subjects
from evaluations.subjects import Subject
from evaluations.tables import Appeal, Evaluation, Rectification
from notify.emit import emit

RECTIFY_DAYS = 15
"""Working days a department has to rectify a bad rating (国办发〔2019〕51号: 一般在 15 个工作日内整改到位)."""
CALLBACK_DAYS = 1
"""Working days within which the department calls the resident back about a bad rating."""
COMMENT_MAX = 500

errors.register("evaluation_item_not_found", 404, "没有找到可以评价的服务。", "No rateable item with this id.")
errors.register(
    "evaluation_not_open", 409, "服务办结后才能评价。", "The service is not complete yet, so it cannot be rated."
)
errors.register(
    "already_rated",
    409,
    "这项服务已经评价过了，每项服务只能评价一次。",
    "This item has already been rated; each item is rated once.",
)
errors.register(
    "comment_required",
    422,
    "请简单说明遇到的问题，便于我们整改。",
    "A bad rating needs a comment describing the problem.",
)
errors.register("tag_unknown", 422, "评价标签不在可选范围内。", "A tag is not one of the allowed tags.")
errors.register("evaluation_not_found", 404, "没有找到这条评价。", "No such evaluation.")
errors.register("rectification_not_found", 404, "没有找到这条整改记录。", "No such rectification.")
errors.register(
    "callback_required", 409, "请先回访评价人，再填写整改结果。", "Call the resident back before recording a result."
)
errors.register(
    "rectification_closed", 409, "这条整改已经完成或已撤销。", "This rectification is already finished or voided."
)
errors.register("rerate_not_open", 409, "整改完成后才能再次评价。", "Re-rating opens once the rectification is done.")
errors.register("appeal_exists", 409, "这条评价已经申诉过了。", "This rating has already been appealed.")
errors.register(
    "appeal_not_allowed", 422, "只能对差评提出申诉。", "Only bad ratings (不满意, 非常不满意) can be appealed."
)
errors.register("appeal_not_found", 404, "没有找到这条申诉。", "No such appeal.")
errors.register("appeal_decided", 409, "这条申诉已经处理。", "This appeal has already been decided.")


def _clean_tags(level: int, tags: list[str]) -> list[str]:
    allowed = levels.allowed_tags(level)
    unique = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(unique) > levels.MAX_TAGS:
        raise invalid("tags", zh=f"最多选择 {levels.MAX_TAGS} 个标签。", en=f"At most {levels.MAX_TAGS} tags.")
    unknown = [tag for tag in unique if tag not in allowed]
    if unknown:
        raise invalid("tags", "tag_unknown")
    return unique


def _clean_comment(level: int, comment: str) -> str:
    text = comment.strip()
    if len(text) > COMMENT_MAX:
        raise invalid("comment", zh=f"评价内容不超过 {COMMENT_MAX} 字。", en=f"At most {COMMENT_MAX} characters.")
    if levels.is_bad(level) and not text:
        raise invalid("comment", "comment_required")
    return text


async def _subject_for_resident(caller: Caller, kind: str, item_id: uuid.UUID) -> Subject:
    """The item if it belongs to the caller's principal (and a proxy grant covers "evaluate")."""
    subject = await subjects.resolve(kind, item_id)
    if subject is None or caller.kind != "resident" or caller.principal is None:
        raise ProblemError("evaluation_item_not_found")
    if caller.principal.key != subject.owner_key:
        raise ProblemError("evaluation_item_not_found")
    if caller.basis == "proxy":
        check = hooks.scope_checks.get("proxy")
        if check is None or not await check(caller, subject.row, "evaluate"):
            raise ProblemError("evaluation_item_not_found")
    return subject


async def rate(
    caller: Caller, *, kind: str, item_id: uuid.UUID, level: int, tags: list[str], comment: str
) -> dict[str, Any]:
    """A resident rates one of their own completed items."""
    subject = await _subject_for_resident(caller, kind, item_id)
    if not subject.rateable:
        raise ProblemError("evaluation_not_open")
    return await record(
        subject,
        level=level,
        tags=tags,
        comment=comment,
        channel="app",
        basis=caller.basis,
        rated_by=caller.account_id,
        actor=caller.actor(),
    )


async def record(
    subject: Subject,
    *,
    level: int,
    tags: list[str],
    comment: str,
    channel: str,
    basis: str,
    rated_by: uuid.UUID | None,
    actor: audit.Actor,
) -> dict[str, Any]:
    """Store the one rating of ``subject``; a bad one opens its rectification."""
    if level not in levels.LEVELS:
        raise invalid("level")
    clean_tags = _clean_tags(level, tags)
    text = _clean_comment(level, comment)
    now, today = timeutil.now(), timeutil.today()
    row: dict[str, Any] = {
        "id": timeutil.uuid7(),
        "subject_key": subject.key,
        "item_kind": subject.kind,
        "item_id": subject.id,
        "item_label": subject.label[:200],
        "owner_key": subject.owner_key,
        "level": level,
        "tags": msgspec.json.encode(clean_tags).decode(),
        "comment": text,
        "channel": channel,
        "rated_by": rated_by,
        "basis": basis,
        "department": subject.department_id,
        "matter": subject.matter_id,
        "hall": subject.hall_id,
        "region_code": subject.region_code,
        "status": "valid",
        "rerated_level": None,
        "rerated_at": None,
        "version": 1,
        "created_at": now,
    }
    async with db.write_tx():
        inserted = (
            await Evaluation.insert(Evaluation(**row))
            .on_conflict(action=OnConflictAction.do_nothing, target=Evaluation.subject_key)
            .returning(Evaluation.id)
        )
        if not inserted:
            raise ProblemError("already_rated")
        if levels.is_bad(level):
            calendar = workdays.current()
            await rows.insert(
                Rectification,
                {
                    "id": timeutil.uuid7(),
                    "evaluation": row["id"],
                    "department": subject.department_id,
                    "region_code": subject.region_code,
                    "status": "open",
                    "opened_on": today,
                    "callback_due": calendar.add_working_days(today, CALLBACK_DAYS),
                    "deadline": calendar.add_working_days(today, RECTIFY_DAYS),
                    "created_at": now,
                },
            )
        await audit.append(
            "evaluation.rated",
            actor=actor,
            object_type="evaluation",
            object_id=row["id"],
            subject_kind=subject.owner_key.split(":", 1)[0],
            subject_id=subject.owner_key.split(":", 1)[-1],
            application_id=subject.id if subject.kind == "application" else "",
            details={"item": subject.key, "level": level, "channel": channel},
        )
        await subjects.run_after_rated(subject, row, actor)
    return row


async def rectification_for(evaluation_id: uuid.UUID) -> dict[str, Any] | None:
    return await Rectification.select().where(Rectification.evaluation == evaluation_id).first()


# ---- reading ----------------------------------------------------------------------------------------
async def load_for_owner(caller: Caller, evaluation_id: uuid.UUID) -> dict[str, Any]:
    row = await rows.one(Evaluation, evaluation_id)
    if row is None or caller.kind != "resident" or caller.principal is None:
        raise ProblemError("evaluation_not_found")
    if row["owner_key"] != caller.principal.key:
        raise ProblemError("evaluation_not_found")
    if caller.basis == "proxy":
        subject = await subjects.resolve(row["item_kind"], row["item_id"])
        check = hooks.scope_checks.get("proxy")
        if subject is None or check is None or not await check(caller, subject.row, "evaluate"):
            raise ProblemError("evaluation_not_found")
    return row


async def load_for_clerk(caller: Caller, evaluation_id: uuid.UUID) -> dict[str, Any]:
    """Department staff see their department's ratings; administrators and auditors see all."""
    row = await rows.one(Evaluation, evaluation_id)
    if row is None or not clerk_may_see(caller, row["department"]):
        raise ProblemError("evaluation_not_found")
    return row


def clerk_may_see(caller: Caller, department_id: uuid.UUID | None) -> bool:
    if caller.kind != "clerk":
        return False
    if caller.has_role("admin", "auditor"):
        return True
    return department_id is not None and department_id == caller.department_id


async def mine(caller: Caller, *, limit: int, offset: int) -> list[dict[str, Any]]:
    assert caller.principal is not None
    found = (
        await Evaluation.select()
        .where(Evaluation.owner_key == caller.principal.key)
        .order_by(Evaluation.created_at, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    if caller.basis != "proxy":
        return found
    check = hooks.scope_checks.get("proxy")  # an agent lists only ratings of items the grant covers
    visible = []
    for row in found:
        subject = await subjects.resolve(row["item_kind"], row["item_id"])
        if subject is not None and check is not None and await check(caller, subject.row, "evaluate"):
            visible.append(row)
    return visible


async def for_department(caller: Caller, *, bad_only: bool, limit: int, offset: int) -> list[dict[str, Any]]:
    query = Evaluation.select().order_by(Evaluation.created_at, ascending=False).limit(limit).offset(offset)
    if not caller.has_role("admin", "auditor"):
        query = query.where(Evaluation.department == caller.department_id)
    if bad_only:
        query = query.where(Evaluation.level < levels.GOOD_MIN)
    return await query


# ---- rectification ------------------------------------------------------------------------------------
async def _rectification_for_clerk(caller: Caller, rectification_id: uuid.UUID) -> dict[str, Any]:
    row = await rows.one(Rectification, rectification_id)
    if row is None or caller.kind != "clerk" or row["department"] is None:
        raise ProblemError("rectification_not_found")
    if row["department"] != caller.department_id or not caller.has_role("window", "reviewer", "head"):
        raise ProblemError("rectification_not_found")
    return row


async def _cas(table: Any, row: dict[str, Any], changes: dict[str, Any], **where: Any) -> dict[str, Any]:
    changes = {**changes, "version": row["version"] + 1}
    if not await rows.update(table, changes, id=row["id"], version=row["version"], **where):
        raise ProblemError("conflict")
    return {**row, **changes}


async def record_callback(caller: Caller, rectification_id: uuid.UUID, *, reached: bool, note: str) -> dict[str, Any]:
    """回访: the department called the resident (reached or not) and noted what they heard."""
    row = await _rectification_for_clerk(caller, rectification_id)
    if row["status"] != "open":
        raise ProblemError("rectification_closed")
    if not note.strip():
        raise invalid("note", "reason_required", zh="请填写回访情况。", en="Describe the callback.")
    async with db.write_tx():
        after = await _cas(
            Rectification,
            row,
            {
                "callback_at": timeutil.now(),
                "callback_reached": 1 if reached else 0,
                "callback_note": note.strip()[:1000],
                "callback_by": caller.account_id,
            },
            status="open",
        )
        await audit.append(
            "rectification.callback",
            actor=caller.actor(),
            object_type="rectification",
            object_id=row["id"],
            details={"reached": reached},
        )
    return after


async def resolve(caller: Caller, rectification_id: uuid.UUID, *, result: str) -> dict[str, Any]:
    """The department's result; the resident is told and may rate again."""
    row = await _rectification_for_clerk(caller, rectification_id)
    if row["status"] != "open":
        raise ProblemError("rectification_closed")
    if row["callback_at"] is None:
        raise ProblemError("callback_required")
    if not result.strip():
        raise invalid("result", "reason_required", zh="请填写整改结果。", en="Describe what was rectified.")
    evaluation = await rows.one(Evaluation, row["evaluation"])
    assert evaluation is not None
    async with db.write_tx():
        after = await _cas(
            Rectification,
            row,
            {
                "status": "resolved",
                "result": result.strip()[:2000],
                "resolved_at": timeutil.now(),
                "resolved_on": timeutil.today(),
                "resolved_by": caller.account_id,
            },
            status="open",
        )
        await audit.append(
            "rectification.resolved",
            actor=caller.actor(),
            object_type="rectification",
            object_id=row["id"],
            details={"on_time": after["resolved_on"] <= row["deadline"]},
        )
        if evaluation["owner_key"].startswith(("person:", "enterprise:")):
            await emit(
                "rectification_done",
                evaluation["owner_key"],
                dedupe_key=f"rectification:{row['id']}:resolved",
                link=f"/evaluations/{evaluation['id']}",
                matter=evaluation["item_label"],
            )
    return after


async def rerate(caller: Caller, evaluation_id: uuid.UUID, *, level: int, comment: str) -> dict[str, Any]:
    """The resident's rating after the rectification; it replaces the first one in statistics."""
    evaluation = await load_for_owner(caller, evaluation_id)
    rectification = await rectification_for(evaluation_id)
    if rectification is None or rectification["status"] != "resolved" or evaluation["status"] != "valid":
        raise ProblemError("rerate_not_open")
    if level not in levels.LEVELS:
        raise invalid("level")
    text = comment.strip()[:COMMENT_MAX]
    async with db.write_tx():
        after = await _cas(
            Evaluation, evaluation, {"rerated_level": level, "rerated_at": timeutil.now()}, status="valid"
        )
        await _cas(Rectification, rectification, {"status": "closed"}, status="resolved")
        await audit.append(
            "evaluation.rerated",
            actor=caller.actor(),
            object_type="evaluation",
            object_id=evaluation_id,
            details={"level": level, "comment": bool(text)},
        )
    return after


async def rectifications(
    caller: Caller, *, status: str | None, overdue: bool, limit: int, offset: int
) -> list[dict[str, Any]]:
    where = Rectification.department == caller.department_id
    if status:
        where &= Rectification.status == status
    if overdue:
        where &= (Rectification.status == "open") & (Rectification.deadline < timeutil.today())
    return await Rectification.select().where(where).order_by(Rectification.deadline).limit(limit).offset(offset)


# ---- appeals -----------------------------------------------------------------------------------------
async def appeal(caller: Caller, evaluation_id: uuid.UUID, *, reason: str) -> dict[str, Any]:
    """The department head asks for a rating to be voided (恶意差评, not the department's doing…)."""
    if caller.kind != "clerk" or not caller.has_role("head"):
        raise ProblemError("forbidden")
    evaluation = await rows.one(Evaluation, evaluation_id)
    if evaluation is None or evaluation["department"] is None or evaluation["department"] != caller.department_id:
        raise ProblemError("evaluation_not_found")
    if not levels.is_bad(evaluation["level"]) or evaluation["status"] != "valid":
        raise ProblemError("appeal_not_allowed")
    if not reason.strip():
        raise invalid("reason", "reason_required")
    row = {
        "id": timeutil.uuid7(),
        "evaluation": evaluation_id,
        "department": evaluation["department"],
        "reason": reason.strip()[:2000],
        "status": "pending",
        "filed_by": caller.account_id,
        "filed_at": timeutil.now(),
        "version": 1,
    }
    async with db.write_tx():
        inserted = (
            await Appeal.insert(Appeal(**row))
            .on_conflict(action=OnConflictAction.do_nothing, target=Appeal.evaluation)
            .returning(Appeal.id)
        )
        if not inserted:
            raise ProblemError("appeal_exists")
        await audit.append(
            "evaluation.appealed", actor=caller.actor(), object_type="evaluation", object_id=evaluation_id
        )
    return row


async def decide_appeal(caller: Caller, appeal_id: uuid.UUID, *, uphold: bool, note: str) -> dict[str, Any]:
    """An administrator decides: upheld voids the rating (and its rectification), rejected keeps it."""
    if caller.kind != "clerk" or not caller.has_role("admin"):
        raise ProblemError("forbidden")
    row = await rows.one(Appeal, appeal_id)
    if row is None:
        raise ProblemError("appeal_not_found")
    if row["status"] != "pending":
        raise ProblemError("appeal_decided")
    if not note.strip():
        raise invalid("note", "reason_required")
    async with db.write_tx():
        after = await _cas(
            Appeal,
            row,
            {
                "status": "upheld" if uphold else "rejected",
                "decided_by": caller.account_id,
                "decided_at": timeutil.now(),
                "decision_note": note.strip()[:2000],
            },
            status="pending",
        )
        if uphold:
            await Evaluation.update({Evaluation.status: "voided", Evaluation.version: Evaluation.version + 1}).where(
                Evaluation.id == row["evaluation"]
            )
            await Rectification.update(
                {Rectification.status: "voided", Rectification.version: Rectification.version + 1}
            ).where((Rectification.evaluation == row["evaluation"]) & (Rectification.status != "closed"))
        await audit.append(
            "evaluation.appeal_decided",
            actor=caller.actor(),
            object_type="evaluation",
            object_id=row["evaluation"],
            details={"upheld": uphold},
        )
    return after


async def appeals(*, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
    query = Appeal.select().order_by(Appeal.filed_at).limit(limit).offset(offset)
    if status:
        query = query.where(Appeal.status == status)
    return await query
