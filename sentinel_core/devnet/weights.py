"""The devnet's weights and bonds: ``SubtensorModule.Weights`` and ``SubtensorModule.Bonds``.

Both are double maps ``(netuid, uid) -> Vec<(uid, u16)>`` (Identity hashers, default empty), as on
finney. They live in the chain's versioned storage only (``DevChain._set`` under the runtime's storage
keys, read back with ``DevChain.storage_at``), like every other stored item, so a read at an older
block sees that block's rows and a replaced block's rows are rolled back with the rest of the
storage. Rows are SCALE-encoded here (:func:`encode_pairs`, byte for byte the registry's encoding of
``Vec<(u16, u16)>``, ~6x faster) because a block sets several of them.

Weights. A successful ``set_weights(netuid, dests, weights, version_key)`` signed by the hotkey at uid
``i`` stores ``Weights[netuid][i] = [(dest, w'), ...]`` in the call's order, zero weights kept, with
the values max-upscaled as subtensor's ``vec_u16_max_upscale_to_u16`` does::

    w' = round(w * 65535 / max(weights))      (rounding half up; all zero: stored as sent)

Bonds. When ``netuid``'s epoch runs, every uid holding a validator permit in that epoch and with
non-empty weights gets its bonds row moved towards its weights by an exponential moving average with
the subnet's ``bonds_moving_avg`` (per million)::

    a = 1 - bonds_moving_avg / 1_000_000     (0.1 for finney's default 900_000)
    b'[j] = round(a * w'[j] + (1 - a) * b[j])   for every j in the weights or the old bonds row

(``w'[j]``, ``b[j]``: 0 where the row has no entry for ``j``). Entries that come out 0 are dropped,
and the row is sorted by uid. A uid without a permit or without weights has its bonds removed,
as subtensor empties the bonds of validators without a permit. This stands in for Yuma's bonds
(which are normalised per miner over validators' stake) with the same shape: bonds start at 0,
follow a validator's weights with a lag set by ``bonds_moving_avg``, and fade when it stops
weighting a uid.

Registration and dissolution. When a registration gives a uid to a new hotkey, that uid's weights
and bonds are removed in the same block, as subtensor's ``replace_neuron`` does; a dissolved subnet
loses all of its rows.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Sequence

from ..scale import compact, decode_compact
from ..units import U16_MAX
from .metadata import DevRuntime, hash_key

PALLET = "SubtensorModule"
ITEMS = ("Weights", "Bonds")

Pairs = list[tuple[int, int]]
WriteFn = Callable[[bytes, int, "bytes | None"], None]


def max_upscale(values: Sequence[int]) -> list[int]:
    """``values`` scaled so that the largest is 65535, the others in proportion (rounded half up);
    unchanged when they are all 0 (subtensor's ``vec_u16_max_upscale_to_u16``)."""
    top = max(values, default=0)
    if top == 0:
        return list(values)
    return [(2 * v * U16_MAX + top) // (2 * top) for v in values]


def ema_bonds(bonds: Iterable[tuple[int, int]], weights: Iterable[tuple[int, int]], alpha: float) -> Pairs:
    """The bonds row after one epoch: ``round(alpha * w + (1 - alpha) * b)`` per uid, zeros dropped,
    sorted by uid (see the module doc)."""
    old, new = dict(bonds), dict(weights)
    out = []
    for j in sorted(old.keys() | new.keys()):
        value = min(U16_MAX, int(alpha * new.get(j, 0) + (1.0 - alpha) * old.get(j, 0) + 0.5))
        if value:
            out.append((j, value))
    return out


def encode_pairs(pairs: Sequence[tuple[int, int]]) -> bytes:
    """SCALE ``Vec<(u16, u16)>``."""
    return compact(len(pairs)) + struct.pack(f"<{2 * len(pairs)}H", *[x for pair in pairs for x in pair])


def decode_pairs(raw: bytes | None) -> Pairs:
    """A SCALE ``Vec<(u16, u16)>`` (None, the storage default, is the empty row)."""
    if not raw:
        return []
    count, offset = decode_compact(raw)
    flat = struct.unpack_from(f"<{2 * count}H", raw, offset)
    return list(zip(flat[0::2], flat[1::2]))


class WeightBook:
    """Writes and reads the Weights/Bonds rows of a chain's versioned storage.

    ``write(key, block, value)`` is the chain's versioned write (``DevChain._set``; None removes the
    row), ``storage_at(key, block)`` its versioned read, and ``runtime`` the runtime whose storage
    declarations give the keys (prefix and hashers of each item)."""

    def __init__(
        self, write: WriteFn, storage_at: Callable[[bytes, int], bytes | None], runtime: DevRuntime
    ) -> None:
        self._write = write
        self._storage_at = storage_at
        self._layout = {
            item: (runtime.storage_prefix(PALLET, item), runtime.storage(PALLET, item).hashers)
            for item in ITEMS
        }
        self._keys: dict[tuple[str, int, int], bytes] = {}
        self._uids: dict[tuple[str, int], set[int]] = {}
        """Per (item, netuid), every uid a row was ever written for (a superset after a rollback)."""

    # -- reads ---------------------------------------------------------------------------------------
    def _key(self, item: str, netuid: int, uid: int) -> bytes:
        """The storage key of ``item[netuid][uid]`` (both keys u16, as the runtime declares them)."""
        key = self._keys.get((item, netuid, uid))
        if key is None:
            prefix, (netuid_hasher, uid_hasher) = self._layout[item]
            key = self._keys[(item, netuid, uid)] = (
                prefix
                + hash_key(netuid_hasher, netuid.to_bytes(2, "little"))
                + hash_key(uid_hasher, uid.to_bytes(2, "little"))
            )
        return key

    def row(self, item: str, netuid: int, uid: int, block: int) -> Pairs:
        """``item`` (``"Weights"`` or ``"Bonds"``) of ``(netuid, uid)`` after ``block``; [] when not stored."""
        return decode_pairs(self._storage_at(self._key(item, netuid, uid), block))

    def rows(self, item: str, netuid: int, block: int) -> dict[int, Pairs]:
        """Every non-empty ``item`` row of ``netuid`` after ``block``, by uid."""
        out = {}
        for uid in sorted(self._uids.get((item, netuid), ())):
            pairs = self.row(item, netuid, uid, block)
            if pairs:
                out[uid] = pairs
        return out

    # -- writes --------------------------------------------------------------------------------------
    def _put(self, block: int, item: str, netuid: int, uid: int, pairs: Pairs | None) -> None:
        uids = self._uids.get((item, netuid))
        if uids is None:
            uids = self._uids[(item, netuid)] = set()
        uids.add(uid)
        self._write(self._key(item, netuid, uid), block, encode_pairs(pairs) if pairs else None)

    def set_weights(
        self, block: int, netuid: int, uid: int, dests: Sequence[int], weights: Sequence[int]
    ) -> Pairs:
        """Store a successful ``set_weights`` by ``uid``; returns the stored (upscaled) row."""
        pairs = list(zip(dests, max_upscale(weights)))
        self._put(block, "Weights", netuid, uid, pairs)
        return pairs

    def clear_uid(self, block: int, netuid: int, uid: int) -> None:
        """Remove ``uid``'s weights and bonds (its hotkey was replaced)."""
        for item in ITEMS:
            if self.row(item, netuid, uid, block):
                self._put(block, item, netuid, uid, None)

    def clear_subnet(self, block: int, netuid: int) -> None:
        """Remove every row of ``netuid`` (the subnet was dissolved)."""
        for item in ITEMS:
            for uid in self.rows(item, netuid, block):
                self._put(block, item, netuid, uid, None)

    def on_epoch(self, block: int, netuid: int, permit: bytes, bonds_moving_avg: int) -> None:
        """Update ``netuid``'s bonds for the epoch run at ``block`` (``permit``: one byte per uid)."""
        alpha = min(1.0, max(0.0, 1.0 - bonds_moving_avg / 1_000_000))
        before = block - 1
        permitted = {uid for uid, p in enumerate(permit) if p}
        for uid in sorted(permitted | self._uids.get(("Bonds", netuid), set())):
            bonds = self.row("Bonds", netuid, uid, before)
            weights = self.row("Weights", netuid, uid, before) if uid in permitted else []
            new = ema_bonds(bonds, weights, alpha) if weights else []
            if new != bonds:
                self._put(block, "Bonds", netuid, uid, new)
