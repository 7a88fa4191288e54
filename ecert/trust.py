"""The trust bundle: every issuer key and status list a verifier needs, signed by the provincial root.

Two encodings of one content:

* ``trust-bundle.json`` — a flattened JWS (RFC 7515 §7.2.2): ``{"protected", "payload",
  "signature"}``, ES256 over ``ASCII(protected || "." || payload)``, keys as JWKs. ES256 because
  every browser's WebCrypto verifies it;
* ``trust-bundle`` — a COSE_Sign1 (CBOR) signed by the same root key, keys as COSE_Key maps.

The server verifies codes against a :class:`verify.TrustStore` built from the very same content
(its own bundle plus the imported ones), so the online verifier and a stranger's offline verifier
see identical data.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import cbor2
import msgspec

from audit import log as audit
from core import db, errors, timeutil
from core.errors import ProblemError
from ecert import cose, keys, statuslist, types, verify, wire
from ecert.tables import Authority, ForeignBundle, Licence, SigningKey, StatusList

errors.register(
    "bundle_invalid",
    422,
    "信任列表格式不正确或签名无法验证。",
    "The trust bundle is malformed or its signature does not verify.",
)
errors.register("bundle_expired", 422, "这份信任列表已过期。", "This trust bundle has expired.")
errors.register(
    "bundle_own_province",
    422,
    "不能导入本省自己的信任列表。",
    "A province cannot import its own trust bundle.",
)

FORMAT = "zb-ecert-trust-bundle/1"
JWS_TYPE = "zb-trust-bundle+json"
NEXT_UPDATE = dt.timedelta(hours=1)
VALIDITY = dt.timedelta(days=7)
CACHE_SECONDS = 30.0
PLATFORM_NAME = "{province}一体化政务服务平台（掌办）"


def province_code() -> str:
    from core import settings

    return settings.get().platform_region


async def ensure_root(actor: audit.Actor = audit.SYSTEM) -> dict[str, Any]:
    province = province_code()
    return await keys.ensure_authority(
        code=f"{province}.root",
        name="省级电子证照信任根",
        region_code=province,
        licence_types=[],
        department_id=None,
        kind="root",
        alg=cose.ES256,
        actor=actor,
    )


async def root_key() -> dict[str, Any]:
    root = await ensure_root()
    return await keys.signing_key(root["id"])


# ---- content ------------------------------------------------------------------------------------------
def _epoch(value: dt.datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


async def _content(now: dt.datetime) -> dict[str, Any]:
    province = province_code()
    root = await root_key()
    root_public = cose.load_spki(bytes(root["public_key"]))
    authorities = await Authority.select().where(Authority.kind == "issuer").order_by(Authority.code)
    key_rows = await SigningKey.select().order_by(SigningKey.created_at)
    by_authority: dict[Any, list[dict[str, Any]]] = {}
    for row in key_rows:
        if row["state"] == "retired" and row["last_signed_exp"] is not None and row["last_signed_exp"] < now:
            continue  # nothing it signed is still valid: it can leave the bundle
        if row["state"] == "retired" and row["last_signed_exp"] is None:
            continue
        by_authority.setdefault(row["authority"], []).append(row)
    issuers = []
    for authority in authorities:
        entries = []
        for row in by_authority.get(authority["id"], []):
            public = cose.load_spki(bytes(row["public_key"]))
            entry: dict[str, Any] = {
                "kid": row["kid"],
                "alg": row["alg"],
                "state": row["state"],
                "not_before": _epoch(row["created_at"]),
                "jwk": cose.jwk(public),
            }
            if row["retired_at"] is not None:
                entry["retired_at"] = _epoch(row["retired_at"])
            if row["state"] == "retired" and row["last_signed_exp"] is not None:
                entry["verify_until"] = _epoch(row["last_signed_exp"])
            entries.append(entry)
        if entries:
            issuers.append(
                {
                    "id": authority["code"],
                    "name": authority["name"],
                    "region": authority["region_code"],
                    "licence_types": list(json_value(authority["licence_types"])),
                    "keys": entries,
                }
            )
    lists = []
    for sl in await StatusList.select().order_by(StatusList.uri):
        marked = await Licence.select(Licence.status_index, Licence.status).where(
            (Licence.status_list == sl["id"]) & (Licence.status != "valid")
        )
        raw = statuslist.build(
            sl["size"],
            [
                (m["status_index"], statuslist.REVOKED if m["status"] == "revoked" else statuslist.SUSPENDED)
                for m in marked
            ],
        )
        lists.append(
            {
                "uri": sl["uri"],
                "bits": statuslist.BITS,
                "size": sl["size"],
                "lst": cose.b64url(statuslist.compress(raw)),
            }
        )
    from regions import tree

    province_name = (await tree.tree()).name(province)
    return {
        "format": FORMAT,
        "province": province,
        "name": PLATFORM_NAME.format(province=province_name or province),
        "issued_at": int(now.timestamp()),
        "next_update": int((now + NEXT_UPDATE).timestamp()),
        "expires_at": int((now + VALIDITY).timestamp()),
        "root": {"kid": root["kid"], "jwk": cose.jwk(root_public)},
        "algorithms": sorted(cose.ALGORITHMS),
        "prefixes": {"licence": wire.LICENCE_PREFIX, "presentation": wire.PRESENTATION_PREFIX},
        "issuers": issuers,
        "status_lists": lists,
        "licence_types": types.dictionary(),
        "purposes": {str(n): {"code": code, "label": label} for n, (code, label) in types.PURPOSES.items()},
    }


def json_value(value: Any) -> Any:
    """A JSON column's value (SQLite and PostgreSQL return it differently)."""
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


