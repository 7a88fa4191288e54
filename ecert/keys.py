"""Authorities and their signing keys: create, rotate, retire, withdraw.

Private keys are stored PKCS#8-serialised and AES-256-GCM encrypted under ``ecert-keys.key``, a
secret kept outside the database (``core.secrets``); the kid is bound as associated data, so a
ciphertext copied onto another key row does not decrypt. Decrypted keys are cached per process.

Lifecycle of a key:

* **active** — signs; an authority may have two active keys during a rotation (the newest signs);
* **retired** — signs nothing more, but what it signed verifies until it expires: the trust bundle
  keeps it, with ``retired_at``, until ``last_signed_exp`` has passed;
* **withdrawn** — compromised: the bundle lists it as withdrawn and everything it signed fails.

Every operation is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from audit import log as audit
from core import db, errors, secrets, timeutil
from core.errors import ProblemError
from ecert import cose
from ecert.tables import Authority, SigningKey

errors.register("authority_not_found", 404, "没有找到这个发证机关。", "No such issuing authority.")
errors.register("key_not_found", 404, "没有找到这个签名密钥。", "No such signing key.")
errors.register(
    "key_state_invalid",
    409,
    "这个密钥当前的状态不允许这样操作。",
    "The key's current state does not allow this operation.",
)
errors.register(
    "last_active_key",
    409,
    "这是该机关唯一的有效密钥，请先轮换出新密钥再停用它。",
    "This is the authority's only active key; rotate in a new one first.",
)
errors.register("algorithm_not_supported", 422, "不支持这种签名算法。", "This signature algorithm is not supported.")

MAX_ACTIVE = 2
_VERSION = b"\x01"
on_change: list[Callable[[], None]] = []
"""Called after any key change (the trust bundle cache registers itself here)."""


def _changed() -> None:
    for callback in on_change:
        callback()


@lru_cache(maxsize=1)
def _aead() -> AESGCM:
    return AESGCM(secrets.load_or_create("ecert-keys.key", 32))


def reset_caches() -> None:
    _aead.cache_clear()
    _private.cache_clear()


def encrypt_private(key: cose.PrivateKey, kid: bytes) -> bytes:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    nonce = os.urandom(12)
    return _VERSION + nonce + _aead().encrypt(nonce, der, b"ecert.signing_key:" + kid)


@lru_cache(maxsize=256)
def _private(kid_hex: str, token: bytes) -> cose.PrivateKey:
    if token[:1] != _VERSION:
        raise ValueError("unknown key ciphertext version")
    der = _aead().decrypt(token[1:13], token[13:], b"ecert.signing_key:" + bytes.fromhex(kid_hex))
    key = serialization.load_der_private_key(der, password=None)
    return key  # type: ignore[return-value]


def private_key(row: dict[str, Any]) -> cose.PrivateKey:
    return _private(row["kid"], bytes(row["private_key_enc"]))


async def create_key(authority_id: uuid.UUID, *, alg: int, actor: audit.Actor, reason: str = "") -> dict[str, Any]:
    if alg not in cose.ALGORITHMS:
        raise ProblemError("algorithm_not_supported", field="alg")
    private = cose.ALGORITHMS[alg].generate()
    public = private.public_key()
    kid = cose.kid_of(public)
    row = {
        "id": timeutil.uuid7(),
        "authority": authority_id,
        "kid": kid.hex(),
        "alg": alg,
        "public_key": cose.spki(public),
        "private_key_enc": encrypt_private(private, kid),
        "state": "active",
        "created_at": timeutil.now(),
        "reason": reason,
    }
    async with db.write_tx():
        await SigningKey.insert(SigningKey(**row))
        await audit.append(
            "ecert.key.create",
            actor=actor,
            object_type="ecert_signing_key",
            object_id=row["id"],
            details={"authority": str(authority_id), "kid": row["kid"], "alg": alg, "reason": reason},
        )
    _changed()
    return row


async def ensure_authority(
    *,
    code: str,
    name: str,
    region_code: str,
    licence_types: list[str],
    department_id: uuid.UUID | None,
    kind: str = "issuer",
    alg: int = cose.EDDSA,
    actor: audit.Actor = audit.SYSTEM,
) -> dict[str, Any]:
    """The authority ``code``, created with its first key when missing; new licence types are added."""
    async with db.write_tx():
        row = await db.for_update(Authority.select().where(Authority.code == code)).first()
        if row is not None:
            have = list(_json(row["licence_types"]))
            missing = [t for t in licence_types if t not in have]
            if missing:
                await Authority.update({Authority.licence_types: msgspec.json.encode(have + missing).decode()}).where(
                    Authority.id == row["id"]
                )
                row["licence_types"] = have + missing
            return row
        row = {
            "id": timeutil.uuid7(),
            "code": code,
            "name": name,
            "kind": kind,
            "department": department_id,
            "region_code": region_code,
            "province_code": region_code[:2] + "0000",
            "licence_types": msgspec.json.encode(licence_types).decode(),
            "created_at": timeutil.now(),
        }
        await Authority.insert(Authority(**row))
        await audit.append(
            "ecert.authority.create",
            actor=actor,
            object_type="ecert_authority",
            object_id=row["id"],
            details={"code": code, "licence_types": licence_types},
        )
        await create_key(row["id"], alg=alg, actor=actor, reason="initial key")
        return row


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


async def signing_key(authority_id: uuid.UUID) -> dict[str, Any]:
    """The key that signs now: the newest active one."""
    row = (
        await SigningKey.select()
        .where((SigningKey.authority == authority_id) & (SigningKey.state == "active"))
        .order_by(SigningKey.created_at, ascending=False)
        .first()
    )
    if row is None:
        raise ProblemError("key_not_found")
    return row


NOTE_SLACK = dt.timedelta(days=1)


async def note_signed(key_row: dict[str, Any], expires: dt.datetime) -> None:
    """Remember the latest expiry this key vouches for (how long a retired key must stay trusted).

    Recorded a day ahead, so that fetching codes does not write on every request: the bundle keeps a
    retired key at most a day longer than strictly needed.
    """
    known = key_row.get("last_signed_exp")
    if known is not None and known >= expires:
        return
    expires = expires + NOTE_SLACK
    key_id = key_row["id"]
    await SigningKey.raw(
        'UPDATE "ecert_signing_key" SET "last_signed_exp" = {} '
        'WHERE "id" = {} AND ("last_signed_exp" IS NULL OR "last_signed_exp" < {})',
        expires,
        key_id,
        expires,
    )
    key_row["last_signed_exp"] = expires


async def _load(key_id: uuid.UUID) -> dict[str, Any]:
    row = await db.for_update(SigningKey.select().where(SigningKey.id == key_id)).first()
    if row is None:
        raise ProblemError("key_not_found")
    return row


async def rotate(authority_id: uuid.UUID, *, alg: int, actor: audit.Actor, reason: str) -> dict[str, Any]:
    """Add a new active key; with more than two active keys the oldest is retired."""
    async with db.write_tx():
        if await Authority.count().where(Authority.id == authority_id) == 0:
            raise ProblemError("authority_not_found")
        new = await create_key(authority_id, alg=alg, actor=actor, reason=reason or "rotation")
        active = (
            await SigningKey.select(SigningKey.id)
            .where((SigningKey.authority == authority_id) & (SigningKey.state == "active"))
            .order_by(SigningKey.created_at, ascending=False)
        )
        for old in active[MAX_ACTIVE:]:
            await retire(old["id"], actor=actor, reason="rotated out")
        await audit.append(
            "ecert.key.rotate",
            actor=actor,
            object_type="ecert_authority",
            object_id=authority_id,
            details={"new_kid": new["kid"], "reason": reason},
        )
    return new


async def retire(key_id: uuid.UUID, *, actor: audit.Actor, reason: str) -> dict[str, Any]:
    async with db.write_tx():
        row = await _load(key_id)
        if row["state"] != "active":
            raise ProblemError("key_state_invalid", extra={"state": row["state"]})
        others = await SigningKey.count().where(
            (SigningKey.authority == row["authority"]) & (SigningKey.state == "active") & (SigningKey.id != key_id)
        )
        if others == 0:
            raise ProblemError("last_active_key")
        now = timeutil.now()
        await SigningKey.update(
            {SigningKey.state: "retired", SigningKey.retired_at: now, SigningKey.reason: reason}
        ).where(SigningKey.id == key_id)
        await audit.append(
            "ecert.key.retire",
            actor=actor,
            object_type="ecert_signing_key",
            object_id=key_id,
            details={"kid": row["kid"], "reason": reason},
        )
        _changed()
        return {**row, "state": "retired", "retired_at": now, "reason": reason}


async def withdraw(key_id: uuid.UUID, *, actor: audit.Actor, reason: str) -> dict[str, Any]:
    """A compromised key: everything it signed stops verifying. The authority gets a fresh key
    at once when this was its last active one, so issuing never stops."""
    async with db.write_tx():
        row = await _load(key_id)
        if row["state"] == "withdrawn":
            raise ProblemError("key_state_invalid", extra={"state": row["state"]})
        now = timeutil.now()
        await SigningKey.update(
            {SigningKey.state: "withdrawn", SigningKey.withdrawn_at: now, SigningKey.reason: reason}
        ).where(SigningKey.id == key_id)
        await audit.append(
            "ecert.key.withdraw",
            actor=actor,
            object_type="ecert_signing_key",
            object_id=key_id,
            details={"kid": row["kid"], "reason": reason},
        )
        active = await SigningKey.count().where(
            (SigningKey.authority == row["authority"]) & (SigningKey.state == "active")
        )
        if active == 0:
            await create_key(row["authority"], alg=row["alg"], actor=actor, reason=f"replaces withdrawn {row['kid']}")
        _changed()
        return {**row, "state": "withdrawn", "withdrawn_at": now, "reason": reason}
