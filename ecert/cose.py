"""COSE_Sign1 (RFC 9052) with an allow-list of algorithms, key ids and JWK/COSE_Key forms.

Written on ``cbor2`` and ``cryptography`` directly rather than through a COSE library: a QR code
needs one structure (a tagged COSE_Sign1 with ``alg`` and ``kid`` in the protected header), and the
verify hot path must stay within a few per cent of a bare signature check, which rules out building
message objects per call.

Algorithms are looked up in :data:`ALGORITHMS`; a national algorithm (SM2, once ``cryptography`` or
another provider offers it) is one more :class:`Algorithm` entry with its own sign/verify functions.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
EDDSA = -8
ES256 = -7

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class CoseError(ValueError):
    """The structure is not a COSE_Sign1 we accept; ``code`` names the verification result."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


class Algorithm:
    def __init__(
        self,
        cose_id: int,
        name: str,
        jose: str,
        generate: Callable[[], PrivateKey],
        sign: Callable[[Any, bytes], bytes],
        verify: Callable[[Any, bytes, bytes], bool],
    ) -> None:
        self.cose_id, self.name, self.jose = cose_id, name, jose
        self.generate, self.sign, self.verify = generate, sign, verify


def _ed_sign(key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def _ed_verify(key: ed25519.Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _es_sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # COSE and JWS: r || s, 32 bytes each


def _es_verify(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


ALGORITHMS: dict[int, Algorithm] = {
    EDDSA: Algorithm(EDDSA, "Ed25519", "EdDSA", ed25519.Ed25519PrivateKey.generate, _ed_sign, _ed_verify),
    ES256: Algorithm(ES256, "ES256", "ES256", lambda: ec.generate_private_key(ec.SECP256R1()), _es_sign, _es_verify),
}
"""The allow-list: a protected header naming any other algorithm is refused before anything else."""


def algorithm_of(key: PublicKey | PrivateKey) -> int:
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return EDDSA
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        return ES256
    raise ValueError("unsupported key type")


def spki(key: PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def kid_of(key: PublicKey) -> bytes:
    """The key id: the first 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo."""
    return hashlib.sha256(spki(key)).digest()[:8]


def load_spki(der: bytes) -> PublicKey:
    key = serialization.load_der_public_key(der)
    if not isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("unsupported key type")
    return key


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk(key: PublicKey) -> dict[str, str]:
    """RFC 8037 (OKP) or RFC 7518 (EC) public JWK, with ``kid`` as lower-case hex."""
    kid = kid_of(key).hex()
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": kid}
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
        "kid": kid,
    }


def from_jwk(data: dict[str, Any]) -> PublicKey:
    if data.get("kty") == "OKP" and data.get("crv") == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(unb64url(data["x"]))
    if data.get("kty") == "EC" and data.get("crv") == "P-256":
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(unb64url(data["x"]), "big"), int.from_bytes(unb64url(data["y"]), "big"), ec.SECP256R1()
        )
        return numbers.public_key()
    raise ValueError("unsupported JWK")


def cose_key(key: PublicKey) -> dict[int, Any]:
    """RFC 9053 COSE_Key map of a public key."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {1: 1, 2: kid_of(key), 3: EDDSA, -1: 6, -2: raw}
    numbers = key.public_numbers()
    return {1: 2, 2: kid_of(key), 3: ES256, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}


_SIG1_HEAD = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"


def _bstr_head(length: int) -> bytes:
    if length < 24:
        return bytes((0x40 + length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    return b"\x5a" + length.to_bytes(4, "big")


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes a COSE_Sign1 signature covers: the CBOR of ["Signature1", protected, h'', payload]
    (assembled directly: byte for byte what a CBOR encoder writes, without building a list)."""
    return b"".join((_SIG1_HEAD, _bstr_head(len(protected)), protected, b"\x40", _bstr_head(len(payload)), payload))


def protected_header(alg: int, kid: bytes) -> bytes:
    return cbor2.dumps({HEADER_ALG: alg, HEADER_KID: kid})


def sign1(payload: bytes, key: PrivateKey, *, kid: bytes | None = None) -> bytes:
    alg = algorithm_of(key)
    kid = kid if kid is not None else kid_of(key.public_key())
    protected = protected_header(alg, kid)
    signature = ALGORITHMS[alg].sign(key, sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


class Sign1(tuple):
    """(alg, kid, protected bytes, payload bytes, signature) of a parsed, not yet verified COSE_Sign1."""

    __slots__ = ()

    @property
    def alg(self) -> int:
        return self[0]

    @property
    def kid(self) -> bytes:
        return self[1]

    @property
    def protected(self) -> bytes:
        return self[2]

    @property
    def payload(self) -> bytes:
        return self[3]

    @property
    def signature(self) -> bytes:
        return self[4]


def parse_sign1(data: bytes) -> Sign1:
    """Parse the envelope and the protected header only; the payload is left as opaque bytes.

    Raises :class:`CoseError` with ``malformed`` or ``algorithm_not_allowed``.
    """
    if data[:1] == b"\xd2":
        data = data[1:]  # tag 18 (one byte); decoding without it gives plain lists and dicts, faster
    try:
        item = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types for broken input
        raise CoseError("malformed", "not CBOR") from exc
    if isinstance(item, cbor2.CBORTag):
        raise CoseError("malformed", "not a COSE_Sign1 tag")
    if type(item) is not list or len(item) != 4:
        raise CoseError("malformed", "COSE_Sign1 must be an array of four")
    protected, unprotected, payload, signature = item
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, dict)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise CoseError("malformed", "COSE_Sign1 member types")
    try:
        header = cbor2.loads(protected) if protected else {}
    except Exception as exc:
        raise CoseError("malformed", "protected header is not CBOR") from exc
    if not isinstance(header, dict):
        raise CoseError("malformed", "protected header is not a map")
    alg = header.get(HEADER_ALG)
    kid = header.get(HEADER_KID)  # only the protected kid counts: it is covered by the signature
    if not isinstance(alg, int) or alg not in ALGORITHMS:
        raise CoseError("algorithm_not_allowed", f"alg {alg!r}")
    if not isinstance(kid, bytes):
        raise CoseError("malformed", "kid missing")
    return Sign1((alg, kid, protected, payload, signature))