# ---- signing ------------------------------------------------------------------------------------------
def sign_json(content: dict[str, Any], root_private: cose.PrivateKey) -> dict[str, str]:
    """Flattened JWS over the canonical JSON of ``content`` (sorted keys, no spaces, UTF-8)."""
    kid = cose.kid_of(root_private.public_key()).hex()
    alg = cose.ALGORITHMS[cose.algorithm_of(root_private)]
    header = cose.b64url(msgspec.json.encode({"alg": alg.jose, "kid": kid, "typ": JWS_TYPE}, order="sorted"))
    payload = cose.b64url(msgspec.json.encode(content, order="sorted"))
    signature = alg.sign(root_private, f"{header}.{payload}".encode("ascii"))
    return {"protected": header, "payload": payload, "signature": cose.b64url(signature)}


def _cbor_content(content: dict[str, Any]) -> dict[str, Any]:
    """The CBOR bundle's content: JWKs become COSE_Key maps and lists raw bytes."""
    out = dict(content)
    out["root"] = {
        "kid": bytes.fromhex(content["root"]["kid"]),
        "key": cose.cose_key(cose.from_jwk(content["root"]["jwk"])),
    }
    out["issuers"] = [
        {
            **issuer,
            "keys": [
                {
                    **{k: v for k, v in entry.items() if k != "jwk"},
                    "kid": bytes.fromhex(entry["kid"]),
                    "key": cose.cose_key(cose.from_jwk(entry["jwk"])),
                }
                for entry in issuer["keys"]
            ],
        }
        for issuer in content["issuers"]
    ]
    out["status_lists"] = [{**sl, "lst": cose.unb64url(sl["lst"])} for sl in content["status_lists"]]
    return out


def sign_cbor(content: dict[str, Any], root_private: cose.PrivateKey) -> bytes:
    return cose.sign1(cbor2.dumps(_cbor_content(content)), root_private)


def open_json(document: dict[str, Any], root_jwk: dict[str, Any]) -> dict[str, Any]:
    """Check a JSON bundle's signature against a pinned root JWK; returns the content."""
    try:
        header = msgspec.json.decode(cose.unb64url(document["protected"]))
        public = cose.from_jwk(root_jwk)
        alg = cose.ALGORITHMS[cose.algorithm_of(public)]
        signature = cose.unb64url(document["signature"])
        signed = f"{document['protected']}.{document['payload']}".encode("ascii")
    except (KeyError, TypeError, ValueError, msgspec.DecodeError) as exc:
        raise ProblemError("bundle_invalid", field="bundle") from exc
    if header.get("alg") != alg.jose or header.get("typ") != JWS_TYPE or not alg.verify(public, signature, signed):
        raise ProblemError("bundle_invalid", field="bundle")
    try:
        content = msgspec.json.decode(cose.unb64url(document["payload"]))
    except (ValueError, msgspec.DecodeError) as exc:
        raise ProblemError("bundle_invalid", field="bundle") from exc
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ProblemError("bundle_invalid", field="bundle")
    return content


# ---- the trust store ------------------------------------------------------------------------------------
def store_parts(content: dict[str, Any]) -> tuple[dict[bytes, verify.TrustedKey], dict, dict]:
    """Keys, status lists and dictionaries of one bundle's content, ready for the verifier."""
    province = content["province"]
    allowed = set(content.get("algorithms", [])) & set(cose.ALGORITHMS)
    trusted: dict[bytes, verify.TrustedKey] = {}
    for issuer in content.get("issuers", []):
        for entry in issuer.get("keys", []):
            if entry["alg"] not in allowed:
                continue
            public = cose.from_jwk(entry["jwk"])
            kid = bytes.fromhex(entry["kid"])
            if cose.kid_of(public) != kid:
                continue  # a kid must be derived from its key
            trusted[kid] = verify.TrustedKey(
                kid=kid,
                alg=entry["alg"],
                key=public,
                issuer_id=issuer["id"],
                issuer_name=issuer["name"],
                region=issuer["region"],
                province=province,
                licence_types=frozenset(issuer.get("licence_types", [])),
                state=entry.get("state", "active"),
                retired_at=entry.get("retired_at"),
            )
    lists = {
        (province, sl["uri"]): statuslist.decompress(cose.unb64url(sl["lst"])) for sl in content.get("status_lists", [])
    }
    dictionaries = {
        province: {
            spec["number"]: verify.TypeDict(
                code=code,
                name=spec["name"],
                versions={
                    int(version): {
                        int(key): verify.FieldDict(f["name"], f["label"], f["kind"]) for key, f in fields.items()
                    }
                    for version, fields in spec["versions"].items()
                },
            )
            for code, spec in content.get("licence_types", {}).items()
        }
    }
    return trusted, lists, dictionaries


