"""Uploaded files: checked by their bytes, stored once under their SHA-256, outside the database.

The declared content type is not trusted; the type comes from the file's magic bytes and must be
one a matter accepts. Identical uploads share one file on disk (content addressing) while each
upload keeps its own metadata row and owner.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

from applications.tables import StoredFile
from core import db, settings, timeutil
from core.errors import ProblemError

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
ACCEPTED = frozenset(mime for _, mime in _MAGIC)


def sniff(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    return None


def blob_path(sha256: str) -> Path:
    return settings.get().files_dir / sha256[:2] / sha256


def _write_blob(sha256: str, data: bytes) -> None:
    path = blob_path(sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{sha256}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


async def store(data: bytes, *, name: str, owner_key: str, uploaded_by: uuid.UUID | None) -> dict[str, Any]:
    limit = settings.get().upload_max_bytes
    if not data:
        raise ProblemError("file_empty", field="file")
    if len(data) > limit:
        raise ProblemError("file_too_large", field="file", extra={"max_bytes": limit})
    mime = sniff(data)
    if mime is None:
        raise ProblemError("file_type_not_allowed", field="file", extra={"accepted": sorted(ACCEPTED)})
    sha256 = hashlib.sha256(data).hexdigest()
    _write_blob(sha256, data)  # before the row: a row never points at a missing blob
    row = {
        "id": timeutil.uuid7(),
        "sha256": sha256,
        "size": len(data),
        "mime": mime,
        "original_name": os.path.basename(name or "")[:200],
        "owner_key": owner_key,
        "uploaded_by": uploaded_by,
        "created_at": timeutil.now(),
    }
    async with db.write_tx():
        await StoredFile.insert(StoredFile(**row))
    return row


async def get(file_id: uuid.UUID) -> dict[str, Any] | None:
    return await StoredFile.select().where(StoredFile.id == file_id).first()


def read(row: dict[str, Any]) -> bytes:
    data = blob_path(row["sha256"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise ProblemError("internal_error", detail="stored file failed its integrity check")
    return data
