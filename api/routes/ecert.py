"""E-licences: the wallet, presentations (亮证), public verification, the trust bundle, status
changes by the issuing department, and administrators' keys and foreign bundles."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import io
import logging
import time
import uuid
from typing import Any, Literal

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, JSONBody, MultipartBody

from api import problems
from api.deps import IDEMPOTENT, SECURITY, CallerDep, clerk, resident
from api.routes.applications import IdempotencyKey
from applications import access as application_access
from applications.tables import ApplicationMaterial
from audit import log as audit
from auth.context import Caller
from core import db, errors, settings, timeutil
from core.errors import ProblemError
from ecert import codes, cose, hooks, keys, licences, online, trust, types, verify, wallet
from ecert.tables import Authority, ForeignBundle, SigningKey

log = logging.getLogger("zhangban.ecert")

errors.register(
    "qr_not_found", 422, "图片里没有找到可以识别的二维码，请对准后重新拍摄。", "No readable QR code in the image."
)
errors.register("image_invalid", 422, "无法读取这张图片，请上传 PNG 或 JPEG 照片。", "The image could not be read.")
errors.register("verify_input_required", 422, "请提供二维码内容或图片。", "Give the QR text or an image.")

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 16_000_000

RESULT_TEXT: dict[str, tuple[str, str]] = {
    "valid": ("证照真实有效。", "Genuine and valid."),
    "expired": ("证码已过期，请让对方刷新后重新出示。", "The code has expired; ask for a fresh one."),
    "not_yet_valid": ("证码尚未生效，请检查手机时间。", "The code is not valid yet; check the clock."),
    "revoked": ("这张证照已被注销或吊销。", "This licence has been revoked."),
    "suspended": ("这张证照已被暂扣，暂不能使用。", "This licence is suspended."),
    "unknown_issuer": ("无法确认发证机关，请更新信任列表后再试。", "Unknown issuer; update the trust bundle."),
    "key_withdrawn": ("签发密钥已撤销，这个证码不再可信。", "The signing key was withdrawn."),
    "issuer_not_authorised": ("这个机关无权签发这种证照。", "This issuer may not issue this licence type."),
    "bad_signature": ("签名校验失败，证码可能被篡改。", "The signature does not verify; the code may be forged."),
    "algorithm_not_allowed": ("证码使用了不被接受的签名算法。", "The signature algorithm is not allowed."),
    "replayed": ("这个一次性证码已经使用过，请让对方重新出示。", "This one-time code was already used."),
    "wrong_prefix": ("这不是电子证照二维码。", "This is not an e-licence QR code."),
    "oversized": ("二维码内容过长，不是有效的电子证照。", "The code is too long to be an e-licence."),
    "decompression_bomb": ("二维码内容异常，已拒绝处理。", "The code inflates beyond the limit; refused."),
    "malformed": ("二维码内容无法识别。", "The code could not be read."),
}


# ---- structures ---------------------------------------------------------------------------------------
class Issuer(msgspec.Struct):
    id: str
    name: str
    region: str
    province: str


class Purpose(msgspec.Struct):
    code: str
    label: str


class VerifyAnswer(msgspec.Struct, kw_only=True):
    result: str
    valid: bool
    message_zh: str
    message_en: str
    kind: str | None = None
    licence_type: str | None = None
    licence_type_name: str | None = None
    issuer: Issuer | None = None
    purpose: Purpose | None = None
    fields: list[verify.DisclosedField] = msgspec.field(default_factory=list)
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    verified_at: dt.datetime


class VerifyRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    text: str | None = None
    image: str | None = None
    """A PNG or JPEG photo of the code, base64 (a data: URI is accepted)."""
    verifier: str = ""
    """How the verifier calls itself (shown to the holder, e.g. "红谷滩区某药店")."""


class PresentRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    purpose: str
    fields: list[str] = msgspec.field(default_factory=list)
    ttl_seconds: int = codes.LIVE_DEFAULT


class OfflineRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    purpose: str
    fields: list[str] = msgspec.field(default_factory=list)
    count: int = 5


class CodeView(msgspec.Struct, kw_only=True):
    id: uuid.UUID | None = None
    text: str
    kind: str
    qr_version: int
    expires_at: dt.datetime
    svg: str
    png: str
    """data: URI of a PNG."""
    purpose: Purpose | None = None
    fields: list[str] = msgspec.field(default_factory=list)
    with_status: bool = True


class Reason(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class RotateRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    alg: Literal["Ed25519", "ES256"] = "Ed25519"
    reason: str = ""


class KeyView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kid: str
    alg: str
    state: str
    created_at: dt.datetime
    retired_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    reason: str
    jwk: dict[str, str]


class AuthorityView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    region_code: str
    licence_types: list[str]
    keys: list[KeyView]


class BundleImport(msgspec.Struct, forbid_unknown_fields=True):
    bundle: dict[str, Any]
    """The other province's ``trust-bundle.json`` document, exactly as served."""
    root_jwk: dict[str, Any]
    """That province's root public key, obtained out of band (pinned)."""


