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


def test_dates_before_1970_survive_the_round_trip() -> None:
    import datetime as dt

    from ecert import codes, cose, types

    licence_type = types.get("id_card")
    private = cose.ALGORITHMS[cose.EDDSA].generate()
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    stored = {"name": "张秀英", "birth_date": "1948-03-12"}
    values = codes.encoded_values(licence_type, 1, stored, ["name", "birth_date"], valid=True, today=now.date())
    assert values[3] < 0
    text = codes.presentation_text(
        licence_type,
        1,
        values,
        purpose=1,
        cti=b"12345678",
        issued=now,
        expires=now + dt.timedelta(seconds=90),
        status=None,
        private=private,
    )
    key = verify.TrustedKey(
        kid=cose.kid_of(private.public_key()),
        alg=cose.EDDSA,
        key=private.public_key(),
        issuer_id="t",
        issuer_name="t",
        region="360100",
        province="360000",
        licence_types=frozenset({"id_card"}),
        state="active",
        retired_at=None,
    )
    from ecert import trust

    _, _, dictionaries = trust.store_parts({"province": "360000", "licence_types": types.dictionary()})
    store = verify.TrustStore({key.kid: key}, {}, dictionaries)
    result = verify.verify(text, store, now=int(now.timestamp()) + 10)
    assert result.ok and {f.name: f.value for f in result.fields} == {"name": "张秀英", "birth_date": "1948-03-12"}


@given(st.binary(max_size=400))
def test_our_base45_decoder_round_trips(data: bytes) -> None:
    assert wire.b45decode(base45.b45encode(data).decode()) == data


@given(st.text(alphabet=wire.ALPHABET + "abcé\x00", max_size=60))
def test_our_base45_decoder_agrees_with_the_library(text: str) -> None:
    try:
        expected: bytes | None = base45.b45decode(text)
    except ValueError:
        expected = None
    try:
        ours: bytes | None = wire.b45decode(text)
    except ValueError:
        ours = None
    assert ours == expected


@given(st.binary(max_size=70000), st.binary(max_size=300))
def test_the_signature_structure_is_exactly_its_cbor(payload: bytes, protected: bytes) -> None:
    from ecert import cose

    assert cose.sig_structure(protected, payload) == cbor2.dumps(["Signature1", protected, b"", payload])
