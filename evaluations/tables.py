"""Ratings (好差评), the rectification of bad ones and departments' appeals."""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from catalogue.tables import Matter
from regions.tables import Department, Hall


class Evaluation(Table, tablename="evaluation"):
    """One rating of one served item. ``subject_key`` is unique: the database, not the code,
    guarantees a single rating per application, appointment or ticket, also under concurrency."""

    id = UUID(primary_key=True)
    subject_key = Varchar(length=80, unique=True)  # "<kind>:<item id>"
    item_kind = Varchar(length=16)  # application | appointment | ticket
    item_id = UUID(index=True)
    item_label = Varchar(length=200, default="")
    owner_key = Varchar(length=64, index=True)  # whose item it is: "person:<id>" | "enterprise:<id>"
    level = Integer()  # 5 非常满意 … 1 非常不满意 (the level given first)
    tags = Text(default="[]")
    comment = Text(default="")
    channel = Varchar(length=16, default="app")  # app | callback (12345 agent's telephone callback)
    rated_by = UUID(null=True, default=None)  # the account that submitted it
    basis = Varchar(length=16, default="self")  # self | staff | proxy | callback
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    matter = ForeignKey(references=Matter, on_delete=OnDelete.restrict, null=True, index=True)
    hall = ForeignKey(references=Hall, on_delete=OnDelete.restrict, null=True, index=True)
    region_code = Varchar(length=12, default="", index=True)
    status = Varchar(length=16, default="valid")  # valid | voided (an upheld appeal)
    rerated_level = Integer(null=True, default=None)  # the resident's rating after rectification
    rerated_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class Rectification(Table, tablename="rectification"):
    """整改 of a bad rating: a callback to the resident, a result by a deadline in working days."""

    id = UUID(primary_key=True)
    evaluation = ForeignKey(references=Evaluation, on_delete=OnDelete.restrict, unique=True)
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    region_code = Varchar(length=12, default="", index=True)
    status = Varchar(length=16, default="open", index=True)  # open | resolved | closed | voided
    opened_on = Date()
    callback_due = Date()
    deadline = Date(index=True)
    callback_at = Timestamptz(null=True, default=None)
    callback_reached = Integer(null=True, default=None)  # 1 reached, 0 not reached
    callback_note = Text(default="")
    callback_by = UUID(null=True, default=None)
    result = Text(default="")
    resolved_at = Timestamptz(null=True, default=None)
    resolved_on = Date(null=True, default=None)
    resolved_by = UUID(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class Appeal(Table, tablename="evaluation_appeal"):
    """申诉: a department asks an administrator to void a rating it thinks unfair (one per rating)."""

    id = UUID(primary_key=True)
    evaluation = ForeignKey(references=Evaluation, on_delete=OnDelete.restrict, unique=True)
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    reason = Text()
    status = Varchar(length=16, default="pending", index=True)  # pending | upheld | rejected
    filed_by = UUID(null=True, default=None)
    filed_at = Timestamptz(default=TimestamptzNow())
    decided_by = UUID(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    version = Integer(default=1)
