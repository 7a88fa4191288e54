"""Applications (办件), their append-only history, materials, supplement notices and files."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from auth.tables import Clerk, Enterprise, Resident
from catalogue.tables import Matter, MatterVersion
from regions.tables import Department


class Application(Table, tablename="application"):
    id = UUID(primary_key=True)
    number = Varchar(length=32, unique=True)  # 办件编号 shown to people
    matter = ForeignKey(references=Matter, on_delete=OnDelete.restrict, index=True)
    matter_version = ForeignKey(references=MatterVersion, on_delete=OnDelete.restrict)
    matter_name = Varchar(length=200)
    applicant_kind = Varchar(length=16)  # person | enterprise
    applicant_resident = ForeignKey(references=Resident, on_delete=OnDelete.restrict, null=True, index=True)
    applicant_enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, null=True, index=True)
    applicant_name = Varchar(length=200, default="")
    actor_kind = Varchar(length=16)  # resident | clerk | system | peer
    actor_id = UUID(null=True, default=None)
    basis = Varchar(length=16, default="self")  # self | staff | proxy | window | federation
    via_id = UUID(null=True, default=None)  # staff authorisation or proxy grant
    channel = Varchar(length=16, default="app")  # app | window | federation
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, index=True)
    receiving_region = Varchar(length=12, index=True)
    handling_region = Varchar(length=12, index=True)
    status = Varchar(length=32, default="draft", index=True)
    version = Integer(default=1)
    form = Text(default="{}")
    assigned_clerk = ForeignKey(references=Clerk, on_delete=OnDelete.restrict, null=True, index=True)
    instant = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    # the legal clock (working days, see applications.legal_clock)
    clock_state = Varchar(length=16, default="idle")  # idle | running | stopped | done
    clock_limit_days = Integer(default=0)
    clock_used_days = Integer(default=0)
    clock_since = Date(null=True, default=None)  # when it last started or resumed
    clock_stop_reason = Varchar(length=32, default="")
    due_on = Date(null=True, default=None, index=True)
    extension_days = Integer(default=0)
    decision = Varchar(length=16, default="")  # approved | denied
    decision_basis = Text(default="")
    result = Text(default="{}")


class ApplicationEvent(Table, tablename="application_event"):
    """One step of an application's history; rows are only ever inserted."""

    id = UUID(primary_key=True)
    application = ForeignKey(references=Application, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    action = Varchar(length=32)
    from_status = Varchar(length=32, default="")
    to_status = Varchar(length=32)
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    actor_label = Varchar(length=128, default="")
    on_behalf_kind = Varchar(length=16, default="")
    on_behalf_id = UUID(null=True, default=None)
    public_text = Text(default="")
    internal_note = Text(default="")
    data = Text(default="{}")
    at = Timestamptz(default=TimestamptzNow())


class StoredFile(Table, tablename="stored_file"):
    """Metadata of an upload; the bytes live on disk under their SHA-256 (stored once)."""

    id = UUID(primary_key=True)
    sha256 = Varchar(length=64, index=True)
    size = BigInt()
    mime = Varchar(length=100)
    original_name = Varchar(length=200, default="")
    owner_key = Varchar(length=64, index=True)  # "person:<uuid>" | "enterprise:<uuid>"
    uploaded_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ApplicationMaterial(Table, tablename="application_material"):
    """How one required material was satisfied: an upload, an e-licence, or an earlier submission."""

    id = UUID(primary_key=True)
    application = ForeignKey(references=Application, on_delete=OnDelete.restrict, index=True)
    material_code = Varchar(length=64)
    kind = Varchar(length=64, default="")  # the standard material kind shared across matters
    source = Varchar(length=16)  # upload | licence | reuse
    file = ForeignKey(references=StoredFile, on_delete=OnDelete.restrict, null=True)
    licence_id = UUID(null=True, default=None)
    reused_from = UUID(null=True, default=None)
    owner_key = Varchar(length=64, index=True)
    consent_at = Timestamptz(null=True, default=None)
    round = Integer(default=0)  # 0 = with the application, n = the n-th supplement
    status = Varchar(length=16, default="provided")  # provided | rejected | superseded
    added_at = Timestamptz(default=TimestamptzNow())


class SupplementNotice(Table, tablename="supplement_notice"):
    """一次性告知: everything missing, listed once."""

    id = UUID(primary_key=True)
    application = ForeignKey(references=Application, on_delete=OnDelete.restrict, index=True)
    items = Text()  # [{"kind": "material"|"field", "code": …, "reason": …}]
    note = Text(default="")
    requested_by = UUID(null=True, default=None)
    requested_at = Timestamptz(default=TimestamptzNow())
    respond_by = Date(null=True, default=None)
    responded_at = Timestamptz(null=True, default=None)
