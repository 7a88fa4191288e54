"""QR versions of every licence type's codes, measured on the sample data (tests and bench)."""

from __future__ import annotations

import datetime as dt
import os

import msgspec

from ecert import codes, cose, samples, types


class TypeSizes(msgspec.Struct, kw_only=True):
    licence_type: str
    alg: str
    static_chars: int
    static_version: int
    live_chars: int
    live_version: int
    offline_chars: int
    offline_version: int
    offline_with_status: bool


def measure(alg: int = cose.EDDSA) -> list[TypeSizes]:
    """Static code (every static field), live and offline presentation (the type's default fields)."""
    private = cose.ALGORITHMS[alg].generate()
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    out = []
    for licence_type in types.TYPES:
        stored = samples.SAMPLES[licence_type.code]
        version = licence_type.current
        static_fields = [f.name for f in licence_type.fields() if f.static and f.key < 100]
        static = codes.static_text(
            licence_type,
            version,
            codes.encoded_values(licence_type, version, stored, static_fields, valid=True, today=now.date()),
            serial="04" + "X" * 12,
            issued=now,
            expires=now + codes.STATIC_VALIDITY,
            status=("urn:zb:36:sl12", (1 << 20) - 1),
            private=private,
        )
        values = codes.encoded_values(
            licence_type, version, stored, list(licence_type.default_fields), valid=True, today=now.date()
        )
        common = {"purpose": 2, "cti": os.urandom(8), "issued": now, "private": private}
        live = codes.presentation_text(
            licence_type, version, values, expires=now + dt.timedelta(seconds=120), status=None, **common
        )
        offline = codes.presentation_text(
            licence_type,
            version,
            values,
            expires=now + codes.OFFLINE_VALIDITY,
            status=("urn:zb:36:sl12", (1 << 20) - 1),
            **common,
        )
        with_status = codes.fits(offline, codes.PRESENTATION_MAX_VERSION)
        if not with_status:
            offline = codes.presentation_text(
                licence_type, version, values, expires=now + codes.OFFLINE_VALIDITY, status=None, **common
            )
        out.append(
            TypeSizes(
                licence_type=licence_type.code,
                alg=cose.ALGORITHMS[alg].name,
                static_chars=len(static),
                static_version=codes.qr_version(static),
                live_chars=len(live),
                live_version=codes.qr_version(live),
                offline_chars=len(offline),
                offline_version=codes.qr_version(offline),
                offline_with_status=with_status,
            )
        )
    return out
