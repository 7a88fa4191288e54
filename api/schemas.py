"""Response and request shapes shared across route modules."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import msgspec


class Acting(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["person", "enterprise"]
    id: uuid.UUID
    name: str
    basis: Literal["staff", "proxy"]
    via: uuid.UUID | None = None
    """The staff authorisation or proxy grant relied on (also in the ``X-Acting-Via`` header)."""
    grant_number: str | None = None
    grant_state: str | None = None
    """For proxies: ``active`` while the grant is in force; otherwise why everything now answers 404."""
    valid_until: dt.datetime | None = None
    actions: list[str] = msgspec.field(default_factory=list)


class Me(msgspec.Struct, kw_only=True):
    kind: Literal["resident", "clerk"]
    id: uuid.UUID
    name: str
    phone_masked: str = ""
    id_number_masked: str = ""
    realname_verified: bool = False
    region_code: str = ""
    elder_mode: bool = False
    age: int | None = None
    roles: list[str] = msgspec.field(default_factory=list)
    department: str | None = None
    acting: Acting | None = None
    preferences: dict[str, object] = msgspec.field(default_factory=dict)


class SessionInfo(msgspec.Struct, kw_only=True):
    csrf_token: str
    expires_at: dt.datetime
    idle_timeout_seconds: int
    me: Me
    token: str | None = None
    """Only for ``client: "api"`` logins; browsers get an HttpOnly cookie instead."""


class Ok(msgspec.Struct):
    ok: bool = True
