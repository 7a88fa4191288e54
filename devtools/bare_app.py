"""The benchmark baseline: the smallest Litestar JSON endpoint, served like the real app."""

from __future__ import annotations

from litestar import Litestar, get


@get("/bare", sync_to_thread=False)
def bare() -> dict[str, object]:
    return {"ok": True, "items": [1, 2, 3]}


def create() -> Litestar:
    return Litestar(route_handlers=[bare], logging_config=None)
