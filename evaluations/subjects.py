"""What can be rated: each kind of served item registers how to find it and whose it is.

The evaluations package knows applications (the platform core); ``appointments`` and ``hotline``
register their own kinds from their ``wiring.py``, so this package never imports them.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from applications.access import applicant_key
from applications.tables import Application
from core import rows


class Subject(msgspec.Struct, frozen=True, kw_only=True):
    """A rateable item as the evaluation needs it."""

    kind: str
    id: uuid.UUID
    owner_key: str
    label: str
    rateable: bool
    """The service is complete (closed application, finished appointment, answered ticket)."""
    department_id: uuid.UUID | None = None
    matter_id: uuid.UUID | None = None
    hall_id: uuid.UUID | None = None
    region_code: str = ""
    row: dict[str, Any] = msgspec.field(default_factory=dict)
    """The item's row, handed to the proxy scope check (it decides on the principal's data)."""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


Resolver = Callable[[uuid.UUID], Awaitable[Subject | None]]
AfterRated = Callable[[Subject, dict[str, Any], Any], Awaitable[None]]

_resolvers: dict[str, Resolver] = {}
_after_rated: dict[str, list[AfterRated]] = {}


def register(kind: str, resolver: Resolver, *, after_rated: AfterRated | None = None) -> None:
    """Make ``kind`` rateable; ``after_rated(subject, evaluation_row, actor)`` runs in the rating's
    transaction (the hotline closes a ticket once it is rated)."""
    _resolvers[kind] = resolver
    if after_rated is not None:
        _after_rated.setdefault(kind, []).append(after_rated)


def kinds() -> list[str]:
    return sorted(_resolvers)


async def resolve(kind: str, item_id: uuid.UUID) -> Subject | None:
    resolver = _resolvers.get(kind)
    return await resolver(item_id) if resolver else None


async def run_after_rated(subject: Subject, evaluation: dict[str, Any], actor: Any) -> None:
    for hook in _after_rated.get(subject.kind, []):
        await hook(subject, evaluation, actor)


async def application_subject(application_id: uuid.UUID) -> Subject | None:
    """An application is rateable once closed after a decision (the core invites on that move)."""
    row = await rows.one(Application, application_id)
    if row is None:
        return None
    return Subject(
        kind="application",
        id=row["id"],
        owner_key=applicant_key(row),
        label=row["matter_name"],
        rateable=row["status"] == "closed",
        department_id=row["department"],
        matter_id=row["matter"],
        region_code=row["handling_region"],
        row=row,
    )
