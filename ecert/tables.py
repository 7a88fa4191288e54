"""E-licence tables: authorities and their keys, licences, status lists, presentations, the replay
register, the verification log and imported trust bundles."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from regions.tables import Department


class Authority(Table, tablename="ecert_authority"):
    """An issuing authority (发证机关): a competent department, or the province's root (``kind=root``)."""

    id = UUID(primary_key=True)
    code = Varchar(length=64, unique=True)  # e.g. 360100.gaj — the CWT ``iss``
    name = Varchar(length=200)
    kind = Varchar(length=16, default="issuer")  # issuer | root
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    region_code = Varchar(length=12, index=True)
    province_code = Varchar(length=12, index=True)
    licence_types = JSON(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())


class SigningKey(Table, tablename="ecert_signing_key"):
    """A key of an authority. The private half is AES-GCM encrypted with a key outside the database."""

    id = UUID(primary_key=True)
    authority = ForeignKey(references=Authority, on_delete=OnDelete.restrict, index=True)
    kid = Varchar(length=16, unique=True)  # hex of the 8-byte kid
    alg = Integer()
    public_key = Bytea()  # DER SubjectPublicKeyInfo
    private_key_enc = Bytea()
    state = Varchar(length=16, default="active", index=True)  # active | retired | withdrawn
    created_at = Timestamptz(default=TimestamptzNow())
    retired_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    reason = Text(default="")
    last_signed_exp = Timestamptz(null=True, default=None)
    """The latest expiry of anything this key signed: a retired key stays in the bundle until then."""


class StatusList(Table, tablename="ecert_status_list"):
    id = UUID(primary_key=True)
    uri = Varchar(length=200, unique=True)
    size = Integer()
    used = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Licence(Table, tablename="ecert_licence"):
    """One e-licence in a wallet. Its fields are encrypted at rest; ID numbers are stored masked only."""

    id = UUID(primary_key=True)
    serial = Varchar(length=32, unique=True)  # the CWT ``sub``: opaque, never an ID number
    licence_type = Varchar(length=48, index=True)
    dict_version = Integer(default=1)
    title = Varchar(length=200)
    holder_key = Varchar(length=64, index=True)  # person:<uuid> | enterprise:<uuid>
    holder_name = Varchar(length=200, default="")
    authority = ForeignKey(references=Authority, on_delete=OnDelete.restrict, index=True)
    region_code = Varchar(length=12, index=True)
    fields_enc = Bytea()
    status = Varchar(length=16, default="valid", index=True)  # valid | suspended | revoked
    status_reason = Text(default="")
    status_list = ForeignKey(references=StatusList, on_delete=OnDelete.restrict, index=True)
    status_index = Integer()
    status_slot = Varchar(length=64, unique=True)  # "<list id>:<index>": one licence per entry
    valid_from = Date()
    valid_until = Date(null=True, default=None)  # None: long-term (长期)
    source = Varchar(length=16, default="application")  # application | import
    application_id = UUID(null=True, default=None, index=True)
    issued_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    expiry_notified = Boolean(default=False)
    version = Integer(default=1)


class Presentation(Table, tablename="ecert_presentation"):
    """A code made for a holder: live (亮证, minutes), offline (pre-fetched) or the premises display code."""

    id = UUID(primary_key=True)
    cti = Varchar(length=64, unique=True)  # hex one-time id; the display code's is its serial
    licence = ForeignKey(references=Licence, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16)  # live | offline | display
    purpose = Integer()
    fields = JSON(default="[]")
    created_by = UUID(null=True, default=None)
    basis = Varchar(length=16, default="self")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class SeenOnce(Table, tablename="ecert_seen_once"):
    """The replay register: a one-time id verified here once may not verify again before it expires."""

    id = UUID(primary_key=True)
    key = Varchar(length=96, unique=True)  # <kid hex>:<cti hex>
    expires_at = Timestamptz(index=True)
    seen_at = Timestamptz(default=TimestamptzNow())


class VerificationLog(Table, tablename="ecert_verification_log"):
    """Who verified which licence, when and with what result (the holder reads their own)."""

    id = UUID(primary_key=True)
    licence = ForeignKey(references=Licence, on_delete=OnDelete.restrict, null=True, index=True)
    holder_key = Varchar(length=64, default="", index=True)
    presentation = UUID(null=True, default=None)
    result = Varchar(length=32)
    code_kind = Varchar(length=16, default="")
    purpose = Integer(default=0)
    verifier_kind = Varchar(length=16, default="anonymous")  # anonymous | resident | clerk
    verifier_label = Varchar(length=200, default="")
    channel = Varchar(length=16, default="api")  # api | image
    at = Timestamptz(default=TimestamptzNow(), index=True)


class ForeignBundle(Table, tablename="ecert_foreign_bundle"):
    """Another province's trust bundle, imported by an administrator (互通互认)."""

    id = UUID(primary_key=True)
    province_code = Varchar(length=12, unique=True)
    name = Varchar(length=200, default="")
    root_jwk = JSON()
    bundle = Text()  # the signed JSON document exactly as imported
    issued_at = Timestamptz()
    expires_at = Timestamptz()
    imported_at = Timestamptz(default=TimestamptzNow())
    imported_by = UUID(null=True, default=None)
