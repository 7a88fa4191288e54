"""IETF Token Status List (draft-ietf-oauth-status-list): 2 bits per licence, zlib-compressed.

Entry ``i`` lives in byte ``i // 4`` at bit offset ``2 * (i % 4)`` counted from the least significant
bit, as the draft specifies. Values: 0 valid, 1 invalid (revoked), 2 suspended, 3 unused here.
Indices are drawn at random (:func:`random_index`) so a licence's position says nothing about when
it was issued or about its neighbours.
"""

from __future__ import annotations

import secrets
import zlib

BITS = 2
VALID, REVOKED, SUSPENDED = 0, 1, 2
STATUS_NAMES = {VALID: "valid", REVOKED: "revoked", SUSPENDED: "suspended", 3: "revoked"}
MAX_INFLATED = 64 * 1024 * 1024
"""Cap on an imported list's decompressed size (2^28 entries)."""


def build(size: int, entries: dict[int, int] | list[tuple[int, int]]) -> bytearray:
    """Raw list of ``size`` entries, every one valid except ``entries`` (index → status)."""
    raw = bytearray((size * BITS + 7) // 8)
    for index, status in entries.items() if isinstance(entries, dict) else entries:
        if status:
            raw[index >> 2] |= (status & 3) << ((index & 3) * 2)
    return raw


def compress(raw: bytes | bytearray) -> bytes:
    return zlib.compress(bytes(raw), 9)


def decompress(data: bytes, *, limit: int = MAX_INFLATED) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise ValueError("status list inflates beyond the cap")
    return out


def status_at(raw: bytes, index: int) -> int | None:
    """The entry at ``index``; ``None`` when the list is shorter (treated as an unknown reference)."""
    byte = index >> 2
    if index < 0 or byte >= len(raw):
        return None
    return (raw[byte] >> ((index & 3) * 2)) & 3


def random_index(size: int) -> int:
    return secrets.randbelow(size)
