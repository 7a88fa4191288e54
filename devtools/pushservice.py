"""A local Web Push service for tests and benchmarks: a real HTTP server on 127.0.0.1.

It plays both ends a real push goes through. As the *push service* (RFC 8030) it takes
``POST /push/<token>``, demands a ``TTL``, checks ``Urgency`` and ``Topic``, and checks the VAPID
header (RFC 8292): ``Authorization: vapid t=<JWT>, k=<public key>`` — an ES256 signature verified
against ``k``, ``aud`` equal to this service's origin, ``exp`` in the future and at most 24 h
ahead, ``sub`` a ``mailto:`` or ``https:`` contact, and ``k`` the application server key the
subscription was made with. As the *browser* it decrypts the ``aes128gcm`` body (RFC 8291) with the
subscription's own private key and auth secret, generated here, exactly as a user agent would.

Each subscription can be told how to answer next (``script``): 201 by default, or 404, 410, 429 with
``Retry-After``, 500…; the whole service can be taken ``down()`` (connections refused) and brought
``up()`` again on the same port, or made slow (``delay``). What arrived is in ``delivered`` (2xx
answers only, with the decrypted payload) and ``attempts`` (every verified request).

Run alone for the benchmark: ``python -m devtools.pushservice`` prints its origin and serves
``POST /_admin/subscriptions`` (body ``{"application_server_key"}`` → a subscription) and
``GET /_admin/stats``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

URGENCIES = {"very-low", "low", "normal", "high"}
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_BODY = 4096


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Refused(Exception):
    """The request breaks the protocol: answered with ``status`` and recorded in ``rejected``."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Browser:
    """One subscription: the user agent's P-256 key pair and auth secret, and its answers to come."""

    def __init__(self, token: str, application_server_key: str) -> None:
        self.token = token
        self.application_server_key = application_server_key
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = secrets.token_bytes(16)
        self.answers: list[tuple[int, dict[str, str]]] = []

    def keys(self) -> dict[str, str]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")


