"""The platform's VAPID key pair (RFC 8292), generated on first run and kept outside the database.

The private key is a P-256 scalar stored as a secret (``core.secrets``: a 0600 file created with
``O_EXCL``, so workers starting together agree on one key, or ``ZB_SECRET_VAPID_P256`` from a
vault). A database dump therefore cannot sign pushes. Browsers bind a subscription to the public
key they were given, so the key must not change once residents have subscribed.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from core import secrets, settings

KEY_FILE = "vapid-p256"  # the name of the secret, not a secret
# Order of the P-256 group: a private scalar lies in [1, n - 1].
_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

_cache: dict[bytes, Vapid02] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signer() -> Vapid02:
    """The key as py_vapid wants it (cached per secret value)."""
    raw = secrets.load_or_create(KEY_FILE, 32)
    found = _cache.get(raw)
    if found is None:
        # Any 32 random bytes map onto a valid scalar; the reduction's bias is below 2**-128.
        scalar = int.from_bytes(raw, "big") % (_ORDER - 1) + 1
        found = Vapid02(ec.derive_private_key(scalar, ec.SECP256R1()))
        _cache.clear()
        _cache[raw] = found
    return found


def public_key_bytes() -> bytes:
    """The uncompressed P-256 point (65 bytes) browsers take as ``applicationServerKey``."""
    return signer().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def public_key() -> str:
    """The public key, base64url without padding, as ``pushManager.subscribe`` expects it."""
    return _b64url(public_key_bytes())


def claims() -> dict[str, str | int]:
    """A fresh claims dict for one send: pywebpush fills in ``aud`` and ``exp`` in place."""
    return {"sub": settings.get().push_subject}
