"""Extension points: other packages react to application events inside the same transaction.

* ``after_submit`` — runs right after an application is submitted (instant approval decides here);
* ``on_transition[action]`` — runs after a move (e-licence issuance listens to ``issue_result``);
* ``licence_resolver`` — turns a licence reference into a material (免证办理), set by ``ecert``;
* ``scope_checks`` — extra per-action authorisation for callers acting under a proxy grant.

Hooks run in the caller's transaction: if one fails, the whole move is rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec


class MoveContext(msgspec.Struct, kw_only=True):
    """What a hook gets: the application after the move and who made it."""

    application: dict[str, Any]
    action: str
    actor: Any  # audit.Actor
    caller: Any = None  # auth.context.Caller or None for the system
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class LicenceMaterial(msgspec.Struct, frozen=True):
    licence_id: uuid.UUID
    licence_type: str
    title: str
    valid: bool


SubmitHook = Callable[[MoveContext], Awaitable[None]]
TransitionHook = Callable[[MoveContext], Awaitable[None]]
LicenceResolver = Callable[[str, uuid.UUID, list[str]], Awaitable[LicenceMaterial | None]]
ScopeCheck = Callable[[Any, dict[str, Any], str], Awaitable[bool]]

after_submit: list[SubmitHook] = []
on_transition: dict[str, list[TransitionHook]] = {}
licence_resolver: LicenceResolver | None = None
scope_checks: dict[str, ScopeCheck] = {}


def on(action: str, hook: TransitionHook) -> None:
    on_transition.setdefault(action, []).append(hook)


def set_licence_resolver(resolver: LicenceResolver) -> None:
    global licence_resolver
    licence_resolver = resolver


async def run_transition_hooks(context: MoveContext) -> None:
    for hook in on_transition.get(context.action, []):
        await hook(context)
