"""The text in a QR code: ``PREFIX`` + Base45(zlib?(COSE_Sign1)).

Decoding is defensive in a fixed order, each step bounded before the next runs: the prefix and the
length of the text are checked before any decoding, Base45 is decoded, and zlib output is capped
(a "decompression bomb" stops at :data:`MAX_COSE_BYTES`). Nothing here reads a claim.
"""

from __future__ import annotations

import zlib

import base45

LICENCE_PREFIX = "ZL1:"
"""Static licence code (证照码): long-lived, carries the status-list reference."""
PRESENTATION_PREFIX = "ZP1:"
"""Presentation code (亮证码): one purpose, chosen fields, a one-time id, minutes of validity."""
PREFIXES = (LICENCE_PREFIX, PRESENTATION_PREFIX)

MAX_TEXT = 1200
"""Longest QR text accepted (QR version 40-M holds 1,852 alphanumeric characters; ours stay under 430)."""
MAX_COSE_BYTES = 2048
"""Largest COSE_Sign1 accepted after decompression."""
ZLIB_FIRST_BYTE = 0x78


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUES = bytes(ALPHABET.find(chr(c)) if chr(c) in ALPHABET else 0xFF for c in range(256))
_DIGITS = bytes(range(45))


def b45decode(text: str) -> bytes:
    """RFC 9285 Base45 without a per-character Python loop.

    Each triplet ``c0 c1 c2`` is ``c0 + 45·c1 + 2025·c2``. The digits of all triplets are spread
    into 3-byte slots of three big integers, combined with one multiply-add (a slot never
    carries: 44·2071 < 2^24), and the slots cut back into 2-byte groups — a few C-level slice
    operations instead of one dictionary lookup per triplet. The verify hot path spends more
    time here than anywhere but the signature check.
    """
    try:
        values = text.encode("ascii").translate(_VALUES)
    except UnicodeEncodeError as exc:
        raise ValueError("not Base45") from exc
    if values.translate(None, _DIGITS):
        raise ValueError("not Base45")
    rest = len(values) % 3
    if rest == 1:
        raise ValueError("not Base45")
    full = len(values) - rest
    out = bytearray()
    if full:
        slots = bytearray(full)
        slots[2::3] = values[0:full:3]
        low = int.from_bytes(slots, "big")
        slots[2::3] = values[1:full:3]
        mid = int.from_bytes(slots, "big")
        slots[2::3] = values[2:full:3]
        high = int.from_bytes(slots, "big")
        combined = (low + 45 * mid + 2025 * high).to_bytes(full, "big")
        if combined[0::3].strip(b"\0"):
            raise ValueError("not Base45")  # a triplet above 65535
        out = bytearray(full // 3 * 2)
        out[0::2] = combined[1::3]
        out[1::2] = combined[2::3]
    if rest == 2:
        value = values[-2] + 45 * values[-1]
        if value > 255:
            raise ValueError("not Base45")
        out.append(value)
    return bytes(out)


class WireError(ValueError):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


def encode(cose: bytes, prefix: str) -> str:
    """Compress only when that makes the code shorter (small codes usually do not shrink)."""
    packed = zlib.compress(cose, 9)
    body = packed if len(packed) < len(cose) else cose
    return prefix + base45.b45encode(body).decode("ascii")


def decode(text: str) -> tuple[str, bytes]:
    """(prefix, COSE bytes) of a QR text; raises :class:`WireError` with the verification result code."""
    if len(text) > MAX_TEXT:
        raise WireError("oversized", f"{len(text)} characters")
    prefix = text[:4]
    if prefix != LICENCE_PREFIX and prefix != PRESENTATION_PREFIX:
        text = text.strip()
        prefix = text[:4]
        if prefix not in PREFIXES:
            raise WireError("wrong_prefix")
    try:
        raw = b45decode(text[4:].rstrip() if text[-1:].isspace() else text[4:])
    except ValueError as exc:
        raise WireError("malformed", "not Base45") from exc
    if not raw:
        raise WireError("malformed", "empty")
    if raw[0] == ZLIB_FIRST_BYTE:
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(raw, MAX_COSE_BYTES + 1)
        except zlib.error as exc:
            raise WireError("malformed", "broken zlib stream") from exc
        if len(out) > MAX_COSE_BYTES or inflater.unconsumed_tail:
            raise WireError("decompression_bomb", "inflates beyond the cap")
        if not inflater.eof:
            raise WireError("malformed", "truncated zlib stream")
        raw = out
    if len(raw) > MAX_COSE_BYTES:
        raise WireError("oversized", f"{len(raw)} bytes")
    return prefix, raw
