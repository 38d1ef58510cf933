"""The devnet's neurons: every subnet's metagraph, versioned by block, driven by the chain's ledger.

:class:`NeuronState` keeps, per subnet, who sits at each uid (hotkey, coldkey, registration block),
the stake on each hotkey and the result of every epoch (rank, trust, consensus, incentive,
dividends, emission, validator permits, last update), so that any past block can be answered.
Nothing is copied per block:

- identity fields change per ``(netuid, uid, field)`` and stake per ``(netuid, hotkey)``; each is a
  pair of bisect lists ``(blocks, values)`` like ``DevChain._kv``;
- an epoch writes every neuron's epoch fields at once, so each epoch is one record per subnet
  (packed ``array`` columns, ~6 KiB for 256 neurons) in a bisect list of epoch blocks.

The chain drives it through one-line hooks: :meth:`genesis_subnet` / :meth:`remove_subnet` when a
subnet appears or goes, :meth:`on_stake` for every stake change its extrinsics make,
:meth:`on_register` for a registration, :meth:`on_block` at the start of every block (subtensor runs
the epoch in ``on_initialize``, before the block's extrinsics) and :meth:`rollback` when a block is
replaced. :func:`NeuronState.answer` serves the metagraph runtime calls.

Epoch schedule, as subtensor computes it (``blocks_until_next_epoch(netuid, tempo, block) == 0``)::

    epoch runs at block B  <=>  tempo > 0 and (B + netuid + 1) % (tempo + 1) == tempo

with the tempo in force when block B starts (the state after block B-1). Subtensor's doc comment says
``... % (tempo + 1) = 0``, but its code (and its own table: tempo 100, netuid 0 -> first epoch at
block 99) is the formula above.

The epoch itself is a deterministic stand-in for Yuma consensus, with finney's shape: the top
``max_validators`` (64) hotkeys by stake hold validator permits and earn dividends in proportion to
stake x validator trust; the other neurons are miners whose incentive follows a hidden quality per
hotkey with per-epoch noise. Each epoch emits ``(tempo + 1)`` alpha (1 per block): 41 % to miners by
incentive, 41 % to validators by dividends (the owner's 18 % is not a neuron's emission), and every
neuron's emission is staked to its hotkey, as on finney. u16 columns are fixed-point fractions
(value / 65535); incentive and dividends sum to ~65535 over the subnet.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import struct
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from ..units import RAO_PER_TAO, U16_MAX
from .symbols import symbol_for_subnet

if TYPE_CHECKING:
    from .metadata import DevRuntime
    from .types import Registry

K = TypeVar("K")
V = TypeVar("V")

MAX_UIDS = 256
MAX_VALIDATORS = 64
ALPHA_PER_BLOCK = RAO_PER_TAO
MINER_SHARE = 0.41
VALIDATOR_SHARE = 0.41
ACTIVITY_CUTOFF = 5000
VALIDATOR_STAKE = 6_000_000.0
"""Alpha (in units of 1e9 rao) held by a subnet's validators at genesis."""
IMMUNITY_PERIOD = 4096

# Metagraph fields in declaration order (= SelectiveMetagraph indexes 0..71, then validators 72 and
# commitments 73), as finney declares pallet_subtensor::rpc_info::metagraph::Metagraph.
METAGRAPH_FIELDS = (
    "netuid",
    "name",
    "symbol",
    "identity",
    "network_registered_at",
    "owner_hotkey",
    "owner_coldkey",
    "block",
    "tempo",
    "last_step",
    "blocks_since_last_step",
    "subnet_emission",
    "alpha_in",
    "alpha_out",
    "tao_in",
    "alpha_out_emission",
    "alpha_in_emission",
    "tao_in_emission",
    "pending_alpha_emission",
    "pending_root_emission",
    "subnet_volume",
    "moving_price",
    "rho",
    "kappa",
    "min_allowed_weights",
    "max_weights_limit",
    "weights_version",
    "weights_rate_limit",
    "activity_cutoff",
    "max_validators",
    "num_uids",
    "max_uids",
    "burn",
    "difficulty",
    "registration_allowed",
    "pow_registration_allowed",
    "immunity_period",
    "min_difficulty",
    "max_difficulty",
    "min_burn",
    "max_burn",
    "adjustment_alpha",
    "adjustment_interval",
    "target_regs_per_interval",
    "max_regs_per_block",
    "serving_rate_limit",
    "commit_reveal_weights_enabled",
    "commit_reveal_period",
    "liquid_alpha_enabled",
    "alpha_high",
    "alpha_low",
    "bonds_moving_avg",
    "hotkeys",
    "coldkeys",
    "identities",
    "axons",
    "active",
    "validator_permit",
    "pruning_score",
    "last_update",
    "emission",
    "dividends",
    "incentives",
    "consensus",
    "trust",
    "rank",
    "block_at_registration",
    "alpha_stake",
    "tao_stake",
    "total_stake",
    "tao_dividends_per_hotkey",
    "alpha_dividends_per_hotkey",
)
SELECTIVE_FIELDS = (*METAGRAPH_FIELDS, "validators", "commitments")

