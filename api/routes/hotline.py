"""12345: residents file tickets, call-centre agents take calls, dispatch and call back,
departments reply, and anyone can search the knowledge base."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from litestar import Router, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, clerk, resident
from api.routes.applications import IdempotencyKey
from api.routes.evaluations import EvaluationView, evaluation_view
from auth.context import Caller
from core import db, timeutil
from core.errors import invalid
from evaluations import levels
from hotline import categories, knowledge, service
from hotline.tables import RoutingRule
from regions.tables import Department


class NewTicket(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    category: categories.CategoryCode
    title: str
    content: str
    region_code: str


class PhoneTicket(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    category: categories.CategoryCode
    title: str
    content: str
    region_code: str
    contact_name: str
    contact_phone: str


class Dispatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    department_id: uuid.UUID
    note: str = ""


class Classification(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    category: categories.CategoryCode
    department_id: uuid.UUID | None = None


class KnowledgeAnswer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    article_id: uuid.UUID
    text: str = ""


class Callback(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reached: bool
    level: levels.LevelCode | None = None
    tags: list[str] = msgspec.field(default_factory=list)
    comment: str = ""
    note: str = ""


class Reply(msgspec.Struct, forbid_unknown_fields=True):
    text: str


class ReturnRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class ArticleInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: str
    answer: str
    question: str = ""
    keywords: str = ""
    topic: str = ""
    region_code: str = ""


class RuleInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str
    topic: str
    department_code: str
    priority: int = 100
    category: categories.CategoryCode | None = None
    keywords: list[str] = msgspec.field(default_factory=list)
    level: str = "local"


class RuleView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    priority: int
    category: str
    keywords: list[str]
    topic: str
    department_code: str
    level: str
    active: bool


class EventView(msgspec.Struct):
    seq: int
    action: str
    status: str
    actor: str
    text: str
    at: dt.datetime


class TicketView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    category: str
    category_label: str
    topic: str
    title: str
    content: str
    channel: str
    status: str
    status_label: str
    region_code: str
    department_id: uuid.UUID | None
    department_name: str
    due_on: dt.date | None
    overdue: bool
    escalation_level: int
    escalation_label: str
    supervising_department_id: uuid.UUID | None
    reply: str
    replied_at: dt.datetime | None
    on_time: bool | None
    contact_name: str
    contact_phone_masked: str
    created_at: dt.datetime
    events: list[EventView] = msgspec.field(default_factory=list)
    suggestions: list[knowledge.Hit] = msgspec.field(default_factory=list)
    """For consultations: knowledge-base answers that may already help."""


class ArticleView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    title: str
    question: str
    answer: str
    keywords: str
    topic: str
    region_code: str
    hits: int
    updated_at: dt.datetime


class CategoryView(msgspec.Struct):
    code: str
    label: str
    deadline_working_days: int


async def _department_names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    found = await Department.select(Department.id, Department.name).where(Department.id.is_in(list(ids)))
    return {row["id"]: row["name"] for row in found}


async def ticket_views(found: list[dict[str, Any]], *, events: bool = False) -> list[TicketView]:
    names = await _department_names({row["department"] for row in found if row["department"]})
    today = timeutil.today()
    out = []
    for row in found:
        on_time = None
        if row["replied_on"] is not None and row["due_on"] is not None:
            on_time = row["replied_on"] <= row["due_on"]
        view = TicketView(
            id=row["id"],
            number=row["number"],
            category=row["category"],
            category_label=categories.CATEGORIES[row["category"]].label,
            topic=row["topic"],
            title=row["title"],
            content=row["content"],
            channel=row["channel"],
            status=row["status"],
            status_label=categories.STATUS_LABELS.get(row["status"], row["status"]),
            region_code=row["region_code"],
            department_id=row["department"],
            department_name=names.get(row["department"], ""),
            due_on=row["due_on"],
            overdue=row["status"] == "dispatched" and row["due_on"] is not None and today > row["due_on"],
            escalation_level=row["escalation_level"],
            escalation_label=categories.LEVEL_LABELS.get(row["escalation_level"], ""),
            supervising_department_id=row["supervising_department"],
            reply=row["reply"],
            replied_at=row["replied_at"],
            on_time=on_time,
            contact_name=row["contact_name"],
            contact_phone_masked=row["contact_phone_masked"],
            created_at=row["created_at"],
        )
        if events:
            view.events = [
                EventView(e["seq"], e["action"], e["status"], e["actor_label"], e["text"], e["at"])
                for e in await service.history(row["id"])
            ]
        out.append(view)
    return out


async def ticket_view(row: dict[str, Any]) -> TicketView:
    return (await ticket_views([row], events=True))[0]


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, 200)), max(0, offset)


def _agent(caller: Caller) -> Caller:
    return clerk(caller, "hotline", "admin")


# ---- public ------------------------------------------------------------------------------------------
@get("/categories", summary="Ticket categories and their deadlines", responses=problems.responses())
async def category_list() -> list[CategoryView]:
    return [CategoryView(code, spec.label, spec.days) for code, spec in categories.CATEGORIES.items()]


@get(
    "/knowledge",
    summary="Search the 12345 knowledge base",
    responses=problems.responses(),
    description="Chinese text search (two-character pieces) and pinyin (`shebao`, `sbk`); `region` adds local answers.",
)
async def knowledge_search(
    q: FromQuery[str], region: FromQuery[str | None] = None, limit: FromQuery[int] = 10
) -> list[knowledge.Hit]:
    if len(q) > 100:
        raise invalid("q", zh="搜索内容不超过 100 字。", en="At most 100 characters.")
    return await knowledge.search(q, region=region, limit=max(1, min(limit, 50)))


def article_view(row: dict[str, Any]) -> ArticleView:
    return ArticleView(
        id=row["id"],
        title=row["title"],
        question=row["question"],
        answer=row["answer"],
        keywords=row["keywords"],
        topic=row["topic"],
        region_code=row["region_code"],
        hits=row["hits"],
        updated_at=row["updated_at"],
    )


@get("/knowledge/{article_id:uuid}", summary="One knowledge-base answer", responses=problems.responses(404))
async def knowledge_article(article_id: FromPath[uuid.UUID]) -> ArticleView:
    return article_view(await knowledge.get(article_id, count_hit=True))


# ---- residents ---------------------------------------------------------------------------------------
@post(
    "/tickets",
    summary="File a 12345 ticket",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 422),
    description=(
        "Routed at once by the routing rules when one matches (the deadline then runs from today), otherwise "
        "dispatched by the call centre. Consultations come back with knowledge-base suggestions."
    ),
)
async def file_ticket(
    caller: CallerDep, data: JSONBody[NewTicket], idempotency_key: IdempotencyKey = None
) -> TicketView:
    row = await service.create_from_app(
        resident(caller), category=data.category, title=data.title, content=data.content, region_code=data.region_code
    )
    view = await ticket_view(row)
    if data.category == "consultation":
        view.suggestions = await knowledge.search(
            f"{data.title} {data.content}"[:100], region=data.region_code, limit=5
        )
    return view


@get("/tickets/mine", summary="My 12345 tickets", responses=problems.responses(401, 403))
async def my_tickets(caller: CallerDep, limit: FromQuery[int] = 50, offset: FromQuery[int] = 0) -> list[TicketView]:
    limit, offset = _page(limit, offset)
    return await ticket_views(
        await service.listing(resident(caller), status=None, overdue=False, limit=limit, offset=offset)
    )


@get(
    "/tickets/{ticket_id:uuid}",
    summary="One of my tickets with its history",
    responses=problems.responses(401, 403, 404),
)
async def my_ticket(caller: CallerDep, ticket_id: FromPath[uuid.UUID]) -> TicketView:
    return await ticket_view(await service.load(resident(caller), ticket_id))


# ---- call-centre agents ------------------------------------------------------------------------------
@post(
    "/tickets",
    summary="Record a telephone call as a ticket (agent)",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 422),
    description="The caller's phone is stored encrypted; a caller with an account sees the ticket in the app.",
)
async def agent_record(
    caller: CallerDep, data: JSONBody[PhoneTicket], idempotency_key: IdempotencyKey = None
) -> TicketView:
    row = await service.create_by_agent(
        _agent(caller),
        category=data.category,
        title=data.title,
        content=data.content,
        region_code=data.region_code,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
    )
    view = await ticket_view(row)
    if data.category == "consultation":
        view.suggestions = await knowledge.search(
            f"{data.title} {data.content}"[:100], region=data.region_code, limit=5
        )
    return view


@get(
    "/tickets",
    summary="Tickets of my region (agent)",
    responses=problems.responses(401, 403),
    description="`status=pending_dispatch` is the dispatch queue; `overdue=true` the late ones.",
)
async def agent_list(
    caller: CallerDep,
    status: FromQuery[str | None] = None,
    overdue: FromQuery[bool] = False,
    limit: FromQuery[int] = 50,
    offset: FromQuery[int] = 0,
) -> list[TicketView]:
    limit, offset = _page(limit, offset)
    return await ticket_views(
        await service.listing(_agent(caller), status=status, overdue=overdue, limit=limit, offset=offset)
    )


@get(
    "/tickets/{ticket_id:uuid}",
    summary="A ticket with its history (agent)",
    responses=problems.responses(401, 403, 404),
)
async def agent_ticket(caller: CallerDep, ticket_id: FromPath[uuid.UUID]) -> TicketView:
    return await ticket_view(await service.load(_agent(caller), ticket_id))


@post(
    "/tickets/{ticket_id:uuid}/dispatch",
    status_code=200,
    summary="Dispatch a ticket to a department by hand",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def agent_dispatch(caller: CallerDep, ticket_id: FromPath[uuid.UUID], data: JSONBody[Dispatch]) -> TicketView:
    row = await service.load(_agent(caller), ticket_id)
    return await ticket_view(await service.dispatch(caller, row, department_id=data.department_id, note=data.note))


@post(
    "/tickets/{ticket_id:uuid}/classify",
    status_code=200,
    summary="Re-classify a ticket (and route it again)",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def agent_classify(
    caller: CallerDep, ticket_id: FromPath[uuid.UUID], data: JSONBody[Classification]
) -> TicketView:
    row = await service.load(_agent(caller), ticket_id)
    return await ticket_view(
        await service.classify(caller, row, category=data.category, department_id=data.department_id)
    )


@post(
    "/tickets/{ticket_id:uuid}/answer",
    status_code=200,
    summary="Answer a consultation from the knowledge base",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def agent_answer(
    caller: CallerDep, ticket_id: FromPath[uuid.UUID], data: JSONBody[KnowledgeAnswer]
) -> TicketView:
    row = await service.load(_agent(caller), ticket_id)
    return await ticket_view(
        await service.answer_from_knowledge(caller, row, article_id=data.article_id, text=data.text)
    )


class CallbackResult(msgspec.Struct, kw_only=True):
    ticket: TicketView
    evaluation: EvaluationView | None = None


@post(
    "/tickets/{ticket_id:uuid}/callback",
    status_code=200,
    summary="Record the satisfaction callback",
    responses=problems.responses(401, 403, 404, 409, 422),
    description="Reached with a `level`: the caller's rating is stored (once per ticket) and closes it.",
)
async def agent_callback(caller: CallerDep, ticket_id: FromPath[uuid.UUID], data: JSONBody[Callback]) -> CallbackResult:
    row = await service.load(_agent(caller), ticket_id)
    if data.reached and data.level is not None:
        async with db.write_tx():
            evaluation = await service.callback_rating(
                caller, row, level=levels.BY_CODE[data.level], tags=data.tags, comment=data.comment
            )
        fresh = await service.load(caller, ticket_id)
        return CallbackResult(
            ticket=await ticket_view(fresh), evaluation=await evaluation_view(evaluation, for_clerk=True)
        )
    after = await service.callback(caller, row, reached=data.reached, note=data.note)
    return CallbackResult(ticket=await ticket_view(after))


@post(
    "/knowledge",
    summary="Add a knowledge-base answer",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 422),
)
async def knowledge_add(
    caller: CallerDep, data: JSONBody[ArticleInput], idempotency_key: IdempotencyKey = None
) -> ArticleView:
    _agent(caller)
    row = await knowledge.save(
        title=data.title,
        question=data.question,
        answer=data.answer,
        keywords=data.keywords,
        topic=data.topic,
        region_code=data.region_code,
        actor=caller.actor(),
        updated_by=caller.account_id,
    )
    return article_view({**row, "hits": 0})


@put(
    "/knowledge/{article_id:uuid}",
    summary="Replace a knowledge-base answer",
    responses=problems.responses(401, 403, 404, 422),
)
async def knowledge_replace(
    caller: CallerDep, article_id: FromPath[uuid.UUID], data: JSONBody[ArticleInput]
) -> ArticleView:
    _agent(caller)
    await knowledge.get(article_id)
    await knowledge.save(
        title=data.title,
        question=data.question,
        answer=data.answer,
        keywords=data.keywords,
        topic=data.topic,
        region_code=data.region_code,
        actor=caller.actor(),
        updated_by=caller.account_id,
        article_id=article_id,
    )
    return article_view(await knowledge.get(article_id))


# ---- departments -------------------------------------------------------------------------------------
@get(
    "/tickets",
    summary="12345 tickets my department handles or supervises",
    responses=problems.responses(401, 403),
)
async def department_tickets(
    caller: CallerDep,
    status: FromQuery[str | None] = None,
    overdue: FromQuery[bool] = False,
    limit: FromQuery[int] = 50,
    offset: FromQuery[int] = 0,
) -> list[TicketView]:
    limit, offset = _page(limit, offset)
    desk = clerk(caller, "window", "reviewer", "head")
    return await ticket_views(await service.listing(desk, status=status, overdue=overdue, limit=limit, offset=offset))


@get(
    "/tickets/{ticket_id:uuid}", summary="A 12345 ticket of my department", responses=problems.responses(401, 403, 404)
)
async def department_ticket(caller: CallerDep, ticket_id: FromPath[uuid.UUID]) -> TicketView:
    return await ticket_view(await service.load(clerk(caller, "window", "reviewer", "head"), ticket_id))


@post(
    "/tickets/{ticket_id:uuid}/reply",
    status_code=200,
    summary="Reply to a 12345 ticket",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def department_reply(caller: CallerDep, ticket_id: FromPath[uuid.UUID], data: JSONBody[Reply]) -> TicketView:
    row = await service.load(clerk(caller, "window", "reviewer", "head"), ticket_id)
    return await ticket_view(await service.reply(caller, row, text=data.text))


@post(
    "/tickets/{ticket_id:uuid}/return",
    status_code=200,
    summary="Return a misrouted ticket to the call centre",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def department_return(
    caller: CallerDep, ticket_id: FromPath[uuid.UUID], data: JSONBody[ReturnRequest]
) -> TicketView:
    row = await service.load(clerk(caller, "window", "reviewer", "head"), ticket_id)
    return await ticket_view(await service.return_ticket(caller, row, reason=data.reason))


# ---- routing rules (administrators) ------------------------------------------------------------------
def rule_view(row: dict[str, Any]) -> RuleView:
    return RuleView(
        id=row["id"],
        name=row["name"],
        priority=row["priority"],
        category=row["category"],
        keywords=[k for k in row["keywords"].split(",") if k],
        topic=row["topic"],
        department_code=row["department_code"],
        level=row["level"],
        active=row["active"],
    )


@get(
    "/hotline/rules", summary="12345 routing rules in the order they are tried", responses=problems.responses(401, 403)
)
async def rule_list(caller: CallerDep) -> list[RuleView]:
    clerk(caller, "admin", "hotline", "auditor")
    found = await RoutingRule.select().order_by(RoutingRule.priority).order_by(RoutingRule.created_at)
    return [rule_view(row) for row in found]


@post(
    "/hotline/rules",
    summary="Add a 12345 routing rule",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 422),
)
async def rule_add(caller: CallerDep, data: JSONBody[RuleInput], idempotency_key: IdempotencyKey = None) -> RuleView:
    clerk(caller, "admin")
    if data.level not in ("local", "city", "province"):
        raise invalid("level")
    if not await Department.exists().where(Department.code == data.department_code):
        raise invalid("department_code", "department_not_found")
    if not data.name.strip() or not data.topic.strip():
        raise invalid("name" if not data.name.strip() else "topic")
    keywords = [k.strip().replace(",", "") for k in data.keywords if k.strip()]
    row = {
        "id": timeutil.uuid7(),
        "name": data.name.strip()[:100],
        "priority": data.priority,
        "category": data.category or "",
        "keywords": ",".join(keywords),
        "topic": data.topic.strip()[:64],
        "department_code": data.department_code,
        "level": data.level,
        "active": True,
        "created_at": timeutil.now(),
    }
    async with db.write_tx():
        await RoutingRule.insert(RoutingRule(**row))
    return rule_view(row)


ROUTES = [
    Router(path="/api/hotline", route_handlers=[category_list, knowledge_search, knowledge_article], tags=["12345"]),
    Router(
        path="/api/hotline",
        route_handlers=[file_ticket, my_tickets, my_ticket],
        tags=["12345"],
        security=SECURITY,
    ),
    Router(
        path="/api/hotline/agent",
        route_handlers=[
            agent_record,
            agent_list,
            agent_ticket,
            agent_dispatch,
            agent_classify,
            agent_answer,
            agent_callback,
            knowledge_add,
            knowledge_replace,
        ],
        tags=["12345"],
        security=SECURITY,
    ),
    Router(
        path="/api/backoffice",
        route_handlers=[department_tickets, department_ticket, department_reply, department_return],
        tags=["12345"],
        security=SECURITY,
    ),
    Router(path="/api/admin", route_handlers=[rule_list, rule_add], tags=["12345"], security=SECURITY),
]
