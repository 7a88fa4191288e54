"""An independent verifier written from docs/ecert-format.md alone.

It imports nothing of the project: only the standard library, cbor2, base45 and cryptography, and it
reads the trust bundle exactly as a stranger would (the JSON document, its JWS signature checked
against the pinned root JWK). If the format page and the platform disagree, the tests using this
module fail.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import zlib

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PREFIXES = {"ZL1:": "licence", "ZP1:": "presentation"}
MAX_TEXT, MAX_COSE = 1200, 2048


class Rejected(Exception):
    def __init__(self, result: str) -> None:
        super().__init__(result)
        self.result = result


def b64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(jwk: dict):
    if jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(b64u(jwk["x"]))
    if jwk["kty"] == "EC" and jwk["crv"] == "P-256":
        x, y = int.from_bytes(b64u(jwk["x"]), "big"), int.from_bytes(b64u(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    raise ValueError("key type")


def check(key, alg: int, signature: bytes, data: bytes) -> bool:
    try:
        if alg == -8:
            key.verify(signature, data)
        elif alg == -7:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def open_bundle(document: dict, root_jwk: dict) -> dict:
    """Section "Trust bundle": ES256 over ASCII(protected + "." + payload)."""
    header = json.loads(b64u(document["protected"]))
    assert header["alg"] == "ES256" and header["typ"] == "zb-trust-bundle+json"
    signed = (document["protected"] + "." + document["payload"]).encode("ascii")
    if not check(public_key(root_jwk), -7, b64u(document["signature"]), signed):
        raise Rejected("bundle_signature")
    return json.loads(b64u(document["payload"]))


class Verifier:
    def __init__(self, *bundles: dict) -> None:
        self.keys: dict[bytes, tuple[dict, dict, dict]] = {}
        self.lists: dict[tuple[str, str], bytes] = {}
        self.types: dict[tuple[str, int], dict] = {}
        self.seen: set[tuple[bytes, bytes]] = set()
        for bundle in bundles:
            province = bundle["province"]
            for issuer in bundle["issuers"]:
                for key in issuer["keys"]:
                    spki = public_key(key["jwk"]).public_bytes(
                        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                    )
                    kid = bytes.fromhex(key["kid"])
                    assert hashlib.sha256(spki).digest()[:8] == kid
                    self.keys[kid] = (key, issuer, bundle)
            for sl in bundle["status_lists"]:
                self.lists[(province, sl["uri"])] = zlib.decompress(b64u(sl["lst"]))
            for code, spec in bundle["licence_types"].items():
                self.types[(province, spec["number"])] = {"code": code, **spec}

    def verify(self, text: str, now: int) -> dict:
        try:
            return self._verify(text, now)
        except Rejected as rejected:
            return {"result": rejected.result}

    def _verify(self, text: str, now: int) -> dict:
        # 1. size and prefix before anything else
        if len(text) > MAX_TEXT:
            raise Rejected("oversized")
        kind = next((k for p, k in PREFIXES.items() if text.startswith(p)), None)
        if kind is None:
            raise Rejected("wrong_prefix")
        try:
            raw = base45.b45decode(text[4:])
        except Exception:
            raise Rejected("malformed") from None
        if raw[:1] == b"\x78":
            inflater = zlib.decompressobj()
            try:
                raw = inflater.decompress(raw, MAX_COSE + 1)
            except zlib.error:
                raise Rejected("malformed") from None
            if len(raw) > MAX_COSE or inflater.unconsumed_tail:
                raise Rejected("decompression_bomb")
        # 2. envelope and protected header
        try:
            item = cbor2.loads(raw)
        except Exception:
            raise Rejected("malformed") from None
        if isinstance(item, cbor2.CBORTag):
            if item.tag != 18:
                raise Rejected("malformed")
            item = item.value
        if not isinstance(item, list | tuple) or len(item) != 4:
            raise Rejected("malformed")
        protected, _unprotected, payload, signature = item
        header = cbor2.loads(protected)
        alg, kid = header.get(1), header.get(4)
        if alg not in (-8, -7):
            raise Rejected("algorithm_not_allowed")
        # 3. key
        if kid not in self.keys:
            raise Rejected("unknown_issuer")
        key, issuer, bundle = self.keys[kid]
        if key["state"] == "withdrawn":
            raise Rejected("key_withdrawn")
        if key["alg"] != alg:
            raise Rejected("algorithm_not_allowed")
        # 4. signature over Sig_structure, before any claim is read
        to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
        if not check(public_key(key["jwk"]), alg, signature, to_sign):
            raise Rejected("bad_signature")
        # 5. claims
        claims = cbor2.loads(payload)
        type_number, version, purpose, values = claims[-65537]
        spec = self.types[(bundle["province"], type_number)]
        if "retired_at" in key and claims.get(6, 10**12) > key["retired_at"] + 30:
            raise Rejected("bad_signature")
        if spec["code"] not in issuer["licence_types"]:
            raise Rejected("issuer_not_authorised")
        dictionary = spec["versions"][str(version)]
        fields = {}
        for field_key, value in values.items():
            entry = dictionary[str(field_key)]
            if entry["kind"] == "date":
                value = (datetime.date(1970, 1, 1) + datetime.timedelta(days=value)).isoformat()
            fields[entry["name"]] = value
        if now + 30 < claims.get(6, 0) or now + 30 < claims.get(5, 0):
            raise Rejected("not_yet_valid")
        if now > claims[4]:
            raise Rejected("expired")
        if 65535 in claims:
            reference = claims[65535]["status_list"]
            lst = self.lists[(bundle["province"], reference["uri"])]
            index = reference["idx"]
            status = (lst[index // 4] >> (2 * (index % 4))) & 3
            if status == 1 or status == 3:
                raise Rejected("revoked")
            if status == 2:
                raise Rejected("suspended")
        if kind == "presentation":
            cti = claims[7]
            if (kid, cti) in self.seen:
                raise Rejected("replayed")
            self.seen.add((kid, cti))
        return {
            "result": "valid",
            "kind": kind,
            "type": spec["code"],
            "issuer": issuer["id"],
            "purpose": bundle["purposes"].get(str(purpose), {}).get("code") if purpose else None,
            "fields": fields,
        }
