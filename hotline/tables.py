"""12345 tickets with their history, routing rules and the knowledge base."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from regions.tables import Department


class Ticket(Table, tablename="hotline_ticket"):
    id = UUID(primary_key=True)
    number = Varchar(length=24, unique=True)
    category = Varchar(length=24)  # complaint | request | consultation | suggestion | business_env
    topic = Varchar(length=64, default="")  # the classification (e.g. 市场监管), set by routing
    title = Varchar(length=200)
    content = Text()
    channel = Varchar(length=16, default="app")  # app | phone
    reporter_key = Varchar(length=64, null=True, default=None, index=True)  # person:/enterprise: or None
    contact_name = Varchar(length=64, default="")
    contact_phone_enc = Bytea(null=True, default=None)
    contact_phone_masked = Varchar(length=16, default="")
    region_code = Varchar(length=12, index=True)  # where the matter is
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    rule = UUID(null=True, default=None)  # the routing rule that chose the department
    status = Varchar(length=24, default="pending_dispatch", index=True)
    # pending_dispatch | dispatched | replied | closed
    dispatched_at = Timestamptz(null=True, default=None)
    due_on = Date(null=True, default=None, index=True)
    escalation_level = Integer(default=0)
    escalated_at = Timestamptz(null=True, default=None)
    supervising_department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    reply = Text(default="")
    replied_at = Timestamptz(null=True, default=None)
    replied_on = Date(null=True, default=None)
    replied_by = UUID(null=True, default=None)
    knowledge_article = UUID(null=True, default=None)  # a consultation answered from the knowledge base
    returned_count = Integer(default=0)
    recorded_by = UUID(null=True, default=None)  # the call-centre agent who took the call
    closed_at = Timestamptz(null=True, default=None)
    close_reason = Varchar(length=32, default="")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class TicketEvent(Table, tablename="hotline_ticket_event"):
    """One step of a ticket's history; rows are only ever inserted."""

    id = UUID(primary_key=True)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    action = Varchar(length=32)
    status = Varchar(length=24)
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    actor_label = Varchar(length=128, default="")
    text = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class RoutingRule(Table, tablename="hotline_routing_rule"):
    """If a ticket's category matches and its text contains one keyword, send it to this kind of
    department at ``level`` (the ticket's own region, its city, or the province)."""

    id = UUID(primary_key=True)
    name = Varchar(length=100)
    priority = Integer(default=100)  # lower first
    category = Varchar(length=24, default="")  # "" matches every category
    keywords = Text(default="")  # comma-separated; empty matches any text
    topic = Varchar(length=64)
    department_code = Varchar(length=32)
    level = Varchar(length=16, default="local")  # local | city | province
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class KnowledgeArticle(Table, tablename="hotline_knowledge"):
    """知识库: an answer the call centre (and the app) gives to a common question."""

    id = UUID(primary_key=True)
    title = Varchar(length=200)
    question = Text(default="")
    answer = Text()
    keywords = Varchar(length=300, default="")
    topic = Varchar(length=64, default="")
    region_code = Varchar(length=12, default="")  # "" applies everywhere
    search_text = Text(default="")
    pinyin_full = Text(default="")
    pinyin_initials = Text(default="")
    status = Varchar(length=16, default="published")  # published | retired
    hits = Integer(default=0)
    updated_by = UUID(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
