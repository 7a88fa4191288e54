"""Clerk credentials: argon2id password hashes and RFC 6238 TOTP codes accepted once."""

from __future__ import annotations

import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core import pii

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A fixed hash to verify against when the username does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("zhangban-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def encrypt_totp_secret(secret: str) -> bytes:
    return pii.encrypt(secret, context="clerk.totp_secret")


def decrypt_totp_secret(token: bytes) -> str:
    return pii.decrypt(token, context="clerk.totp_secret")


def totp_step(secret: str, code: str, last_step: int, at: float | None = None) -> int | None:
    """The time step ``code`` belongs to (±1 step of clock drift), or None.

    A step at or before ``last_step`` is refused, so an observed code cannot be replayed.
    """
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = int(now // totp.interval)
    for step in (current, current - 1, current + 1):
        if step > last_step and totp.verify(code, for_time=step * totp.interval):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="掌办")