class ForeignView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    province: str
    name: str
    issuers: int
    expires_at: dt.datetime


class ImportRequest(msgspec.Struct, forbid_unknown_fields=True):
    holder_key: str
    """``person:<resident id>`` or ``enterprise:<enterprise id>``."""


class Imported(msgspec.Struct):
    issued: list[wallet.LicenceSummary]


class JobRun(msgspec.Struct):
    expiring_notified: int
    replay_entries_swept: int


class TypeView(msgspec.Struct, kw_only=True):
    code: str
    number: int
    name: str
    holder: str
    replaces: list[str]
    default_fields: list[str]
    fields: list[dict[str, Any]]


# ---- helpers ------------------------------------------------------------------------------------------
def _answer(result: verify.Verification) -> VerifyAnswer:
    zh, en = RESULT_TEXT.get(result.result, RESULT_TEXT["malformed"])
    issuer = None
    if result.issuer_id and result.result not in ("unknown_issuer",):
        issuer = Issuer(result.issuer_id, result.issuer_name or "", result.issuer_region or "", result.province or "")
    purpose = None
    if result.purpose:
        code, label = types.PURPOSES.get(result.purpose, ("other", "其他"))
        purpose = Purpose(code, label)
    return VerifyAnswer(
        result=result.result,
        valid=result.ok,
        message_zh=zh,
        message_en=en,
        kind=result.kind,
        licence_type=result.licence_type,
        licence_type_name=result.licence_type_name,
        issuer=issuer,
        purpose=purpose,
        fields=result.fields if result.ok else [],
        issued_at=dt.datetime.fromtimestamp(result.issued_at, tz=dt.UTC) if result.issued_at else None,
        expires_at=dt.datetime.fromtimestamp(result.expires_at, tz=dt.UTC) if result.expires_at else None,
        verified_at=timeutil.now(),
    )


def _verifier(caller: Caller | None, label: str) -> online.Verifier:
    if caller is not None and caller.kind == "clerk":
        return online.Verifier("clerk", label or caller.name)
    if caller is not None:
        return online.Verifier("resident", label or "实名用户")
    return online.Verifier("anonymous", label)


def _decode_image(content: bytes) -> str:
    """The QR text in a photo, read by zxing-cpp (off the event loop: it takes milliseconds)."""
    import zxingcpp
    from PIL import Image

    if len(content) > MAX_IMAGE_BYTES:
        raise ProblemError("payload_too_large", field="image")
    try:
        image = Image.open(io.BytesIO(content))
        if image.format not in ("PNG", "JPEG") or image.width * image.height > MAX_IMAGE_PIXELS:
            raise ProblemError("image_invalid", field="image")
        image.load()
    except ProblemError:
        raise
    except Exception as exc:  # PIL raises many kinds for broken files
        raise ProblemError("image_invalid", field="image") from exc
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    if not found:
        raise ProblemError("qr_not_found", field="image")
    return found[0].text


async def _verify(text: str, caller: Caller | None, label: str, channel: str) -> VerifyAnswer:
    result = await online.verify_text(text, verifier=_verifier(caller, label), channel=channel)
    return _answer(result)


def _purpose(code: str) -> int:
    number = types.PURPOSE_BY_CODE.get(code)
    if number is None:
        raise errors.invalid("purpose", "purpose_unknown")
    return number


