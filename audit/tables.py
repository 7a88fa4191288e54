"""The tamper-evident audit log: every state change and every read of a resident's data."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """One link of the hash chain: ``hash = SHA-256(prev_hash ‖ canonical(entry))``."""

    seq = BigInt(primary_key=True)
    at = Timestamptz()
    actor_kind = Varchar(length=16)  # resident | clerk | system | peer | anonymous
    actor_id = Varchar(length=64, default="")
    actor_label = Varchar(length=128, default="")
    on_behalf_kind = Varchar(length=16, default="")
    on_behalf_id = Varchar(length=64, default="")
    grant_id = Varchar(length=64, default="")
    channel = Varchar(length=16, default="")
    purpose = Varchar(length=200, default="")
    action = Varchar(length=64, index=True)
    object_type = Varchar(length=32, default="")
    object_id = Varchar(length=64, default="")
    subject_kind = Varchar(length=16, default="")  # whose data: person | enterprise
    subject_id = Varchar(length=64, default="", index=True)
    application_id = Varchar(length=64, default="")
    details = Text(default="{}")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class AuditCheckpoint(Table, tablename="audit_checkpoint"):
    """A signed statement of the chain head, so truncating the tail is detectable too."""

    id = UUID(primary_key=True)
    seq = BigInt()
    hash = Varchar(length=64)
    at = Timestamptz()
    key_id = Varchar(length=64)
    signature = Varchar(length=200)
