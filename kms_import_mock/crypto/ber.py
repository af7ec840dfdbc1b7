"""BER → DER re-encoding and a minimal DER reader, for private keys imported as BER.

AWS accepts RSA and ECC key material as PKCS#8 in BER *or* DER; ``cryptography``'s loader is
DER-strict. :func:`to_der` re-encodes one BER element in DER form:

* lengths: indefinite lengths (constructed only) and non-minimal definite lengths (long form where
  the short form fits, leading zero octets) become minimal definite lengths;
* constructed string encodings (an OCTET STRING or BIT STRING sent in segments) become primitive;
* BOOLEAN TRUE becomes ``0xFF``.

Not normalised (no private key encoder produces them in practice): the sort order of SET OF,
and non-minimal INTEGERs (which X.690 forbids in BER as well). Pure functions; errors are
:class:`BerError` with a short reason.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_DEPTH = 32

_BOOLEAN = 0x01
_BIT_STRING = 0x03
_OCTET_STRING = 0x04
#: Universal string types whose constructed BER form is the concatenation of primitive segments.
_STRING_TAGS = frozenset({_OCTET_STRING, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30})


class BerError(ValueError):
    """The bytes are not one well-formed BER element."""


class Tlv(NamedTuple):
    """One DER element: its identifier octets and its content octets."""

    identifier: bytes
    content: bytes

    @property
    def tag(self) -> int:
        """The first identifier octet (class, constructed bit and low tag number)."""
        return self.identifier[0]


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode(identifier: bytes, content: bytes) -> bytes:
    """The DER encoding of an element with these identifier and content octets."""
    return identifier + _der_length(len(content)) + content


def _identifier(data: bytes, pos: int) -> tuple[bytes, int]:
    if pos >= len(data):
        raise BerError("truncated identifier")
    start, first = pos, data[pos]
    pos += 1
    if first & 0x1F == 0x1F:  # high tag number: base-128, no leading 0x80 octet
        if pos >= len(data) or data[pos] == 0x80:
            raise BerError("malformed high tag number")
        while True:
            if pos >= len(data):
                raise BerError("truncated identifier")
            octet = data[pos]
            pos += 1
            if not octet & 0x80:
                break
    return data[start:pos], pos


def _length(data: bytes, pos: int) -> tuple[int | None, int]:
    """(length or None for indefinite, position after the length octets)."""
    if pos >= len(data):
        raise BerError("truncated length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        return None, pos
    count = first & 0x7F
    if count == 0x7F or pos + count > len(data):
        raise BerError("malformed length")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


def _element(data: bytes, pos: int, depth: int) -> tuple[bytes, bytes, int]:
    """Parse one BER element at ``pos``: (DER identifier, DER content, position after it)."""
    if depth > MAX_DEPTH:
        raise BerError("nested too deeply")
    identifier, pos = _identifier(data, pos)
    constructed = bool(identifier[0] & 0x20)
    length, pos = _length(data, pos)
    if length is None:
        if not constructed:
            raise BerError("indefinite length on a primitive element")
        children: list[tuple[bytes, bytes]] = []
        while True:
            if data[pos : pos + 2] == b"\x00\x00":
                pos += 2
                break
            if pos >= len(data):
                raise BerError("missing end-of-contents")
            child_id, child_content, pos = _element(data, pos, depth + 1)
            children.append((child_id, child_content))
    else:
        end = pos + length
        if end > len(data):
            raise BerError("content runs past the end of the data")
        if not constructed:
            return identifier, _primitive(identifier, data[pos:end]), end
        children = []
        while pos < end:
            child_id, child_content, pos = _element(data, pos, depth + 1)
            children.append((child_id, child_content))
        if pos != end:
            raise BerError("a nested element runs past its parent")
    return _constructed(identifier, children) + (pos,)


def _primitive(identifier: bytes, content: bytes) -> bytes:
    if identifier == bytes([_BOOLEAN]):
        if len(content) != 1:
            raise BerError("malformed BOOLEAN")
        return b"\xff" if content[0] else b"\x00"
    return content


def _constructed(identifier: bytes, children: list[tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    universal_tag = identifier[0] & 0xDF if identifier[0] < 0x40 else None
    if universal_tag in _STRING_TAGS:
        # A segmented string: DER wants one primitive element with the segments joined.
        if any(child_id[0] != universal_tag for child_id, _ in children):
            raise BerError("a segmented string contains a different type")
        return bytes([universal_tag]), b"".join(content for _, content in children)
    if universal_tag == _BIT_STRING:
        data = b""
        unused = 0
        for i, (child_id, content) in enumerate(children):
            if child_id[0] != _BIT_STRING or not content:
                raise BerError("malformed segmented BIT STRING")
            unused = content[0]
            if unused and i != len(children) - 1:
                raise BerError("unused bits in a middle BIT STRING segment")
            data += content[1:]
        return bytes([_BIT_STRING]), bytes([unused]) + data
    return identifier, b"".join(encode(child_id, content) for child_id, content in children)


def to_der(data: bytes) -> bytes:
    """Re-encode the single BER element ``data`` as DER; raises :class:`BerError`."""
    identifier, content, end = _element(data, 0, 0)
    if end != len(data):
        raise BerError("trailing data after the element")
    return encode(identifier, content)


def read(data: bytes) -> Tlv:
    """The single DER element ``data``; raises :class:`BerError` if it is not exactly one."""
    items = read_all(data)
    if len(items) != 1:
        raise BerError("expected exactly one element")
    return items[0]


def read_all(data: bytes) -> list[Tlv]:
    """The DER elements that make up ``data`` (for example a SEQUENCE's content), in order."""
    items: list[Tlv] = []
    pos = 0
    while pos < len(data):
        identifier, pos = _identifier(data, pos)
        length, pos = _length(data, pos)
        if length is None or pos + length > len(data):
            raise BerError("not a DER element")
        items.append(Tlv(identifier, data[pos : pos + length]))
        pos += length
    return items