def _code_view(made: codes.Made) -> CodeView:
    code, label = types.PURPOSES[made.purpose]
    return CodeView(
        id=made.id,
        text=made.text,
        kind=made.kind,
        qr_version=made.qr_version,
        expires_at=made.expires_at,
        svg=codes.svg(made.text),
        png=codes.png_data_uri(made.text),
        purpose=Purpose(code, label),
        fields=made.fields,
        with_status=made.with_status,
    )


# ---- public: verification and the trust bundle ---------------------------------------------------------
verify_rate_limit = RateLimitConfig(rate_limit=("minute", 120), set_rate_limit_headers=True)


@post(
    "/verify",
    status_code=200,
    summary="Verify an e-licence QR code (text or photo)",
    responses=problems.responses(413, 422, 429),
    description=(
        "Public and rate-limited per address. Send `text` (what the scanner read) or `image` (base64 PNG/JPEG, "
        "decoded on the server with zxing-cpp). The answer is 200 with `result`: valid, expired, not_yet_valid, "
        "revoked, suspended, unknown_issuer, key_withdrawn, issuer_not_authorised, bad_signature, "
        "algorithm_not_allowed, replayed, wrong_prefix, oversized, decompression_bomb or malformed. Only a "
        "valid code shows its disclosed fields. A presentation code verifies once."
    ),
)
async def verify_code(request: Request, data: JSONBody[VerifyRequest]) -> VerifyAnswer:
    caller = request.scope.get("zb.caller")  # type: ignore[call-overload]
    if data.text:
        return await _verify(data.text, caller, data.verifier, "api")
    if data.image:
        payload = data.image.split(",", 1)[1] if data.image.startswith("data:") else data.image
        if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 4:
            raise ProblemError("payload_too_large", field="image")
        try:
            content = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProblemError("image_invalid", field="image") from exc
        text = await asyncio.to_thread(_decode_image, content)
        return await _verify(text, caller, data.verifier, "image")
    raise ProblemError("verify_input_required", field="text")


@post(
    "/verify/image",
    status_code=200,
    summary="Verify an e-licence QR code from an uploaded photo (multipart)",
    responses=problems.responses(413, 415, 422, 429),
    description="Multipart field `image` (PNG or JPEG, at most 2 MiB) and optional `verifier`; same answer as "
    "`POST /api/ecert/verify`.",
)
async def verify_image(request: Request, data: MultipartBody[dict[str, Any]]) -> VerifyAnswer:
    caller = request.scope.get("zb.caller")  # type: ignore[call-overload]
    upload = data.get("image") if isinstance(data, dict) else None
    if upload is None or not hasattr(upload, "read"):
        raise ProblemError("verify_input_required", field="image")
    content = await upload.read()
    label = data.get("verifier") if isinstance(data.get("verifier"), str) else ""
    text = await asyncio.to_thread(_decode_image, content)
    return await _verify(text, caller, label or "", "image")


@get("/types", summary="Licence types and their claim-key dictionaries", responses=problems.responses())
async def licence_types() -> list[TypeView]:
    return [
        TypeView(
            code=t.code,
            number=t.number,
            name=t.name,
            holder=t.holder,
            replaces=list(t.replaces),
            default_fields=list(t.default_fields),
            fields=[msgspec.structs.asdict(f) for f in t.fields()],
        )
        for t in types.TYPES
    ]


def _cached(body: bytes, content: dict[str, Any], request: Request, media_type: str) -> Response[bytes]:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=300, stale-if-error=86400",
        "Last-Modified": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(content["issued_at"])),
        "Expires": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(content["next_update"])),
        "Access-Control-Allow-Origin": "*",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(content=b"", status_code=304, headers=headers, media_type=media_type)
    return Response(content=body, headers=headers, media_type=media_type)


@get(
    "/trust-bundle.json",
    summary="The trust bundle as a flattened JWS (keys as JWKs), signed by the provincial root",
    responses=problems.responses(503),
    description="See docs/ecert-format.md for exactly which bytes are signed. Cached for 5 minutes; ETag.",
)
async def bundle_json(request: Request) -> Response[bytes]:
    body, content = await trust.bundle_json()
    return _cached(body, content, request, "application/json")