class _Cache:
    built_at: float = 0.0
    content: dict[str, Any] | None = None
    json_doc: bytes = b""
    cbor_doc: bytes = b""
    store: verify.TrustStore | None = None


_cache = _Cache()


def invalidate() -> None:
    """Call after any change to keys, licences' status or imported bundles (this worker rebuilds at
    once; other workers within :data:`CACHE_SECONDS`)."""
    _cache.built_at = 0.0


keys.on_change.append(invalidate)
REFRESH_ON_UNKNOWN_SECONDS = 2.0


async def refresh_for_unknown_kid() -> bool:
    """A kid we do not know may be a key another worker just created: rebuild (at most every 2 s)."""
    if time.monotonic() - _cache.built_at < REFRESH_ON_UNKNOWN_SECONDS:
        return False
    await _rebuild()
    return True


async def _rebuild() -> None:
    now = timeutil.now()
    content = await _content(now)
    root = await root_key()
    private = keys.private_key(root)
    json_doc = msgspec.json.encode(sign_json(content, private))
    cbor_doc = sign_cbor(content, private)
    trusted, lists, dictionaries = store_parts(content)
    for row in await ForeignBundle.select():
        if row["expires_at"] <= now:
            continue
        foreign = open_json(msgspec.json.decode(row["bundle"]), json_value(row["root_jwk"]))
        if foreign["province"] == content["province"]:
            continue
        more_keys, more_lists, more_dicts = store_parts(foreign)
        for kid, entry in more_keys.items():
            trusted.setdefault(kid, entry)  # our own keys win a (practically impossible) kid clash
        lists.update(more_lists)
        dictionaries.update(more_dicts)
    _cache.content, _cache.json_doc, _cache.cbor_doc = content, json_doc, cbor_doc
    _cache.store = verify.TrustStore(trusted, lists, dictionaries)
    _cache.built_at = time.monotonic()


async def _fresh() -> _Cache:
    if _cache.store is None or time.monotonic() - _cache.built_at > CACHE_SECONDS:
        await _rebuild()
    return _cache


async def store() -> verify.TrustStore:
    cache = await _fresh()
    assert cache.store is not None
    return cache.store


async def bundle_json() -> tuple[bytes, dict[str, Any]]:
    cache = await _fresh()
    assert cache.content is not None
    return cache.json_doc, cache.content


async def bundle_cbor() -> tuple[bytes, dict[str, Any]]:
    cache = await _fresh()
    assert cache.content is not None
    return cache.cbor_doc, cache.content


# ---- imports ------------------------------------------------------------------------------------------
async def import_bundle(document: dict[str, Any], root_jwk: dict[str, Any], *, actor: audit.Actor) -> dict[str, Any]:
    """Trust another province's issuers (互通互认) after checking its bundle against its root key."""
    content = open_json(document, root_jwk)
    now = timeutil.now()
    if content.get("province") == province_code():
        raise ProblemError("bundle_own_province", field="bundle")
    try:
        expires = dt.datetime.fromtimestamp(int(content["expires_at"]), tz=dt.UTC)
        issued = dt.datetime.fromtimestamp(int(content["issued_at"]), tz=dt.UTC)
        store_parts(content)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProblemError("bundle_invalid", field="bundle") from exc
    if expires <= now:
        raise ProblemError("bundle_expired", field="bundle")
    text = msgspec.json.encode(document).decode()
    root_text = msgspec.json.encode(root_jwk).decode()
    async with db.write_tx():
        existing = await ForeignBundle.select().where(ForeignBundle.province_code == content["province"]).first()
        values = {
            "name": str(content.get("name", ""))[:200],
            "root_jwk": root_text,
            "bundle": text,
            "issued_at": issued,
            "expires_at": expires,
            "imported_at": now,
            "imported_by": uuid_or_none(actor.id),
        }
        if existing is None:
            row_id = timeutil.uuid7()
            await ForeignBundle.insert(ForeignBundle(id=row_id, province_code=content["province"], **values))
        else:
            row_id = existing["id"]
            await ForeignBundle.update({getattr(ForeignBundle, k): v for k, v in values.items()}).where(
                ForeignBundle.id == row_id
            )
        await audit.append(
            "ecert.bundle.import",
            actor=actor,
            object_type="ecert_foreign_bundle",
            object_id=row_id,
            details={
                "province": content["province"],
                "root_kid": cose.kid_of(cose.from_jwk(root_jwk)).hex(),
                "issuers": len(content.get("issuers", [])),
                "replaced": existing is not None,
            },
        )
    invalidate()
    return {
        "id": row_id,
        "province": content["province"],
        "name": values["name"],
        "expires_at": expires,
        "issuers": len(content.get("issuers", [])),
    }


def uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None
