"""Append to and verify the hash-chained audit log.

Each entry's hash covers the previous entry's hash and every field of the entry in a canonical
encoding, so editing, deleting or reordering any row breaks the chain from that row on. Appends
are serialised per database (SQLite's single writer; a transaction-scoped advisory lock on
PostgreSQL) and happen inside the caller's transaction: an audited change and its entry commit or
vanish together. Signed checkpoints of the head make truncating the tail detectable as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.tables import AuditCheckpoint, AuditEntry
from core import db, rows, secrets, timeutil

GENESIS = "0" * 64
_LOCK_KEY = 0x7A62_6175_6469_7400  # "zbaudit\0": the advisory lock that serialises appends on PostgreSQL


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who did something, and for whom (the principal when acting under a grant or for a company)."""

    kind: str  # resident | clerk | system | peer | anonymous
    id: str = ""
    label: str = ""
    on_behalf_kind: str = ""
    on_behalf_id: str = ""
    grant_id: str = ""
    channel: str = ""


SYSTEM = Actor(kind="system", label="系统")

AppendListener = Callable[[dict[str, Any]], Awaitable[None]]
listeners: list[AppendListener] = []
"""Called with each new entry inside its transaction (the proxy package tells principals what their
agents did); a listener that raises rolls the audited change back with it."""

_FIELDS = (
    "seq",
    "at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "on_behalf_kind",
    "on_behalf_id",
    "grant_id",
    "channel",
    "purpose",
    "action",
    "object_type",
    "object_id",
    "subject_kind",
    "subject_id",
    "application_id",
    "details",
    "prev_hash",
)


def _canonical_time(value: dt.datetime | str) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(row: dict[str, Any]) -> str:
    canonical = {name: row[name] for name in _FIELDS}
    canonical["at"] = _canonical_time(row["at"])
    canonical["seq"] = int(row["seq"])
    return hashlib.sha256(msgspec.json.encode(canonical, order="sorted")).hexdigest()


async def append(
    action: str,
    *,
    actor: Actor,
    object_type: str = "",
    object_id: object = "",
    subject_kind: str = "",
    subject_id: object = "",
    application_id: object = "",
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> int:
    """Add one entry inside the current write transaction; returns its sequence number."""
    async with db.write_tx():
        if not db.is_sqlite():
            await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
        head = await AuditEntry.raw('SELECT "seq", "hash" FROM "audit_entry" ORDER BY "seq" DESC LIMIT 1')
        last = head[0] if head else None
        seq = (last["seq"] + 1) if last else 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": timeutil.now(),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "actor_label": actor.label,
            "on_behalf_kind": actor.on_behalf_kind,
            "on_behalf_id": actor.on_behalf_id,
            "grant_id": actor.grant_id,
            "channel": actor.channel,
            "purpose": purpose,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id or ""),
            "subject_kind": subject_kind,
            "subject_id": str(subject_id or ""),
            "application_id": str(application_id or ""),
            "details": msgspec.json.encode(details or {}, order="sorted").decode(),
            "prev_hash": last["hash"] if last else GENESIS,
        }
        row["hash"] = entry_hash(row)
        await rows.insert(AuditEntry, row)
        for listener in listeners:
            await listener(row)
        return seq


class ChainProblem(msgspec.Struct, frozen=True):
    seq: int
    kind: str  # edited | deleted | reordered | truncated | bad_checkpoint
    detail: str


class ChainReport(msgspec.Struct, frozen=True):
    entries: int
    head_seq: int
    head_hash: str
    ok: bool
    problem: ChainProblem | None = None


async def _rows(batch: int = 2000) -> AsyncIterator[dict[str, Any]]:
    after = 0
    while True:
        rows = await AuditEntry.select().where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(batch)
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1]["seq"]


async def verify() -> ChainReport:
    """Walk the chain and report the first entry that was edited, deleted or moved."""
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    hashes: dict[int, str] = {}
    async for row in _rows():
        seq = int(row["seq"])
        recomputed = entry_hash(row)
        if seq != expected_seq:
            return ChainReport(
                count,
                expected_seq - 1,
                prev_hash,
                False,
                ChainProblem(expected_seq, "deleted", f"entry {expected_seq} is missing (next present entry is {seq})"),
            )
        if recomputed != row["hash"]:
            return ChainReport(
                count,
                seq - 1,
                prev_hash,
                False,
                ChainProblem(seq, "edited", f"entry {seq} does not match its hash: its content was changed"),
            )
        if row["prev_hash"] != prev_hash:
            return ChainReport(
                count,
                seq - 1,
                prev_hash,
                False,
                ChainProblem(
                    seq, "reordered", f"entry {seq} does not follow entry {seq - 1}: entries were moved or replaced"
                ),
            )
        prev_hash = row["hash"]
        hashes[seq] = prev_hash
        expected_seq = seq + 1
        count += 1
    head_seq = expected_seq - 1
    for checkpoint in await AuditCheckpoint.select().order_by(AuditCheckpoint.seq):
        if not _checkpoint_signature_ok(checkpoint):
            return ChainReport(
                count,
                head_seq,
                prev_hash,
                False,
                ChainProblem(int(checkpoint["seq"]), "bad_checkpoint", "a checkpoint's signature does not verify"),
            )
        seq = int(checkpoint["seq"])
        if seq > head_seq:
            return ChainReport(
                count,
                head_seq,
                prev_hash,
                False,
                ChainProblem(
                    head_seq + 1, "truncated", f"a signed checkpoint covers entry {seq} but the log ends at {head_seq}"
                ),
            )
        if hashes.get(seq) != checkpoint["hash"]:
            return ChainReport(
                count,
                head_seq,
                prev_hash,
                False,
                ChainProblem(seq, "edited", f"entry {seq} differs from the signed checkpoint"),
            )
    return ChainReport(count, head_seq, prev_hash, True)


# ---- signed checkpoints --------------------------------------------------------------------------
def _signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(secrets.load_or_create("audit-checkpoint.key", 32))


def _key_id(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def _checkpoint_message(seq: int, head_hash: str, at: dt.datetime | str) -> bytes:
    return f"zhangban-audit-checkpoint:{seq}:{head_hash}:{_canonical_time(at)}".encode()


def _checkpoint_signature_ok(row: dict[str, Any]) -> bool:
    public = _signing_key().public_key()
    if row["key_id"] != _key_id(public):
        return False
    try:
        public.verify(bytes.fromhex(row["signature"]), _checkpoint_message(int(row["seq"]), row["hash"], row["at"]))
    except Exception:
        return False
    return True


async def checkpoint() -> AuditCheckpoint | None:
    """Sign the current head (run periodically); returns None for an empty log."""
    async with db.write_tx():
        head = await AuditEntry.select().order_by(AuditEntry.seq, ascending=False).limit(1).first()
        if head is None:
            return None
        at = timeutil.now()
        key = _signing_key()
        signature = key.sign(_checkpoint_message(int(head["seq"]), head["hash"], at)).hex()
        row = AuditCheckpoint(
            id=timeutil.uuid7(),
            seq=head["seq"],
            hash=head["hash"],
            at=at,
            key_id=_key_id(key.public_key()),
            signature=signature,
        )
        await row.save()
        return row
