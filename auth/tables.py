"""Accounts, sessions and one-time codes.

Phones and ID numbers are stored encrypted with a blind index for lookup (see ``core.pii``);
only their masked forms are kept in clear for display.
"""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from regions.tables import Department


class Resident(Table, tablename="resident"):
    """A natural person's account, identified by a mobile number and then by real name."""

    id = UUID(primary_key=True)
    phone_index = Varchar(length=64, unique=True)
    phone_enc = Bytea()
    phone_masked = Varchar(length=16)
    name = Varchar(length=64, default="")
    id_number_index = Varchar(length=64, null=True, default=None, unique=True)
    id_number_enc = Bytea(null=True, default=None)
    id_number_masked = Varchar(length=24, default="")
    birth_date = Date(null=True, default=None)
    gender = Varchar(length=8, default="")
    region_code = Varchar(length=12, default="")  # household registration (户籍地)
    realname_verified_at = Timestamptz(null=True, default=None)
    elder_mode = Boolean(default=False)
    preferences = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)


class Enterprise(Table, tablename="enterprise"):
    """A legal person (法人) known to the platform, keyed by its unified social credit code."""

    id = UUID(primary_key=True)
    credit_code = Varchar(length=18, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=32, default="company")  # company | individual_business | institution | social_org
    legal_rep_name = Varchar(length=64)
    legal_rep_id_index = Varchar(length=64, index=True)
    region_code = Varchar(length=12, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class EnterpriseStaff(Table, tablename="enterprise_staff"):
    """A resident authorised to act for an enterprise (经办人), granted by its legal representative."""

    id = UUID(primary_key=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    resident = ForeignKey(references=Resident, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=16, default="staff")  # legal_rep | staff
    granted_by = ForeignKey(references=Resident, on_delete=OnDelete.restrict, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    valid_until = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Clerk(Table, tablename="clerk"):
    """Back-office staff bound to one department in one region, with roles."""

    id = UUID(primary_key=True)
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=64)
    password_hash = Varchar(length=200)
    totp_secret_enc = Bytea()
    department = ForeignKey(references=Department, on_delete=OnDelete.restrict, null=True, index=True)
    region_code = Varchar(length=12, index=True)
    roles = Varchar(length=200, default="")  # comma-separated: window,reviewer,head,admin,auditor
    last_totp_step = Integer(default=0)  # a TOTP code is accepted once
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Session(Table, tablename="session"):
    """A server-side session; the client holds only a random token whose hash is the id."""

    id = Varchar(length=64, primary_key=True)
    subject_kind = Varchar(length=16)  # resident | clerk
    subject_id = UUID(index=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    idle_seconds = Integer()
    step_up_at = Timestamptz(null=True, default=None)
    acting_kind = Varchar(length=16, default="")  # "" | enterprise | resident (a proxy grant)
    acting_id = UUID(null=True, default=None)
    acting_via = UUID(null=True, default=None)  # the staff authorisation or proxy grant relied on
    channel = Varchar(length=16, default="app")
    user_agent = Varchar(length=200, default="")
    revoked_at = Timestamptz(null=True, default=None)


class SmsCode(Table, tablename="sms_code"):
    """A one-time code sent to a phone: single use, 10 minutes, a few attempts."""

    id = UUID(primary_key=True)
    phone_index = Varchar(length=64, index=True)
    purpose = Varchar(length=32)  # login | step_up | grant
    code_hash = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    attempts = Integer(default=0)
    used_at = Timestamptz(null=True, default=None)


class DevSms(Table, tablename="dev_sms"):
    """Messages the development SMS sender 'delivered' (only written in development mode)."""

    id = UUID(primary_key=True)
    phone = Varchar(length=20, index=True)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())
