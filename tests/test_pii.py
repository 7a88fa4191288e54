"""Encryption at rest, blind indexes and masking of personal data."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from core import pii


def test_round_trip_and_context_binding() -> None:
    token = pii.encrypt("36010219800101001X", context="resident.id_number")
    assert b"36010219800101001X" not in token
    assert pii.decrypt(token, context="resident.id_number") == "36010219800101001X"
    with pytest.raises(InvalidTag):
        pii.decrypt(token, context="resident.phone")
    assert pii.encrypt("x", context="c") != pii.encrypt("x", context="c")  # random nonce


def test_blind_index_is_deterministic_and_kind_separated() -> None:
    assert pii.blind_index("13800000001", kind="phone") == pii.blind_index("13800000001", kind="phone")
    assert pii.blind_index("13800000001", kind="phone") != pii.blind_index("13800000001", kind="id_number")


def test_masks() -> None:
    assert pii.mask_id_number("36010219800101001X") == "3601**********001X"
    assert pii.mask_phone("13800000001") == "138****0001"
    assert pii.mask_name("张三") == "张*" and pii.mask_name("欧阳娜娜") == "欧**娜"


def test_scrub_masks_numbers_inside_text() -> None:
    text = "user 36010219800101001X called from 13800000001 about order 20261125000012345678"
    assert pii.scrub(text) == "user 3601**********001X called from 138****0001 about order 20261125000012345678"
