"""The online verifier: the offline core plus what only the platform knows.

Around :func:`verify.verify` this adds the replay register shared by every worker (a one-time id
verifies once, on any worker, until it expires), the live status of our own licences (a revocation
takes effect at once, not at the next bundle), and the verification log the holder reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from core import db, pii, timeutil
from ecert import trust, verify
from ecert.tables import Licence, Presentation, SeenOnce, VerificationLog


class Verifier:
    """Who is checking: shown to the holder in their verification log."""

    def __init__(self, kind: str = "anonymous", label: str = "") -> None:
        self.kind, self.label = kind, label


async def _claim_once(kid: bytes, cti: bytes, exp: int) -> bool:
    """True when the one-time id was already used; records it otherwise (one row per id)."""
    key = f"{kid.hex()}:{cti.hex()}"
    inserted = await SeenOnce.raw(
        'INSERT INTO "ecert_seen_once" ("id", "key", "expires_at", "seen_at") VALUES ({}, {}, {}, {}) '
        'ON CONFLICT ("key") DO NOTHING RETURNING "id"',
        timeutil.uuid7(),
        key,
        dt.datetime.fromtimestamp(exp, tz=dt.UTC),
        timeutil.now(),
    )
    return not inserted


async def _own_licence(result: verify.Verification) -> tuple[dict[str, Any] | None, Any]:
    if result.kind == "licence" and result.subject:
        row = await Licence.select().where(Licence.serial == result.subject).first()
        return row, None
    if result.kind == "presentation" and result.cti:
        presentation = (
            await Presentation.select(Presentation.id, Presentation.licence)
            .where(Presentation.cti == result.cti)
            .first()
        )
        if presentation is None:
            return None, None
        row = await Licence.select().where(Licence.id == presentation["licence"]).first()
        return row, presentation["id"]
    return None, None


async def verify_text(text: str, *, verifier: Verifier, channel: str = "api") -> verify.Verification:
    store = await trust.store()
    now = int(timeutil.now().timestamp())
    result = verify.verify(text, store, now=now)
    if result.result == "unknown_issuer" and await trust.refresh_for_unknown_kid():
        result = verify.verify(text, await trust.store(), now=now)
    signed = result.result not in (
        "wrong_prefix",
        "oversized",
        "decompression_bomb",
        "malformed",
        "algorithm_not_allowed",
        "unknown_issuer",
        "key_withdrawn",
        "bad_signature",
    )
    row, presentation_id = (None, None)
    own = signed and result.province == trust.province_code()
    async with db.write_tx():
        if own:
            row, presentation_id = await _own_licence(result)
            if result.ok and row is not None and row["status"] != "valid":
                live = "revoked" if row["status"] == "revoked" else "suspended"
                result = msgspec.structs.replace(result, result=live, fields=[])
        if result.ok and result.kind == "presentation":
            assert result.cti is not None and result.kid is not None and result.expires_at is not None
            if await _claim_once(bytes.fromhex(result.kid), bytes.fromhex(result.cti), result.expires_at):
                result = msgspec.structs.replace(result, result="replayed", fields=[])
        if row is not None:
            await VerificationLog.insert(
                VerificationLog(
                    id=timeutil.uuid7(),
                    licence=row["id"],
                    holder_key=row["holder_key"],
                    presentation=presentation_id,
                    result=result.result,
                    code_kind=result.kind or "",
                    purpose=result.purpose or 0,
                    verifier_kind=verifier.kind,
                    verifier_label=pii.scrub(verifier.label)[:200],
                    channel=channel,
                    at=timeutil.now(),
                )
            )
    return result


async def sweep_seen(now: dt.datetime | None = None) -> int:
    """Forget one-time ids whose codes have expired (they could not verify any more anyway)."""
    async with db.write_tx():
        gone = await SeenOnce.delete().where(SeenOnce.expires_at < (now or timeutil.now())).returning(SeenOnce.id)
    return len(gone)
