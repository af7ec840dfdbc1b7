"""The BER → DER normaliser used for imported private keys (spec §2: BER or DER accepted)."""

from __future__ import annotations

import pytest

from kms_import_mock.crypto.ber import BerError, read, read_all, to_der
from tests.keymaterial import ASYMMETRIC_SPECS, pkcs8, to_ber

SEQ_OF_INTS = bytes.fromhex("3006020101020102")  # SEQUENCE { INTEGER 1, INTEGER 2 }


def test_der_is_returned_unchanged() -> None:
    assert to_der(SEQ_OF_INTS) == SEQ_OF_INTS


@pytest.mark.parametrize(
    "ber",
    [
        pytest.param(bytes.fromhex("3080020101020102 0000"), id="indefinite-length"),
        pytest.param(bytes.fromhex("308106020101020102"), id="long-form-for-short-length"),
        pytest.param(bytes.fromhex("30830000060201010201 02"), id="leading-zero-length-octets"),
        pytest.param(bytes.fromhex("3007 02810101 020102"), id="non-minimal-primitive-length"),
        pytest.param(bytes.fromhex("3080 3080 0000 020101020102 0000"), id="nested-indefinite"),
    ],
)
def test_length_encodings_are_made_minimal(ber: bytes) -> None:
    expected = (
        SEQ_OF_INTS if b"\x30\x80\x30\x80" not in ber else bytes.fromhex("30083000020101020102")
    )
    assert to_der(ber) == expected


def test_segmented_octet_string_becomes_primitive() -> None:
    ber = bytes.fromhex("2480 0402aabb 0401cc 0000")
    assert to_der(ber) == bytes.fromhex("0403aabbcc")


def test_segmented_bit_string_becomes_primitive() -> None:
    ber = bytes.fromhex("2308 03020012 03020434")
    assert to_der(ber) == bytes.fromhex("0303041234")


def test_boolean_true_becomes_ff() -> None:
    assert to_der(bytes.fromhex("3003010101")) == bytes.fromhex("30030101ff")


def test_long_content_gets_a_minimal_long_length() -> None:
    content = bytes(300)
    ber = bytes([0x04, 0x84]) + len(content).to_bytes(4, "big") + content
    assert to_der(ber) == bytes([0x04, 0x82, 0x01, 0x2C]) + content


def test_high_tag_numbers_are_kept() -> None:
    der = bytes.fromhex("bf8a3b03020105")  # [1339] constructed, holding INTEGER 5
    assert to_der(bytes.fromhex("bf8a3b80020105 0000")) == der


@pytest.mark.parametrize("spec", ASYMMETRIC_SPECS)
def test_pkcs8_keys_round_trip_through_ber(spec: str) -> None:
    der = pkcs8(spec)
    ber = to_ber(der)
    assert ber != der
    outer = to_der(ber)
    # The key inside privateKey is nested BER as well; the outer pass leaves it as sent.
    inner = read_all(read(outer).content)[2].content
    assert to_der(inner) == read_all(read(der).content)[2].content


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "truncated identifier"),
        (bytes.fromhex("3005020101"), "content runs past the end of the data"),
        (bytes.fromhex("0280"), "indefinite length on a primitive element"),
        (bytes.fromhex("3080020101"), "missing end-of-contents"),
        (bytes.fromhex("3006020101020102 00"), "trailing data after the element"),
        (bytes.fromhex("30ff"), "malformed length"),
        (bytes.fromhex("3004 02030101"), "content runs past the end of the data"),
        (bytes.fromhex("2404 03020001"), "a segmented string contains a different type"),
        (bytes.fromhex("2308 03020112 03020434"), "unused bits in a middle BIT STRING segment"),
        (bytes.fromhex("300101"), "truncated length"),
        (bytes.fromhex("1f80"), "malformed high tag number"),
    ],
)
def test_malformed_input_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BerError, match=reason):
        to_der(data)


def test_nesting_depth_is_bounded() -> None:
    deep = b"\x30\x80" * 40 + b"\x00\x00" * 40
    with pytest.raises(BerError, match="nested too deeply"):
        to_der(deep)


def test_read_refuses_more_than_one_element() -> None:
    with pytest.raises(BerError, match="expected exactly one element"):
        read(SEQ_OF_INTS + SEQ_OF_INTS)
