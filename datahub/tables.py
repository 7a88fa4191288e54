"""Built-in authoritative registers (the embedded default behind the data-source adapters).

A production deployment points the adapters at the real registries over HTTP; these tables carry
the demo records and let a small deployment run without any external system.
"""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Bytea, Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PopulationRecord(Table, tablename="population_record"):
    """人口库 / 户籍库: one person as the public-security register knows them."""

    id = UUID(primary_key=True)
    id_number_index = Varchar(length=64, unique=True)
    id_number_enc = Bytea()
    name = Varchar(length=64)
    gender = Varchar(length=8)
    ethnicity = Varchar(length=16, default="汉族")
    birth_date = Date()
    household_region = Varchar(length=12, index=True)
    household_address = Text(default="")
    household_head_index = Varchar(length=64, default="")
    relation_to_head = Varchar(length=16, default="")
    residence_region = Varchar(length=12, default="")
    deceased = Boolean(default=False)
    guardians = JSON(default="[]")  # blind indexes of legal guardians
    disability = Varchar(length=32, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class EnterpriseRecord(Table, tablename="enterprise_record"):
    """法人库: one market entity as the market-regulation register knows it."""

    id = UUID(primary_key=True)
    credit_code = Varchar(length=18, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=32, default="company")
    legal_rep_name = Varchar(length=64)
    legal_rep_id_index = Varchar(length=64, index=True)
    region_code = Varchar(length=12, index=True)
    address = Text(default="")
    established_on = Date()
    status = Varchar(length=16, default="active")  # active | revoked | cancelled
    registered_capital_wan = Varchar(length=20, default="0")
    industry = Varchar(length=64, default="")
    scope = Text(default="")
    attributes = JSON(default="{}")  # employees, revenue band, high-tech flag, …
    updated_at = Timestamptz(default=TimestamptzNow())