# Subnet hyperparameters as the Metagraph reports them when the chain gives none (finney defaults).
_DEFAULT_HP: dict[str, Any] = {
    "rho": 10,
    "kappa": 32767,
    "min_allowed_weights": 8,
    "max_weights_limit": 65535,
    "weights_version": 0,
    "weights_rate_limit": 100,
    "activity_cutoff": ACTIVITY_CUTOFF,
    "max_validators": MAX_VALIDATORS,
    "difficulty": 10_000_000,
    "registration_allowed": True,
    "immunity_period": IMMUNITY_PERIOD,
    "min_difficulty": 10_000_000,
    "max_difficulty": 4_611_686_018_427_387_903,
    "min_burn": 500_000,
    "max_burn": 100_000_000_000,
    "adjustment_alpha": 17_893_341_751_498_265_066,
    "adjustment_interval": 360,
    "target_regs_per_interval": 2,
    "max_regs_per_block": 1,
    "serving_rate_limit": 50,
    "commit_reveal_weights_enabled": True,
    "commit_reveal_period": 1,
    "liquid_alpha_enabled": False,
    "alpha_high": 58982,
    "alpha_low": 45875,
    "bonds_moving_avg": 900_000,
    "tempo": 360,
}


def epoch_runs_at(block: int, netuid: int, tempo: int) -> bool:
    """Whether subtensor runs ``netuid``'s epoch at ``block`` under ``tempo`` (see the module doc)."""
    return tempo > 0 and (block + netuid + 1) % (tempo + 1) == tempo


def _account(seed: int, label: str) -> bytes:
    """The chain's account derivation (``chain.account``), so neurons and extrinsics share keys."""
    return hashlib.blake2b(f"sentinel-devnet:{seed}:{label}".encode(), digest_size=32).digest()


class _History(Generic[K, V]):
    """Values versioned by block: ``key -> (blocks, values)`` bisect lists."""

    __slots__ = ("data",)

    def __init__(self) -> None:
        self.data: dict[K, tuple[list[int], list[V]]] = {}

    def set(self, key: K, block: int, value: V) -> None:
        blocks, values = self.data.setdefault(key, ([], []))
        if blocks and blocks[-1] == block:
            values[-1] = value
        elif not values or values[-1] != value:
            blocks.append(block)
            values.append(value)

    @overload
    def at(self, key: K, block: int) -> V | None: ...
    @overload
    def at(self, key: K, block: int, default: V) -> V: ...
    def at(self, key: K, block: int, default: V | None = None) -> V | None:
        hit = self.data.get(key)
        if hit is None:
            return default
        i = bisect.bisect_right(hit[0], block) - 1
        return hit[1][i] if i >= 0 else default

    @overload
    def latest(self, key: K) -> V | None: ...
    @overload
    def latest(self, key: K, default: V) -> V: ...
    def latest(self, key: K, default: V | None = None) -> V | None:
        hit = self.data.get(key)
        return hit[1][-1] if hit and hit[1] else default

    def rollback(self, block: int) -> None:
        for blocks, values in self.data.values():
            while blocks and blocks[-1] >= block:
                blocks.pop()
                values.pop()


@dataclass(frozen=True)
class Epoch:
    """One epoch's result for one subnet: column per field, index = uid."""

    block: int
    tempo: int
    rank: array[int]
    trust: array[int]
    consensus: array[int]
    incentive: array[int]
    dividends: array[int]
    validator_trust: array[int]
    pruning_score: array[int]
    emission: array[int]
    """rao emitted to each uid in this epoch (incentive part + dividends part)."""
    dividends_rao: array[int]
    """The dividends part of ``emission`` (alpha dividends per hotkey)."""
    permit: bytes
    last_update: array[int]


@dataclass
class Neuron:
    """One neuron as the devnet knows it at a block (u16 fractions raw, amounts in rao)."""

    uid: int
    hotkey: bytes
    coldkey: bytes
    registered_at: int
    stake: int
    rank: int = 0
    trust: int = 0
    consensus: int = 0
    incentive: int = 0
    dividends: int = 0
    validator_trust: int = 0
    pruning_score: int = 0
    emission: int = 0
    dividends_rao: int = 0
    validator_permit: bool = False
    last_update: int = 0
    active: bool = True


