"""Dependencies and guards shared by the route modules."""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency

from auth.context import Caller
from core.errors import ProblemError

SECURITY: list[dict[str, list[str]]] = [{"session": []}, {"bearer": []}]
IDEMPOTENT = {"idempotent": True}


async def require_caller(request: Request) -> Caller:
    caller = request.scope.get("zb.caller")  # type: ignore[call-overload]
    if caller is None:
        raise ProblemError("session_expired" if request.scope.get("zb.session_invalid") else "unauthenticated")  # type: ignore[call-overload]
    return caller


async def optional_caller(request: Request) -> Caller | None:
    return request.scope.get("zb.caller")  # type: ignore[call-overload]


def resident(caller: Caller, *, verified: bool = True, proxies: bool = True) -> Caller:
    """A resident's session; ``proxies=False`` refuses agents acting under a proxy grant (403
    ``proxy_not_allowed``) on operations that only the account holder may perform."""
    if caller.kind != "resident":
        raise ProblemError("forbidden")
    if not proxies and caller.basis == "proxy":
        raise ProblemError("proxy_not_allowed")
    if verified and caller.principal is None:
        raise ProblemError("realname_required")
    return caller


def clerk(caller: Caller, *roles: str) -> Caller:
    if caller.kind != "clerk" or (roles and not caller.has_role(*roles)):
        raise ProblemError("forbidden")
    return caller


CallerDep = NamedDependency[Caller]
"""The authenticated caller (401 when there is none), injected by name."""
