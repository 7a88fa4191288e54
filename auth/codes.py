"""One-time SMS codes: six digits, ten minutes, single use, few attempts, lockout on guessing."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from auth import sms
from auth.tables import SmsCode
from core import db, pii, ratelimit, settings, timeutil
from core.errors import ProblemError, invalid
from core.identifiers import is_phone, normalise_phone

PURPOSES = frozenset({"login", "step_up", "grant"})
RESEND_SECONDS = 60

TEMPLATES = {
    "login": "【掌办】您的登录验证码是{code}，10分钟内有效。工作人员不会向您索要验证码，请勿告诉他人。",
    "step_up": "【掌办】您正在进行重要操作，验证码{code}，10分钟内有效。如非本人操作请忽略。",
    "grant": "【掌办】有人申请代您办事，确认授权的验证码是{code}，10分钟内有效。不认识对方请勿提供。",
}


def phone_index(phone: str) -> str:
    return pii.blind_index(phone, kind="phone")


def checked_phone(raw: str, field: str = "phone") -> str:
    phone = normalise_phone(raw)
    if not is_phone(phone):
        raise invalid(field, "phone_invalid")
    return phone


def _code_hash(index: str, code: str) -> str:
    return pii.blind_index(code, kind=f"otp:{index}")


def _locked(seconds: int) -> ProblemError:
    return ProblemError("account_locked", headers={"Retry-After": str(seconds)}, extra={"retry_after": seconds})


async def send_code(raw_phone: str, purpose: str) -> int:
    """Send a code to ``raw_phone``; returns its lifetime in seconds."""
    if purpose not in PURPOSES:
        raise invalid("purpose")
    phone = checked_phone(raw_phone)
    index = phone_index(phone)
    current = settings.get()
    if locked := await ratelimit.locked_for(f"otp-lock:{index}"):
        raise _locked(locked)
    allowed, retry = await ratelimit.consume(
        f"sms-cooldown:{index}", limit=1, window=dt.timedelta(seconds=RESEND_SECONDS)
    )
    if not allowed:
        raise ProblemError("sms_too_frequent", headers={"Retry-After": str(retry)}, extra={"retry_after": retry})
    allowed, retry = await ratelimit.consume(
        f"sms-hour:{index}", limit=current.sms_codes_per_phone_per_hour, window=dt.timedelta(hours=1)
    )
    if not allowed:
        raise ProblemError("sms_too_frequent", headers={"Retry-After": str(retry)}, extra={"retry_after": retry})
    code = f"{secrets.randbelow(10**6):06d}"
    now = timeutil.now()
    async with db.write_tx():
        # A new code replaces the old ones: only the latest code of a purpose can be used.
        await SmsCode.update({SmsCode.used_at: now}).where(
            (SmsCode.phone_index == index) & (SmsCode.purpose == purpose) & SmsCode.used_at.is_null()
        )
        await SmsCode.insert(
            SmsCode(
                id=timeutil.uuid7(),
                phone_index=index,
                purpose=purpose,
                code_hash=_code_hash(index, code),
                created_at=now,
                expires_at=now + dt.timedelta(seconds=current.sms_code_ttl_seconds),
            )
        )
    await sms.sender().send(phone, TEMPLATES[purpose].format(code=code))
    return current.sms_code_ttl_seconds


async def verify_code(raw_phone: str, purpose: str, code: str) -> str:
    """Consume a correct code; returns the phone (normalised). Wrong codes count towards lockout."""
    phone = checked_phone(raw_phone)
    index = phone_index(phone)
    current = settings.get()
    if locked := await ratelimit.locked_for(f"otp-lock:{index}"):
        raise _locked(locked)
    code = (code or "").strip()
    now = timeutil.now()
    async with db.write_tx():
        row = await db.for_update(
            SmsCode.select()
            .where((SmsCode.phone_index == index) & (SmsCode.purpose == purpose) & SmsCode.used_at.is_null())
            .order_by(SmsCode.created_at, ascending=False)
            .limit(1)
        ).first()
        if row is not None and row["expires_at"] <= now:
            raise invalid("code", "sms_code_expired")
        ok = (
            row is not None
            and row["attempts"] < current.sms_code_max_attempts
            and len(code) == 6
            and hmac.compare_digest(row["code_hash"], _code_hash(index, code))
        )
        if ok:
            assert row is not None
            used = (
                await SmsCode.update({SmsCode.used_at: now})
                .where((SmsCode.id == row["id"]) & SmsCode.used_at.is_null())
                .returning(SmsCode.id)
            )
            ok = bool(used)
        elif row is not None:
            await SmsCode.update({SmsCode.attempts: SmsCode.attempts + 1}).where(SmsCode.id == row["id"])
    if ok:
        await ratelimit.clear(f"otp-lock:{index}")
        return phone
    locked = await ratelimit.record_failure(
        f"otp-lock:{index}",
        threshold=current.login_failures_before_lockout,
        lockout=dt.timedelta(minutes=current.lockout_minutes),
        window=dt.timedelta(minutes=current.lockout_minutes),
    )
    if locked:
        raise _locked(locked)
    raise invalid("code", "sms_code_invalid")