class NeuronState:
    def __init__(
        self,
        seed: int,
        runtime: DevRuntime,
        *,
        max_uids: int = MAX_UIDS,
        max_validators: int = MAX_VALIDATORS,
    ) -> None:
        self.seed = seed
        self.runtime = runtime
        self.max_uids = max_uids
        self.max_validators = max_validators
        self._life: dict[int, list[tuple[int, int | None]]] = {}
        # (netuid, uid, "hotkey"|"coldkey"|"registered_at") -> hotkey, coldkey (bytes), block (int)
        self._fields: _History[tuple[int, int, str], bytes | int] = _History()
        self._count: _History[int, int] = _History()  # netuid -> number of uids
        # netuid -> (owner coldkey, owner hotkey)
        self._owner: _History[int, tuple[bytes, bytes]] = _History()
        self._stake: _History[tuple[int, bytes], int] = _History()  # (netuid, hotkey) -> rao
        self._epochs: dict[int, tuple[list[int], list[Epoch]]] = {}
        # The present, for writing quickly (rebuilt from the histories after a rollback).
        self._hot: dict[int, list[bytes]] = {}
        self._cold: dict[int, list[bytes]] = {}
        self._reg: dict[int, list[int]] = {}
        self._uid_of: dict[int, dict[bytes, int]] = {}
        self._stake_now: dict[tuple[int, bytes], int] = {}
        self._axon_ip: dict[bytes, int] = {}
        self._fast: dict[int, _FastEncoder] = {}
        self._permitted: dict[int, tuple[Epoch, list[int]]] = {}  # netuid -> (latest epoch, its permit uids)
        self.blocks_seen = -1

    # -- subnets -------------------------------------------------------------------------------------
    def exists(self, netuid: int, block: int) -> bool:
        return any(
            start <= block and (end is None or block < end) for start, end in self._life.get(netuid, ())
        )

    def netuids_at(self, block: int) -> list[int]:
        return sorted(n for n in self._life if self.exists(n, block))

    def genesis_subnet(
        self, block: int, netuid: int, owner_coldkey: bytes, owner_hotkey: bytes, n_neurons: int | None = None
    ) -> None:
        """A subnet appears at ``block`` with ``n_neurons`` (default: 64-256, from the seed) neurons.

        uid 0 is the owner's hotkey; the others are the chain's hotkeys (``hotkey/{i}``, so the
        chain's stake extrinsics reach them) and, beyond those, hotkeys of their own."""
        rng = random.Random(f"{self.seed}:neurons:{netuid}:{block}")
        n = n_neurons if n_neurons is not None else rng.randint(64, self.max_uids)
        n = max(1, min(n, self.max_uids))
        self._life.setdefault(netuid, []).append((block, None))
        self._owner.set(netuid, block, (bytes(owner_coldkey), bytes(owner_hotkey)))
        self._hot[netuid], self._cold[netuid], self._reg[netuid] = [], [], []
        self._uid_of[netuid] = {}
        self._epochs.setdefault(netuid, ([], []))
        offset = rng.randrange(192)
        validators = max(1, n // 6)
        # Validators share ~6M alpha (lognormal weights), whatever their number, so that validator APY
        # comes out near finney's 15-30 % a year; miners hold little (lognormal amounts).
        weights = [rng.lognormvariate(0.0, 1.2) for _ in range(validators + 1)]
        pool = VALIDATOR_STAKE * (0.8 + 0.4 * rng.random()) / sum(weights)
        for uid in range(n):
            if uid == 0:
                hotkey, coldkey = bytes(owner_hotkey), bytes(owner_coldkey)
            else:
                label = f"hotkey/{(offset + uid - 1) % 192}" if uid <= 192 else f"neuron/{netuid}/{uid}"
                hotkey = _account(self.seed, label)
                if hotkey == owner_hotkey or hotkey in self._uid_of[netuid]:
                    hotkey = _account(self.seed, f"neuron/{netuid}/{uid}")
                coldkey = _account(self.seed, f"coldkey/{(uid * 7 + netuid) % 48}")
            self._put(block, netuid, uid, hotkey, coldkey)
            if uid <= validators:
                tao = weights[uid] * pool
            else:
                tao = min(rng.lognormvariate(1.5, 1.8), 5_000.0)
            self._add_stake(block, netuid, hotkey, int(tao * RAO_PER_TAO))
        self._count.set(netuid, block, n)

    def remove_subnet(self, block: int, netuid: int) -> None:
        life = self._life.get(netuid)
        if not life or life[-1][1] is not None:
            return
        life[-1] = (life[-1][0], block)
        for hotkey in self._hot.get(netuid, ()):
            self._set_stake(block, netuid, hotkey, 0)
        self._count.set(netuid, block, 0)
        self._hot[netuid], self._cold[netuid], self._reg[netuid] = [], [], []
        self._uid_of[netuid] = {}

    # -- the chain's ledger ----------------------------------------------------------------------------
    def on_stake(self, block: int, netuid: int, hotkey: bytes, coldkey: bytes, delta_rao: int) -> int:
        """Stake added (positive) or removed (negative) on ``hotkey`` in ``netuid``; returns the change
        applied (a removal never takes more than the hotkey has). ``coldkey`` is the staker."""
        if not self._live(netuid):
            return 0
        return self._add_stake(block, netuid, bytes(hotkey), int(delta_rao))

    def on_register(
        self, block: int, netuid: int, hotkey: bytes, coldkey: bytes, *, immunity_period: int | None = None
    ) -> int | None:
        """Register ``hotkey`` in ``netuid``; returns its uid (None when the subnet does not exist, or
        when it is full with only the owner's uid).

        An already registered hotkey keeps its uid. A subnet below ``max_uids`` grows by one uid;
        a full one replaces the non-immune neuron with the lowest pruning score (ties: the oldest
        registration, then the lowest uid); immune means registered less than ``immunity_period``
        blocks ago. The replaced uid gets the new hotkey and coldkey and starts with zeroed epoch
        fields until the next epoch."""
        if not self._live(netuid):
            return None
        hotkey, coldkey = bytes(hotkey), bytes(coldkey)
        known = self._uid_of[netuid].get(hotkey)
        if known is not None:
            return known
        n = len(self._hot[netuid])
        if n < self.max_uids:
            self._put(block, netuid, n, hotkey, coldkey)
            self._count.set(netuid, block, n + 1)
            return n
        if n < 2:
            return None  # only the owner's uid, which is never pruned
        immunity = IMMUNITY_PERIOD if immunity_period is None else immunity_period
        epoch = self._latest_epoch(netuid)
        regs = self._reg[netuid]

        def score(uid: int) -> tuple[int, int, int]:
            pruning = (
                epoch.pruning_score[uid]
                if epoch is not None and uid < len(epoch.pruning_score) and regs[uid] <= epoch.block
                else 0
            )
            return (pruning, regs[uid], uid)

        candidates = [u for u in range(1, n) if block - regs[u] >= immunity] or list(range(1, n))
        uid = min(candidates, key=score)
        old = self._hot[netuid][uid]
        del self._uid_of[netuid][old]
        self._put(block, netuid, uid, hotkey, coldkey)
        return uid

    def on_block(self, block: int, tempo_of: Callable[[int], int]) -> list[int]:
        """Run the epoch of every subnet whose epoch falls on ``block``; returns their netuids.

        Call it when the block starts (before its extrinsics), with ``tempo_of(netuid)`` giving the
        tempo in force then (the state after the parent block)."""
        self.blocks_seen = max(self.blocks_seen, block)
        ran = []
        for netuid in list(self._hot):
            if not self._live(netuid):
                continue
            tempo = tempo_of(netuid)
            if tempo is not None and epoch_runs_at(block, netuid, int(tempo)):
                self._epoch(block, netuid, int(tempo))
                ran.append(netuid)
        return ran

    def rollback(self, block: int) -> None:
        """Forget everything recorded at ``block`` and after (the chain replaced that block)."""
        for hist in (self._fields, self._count, self._owner, self._stake):
            hist.rollback(block)
        for blocks, epochs in self._epochs.values():
            while blocks and blocks[-1] >= block:
                blocks.pop()
                epochs.pop()
        for netuid, life in list(self._life.items()):
            life[:] = [(s, e if e is None or e < block else None) for s, e in life if s < block]
            if not life:
                del self._life[netuid]
        self._hot, self._cold, self._reg, self._uid_of = {}, {}, {}, {}
        for netuid in self._life:
            n = self._count.latest(netuid, 0)
            # Every uid below the count has all three fields.
            self._hot[netuid] = cast(
                "list[bytes]", [self._fields.latest((netuid, u, "hotkey")) for u in range(n)]
            )
            self._cold[netuid] = cast(
                "list[bytes]", [self._fields.latest((netuid, u, "coldkey")) for u in range(n)]
            )
            self._reg[netuid] = cast(
                "list[int]", [self._fields.latest((netuid, u, "registered_at")) for u in range(n)]
            )
            self._uid_of[netuid] = {h: u for u, h in enumerate(self._hot[netuid])}
        self._stake_now = {k: v[1][-1] for k, v in self._stake.data.items() if v[1]}

    # -- internals -----------------------------------------------------------------------------------
    def _live(self, netuid: int) -> bool:
        life = self._life.get(netuid)
        return bool(life and life[-1][1] is None)

    def _put(self, block: int, netuid: int, uid: int, hotkey: bytes, coldkey: bytes) -> None:
        hot, cold, reg = self._hot[netuid], self._cold[netuid], self._reg[netuid]
        if uid == len(hot):
            hot.append(hotkey)
            cold.append(coldkey)
            reg.append(block)
        else:
            hot[uid], cold[uid], reg[uid] = hotkey, coldkey, block
        self._uid_of[netuid][hotkey] = uid
        self._fields.set((netuid, uid, "hotkey"), block, hotkey)
        self._fields.set((netuid, uid, "coldkey"), block, coldkey)
        self._fields.set((netuid, uid, "registered_at"), block, block)

    def _add_stake(self, block: int, netuid: int, hotkey: bytes, delta: int) -> int:
        key = (netuid, hotkey)
        old = self._stake_now.get(key, 0)
        new = max(0, old + delta)
        if new != old:
            self._set_stake(block, netuid, hotkey, new)
        return new - old

    def _set_stake(self, block: int, netuid: int, hotkey: bytes, value: int) -> None:
        self._stake_now[(netuid, hotkey)] = value
        self._stake.set((netuid, hotkey), block, value)

    def _latest_epoch(self, netuid: int) -> Epoch | None:
        epochs = self._epochs.get(netuid)
        return epochs[1][-1] if epochs and epochs[1] else None

    def _quality(self, netuid: int, hotkey: bytes) -> float:
        h = hashlib.blake2b(hotkey + netuid.to_bytes(2, "little"), digest_size=8).digest()
        return (int.from_bytes(h, "little") / 2**64) ** 3

    def _epoch(self, block: int, netuid: int, tempo: int) -> None:
        hot = self._hot[netuid]
        n = len(hot)
        if n == 0:
            return
        rng = random.Random(f"{self.seed}:epoch:{netuid}:{block}")
        stakes = [self._stake_now.get((netuid, h), 0) for h in hot]
        order = sorted(range(n), key=lambda u: (-stakes[u], u))
        permit = bytearray(n)
        for u in order[: min(self.max_validators, n)]:
            if stakes[u] > 0:
                permit[u] = 1
        previous = self._latest_epoch(netuid)
        regs = self._reg[netuid]
        quality = [0.0] * n
        vtrust = [0.0] * n
        for u in range(n):
            if permit[u]:
                vtrust[u] = 0.82 + 0.18 * rng.random()
            else:
                quality[u] = self._quality(netuid, hot[u]) * (0.75 + 0.5 * rng.random())
        q_sum = sum(quality) or 1.0
        q_max = max(quality) or 1.0
        incentive_f = [q / q_sum for q in quality]
        weighted = [stakes[u] * vtrust[u] for u in range(n)]
        w_sum = sum(weighted) or 1.0
        dividends_f = [w / w_sum for w in weighted]
        epoch_rao = (tempo + 1) * ALPHA_PER_BLOCK
        miner_pot, validator_pot = epoch_rao * MINER_SHARE, epoch_rao * VALIDATOR_SHARE
        incentive_rao = [int(miner_pot * f) for f in incentive_f]
        dividends_rao = [int(validator_pot * f) for f in dividends_f]
        emission = [incentive_rao[u] + dividends_rao[u] for u in range(n)]
        e_max = max(emission) or 1
        last_update = array("Q", [0] * n)
        for u in range(n):
            if permit[u]:
                last_update[u] = max(regs[u], block - rng.randint(1, max(1, tempo // 2)))
            else:
                before = (
                    previous.last_update[u]
                    if previous is not None and u < len(previous.last_update) and regs[u] <= previous.block
                    else 0
                )
                last_update[u] = max(regs[u], before)

        def u16(values: Iterable[float]) -> array[int]:
            return array("H", [min(U16_MAX, max(0, round(v * U16_MAX))) for v in values])

        epoch = Epoch(
            block=block,
            tempo=tempo,
            rank=u16(q / q_max for q in quality),
            trust=u16(0.0 if permit[u] else 0.55 + 0.45 * quality[u] / q_max for u in range(n)),
            consensus=u16(0.0 if permit[u] else 0.9 * quality[u] / q_max for u in range(n)),
            incentive=u16(incentive_f),
            dividends=u16(dividends_f),
            validator_trust=u16(vtrust),
            pruning_score=u16(e / e_max for e in emission),
            emission=array("Q", emission),
            dividends_rao=array("Q", dividends_rao),
            permit=bytes(permit),
            last_update=last_update,
        )
        blocks, epochs = self._epochs.setdefault(netuid, ([], []))
        if blocks and blocks[-1] == block:
            epochs[-1] = epoch
        else:
            blocks.append(block)
            epochs.append(epoch)
        for u in range(n):
            if emission[u]:
                self._add_stake(block, netuid, hot[u], emission[u])

    # -- reads ---------------------------------------------------------------------------------------
    def epoch_at(self, netuid: int, block: int) -> Epoch | None:
        """The newest epoch of ``netuid`` at or before ``block``."""
        epochs = self._epochs.get(netuid)
        if not epochs:
            return None
        i = bisect.bisect_right(epochs[0], block) - 1
        return epochs[1][i] if i >= 0 else None

    def epoch_blocks(self, netuid: int, start: int = 0, end: int | None = None) -> list[int]:
        blocks = self._epochs.get(netuid, ([], []))[0]
        return [b for b in blocks if b >= start and (end is None or b <= end)]

    def owner(self, netuid: int, block: int) -> tuple[bytes, bytes] | None:
        return self._owner.at(netuid, block)

    def stake_of(self, netuid: int, hotkey: bytes, block: int) -> int:
        return self._stake.at((netuid, bytes(hotkey)), block, 0)

    def registered(self, netuid: int, hotkey: bytes) -> int | None:
        """The uid of ``hotkey`` in ``netuid`` now (latest block), or None (O(1): for the chain's
        extrinsics, e.g. to fail a registration with HotKeyAlreadyRegisteredInSubNet)."""
        return self._uid_of.get(netuid, {}).get(bytes(hotkey))

    def size(self, netuid: int) -> int:
        """The number of uids of ``netuid`` now (latest block); 0 when the subnet does not exist."""
        return len(self._hot[netuid]) if self._live(netuid) else 0

    def weight_setter(self, netuid: int, pick: int) -> tuple[int, bytes] | None:
        """``(uid, hotkey)`` of a neuron that may set weights in ``netuid`` now (latest block), chosen by
        ``pick``: a validator-permit holder of the subnet's latest epoch still at its uid, or any uid when
        there is none (e.g. before the subnet's first epoch); None when the subnet does not exist."""
        if not self._live(netuid) or not self._hot[netuid]:
            return None
        hot, regs = self._hot[netuid], self._reg[netuid]
        epoch = self._latest_epoch(netuid)
        if epoch is not None:
            cached = self._permitted.get(netuid)
            if cached is None or cached[0] is not epoch:
                cached = self._permitted[netuid] = (epoch, [u for u, p in enumerate(epoch.permit) if p])
            permitted = cached[1]
            for k in range(len(permitted)):
                uid = permitted[(pick + k) % len(permitted)]
                if uid < len(hot) and regs[uid] <= epoch.block:
                    return uid, hot[uid]
        uid = pick % len(hot)
        return uid, hot[uid]

    def uid_of(self, netuid: int, hotkey: bytes, block: int) -> int | None:
        for uid in range(self._count.at(netuid, block, 0)):
            if self._fields.at((netuid, uid, "hotkey"), block) == hotkey:
                return uid
        return None

    def neurons(self, netuid: int, block: int, activity_cutoff: int = ACTIVITY_CUTOFF) -> list[Neuron] | None:
        """Every neuron of ``netuid`` as of the end of ``block``; None when the subnet does not exist."""
        if not self.exists(netuid, block):
            return None
        n = self._count.at(netuid, block, 0)
        epoch = self.epoch_at(netuid, block)
        fields, stakes, br = self._fields.data, self._stake.data, bisect.bisect_right

        def at(hist: tuple[list[int], list[Any]] | None, default: Any = None) -> Any:
            if hist is None or not hist[0]:
                return default
            blocks = hist[0]
            if blocks[-1] <= block:
                return hist[1][-1]
            i = br(blocks, block) - 1
            return hist[1][i] if i >= 0 else default

        out = []
        for uid in range(n):
            hotkey = at(fields.get((netuid, uid, "hotkey")))
            reg = at(fields.get((netuid, uid, "registered_at")))
            nrn = Neuron(
                uid=uid,
                hotkey=hotkey,
                coldkey=at(fields.get((netuid, uid, "coldkey"))),
                registered_at=reg,
                stake=at(stakes.get((netuid, hotkey)), 0),
                last_update=reg,
            )
            if epoch is not None and uid < len(epoch.permit) and reg <= epoch.block:
                nrn.rank, nrn.trust, nrn.consensus = epoch.rank[uid], epoch.trust[uid], epoch.consensus[uid]
                nrn.incentive, nrn.dividends = epoch.incentive[uid], epoch.dividends[uid]
                nrn.validator_trust, nrn.pruning_score = epoch.validator_trust[uid], epoch.pruning_score[uid]
                nrn.emission, nrn.dividends_rao = epoch.emission[uid], epoch.dividends_rao[uid]
                nrn.validator_permit = bool(epoch.permit[uid])
                nrn.last_update = epoch.last_update[uid]
            nrn.active = block - nrn.last_update <= activity_cutoff
            out.append(nrn)
        return out

    def _axon(self, hotkey: bytes, registered_at: int) -> dict[str, int]:
        ip = self._axon_ip.get(hotkey)
        if ip is None:
            ip = self._axon_ip[hotkey] = int.from_bytes(
                hashlib.blake2b(hotkey, digest_size=4).digest(), "big"
            )
        return {
            "block": registered_at,
            "version": 1,
            "ip": ip,
            "port": 8091,
            "ip_type": 4,
            "protocol": 4,
            "placeholder1": 0,
            "placeholder2": 0,
        }

    def metagraph(
        self,
        netuid: int,
        block: int,
        hyperparams: dict[str, Any] | None = None,
        tempo: int | None = None,
        symbol: str | None = None,
    ) -> dict[str, Any] | None:
        """``SubnetInfoRuntimeApi.get_metagraph(netuid)`` at ``block``: a value of finney's
        ``Metagraph`` type (encode it with ``encode_api_output``), or None for no such subnet.
        ``hyperparams`` (the chain's ``hyperparams_v2`` dict) supplies the subnet's settings and
        ``symbol`` its ``TokenSymbol`` (as finney's metagraph reports it; default: the subnet's own)."""
        hp = dict(_DEFAULT_HP)
        if hyperparams:
            hp.update({k: v for k, v in hyperparams.items() if v is not None})
        if tempo is not None:
            hp["tempo"] = tempo
        neurons = self.neurons(netuid, block, int(hp["activity_cutoff"]))
        if neurons is None:
            return None
        owner_coldkey, owner_hotkey = self.owner(netuid, block) or (b"\x00" * 32, b"\x00" * 32)
        registered = next(s for s, e in reversed(self._life[netuid]) if s <= block)
        epoch = self.epoch_at(netuid, block)
        last_step = epoch.block if epoch is not None else registered
        total = sum(x.stake for x in neurons)
        since = block - last_step
        name = f"devnet {netuid}".encode()
        symbol_bytes = (symbol if symbol is not None else symbol_for_subnet(netuid)).encode()
        stakes = [x.stake for x in neurons]
        return {
            "netuid": netuid,
            "name": list(name),
            "symbol": list(symbol_bytes),
            "identity": None,
            "network_registered_at": registered,
            "owner_hotkey": owner_hotkey,
            "owner_coldkey": owner_coldkey,
            "block": block,
            "tempo": int(hp["tempo"]),
            "last_step": last_step,
            "blocks_since_last_step": since,
            "subnet_emission": 0,
            "alpha_in": total // 3,
            "alpha_out": total,
            "tao_in": total // 6,
            "alpha_out_emission": ALPHA_PER_BLOCK,
            "alpha_in_emission": ALPHA_PER_BLOCK // 2,
            "tao_in_emission": ALPHA_PER_BLOCK // 4,
            "pending_alpha_emission": int(since * ALPHA_PER_BLOCK * (MINER_SHARE + VALIDATOR_SHARE)),
            "pending_root_emission": 0,
            "subnet_volume": total * 3,
            "moving_price": {"bits": 1 << 31},
            "rho": hp["rho"],
            "kappa": hp["kappa"],
            "min_allowed_weights": hp["min_allowed_weights"],
            "max_weights_limit": hp["max_weights_limit"],
            "weights_version": hp["weights_version"],
            "weights_rate_limit": hp["weights_rate_limit"],
            "activity_cutoff": hp["activity_cutoff"],
            "max_validators": hp["max_validators"],
            "num_uids": len(neurons),
            "max_uids": self.max_uids,
            "burn": hp["min_burn"],
            "difficulty": hp["difficulty"],
            "registration_allowed": bool(hp["registration_allowed"]),
            "pow_registration_allowed": False,
            "immunity_period": hp["immunity_period"],
            "min_difficulty": hp["min_difficulty"],
            "max_difficulty": hp["max_difficulty"],
            "min_burn": hp["min_burn"],
            "max_burn": hp["max_burn"],
            "adjustment_alpha": hp["adjustment_alpha"],
            "adjustment_interval": hp["adjustment_interval"],
            "target_regs_per_interval": hp["target_regs_per_interval"],
            "max_regs_per_block": hp["max_regs_per_block"],
            "serving_rate_limit": hp["serving_rate_limit"],
            "commit_reveal_weights_enabled": bool(hp["commit_reveal_weights_enabled"]),
            "commit_reveal_period": hp["commit_reveal_period"],
            "liquid_alpha_enabled": bool(hp["liquid_alpha_enabled"]),
            "alpha_high": hp["alpha_high"],
            "alpha_low": hp["alpha_low"],
            "bonds_moving_avg": hp["bonds_moving_avg"],
            "hotkeys": [x.hotkey for x in neurons],
            "coldkeys": [x.coldkey for x in neurons],
            "identities": [None] * len(neurons),
            "axons": [self._axon(x.hotkey, x.registered_at) for x in neurons],
            "active": [x.active for x in neurons],
            "validator_permit": [x.validator_permit for x in neurons],
            "pruning_score": [x.pruning_score for x in neurons],
            "last_update": [x.last_update for x in neurons],
            "emission": [x.emission for x in neurons],
            "dividends": [x.dividends for x in neurons],
            "incentives": [x.incentive for x in neurons],
            "consensus": [x.consensus for x in neurons],
            "trust": [x.trust for x in neurons],
            "rank": [x.rank for x in neurons],
            "block_at_registration": [x.registered_at for x in neurons],
            "alpha_stake": stakes,
            "tao_stake": [0] * len(neurons),
            "total_stake": stakes,
            "tao_dividends_per_hotkey": [],
            "alpha_dividends_per_hotkey": [(x.hotkey, x.dividends_rao) for x in neurons if x.dividends_rao],
        }

    def selective(
        self,
        netuid: int,
        block: int,
        indexes: Iterable[int],
        hyperparams: dict[str, Any] | None = None,
        tempo: int | None = None,
        symbol: str | None = None,
    ) -> dict[str, Any] | None:
        """``get_selective_metagraph(netuid, indexes)``: the ``SelectiveMetagraph`` value with only the
        asked fields (by ``SELECTIVE_FIELDS`` index) set; the others None. ``netuid`` is always set."""
        full = self.metagraph(netuid, block, hyperparams, tempo, symbol)
        if full is None:
            return None
        wanted = set(indexes)
        full["validators"] = [u for u, p in enumerate(full["validator_permit"]) if p]
        full["commitments"] = []
        out = {name: (full[name] if i in wanted else None) for i, name in enumerate(SELECTIVE_FIELDS)}
        out["netuid"] = netuid
        return out

    def _lite(self, netuid: int, x: Neuron) -> dict[str, Any]:
        return {
            "hotkey": x.hotkey,
            "coldkey": x.coldkey,
            "uid": x.uid,
            "netuid": netuid,
            "active": x.active,
            "axon_info": self._axon(x.hotkey, x.registered_at),
            "prometheus_info": {"block": 0, "version": 0, "ip": 0, "port": 0, "ip_type": 0},
            "stake": [(x.coldkey, x.stake)] if x.stake else [],
            "rank": x.rank,
            "emission": x.emission,
            "incentive": x.incentive,
            "consensus": x.consensus,
            "trust": x.trust,
            "validator_trust": x.validator_trust,
            "dividends": x.dividends,
            "last_update": x.last_update,
            "validator_permit": x.validator_permit,
            "pruning_score": x.pruning_score,
        }

    def neurons_lite(self, netuid: int, block: int) -> list[dict[str, Any]]:
        """``NeuronInfoRuntimeApi.get_neurons_lite(netuid)``: ``NeuronInfoLite`` values (empty when the
        subnet does not exist, as on finney)."""
        return [self._lite(netuid, x) for x in self.neurons(netuid, block) or ()]

    def neuron_lite(self, netuid: int, uid: int, block: int) -> dict[str, Any] | None:
        neurons = self.neurons(netuid, block) or []
        return self._lite(netuid, neurons[uid]) if 0 <= uid < len(neurons) else None

    # -- runtime calls -------------------------------------------------------------------------------
    def answer(
        self,
        method: str,
        data: bytes,
        block: int,
        tempo_of: Callable[[int], int] | None = None,
        hyperparams_of: Callable[[int], dict[str, Any] | None] | None = None,
        runtime: DevRuntime | None = None,
        symbol_of: Callable[[int], str | None] | None = None,
    ) -> bytes | None:
        """The SCALE answer to ``state_call(method, data)`` at ``block`` for the metagraph calls, or None
        when ``method`` is not one of them (the chain answers it otherwise). ``symbol_of(netuid)`` gives
        the subnet's ``TokenSymbol`` (default: its own symbol)."""
        rt = runtime or self.runtime
        api, _, name = method.partition("_")
        if rt.api_method(api, name) is None:
            return None
        netuid = int.from_bytes(data[:2], "little")

        def context() -> tuple[dict[str, Any] | None, int | None, str | None]:
            hp = hyperparams_of(netuid) if hyperparams_of is not None else None
            tempo = (
                tempo_of(netuid)
                if tempo_of is not None and not (hp and hp.get("tempo") is not None)
                else None
            )
            return hp, tempo, symbol_of(netuid) if symbol_of is not None else None

        if method == "SubnetInfoRuntimeApi_get_metagraph":
            value = self.metagraph(netuid, block, *context())
            if value is None:
                return b"\x00"
            fast = self._fast.get(id(rt))
            if fast is None:
                fast = self._fast[id(rt)] = _FastEncoder(
                    rt.reg, "pallet_subtensor::rpc_info::metagraph::Metagraph"
                )
            return b"\x01" + fast(value)
        if method == "SubnetInfoRuntimeApi_get_selective_metagraph":
            count, off = _compact(data, 2)
            indexes = [int.from_bytes(data[off + 2 * i : off + 2 * i + 2], "little") for i in range(count)]
            return rt.encode_api_output(api, name, self.selective(netuid, block, indexes, *context()))
        if method == "NeuronInfoRuntimeApi_get_neurons_lite":
            return rt.encode_api_output(api, name, self.neurons_lite(netuid, block))
        if method == "NeuronInfoRuntimeApi_get_neuron_lite":
            uid = int.from_bytes(data[2:4], "little")
            return rt.encode_api_output(api, name, self.neuron_lite(netuid, uid, block))
        return None


_COMPACT: list[bytes] = []


def _compact_table() -> list[bytes]:
    if not _COMPACT:
        from ..scale import compact

        _COMPACT.extend(compact(i) for i in range(1 << 16))
    return _COMPACT


class _FastEncoder:
    """SCALE encoder of a composite answer type, laid out from the runtime's registry, with fast paths
    for the per-neuron vectors (compact integers by table, bools, account ids, axons). Equal to
    ``reg.encode`` byte for byte (tested); ~5x faster for a 256-neuron Metagraph."""

    _AXON_FIELDS = ["block", "version", "ip", "port", "ip_type", "protocol", "placeholder1", "placeholder2"]

    def __init__(self, reg: Registry, type_expr: str) -> None:
        from ..scale import compact

        self.compact = compact
        self.table = _compact_table()
        fields = reg.type_def(reg.ty(type_expr))["def"]["composite"]["fields"]
        self.parts = [(f["name"], self._field(reg, f["type"])) for f in fields]

    def _one(self, v: int) -> bytes:
        return self.table[v] if v < 65536 else self.compact(v)

    def _field(self, reg: Registry, tid: int) -> Callable[[Any], bytes]:
        t = reg.type_def(tid)
        d = t["def"]
        table, compact = self.table, self.compact
        if "compact" in d:
            return self._one
        if "sequence" in d:
            inner = reg.type_def(d["sequence"]["type"])
            idef, path = inner["def"], "::".join(inner["path"])
            if "compact" in idef:
                return lambda v: (
                    compact(len(v)) + b"".join([table[x] if x < 65536 else compact(x) for x in v])
                )
            if idef == {"primitive": "bool"}:
                return lambda v: compact(len(v)) + bytes([1 if x else 0 for x in v])
            if path == "sp_core::crypto::AccountId32":
                return lambda v: compact(len(v)) + b"".join(v)
            if (
                path == "pallet_subtensor::pallet::AxonInfo"
                and [f["name"] for f in idef["composite"]["fields"]] == self._AXON_FIELDS
            ):
                pack = struct.Struct("<QIQQHBBBB").pack

                def axons(v: list[dict[str, int]]) -> bytes:
                    return compact(len(v)) + b"".join(
                        [
                            pack(
                                a["block"],
                                a["version"],
                                a["ip"] & 0xFFFFFFFFFFFFFFFF,
                                a["ip"] >> 64,
                                a["port"],
                                a["ip_type"],
                                a["protocol"],
                                a["placeholder1"],
                                a["placeholder2"],
                            )
                            for a in v
                        ]
                    )

                return axons
        return reg.encoder(tid)

    def __call__(self, value: dict[str, Any]) -> bytes:
        return b"".join([enc(value[name]) for name, enc in self.parts])


def _compact(data: bytes, offset: int) -> tuple[int, int]:
    from ..scale import decode_compact

    return decode_compact(data, offset)