@get(
    "/trust-bundle",
    summary="The trust bundle as a COSE_Sign1 (CBOR, keys as COSE_Key), signed by the provincial root",
    responses=problems.responses(503),
)
async def bundle_cbor(request: Request) -> Response[bytes]:
    body, content = await trust.bundle_cbor()
    return _cached(body, content, request, 'application/cose; cose-type="cose-sign1"')


# ---- the wallet ---------------------------------------------------------------------------------------
@get(
    "/licences",
    summary="My e-licences (or my company's, or my principal's within a proxy grant)",
    responses=problems.responses(401, 403),
)
async def my_licences(caller: CallerDep) -> list[wallet.LicenceSummary]:
    resident(caller)
    rows = await wallet.listing(caller)
    return await wallet.summaries(rows, masked=caller.basis == "proxy")


@get(
    "/licences/{licence_id:uuid}",
    summary="One licence with its fields (ID numbers masked)",
    responses=problems.responses(401, 403, 404),
)
async def licence_detail(caller: CallerDep, licence_id: FromPath[uuid.UUID]) -> wallet.LicenceDetail:
    resident(caller)
    row = await wallet.load(caller, licence_id, "view")
    return await wallet.detail(row, masked=caller.basis == "proxy")


async def _static(caller: Caller, licence_id: uuid.UUID) -> tuple[dict[str, Any], str]:
    resident(caller)
    row = await wallet.load(caller, licence_id, "present")
    return row, await codes.static_code(row)


@get(
    "/licences/{licence_id:uuid}/code",
    summary="The static licence code (证照码; for an enterprise, its premises display code)",
    responses=problems.responses(401, 403, 404, 409),
)
async def static_code(caller: CallerDep, licence_id: FromPath[uuid.UUID]) -> CodeView:
    row, text = await _static(caller, licence_id)
    now = timeutil.now()
    expires = now + codes.STATIC_VALIDITY
    if row["valid_until"] is not None:
        expires = min(expires, codes.end_of(row["valid_until"]))
    return CodeView(
        text=text,
        kind="licence",
        qr_version=codes.qr_version(text),
        expires_at=expires,
        svg=codes.svg(text),
        png=codes.png_data_uri(text),
    )


@get(
    "/licences/{licence_id:uuid}/code.svg",
    summary="The static licence code as an SVG image (for printing the display code)",
    responses=problems.responses(401, 403, 404, 409),
    media_type="image/svg+xml",
)
async def static_svg(caller: CallerDep, licence_id: FromPath[uuid.UUID]) -> Response[str]:
    _, text = await _static(caller, licence_id)
    return Response(content=codes.svg(text), media_type="image/svg+xml")


@get(
    "/licences/{licence_id:uuid}/code.png",
    summary="The static licence code as a PNG image",
    responses=problems.responses(401, 403, 404, 409),
    media_type="image/png",
)
async def static_png(caller: CallerDep, licence_id: FromPath[uuid.UUID]) -> Response[bytes]:
    _, text = await _static(caller, licence_id)
    return Response(content=codes.png(text), media_type="image/png")


@post(
    "/licences/{licence_id:uuid}/presentations",
    summary="Present a licence (亮证): one purpose, chosen fields, 60–120 s, one-time",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description="`fields` are field names or predicates (`valid`, `age_ge_18`, `age_ge_60`, `age_ge_65`); empty "
    "means the type's default. The answer has the QR text and the code as SVG and PNG.",
)
async def present(
    caller: CallerDep,
    licence_id: FromPath[uuid.UUID],
    data: JSONBody[PresentRequest],
    idempotency_key: IdempotencyKey = None,
) -> CodeView:
    resident(caller)
    row = await wallet.load(caller, licence_id, "present")
    (made,) = await codes.present(
        row,
        purpose=_purpose(data.purpose),
        fields=data.fields,
        kind="live",
        ttl_seconds=data.ttl_seconds,
        actor=caller.actor(),
        basis=caller.basis,
    )
    return _code_view(made)


