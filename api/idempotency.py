"""``Idempotency-Key`` for creating requests (routes marked ``opt={"idempotent": True}``).

Same key + same body → the stored answer again (``Idempotent-Replayed: true``); same key with a
different body → 422; the first request still running → 409 with ``Retry-After``. Keys are scoped
to the caller (account and principal), so two people can never see each other's answers.

Crash safety: the claim is committed first in its own short transaction; the handler then runs
inside one write transaction that also stores the answer on the claim, so the created objects and
the stored answer commit together or not at all. A claim whose holder died expires after
:data:`LEASE` and the next retry takes it over; it cannot produce a duplicate because nothing of
the dead attempt was committed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import logging
import re
import secrets
from typing import Any

import msgspec
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from piccolo.query.methods.insert import OnConflictAction

from api.middleware import send_problem
from core import db, timeutil
from core.errors import ProblemError
from core.tables import IdempotencyRecord

log = logging.getLogger("zhangban.idempotency")

HEADER = "idempotency-key"
LEASE = dt.timedelta(seconds=60)
_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
_KEPT_HEADERS = {b"content-type", b"location", b"content-encoding", b"vary"}
_TRANSIENT = {408, 409, 423, 425, 429}


def scope_key(caller: Any, key: str) -> str:
    principal = caller.principal.key if caller.principal is not None else "-"
    return hashlib.sha256(f"{caller.kind}:{caller.account_id}:{principal}\x00{key}".encode()).hexdigest()


def request_hash(scope: Scope, body: bytes, headers: Headers) -> str:
    content_type = headers.get("content-type", "")
    if "boundary=" in content_type:
        # Clients pick a new multipart boundary per attempt; it must not make a retry "different".
        boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip().strip('"').encode()
        body = body.replace(boundary, b"")
    digest = hashlib.sha256()
    digest.update(f"{scope['method']} {scope['path']}?{scope.get('query_string', b'').decode()}\n".encode())
    digest.update(body)
    return digest.hexdigest()


async def _claim(key: str, fingerprint: str, owner: str) -> tuple[str, dict[str, Any] | None]:
    """('claimed', None) | ('replay', record) | ('busy', record) | ('mismatch', record)."""
    now = timeutil.now()
    async with db.write_tx():
        await IdempotencyRecord.insert(
            IdempotencyRecord(
                scope_key=key,
                request_hash=fingerprint,
                state="in_progress",
                owner=owner,
                locked_until=now + LEASE,
                created_at=now,
            )
        ).on_conflict(action=OnConflictAction.do_nothing, target=IdempotencyRecord.scope_key)
        record = await db.for_update(IdempotencyRecord.select().where(IdempotencyRecord.scope_key == key)).first()
        assert record is not None
        if record["owner"] == owner:
            return "claimed", None
        if record["request_hash"] != fingerprint:
            return "mismatch", record
        if record["state"] == "done":
            return "replay", record
        if record["locked_until"] > now:
            return "busy", record
        await IdempotencyRecord.update(
            {IdempotencyRecord.owner: owner, IdempotencyRecord.locked_until: now + LEASE}
        ).where(IdempotencyRecord.scope_key == key)
        return "claimed", None


async def _store(key: str, owner: str, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
    kept = {name.decode(): value.decode() for name, value in headers if name.lower() in _KEPT_HEADERS}
    rows = (
        await IdempotencyRecord.update(
            {
                IdempotencyRecord.state: "done",
                IdempotencyRecord.status_code: status,
                IdempotencyRecord.headers: msgspec.json.encode(kept).decode(),
                IdempotencyRecord.body: body,
                IdempotencyRecord.completed_at: timeutil.now(),
            }
        )
        .where((IdempotencyRecord.scope_key == key) & (IdempotencyRecord.owner == owner))
        .returning(IdempotencyRecord.id)
    )
    return bool(rows)


async def _release(key: str, owner: str) -> None:
    async with db.write_tx():
        await IdempotencyRecord.delete().where(
            (IdempotencyRecord.scope_key == key)
            & (IdempotencyRecord.owner == owner)
            & (IdempotencyRecord.state == "in_progress")
        )


async def _replay(send: Send, record: dict[str, Any], accepts_gzip: bool) -> None:
    stored = msgspec.json.decode(record["headers"] or "{}")
    body = bytes(record["body"] or b"")
    if stored.get("content-encoding") == "gzip" and not accepts_gzip:
        body = gzip.decompress(body)
        stored.pop("content-encoding")
    headers = [(k.encode(), v.encode()) for k, v in stored.items()]
    headers.append((b"idempotent-replayed", b"true"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": record["status_code"], "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class Idempotency(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        headers = Headers.from_scope(scope)
        raw_key = headers.get(HEADER)
        caller = scope.get("zb.caller")
        if raw_key is None or handler is None or not handler.opt.get("idempotent") or caller is None:
            await next_app(scope, receive, send)
            return
        if not _KEY.match(raw_key):
            await send_problem(scope, receive, send, ProblemError("idempotency_key_invalid", field="Idempotency-Key"))
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        key = scope_key(caller, raw_key)
        fingerprint = request_hash(scope, bytes(body), headers)
        owner = secrets.token_hex(8)
        outcome, record = await _claim(key, fingerprint, owner)
        if outcome == "mismatch":
            await send_problem(scope, receive, send, ProblemError("idempotency_key_reused", field="Idempotency-Key"))
            return
        if outcome == "busy":
            await send_problem(
                scope, receive, send, ProblemError("idempotency_in_progress", headers={"Retry-After": "1"})
            )
            return
        if outcome == "replay":
            assert record is not None
            await _replay(send, record, "gzip" in headers.get("accept-encoding", ""))
            return

        delivered = False

        async def replay_receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        status = 500
        try:
            async with db.write_tx() as transaction:
                await next_app(scope, replay_receive, capture)
                start = next((m for m in captured if m["type"] == "http.response.start"), None)
                status = start["status"] if start else 500
                response_body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
                if status < 400:
                    if not await _store(key, owner, status, list(start["headers"]) if start else [], response_body):
                        raise ProblemError("idempotency_in_progress")  # our claim expired and was taken over
                else:
                    await transaction.rollback()  # an error answer must not keep half of its writes
            if status >= 500 or status in _TRANSIENT:
                await _release(key, owner)
            elif status >= 400:
                async with db.write_tx():
                    await _store(key, owner, status, list(start["headers"]) if start else [], response_body)
        except ProblemError as error:
            await _release(key, owner)
            await send_problem(scope, receive, send, error)
            return
        except BaseException:
            await _release(key, owner)
            raise
        for message in captured:
            await send(message)
