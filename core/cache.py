"""Small in-process caches for data that is immutable or may be a few seconds stale.

Immutable data (a published matter version's elements) is cached without expiry; reference data
that administrators rarely change (department names) expires after a short TTL, which bounds how
long another worker can serve the old value.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class AsyncCache(Generic[K, V]):
    def __init__(self, loader: Callable[[K], Awaitable[V]], *, maxsize: int = 1024, ttl: float | None = None) -> None:
        self.loader = loader
        self.maxsize = maxsize
        self.ttl = ttl
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    async def get(self, key: K) -> V:
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and (self.ttl is None or now - hit[0] < self.ttl):
            self._items.move_to_end(key)
            return hit[1]
        value = await self.loader(key)
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()