@post(
    "/licences/{licence_id:uuid}/presentations/offline",
    summary="Fetch a small batch of one-time presentation codes for use without a network",
    status_code=201,
    opt=IDEMPOTENT,
    responses=problems.responses(401, 403, 404, 409, 422),
    description=f"At most {codes.OFFLINE_MAX_BATCH} codes, each usable once within 24 hours.",
)
async def present_offline(
    caller: CallerDep,
    licence_id: FromPath[uuid.UUID],
    data: JSONBody[OfflineRequest],
    idempotency_key: IdempotencyKey = None,
) -> list[CodeView]:
    resident(caller)
    if not 1 <= data.count <= codes.OFFLINE_MAX_BATCH:
        raise errors.invalid("count", "validation_failed", en=f"count must be 1–{codes.OFFLINE_MAX_BATCH}")
    row = await wallet.load(caller, licence_id, "present")
    made = await codes.present(
        row,
        purpose=_purpose(data.purpose),
        fields=data.fields,
        kind="offline",
        count=data.count,
        actor=caller.actor(),
        basis=caller.basis,
    )
    return [_code_view(m) for m in made]


@get(
    "/verifications",
    summary="Who verified my licences, when and with what result",
    responses=problems.responses(401, 403),
)
async def verifications(caller: CallerDep) -> list[wallet.VerificationEntry]:
    resident(caller)
    return await wallet.verification_log(caller)


@post(
    "/licences/import",
    status_code=200,
    summary="Collect my licences from the registers (身份证、户口簿 …; a company's 营业执照)",
    responses=problems.responses(401, 403),
)
async def import_mine(caller: CallerDep) -> Imported:
    resident(caller, proxies=False)  # collecting licences is the holder's own decision
    assert caller.principal is not None
    if caller.principal.kind == "enterprise":
        made = await hooks.import_enterprise(caller.principal.id, actor=caller.actor())
    else:
        made = await hooks.import_person(caller.principal.id, actor=caller.actor())
    if made:
        trust.invalidate()
    return Imported(await wallet.summaries(made))


# ---- the issuing department ---------------------------------------------------------------------------
async def _department_licence(caller: Caller, licence_id: uuid.UUID) -> dict[str, Any]:
    clerk(caller, "reviewer", "head", "admin")
    row = await licences.get(licence_id)
    if row is None:
        raise ProblemError("licence_not_found")
    if "admin" in caller.roles:
        return row
    authority = await Authority.select(Authority.department).where(Authority.id == row["authority"]).first()
    if authority is None or authority["department"] != caller.department_id:
        raise ProblemError("licence_not_found")
    return row


def _status_route(action: str, summary: str) -> Any:
    @post(
        f"/licences/{{licence_id:uuid}}/{action}",
        status_code=200,
        summary=summary,
        responses=problems.responses(401, 403, 404, 409, 422),
        name=f"ecert-{action}",
        description="Reviewers and heads of the issuing department (or administrators); a reason is required "
        "and recorded in the audit log.",
    )
    async def handler(
        caller: CallerDep, licence_id: FromPath[uuid.UUID], data: JSONBody[Reason]
    ) -> wallet.LicenceSummary:
        await _department_licence(caller, licence_id)
        row = await licences.change_status(licence_id, action, reason=data.reason, actor=caller.actor())
        (summary_view,) = await wallet.summaries([row])
        return summary_view

    return handler


@get(
    "/applications/{application_id:uuid}/licences/{licence_id:uuid}",
    summary="A licence an application uses in place of a material (免证办理), for the clerk handling it",
    responses=problems.responses(401, 403, 404),
    description="Only for clerks who may see the application, and only for licences it references; every read "
    "is in the audit log with its purpose and the application.",
)
async def application_licence(
    caller: CallerDep, application_id: FromPath[uuid.UUID], licence_id: FromPath[uuid.UUID]
) -> wallet.LicenceDetail:
    clerk(caller)
    application = await application_access.load(caller, application_id)
    used = await ApplicationMaterial.exists().where(
        (ApplicationMaterial.application == application_id)
        & (ApplicationMaterial.licence_id == licence_id)
        & (ApplicationMaterial.source == "licence")
    )
    row = await licences.get(licence_id) if used else None
    if row is None:
        raise ProblemError("licence_not_found")
    kind, _, holder_id = row["holder_key"].partition(":")
    async with db.write_tx():
        await audit.append(
            "ecert.licence.read",
            actor=caller.actor(),
            object_type="ecert_licence",
            object_id=licence_id,
            subject_kind=kind,
            subject_id=holder_id,
            application_id=application["id"],
            purpose="审核申请材料（免证办理）",
        )
    return await wallet.detail(row, masked=False)


