"""Units and constants of the chain, and the one way to compute a block's time.

Amounts are rao (1 TAO = 10**9 rao); u16 fractions are ``value / 65535``; u64 fractions
``value / (2**64 - 1)``; chain timestamps are milliseconds since the epoch.
"""

from __future__ import annotations

from typing import Any

RAO_PER_TAO = 10**9
"""Rao in one TAO."""
U16_MAX = 2**16 - 1
U64_MAX = 2**64 - 1
BLOCK_TIME = 12.0
"""Finney's target seconds per block."""
SECONDS_PER_YEAR = 365.25 * 24 * 3600


def tao(rao: Any) -> float:
    """TAO of an amount in rao (``None`` counts as 0)."""
    return int(rao or 0) / RAO_PER_TAO


def u16(value: Any) -> float:
    """A u16 fraction as 0..1 (``None`` counts as 0)."""
    return int(value or 0) / U16_MAX


def to_u16(fraction: float) -> int:
    """0..1 back to the u16 the chain stores (rounded)."""
    return round(fraction * U16_MAX)


def block_time(prev_timestamp_ms: int | None, timestamp_ms: int | None) -> float | None:
    """Seconds between a block and its parent from their timestamps (ms); None when one is unknown."""
    if prev_timestamp_ms is None or timestamp_ms is None:
        return None
    return (timestamp_ms - prev_timestamp_ms) / 1000.0
