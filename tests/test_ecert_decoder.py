"""Random input into the decoder: never an exception, never "valid"."""

from __future__ import annotations

import base45
import cbor2
from hypothesis import given
from hypothesis import strategies as st

from ecert import verify, wire


@given(st.binary(max_size=600), st.sampled_from(["ZP1:", "ZL1:", "", "HC1:"]))
def test_random_bytes_never_crash_the_decoder(data: bytes, prefix: str) -> None:
    store = verify.TrustStore({}, {}, {})
    for text in (prefix + base45.b45encode(data).decode(), prefix + data.decode("latin-1")):
        result = verify.verify(text, store, now=0)
        assert result.result in verify.RESULTS and result.result != "valid"
    if data:
        try:
            wire.decode("ZP1:" + base45.b45encode(data).decode())
        except wire.WireError as exc:
            assert exc.code in verify.RESULTS


@given(st.binary(min_size=1, max_size=300))
def test_random_cose_like_structures_are_malformed_or_unknown(data: bytes) -> None:
    store = verify.TrustStore({}, {}, {})
    envelope = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -8, 4: data[:8]}), {}, data, data]))
    result = verify.verify("ZP1:" + base45.b45encode(envelope).decode(), store, now=0)
    assert result.result == "unknown_issuer"
    garbage = verify.verify("ZL1:" + base45.b45encode(b"\xd2" + data).decode(), store, now=0)
    assert garbage.result in ("malformed", "algorithm_not_allowed", "unknown_issuer")