# ---- administrators -----------------------------------------------------------------------------------
def _admin(caller: Caller) -> Caller:
    return clerk(caller, "admin")


def _key_view(row: dict[str, Any]) -> KeyView:
    return KeyView(
        id=row["id"],
        kid=row["kid"],
        alg=cose.ALGORITHMS[row["alg"]].name,
        state=row["state"],
        created_at=row["created_at"],
        retired_at=row["retired_at"],
        withdrawn_at=row["withdrawn_at"],
        reason=row["reason"],
        jwk=cose.jwk(cose.load_spki(bytes(row["public_key"]))),
    )


async def _authority_view(row: dict[str, Any]) -> AuthorityView:
    key_rows = await SigningKey.select().where(SigningKey.authority == row["id"]).order_by(SigningKey.created_at)
    return AuthorityView(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        region_code=row["region_code"],
        licence_types=list(trust.json_value(row["licence_types"])),
        keys=[_key_view(k) for k in key_rows],
    )


@get("/authorities", summary="Issuing authorities and their keys", responses=problems.responses(401, 403))
async def authorities(caller: CallerDep) -> list[AuthorityView]:
    _admin(caller)
    await trust.ensure_root(caller.actor())
    return [await _authority_view(row) for row in await Authority.select().order_by(Authority.code)]


@post(
    "/authorities/{authority_id:uuid}/rotate",
    status_code=200,
    summary="Rotate an authority's key: a new key signs, the previous one stays active alongside it",
    responses=problems.responses(401, 403, 404, 422),
)
async def rotate(caller: CallerDep, authority_id: FromPath[uuid.UUID], data: JSONBody[RotateRequest]) -> AuthorityView:
    _admin(caller)
    alg = cose.EDDSA if data.alg == "Ed25519" else cose.ES256
    await keys.rotate(authority_id, alg=alg, actor=caller.actor(), reason=data.reason)
    trust.invalidate()
    row = await Authority.select().where(Authority.id == authority_id).first()
    assert row is not None
    return await _authority_view(row)


