"""SCALE primitives shared by the chain client and the devnet: compact integers.

Neither the chain client nor the devnet owns these: both encode and decode SCALE compact integers
(header hashes, extrinsic lengths, metadata options, vectors), so they live here, beside neither.
"""

from __future__ import annotations


def compact(n: int) -> bytes:
    """SCALE compact encoding of a non-negative integer."""
    if n < 0:
        raise ValueError(f"compact cannot encode negative {n}")
    if n < 1 << 6:
        return bytes((n << 2,))
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return ((n << 2) | 2).to_bytes(4, "little")
    size = (n.bit_length() + 7) // 8
    return bytes((((size - 4) << 2) | 3,)) + n.to_bytes(size, "little")


def decode_compact(data: bytes, offset: int = 0) -> tuple[int, int]:
    """Decode a SCALE compact integer at ``offset``; returns ``(value, new_offset)``."""
    b0 = data[offset]
    mode = b0 & 3
    if mode == 0:
        return b0 >> 2, offset + 1
    if mode == 1:
        return int.from_bytes(data[offset : offset + 2], "little") >> 2, offset + 2
    if mode == 2:
        return int.from_bytes(data[offset : offset + 4], "little") >> 2, offset + 4
    size = (b0 >> 2) + 4
    return int.from_bytes(data[offset + 1 : offset + 1 + size], "little"), offset + 1 + size
