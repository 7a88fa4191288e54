"""QR sizes: a static licence code fits version 12-M, a presentation code version 10-M, for every type."""

from __future__ import annotations

import pytest

from ecert import codes, cose, sizes, types


@pytest.mark.parametrize("alg", [cose.EDDSA, cose.ES256])
def test_every_licence_type_fits_its_qr_version(alg: int) -> None:
    measured = {m.licence_type: m for m in sizes.measure(alg)}
    assert set(measured) == set(types.BY_CODE)
    for code, m in measured.items():
        assert m.static_version <= codes.STATIC_MAX_VERSION, (code, m)
        assert m.live_version <= codes.PRESENTATION_MAX_VERSION, (code, m)
        assert m.offline_version <= codes.PRESENTATION_MAX_VERSION, (code, m)
    # the status reference rides along in offline codes wherever it fits (most person licences)
    assert measured["id_card"].offline_with_status and measured["household_register"].offline_with_status


def test_the_capacity_table_matches_the_qr_library() -> None:
    for version, capacity in codes.ALNUM_CAPACITY_M.items():
        assert codes.qr_version("A" * capacity) == version
        assert codes.qr_version("A" * (capacity + 1)) == version + 1


def test_the_contract_types_and_the_issue_types_exist() -> None:
    contract = (
        "id_card household_register residence_permit business_licence food_licence driving_licence "
        "marriage_certificate property_certificate social_security_card diploma birth_medical_certificate "
        "disability_card elderly_card"
    ).split()
    assert sorted(types.BY_CODE) == sorted(contract)
    assert len({t.number for t in types.TYPES}) == len(types.TYPES)
    for licence_type in types.TYPES:
        for version, fields in licence_type.versions.items():
            keys = [f.key for f in fields]
            assert len(keys) == len(set(keys)), (licence_type.code, version)
            assert all(licence_type.field(name) for name in licence_type.default_fields)
            # ID numbers can only ever be carried masked
            assert all(f.kind == "masked" for f in fields if f.name in ("id_number", "card_no"))