@post(
    "/keys/{key_id:uuid}/retire",
    status_code=200,
    summary="Retire a key: it signs nothing more, what it signed verifies until it expires",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def retire(caller: CallerDep, key_id: FromPath[uuid.UUID], data: JSONBody[Reason]) -> KeyView:
    _admin(caller)
    if not data.reason.strip():
        raise errors.invalid("reason", "reason_required")
    row = await keys.retire(key_id, actor=caller.actor(), reason=data.reason.strip())
    trust.invalidate()
    return _key_view(row)


@post(
    "/keys/{key_id:uuid}/withdraw",
    status_code=200,
    summary="Withdraw a compromised key: everything it signed fails verification",
    responses=problems.responses(401, 403, 404, 409, 422),
)
async def withdraw(caller: CallerDep, key_id: FromPath[uuid.UUID], data: JSONBody[Reason]) -> KeyView:
    _admin(caller)
    if not data.reason.strip():
        raise errors.invalid("reason", "reason_required")
    row = await keys.withdraw(key_id, actor=caller.actor(), reason=data.reason.strip())
    trust.invalidate()
    return _key_view(row)


@get("/bundles", summary="Other provinces' imported trust bundles", responses=problems.responses(401, 403))
async def foreign_bundles(caller: CallerDep) -> list[ForeignView]:
    _admin(caller)
    out = []
    for row in await ForeignBundle.select().order_by(ForeignBundle.province_code):
        content = trust.open_json(msgspec.json.decode(row["bundle"]), trust.json_value(row["root_jwk"]))
        out.append(
            ForeignView(
                id=row["id"],
                province=row["province_code"],
                name=row["name"],
                issuers=len(content.get("issuers", [])),
                expires_at=row["expires_at"],
            )
        )
    return out


@post(
    "/bundles",
    status_code=201,
    opt=IDEMPOTENT,
    summary="Import another province's trust bundle (互通互认), checked against its pinned root key",
    responses=problems.responses(401, 403, 422),
)
async def import_bundle(
    caller: CallerDep, data: JSONBody[BundleImport], idempotency_key: IdempotencyKey = None
) -> ForeignView:
    _admin(caller)
    done = await trust.import_bundle(data.bundle, data.root_jwk, actor=caller.actor())
    return ForeignView(
        id=done["id"],
        province=done["province"],
        name=done["name"],
        issuers=done["issuers"],
        expires_at=done["expires_at"],
    )


@post(
    "/imports",
    status_code=200,
    summary="Import a person's or enterprise's licences from the registers",
    responses=problems.responses(401, 403, 422),
)
async def import_for(caller: CallerDep, data: JSONBody[ImportRequest]) -> Imported:
    _admin(caller)
    kind, _, raw_id = data.holder_key.partition(":")
    try:
        holder_id = uuid.UUID(raw_id)
    except ValueError as exc:
        raise errors.invalid("holder_key") from exc
    if kind == "person":
        made = await hooks.import_person(holder_id, actor=caller.actor())
    elif kind == "enterprise":
        made = await hooks.import_enterprise(holder_id, actor=caller.actor())
    else:
        raise errors.invalid("holder_key")
    trust.invalidate()
    return Imported(await wallet.summaries(made))


async def run_all() -> JobRun:
    return JobRun(expiring_notified=await wallet.notify_expiring(), replay_entries_swept=await online.sweep_seen())


@post(
    "/run-jobs",
    status_code=200,
    summary="Run the e-licence jobs now (expiry reminders, replay-register sweep)",
    responses=problems.responses(401, 403),
)
async def run_jobs(caller: CallerDep) -> JobRun:
    _admin(caller)
    return await run_all()


# ---- periodic jobs --------------------------------------------------------------------------------------
INTERVAL_SECONDS = 3600
_task: asyncio.Task[Any] | None = None


async def _loop() -> None:
    await asyncio.sleep(15)
    while True:
        try:
            log.info("ecert.jobs", extra=msgspec.structs.asdict(await run_all()))
        except Exception:  # a failed round must not stop the next one
            log.exception("ecert.jobs.failed")
        await asyncio.sleep(INTERVAL_SECONDS)


async def on_startup(app: Any) -> None:
    global _task
    if settings.get().env != "test":
        _task = asyncio.create_task(_loop(), name="ecert-jobs")


async def on_shutdown(app: Any) -> None:
    global _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None


ROUTES = [
    Router(
        path="/api/ecert",
        route_handlers=[verify_code, verify_image],
        tags=["电子证照 E-licences"],
        middleware=[verify_rate_limit.middleware],
    ),
    Router(path="/api/ecert", route_handlers=[licence_types], tags=["电子证照 E-licences"]),
    Router(path="/.well-known/ecert", route_handlers=[bundle_json, bundle_cbor], tags=["电子证照 E-licences"]),
    Router(
        path="/api/ecert",
        route_handlers=[
            my_licences,
            licence_detail,
            static_code,
            static_svg,
            static_png,
            present,
            present_offline,
            verifications,
            import_mine,
        ],
        tags=["电子证照 E-licences"],
        security=SECURITY,
    ),
    Router(
        path="/api/backoffice/ecert",
        route_handlers=[
            _status_route("suspend", "Suspend a licence (暂扣) with a reason"),
            _status_route("reinstate", "Reinstate a suspended licence"),
            _status_route("revoke", "Revoke a licence (吊销/注销) with a reason"),
            application_licence,
        ],
        tags=["电子证照 E-licences"],
        security=SECURITY,
    ),
    Router(
        path="/api/admin/ecert",
        route_handlers=[authorities, rotate, retire, withdraw, foreign_bundles, import_bundle, import_for, run_jobs],
        tags=["电子证照 E-licences"],
        security=SECURITY,
    ),
]
