"""The offline verifier core: QR text + trust store + clock → one result. No database, no I/O.

The order of checks is the security argument, and the format document repeats it:

1. length and prefix (``oversized``, ``wrong_prefix``), Base45 (``malformed``), capped zlib
   (``decompression_bomb``);
2. the COSE envelope and its protected header only (``malformed``, ``algorithm_not_allowed``);
3. the key by ``kid`` in the trust store (``unknown_issuer``, ``key_withdrawn``);
4. the signature (``bad_signature``) — **no claim is read before this**;
5. the claims: structure (``malformed``), a retired key's signing window (``bad_signature``), the
   issuer's allowed licence types (``issuer_not_authorised``), validity (``not_yet_valid``,
   ``expired``), the status list (``revoked``, ``suspended``), the one-time id (``replayed``).

The online endpoint adds the replay register and the live status from the database around this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import cbor2
import msgspec

from ecert import cose, statuslist, wire

CLAIM_ISS, CLAIM_SUB, CLAIM_EXP, CLAIM_NBF, CLAIM_IAT, CLAIM_CTI = 1, 2, 4, 5, 6, 7
CLAIM_STATUS = 65535
CLAIM_LICENCE = -65537
CLOCK_SKEW = 30
"""Seconds of clock difference tolerated between the signer and the verifier."""

RESULTS = (
    "valid",
    "expired",
    "not_yet_valid",
    "revoked",
    "suspended",
    "unknown_issuer",
    "key_withdrawn",
    "issuer_not_authorised",
    "bad_signature",
    "algorithm_not_allowed",
    "replayed",
    "wrong_prefix",
    "oversized",
    "decompression_bomb",
    "malformed",
)


class FieldDict(msgspec.Struct, frozen=True):
    name: str
    label: str
    kind: str


class TypeDict(msgspec.Struct, frozen=True):
    code: str
    name: str
    versions: dict[int, dict[int, FieldDict]]


class TrustedKey:
    """One issuer key as a verifier needs it, with the public key object already loaded."""

    __slots__ = (
        "alg",
        "context",
        "issuer_id",
        "issuer_name",
        "key",
        "kid",
        "licence_types",
        "province",
        "region",
        "retired_at",
        "state",
        "verify",
    )

    def __init__(
        self,
        *,
        kid: bytes,
        alg: int,
        key: cose.PublicKey,
        issuer_id: str,
        issuer_name: str,
        region: str,
        province: str,
        licence_types: frozenset[str],
        state: str,
        retired_at: int | None,
    ) -> None:
        self.kid, self.alg, self.key = kid, alg, key
        self.issuer_id, self.issuer_name, self.region, self.province = issuer_id, issuer_name, region, province
        self.licence_types, self.state, self.retired_at = licence_types, state, retired_at
        self.verify = cose.ALGORITHMS[alg].verify
        self.context = {
            "kid": kid.hex(),
            "issuer_id": issuer_id,
            "issuer_name": issuer_name,
            "issuer_region": region,
            "province": province,
        }


class TrustStore:
    """Keys by kid, status lists by (province, uri), dictionaries by province; immutable once built."""

    def __init__(
        self,
        keys: dict[bytes, TrustedKey],
        status_lists: dict[tuple[str, str], bytes],
        dictionaries: dict[str, dict[int, TypeDict]],
    ) -> None:
        self.keys, self.status_lists, self.dictionaries = keys, status_lists, dictionaries


class DisclosedField(msgspec.Struct, frozen=True):
    name: str
    label: str
    value: str | bool


class Verification(msgspec.Struct, kw_only=True, omit_defaults=True):
    result: str
    kind: str | None = None  # licence | presentation
    licence_type: str | None = None
    licence_type_name: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    issuer_region: str | None = None
    province: str | None = None
    kid: str | None = None
    purpose: int | None = None
    fields: list[DisclosedField] = msgspec.field(default_factory=list)
    issued_at: int | None = None
    expires_at: int | None = None
    subject: str | None = None
    """The licence serial (static codes)."""
    cti: str | None = None
    """The one-time id (presentations), hex."""
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.result == "valid"


ReplayGuard = Callable[[bytes, bytes, int], bool]
"""(kid, cti, exp) → True when this one-time id was already seen (and records it otherwise)."""


def _fail(result: str, detail: str = "", **context: Any) -> Verification:
    return Verification(result=result, detail=detail or None, **context)


def _field_value(kind: str, value: Any) -> str | bool | None:
    if kind in ("text", "masked"):
        return value if isinstance(value, str) else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if isinstance(value, int) and not isinstance(value, bool) and -200_000 < value < 200_000:
            return (dt.date(1970, 1, 1) + dt.timedelta(days=value)).isoformat()
        return None
    return None


def verify(
    text: str,
    store: TrustStore,
    *,
    now: int,
    replay_guard: ReplayGuard | None = None,
) -> Verification:
    """Verify one QR text at unix time ``now``; never raises for bad input."""
    try:
        prefix, raw = wire.decode(text)
    except wire.WireError as exc:
        return _fail(exc.code, str(exc))
    kind = "licence" if prefix == wire.LICENCE_PREFIX else "presentation"
    try:
        sign1 = cose.parse_sign1(raw)
    except cose.CoseError as exc:
        return _fail(exc.code, str(exc), kind=kind)
    key = store.keys.get(sign1.kid)
    if key is None:
        return _fail("unknown_issuer", kind=kind, kid=sign1.kid.hex())
    context: dict[str, Any] = {"kind": kind, **key.context}
    if key.state == "withdrawn":
        return _fail("key_withdrawn", **context)
    if sign1.alg != key.alg:
        return _fail("algorithm_not_allowed", "header alg differs from the key's", **context)
    if not key.verify(key.key, sign1.signature, cose.sig_structure(sign1.protected, sign1.payload)):
        return _fail("bad_signature", **context)
    # ---- only now are the claims read ----
    try:
        claims = cbor2.loads(sign1.payload)
    except Exception:
        return _fail("malformed", "claims are not CBOR", **context)
    if type(claims) is not dict:
        return _fail("malformed", "claims are not a map", **context)
    body = claims.get(CLAIM_LICENCE)
    iat, exp, nbf = claims.get(CLAIM_IAT), claims.get(CLAIM_EXP), claims.get(CLAIM_NBF)
    # exact type checks (``type(x) is int`` also refuses booleans): the hot path, kept cheap
    if (
        type(body) is not list
        or len(body) != 4
        or type(body[0]) is not int
        or type(body[1]) is not int
        or type(body[2]) is not int
        or type(body[3]) is not dict
        or type(exp) is not int
        or (iat is not None and type(iat) is not int)
        or (nbf is not None and type(nbf) is not int)
    ):
        return _fail("malformed", "licence claim", **context)
    type_number, version, purpose, values = body
    dictionary = store.dictionaries.get(key.province, {}).get(type_number)
    fields_def = dictionary.versions.get(version) if dictionary else None
    if dictionary is None or fields_def is None:
        return _fail("malformed", "unknown licence type or dictionary version", **context)
    context.update(licence_type=dictionary.code, licence_type_name=dictionary.name, issued_at=iat, expires_at=exp)
    cti = claims.get(CLAIM_CTI)
    if kind == "presentation":
        if type(cti) is not bytes or not 4 <= len(cti) <= 32 or purpose <= 0:
            return _fail("malformed", "presentation without one-time id or purpose", **context)
        context["cti"] = cti.hex()
        context["purpose"] = purpose
    else:
        sub = claims.get(CLAIM_SUB)
        if not isinstance(sub, str):
            return _fail("malformed", "licence code without subject", **context)
        context["subject"] = sub
    fields: list[DisclosedField] = []
    for field_key, value in values.items():
        definition = fields_def.get(field_key) if type(field_key) is int else None
        if definition is None:
            return _fail("malformed", f"field {field_key!r}", **context)
        shown = value if definition.kind == "text" and type(value) is str else _field_value(definition.kind, value)
        if shown is None:
            return _fail("malformed", f"field {field_key!r}", **context)
        fields.append(DisclosedField(definition.name, definition.label, shown))
    if key.retired_at is not None and (iat is None or iat > key.retired_at + CLOCK_SKEW):
        return _fail("bad_signature", "signed by a retired key after its retirement", **context)
    if dictionary.code not in key.licence_types:
        return _fail("issuer_not_authorised", **context)
    if nbf is not None and now + CLOCK_SKEW < nbf:
        return _fail("not_yet_valid", **context)
    if iat is not None and now + CLOCK_SKEW < iat:
        return _fail("not_yet_valid", **context)
    if now > exp:
        return _fail("expired", **context)
    status = claims.get(CLAIM_STATUS)
    if status is not None:
        reference = status.get("status_list") if isinstance(status, dict) else None
        index = reference.get("idx") if isinstance(reference, dict) else None
        uri = reference.get("uri") if isinstance(reference, dict) else None
        if not isinstance(index, int) or not isinstance(uri, str):
            return _fail("malformed", "status reference", **context)
        raw_list = store.status_lists.get((key.province, uri))
        value = statuslist.status_at(raw_list, index) if raw_list is not None else None
        if value is None:
            return _fail("malformed", "status list not in the trust bundle", **context)
        if value != statuslist.VALID:
            return _fail(statuslist.STATUS_NAMES[value], **context)
    if kind == "presentation" and replay_guard is not None and replay_guard(sign1.kid, cti, exp):
        return _fail("replayed", **context)
    return Verification(result="valid", fields=fields, **context)
