"""Personal data at rest and on display.

ID numbers are stored encrypted with AES-256-GCM (the column is bound as associated data, so a
ciphertext moved into another column does not decrypt) and looked up by an HMAC-SHA256 blind index.
Every response and log line shows them masked as ``3601**********1234``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core import secrets

_VERSION = b"\x01"


@lru_cache(maxsize=1)
def _keys() -> tuple[AESGCM, bytes]:
    return AESGCM(secrets.load_or_create("pii.key", 32)), secrets.load_or_create("blind-index.key", 32)


def reset_key_cache() -> None:
    """Forget cached keys (tests switch secrets directories)."""
    _keys.cache_clear()


def encrypt(plaintext: str, *, context: str) -> bytes:
    """Encrypt ``plaintext``; ``context`` (e.g. ``"resident.id_number"``) is bound as associated data."""
    aead, _ = _keys()
    nonce = os.urandom(12)
    return _VERSION + nonce + aead.encrypt(nonce, plaintext.encode(), context.encode())


def decrypt(token: bytes, *, context: str) -> str:
    if not token or token[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    aead, _ = _keys()
    return aead.decrypt(token[1:13], token[13:], context.encode()).decode()


def blind_index(value: str, *, kind: str) -> str:
    """Deterministic keyed digest for equality lookup (``kind`` separates ID numbers from phones)."""
    _, key = _keys()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "*" * len(phone)


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜: enough for the person to recognise, not to identify."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


_ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_PATTERN = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def scrub(text: str) -> str:
    """Mask anything that looks like an ID or mobile number (last line of defence for logs)."""
    text = _ID_PATTERN.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3)[-4:], text)
    return _PHONE_PATTERN.sub(lambda m: m.group(1) + "****" + m.group(3), text)