def verify_vapid(header: str, origin: str, expected_key: str) -> dict[str, Any]:
    """Check an RFC 8292 ``Authorization`` header; returns the JWT claims or raises :class:`Refused`."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "vapid":
        raise Refused(401, f"authorization scheme {scheme!r} is not vapid")
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        params[name.strip()] = value.strip()
    token, key = params.get("t", ""), params.get("k", "")
    if not token or not key:
        raise Refused(401, "vapid needs t= and k=")
    if key != expected_key:
        raise Refused(403, "k is not the application server key of this subscription")
    try:
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        head_b64, claims_b64, signature_b64 = token.split(".")
        head = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(signature_b64)
    except (ValueError, TypeError) as error:
        raise Refused(401, f"malformed vapid token: {error}") from error
    if head.get("alg") != "ES256" or head.get("typ", "JWT") != "JWT":
        raise Refused(401, f"JWT header {head!r}")
    if len(signature) != 64:
        raise Refused(401, "ES256 signature must be 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise Refused(403, "bad VAPID signature") from error
    now = time.time()
    if claims.get("aud") != origin:
        raise Refused(403, f"aud {claims.get('aud')!r} is not {origin!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600:
        raise Refused(403, f"exp {exp!r} outside (now, now + 24 h]")
    sub = claims.get("sub", "")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        raise Refused(403, f"sub {sub!r} is no contact")
    return claims


class Message:
    """A push as it arrived: decrypted payload and the headers that matter."""

    def __init__(self, token: str, plaintext: bytes, headers: dict[str, str], claims: dict[str, Any]) -> None:
        self.token = token
        self.plaintext = plaintext
        self.headers = headers
        self.claims = claims
        self.at = time.time()

    @property
    def payload(self) -> Any:
        return json.loads(self.plaintext)

    @property
    def ttl(self) -> int:
        return int(self.headers["ttl"])

    @property
    def urgency(self) -> str:
        return self.headers.get("urgency", "normal")

    @property
    def topic(self) -> str | None:
        return self.headers.get("topic")


class PushService:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.browsers: dict[str, Browser] = {}
        self.delivered: list[Message] = []
        self.attempts: list[tuple[str, int]] = []
        """(token, status answered) for every request that passed the checks."""
        self.rejected: list[tuple[str, int, str]] = []
        self.lock = threading.Lock()
        self.port = 0
        self.accepting = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- life cycle ------------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        service = self

        class Handler(_Handler):
            owner = service

        server = _Server(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="push-service", daemon=True)
        self._thread.start()
        self.accepting = True

    def down(self) -> None:
        """Stop listening: new connections are refused and open ones dropped until :meth:`up`."""
        self.accepting = False
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ---- subscriptions ---------------------------------------------------------------------------
    def subscribe(self, application_server_key: str) -> Browser:
        browser = Browser(secrets.token_urlsafe(16), application_server_key)
        with self.lock:
            self.browsers[browser.token] = browser
        return browser

    def subscription(self, browser: Browser) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` would give the PWA."""
        return {"endpoint": f"{self.origin}/push/{browser.token}", "expirationTime": None, "keys": browser.keys()}

    def script(self, browser: Browser, *answers: int | tuple[int, dict[str, str]]) -> None:
        """The next answers for ``browser`` (then 201 again)."""
        with self.lock:
            browser.answers.extend(a if isinstance(a, tuple) else (a, {}) for a in answers)

    def forget(self, browser: Browser) -> None:
        """The browser dropped the subscription: its endpoint answers 410 from now on."""
        with self.lock:
            self.browsers.pop(browser.token, None)

    # ---- what arrived ----------------------------------------------------------------------------
    def messages_for(self, browser: Browser) -> list[Message]:
        with self.lock:
            return [m for m in self.delivered if m.token == browser.token]

    def count_by_id(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m.payload.get("id")) for m in self.delivered)

    # ---- one request -----------------------------------------------------------------------------
    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        token = path.removeprefix("/push/")
        with self.lock:
            browser = self.browsers.get(token)
        if browser is None or not path.startswith("/push/"):
            return 410, {}
        try:
            claims = verify_vapid(headers.get("authorization", ""), self.origin, browser.application_server_key)
            ttl = headers.get("ttl", "")
            if not ttl.isdigit():
                raise Refused(400, "TTL header missing or not a number")
            if headers.get("urgency", "normal") not in URGENCIES:
                raise Refused(400, f"urgency {headers.get('urgency')!r}")
            if "topic" in headers and not _TOPIC.match(headers["topic"]):
                raise Refused(400, f"topic {headers['topic']!r}")
            if headers.get("content-encoding") != "aes128gcm":
                raise Refused(415, f"content-encoding {headers.get('content-encoding')!r}")
            if len(body) > MAX_BODY:
                raise Refused(413, "payload too large")
            try:
                plaintext = browser.decrypt(body)
            except Exception as error:  # any failure to decrypt is a protocol error of the sender
                raise Refused(400, f"cannot decrypt: {type(error).__name__}: {error}") from error
        except Refused as refused:
            with self.lock:
                self.rejected.append((token, refused.status, refused.reason))
            return refused.status, {}
        with self.lock:
            status, extra = browser.answers.pop(0) if browser.answers else (201, {})
            self.attempts.append((token, status))
            if 200 <= status < 300:
                self.delivered.append(Message(token, plaintext, headers, claims))
        if self.delay:
            time.sleep(self.delay)
        return status, extra


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender killed mid-request (the crash tests do that) is expected, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: PushService
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_POST(self) -> None:
        if not self.owner.accepting:  # "down": drop kept-alive connections without an answer
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        if self.path == "/_admin/subscriptions":
            key = json.loads(body or b"{}").get("application_server_key", "")
            browser = self.owner.subscribe(key)
            answer = json.dumps(self.owner.subscription(browser)).encode()
            self._answer(201, {"Content-Type": "application/json"}, answer)
            return
        status, extra = self.owner.handle(self.path, headers, body)
        if status >= 300:
            self._answer(status, extra, b"{}")
        else:
            self._answer(status, {"Location": f"/message/{secrets.token_hex(8)}", **extra})

    def do_GET(self) -> None:
        if self.path != "/_admin/stats":
            self._answer(404, {})
            return
        owner = self.owner
        with owner.lock:
            stats = {
                "delivered": len(owner.delivered),
                "attempts": len(owner.attempts),
                "rejected": len(owner.rejected),
            }
        self._answer(200, {"Content-Type": "application/json"}, json.dumps(stats).encode())


@contextmanager
def running(*, delay: float = 0.0) -> Iterator[PushService]:
    service = PushService(delay=delay)
    service.up()
    try:
        yield service
    finally:
        service.down()


def main() -> int:
    service = PushService()
    service.up()
    print(service.origin, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        service.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
