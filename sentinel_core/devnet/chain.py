"""The devnet's chain: deterministic blocks, versioned state, and a ledger of governance happenings.

Every block is a function of the seed, its number and the state before it: a Timestamp inherent,
signed extrinsics of the kinds finney sees all day (weights, stake moves, axons, transfers, some
failing with real SubtensorModule errors) and, now and then or where a scenario says so, governance:
hyperparameter setters through ``Sudo.sudo``, by subnet owners, inside ``Utility.batch`` or
``Proxy.proxy``; coldkey swaps; subnets registered and dissolved; other sudo calls. Each block is
encoded once, when produced, together with the JSON the RPC server sends for it.

Weights are set by the subnet's neurons (validator-permit holders once the subnet has had an epoch)
and stored in ``SubtensorModule.Weights``; ``Bonds`` follow them at every epoch (see weights.py).
"""

from __future__ import annotations

import bisect
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..scale import compact, decode_compact
from ..units import BLOCK_TIME, RAO_PER_TAO, U16_MAX
from .metadata import DevRuntime, blake2_256
from .neurons import NeuronState
from .scenario import Action, Happening, Scenario, Via
from .symbols import next_available_symbol, symbol_for_subnet
from .types import Raw
from .upgrade import TODAY, successor
from .weights import Pairs, WeightBook

GENESIS_MS = 1_700_000_000_000
FINALITY_LAG = 2

# The chain's own knowledge of subnet hyperparameters (independent of Sentinel's semantics table):
# SubnetHyperparamsV2 field -> (storage item, setter, setter arg, event, default value).
HyperparamDef = tuple[str, str | None, str | None, str | tuple[str, str] | None, Any]
"""``(storage item, setter, setter arg, event, default value)``: the event is a SubtensorModule event
name, or ``(pallet, event)`` for events with named fields; setter and arg are None together."""

HYPERPARAMS: dict[str, HyperparamDef] = {
    "rho": ("Rho", "sudo_set_rho", "rho", "RhoSet", 10),
    "kappa": ("Kappa", "sudo_set_kappa", "kappa", "KappaSet", 32767),
    "immunity_period": (
        "ImmunityPeriod",
        "sudo_set_immunity_period",
        "immunity_period",
        "ImmunityPeriodSet",
        4096,
    ),
    "min_allowed_weights": (
        "MinAllowedWeights",
        "sudo_set_min_allowed_weights",
        "min_allowed_weights",
        "MinAllowedWeightSet",
        8,
    ),
    "max_weights_limit": ("MaxWeightsLimit", None, None, None, 65535),
    "tempo": ("Tempo", "sudo_set_tempo", "tempo", "TempoSet", 360),
    "min_difficulty": (
        "MinDifficulty",
        "sudo_set_min_difficulty",
        "min_difficulty",
        "MinDifficultySet",
        10_000_000,
    ),
    "max_difficulty": (
        "MaxDifficulty",
        "sudo_set_max_difficulty",
        "max_difficulty",
        "MaxDifficultySet",
        4_611_686_018_427_387_903,
    ),
    "weights_version": (
        "WeightsVersionKey",
        "sudo_set_weights_version_key",
        "weights_version_key",
        "WeightsVersionKeySet",
        0,
    ),
    "weights_rate_limit": (
        "WeightsSetRateLimit",
        "sudo_set_weights_set_rate_limit",
        "weights_set_rate_limit",
        "WeightsSetRateLimitSet",
        100,
    ),
    "adjustment_interval": (
        "AdjustmentInterval",
        "sudo_set_adjustment_interval",
        "adjustment_interval",
        "AdjustmentIntervalSet",
        360,
    ),
    "activity_cutoff": (
        "ActivityCutoff",
        "sudo_set_activity_cutoff",
        "activity_cutoff",
        "ActivityCutoffSet",
        5000,
    ),
    "registration_allowed": (
        "NetworkRegistrationAllowed",
        "sudo_set_network_registration_allowed",
        "registration_allowed",
        "RegistrationAllowed",
        True,
    ),
    "target_regs_per_interval": (
        "TargetRegistrationsPerInterval",
        "sudo_set_target_registrations_per_interval",
        "target_registrations_per_interval",
        "RegistrationPerIntervalSet",
        2,
    ),
    "min_burn": ("MinBurn", "sudo_set_min_burn", "min_burn", "MinBurnSet", 500_000),
    "max_burn": ("MaxBurn", "sudo_set_max_burn", "max_burn", "MaxBurnSet", 100_000_000_000),
    "bonds_moving_avg": (
        "BondsMovingAverage",
        "sudo_set_bonds_moving_average",
        "bonds_moving_average",
        "BondsMovingAverageSet",
        900_000,
    ),
    "max_regs_per_block": (
        "MaxRegistrationsPerBlock",
        "sudo_set_max_registrations_per_block",
        "max_registrations_per_block",
        "MaxRegistrationsPerBlockSet",
        1,
    ),
    "serving_rate_limit": (
        "ServingRateLimit",
        "sudo_set_serving_rate_limit",
        "serving_rate_limit",
        "ServingRateLimitSet",
        50,
    ),
    "max_validators": (
        "MaxAllowedValidators",
        "sudo_set_max_allowed_validators",
        "max_allowed_validators",
        "MaxAllowedValidatorsSet",
        64,
    ),
    "adjustment_alpha": (
        "AdjustmentAlpha",
        "sudo_set_adjustment_alpha",
        "adjustment_alpha",
        "AdjustmentAlphaSet",
        17_893_341_751_498_265_066,
    ),
    "difficulty": ("Difficulty", "sudo_set_difficulty", "difficulty", "DifficultySet", 10_000_000),
    "commit_reveal_period": (
        "RevealPeriodEpochs",
        "sudo_set_commit_reveal_weights_interval",
        "interval",
        "CommitRevealPeriodsSet",
        1,
    ),
    "commit_reveal_weights_enabled": (
        "CommitRevealWeightsEnabled",
        "sudo_set_commit_reveal_weights_enabled",
        "enabled",
        "CommitRevealEnabled",
        True,
    ),
    "liquid_alpha_enabled": ("LiquidAlphaOn", "sudo_set_liquid_alpha_enabled", "enabled", None, False),
    "alpha_sigmoid_steepness": (
        "AlphaSigmoidSteepness",
        "sudo_set_alpha_sigmoid_steepness",
        "steepness",
        "AlphaSigmoidSteepnessSet",
        1000,
    ),
    "transfers_enabled": ("TransferToggle", "sudo_set_toggle_transfer", "toggle", "TransferToggle", True),
    "bonds_reset_enabled": (
        "BondsResetOn",
        "sudo_set_bonds_reset_enabled",
        "enabled",
        ("AdminUtils", "BondsResetToggled"),
        False,
    ),
    "yuma3_enabled": (
        "Yuma3On",
        "sudo_set_yuma3_enabled",
        "enabled",
        ("AdminUtils", "Yuma3EnableToggled"),
        False,
    ),
}
# Parameters only the upgraded runtime has (see upgrade.py).
NEW_HYPERPARAMS: dict[str, tuple[str, str, str, tuple[str, str], Any]] = {
    "burn_half_life": (
        "BurnHalfLife",
        "sudo_set_burn_half_life",
        "burn_half_life",
        ("AdminUtils", "BurnHalfLifeSet"),
        360,
    ),
}
# How get_subnet_hyperparams_v3 tags each value (HyperparamValue variants).
_V3_TAGS = {"min_burn": "TaoBalance", "max_burn": "TaoBalance", "alpha_sigmoid_steepness": "I32F32"}
_V3_U64 = {
    "min_difficulty",
    "max_difficulty",
    "weights_version",
    "weights_rate_limit",
    "bonds_moving_avg",
    "serving_rate_limit",
    "adjustment_alpha",
    "difficulty",
    "commit_reveal_period",
}
# alpha_low / alpha_high live together in AlphaValues and are set by one call.
ALPHA_DEFAULT = (45875, 58982)
SETTERS = {spec[1]: name for name, spec in {**HYPERPARAMS, **NEW_HYPERPARAMS}.items() if spec[1]}

# Values the random governance picks from (plausible, and always different from the current value).
_CHOICES: dict[str, list[Any]] = {
    "tempo": [99, 100, 180, 360, 720],
    "kappa": [16383, 32767, 49151],
    "immunity_period": [100, 4032, 4096, 7200],
    "min_allowed_weights": [1, 8, 16],
    "weights_rate_limit": [0, 50, 100, 360],
    "adjustment_interval": [112, 360, 720],
    "activity_cutoff": [1000, 5000, 7200],
    "registration_allowed": [True, False],
    "target_regs_per_interval": [1, 2, 4],
    "min_burn": [500_000, 1_000_000_000],
    "max_burn": [100_000_000_000, 200_000_000_000],
    "bonds_moving_avg": [900_000, 975_000],
    "max_regs_per_block": [1, 2, 3],
    "serving_rate_limit": [10, 50, 100],
    "max_validators": [32, 64, 128],
    "difficulty": [10_000_000, 20_000_000],
    "commit_reveal_weights_enabled": [True, False],
    "commit_reveal_period": [1, 2, 3],
    "liquid_alpha_enabled": [True, False],
    "alpha_sigmoid_steepness": [-500, 1000, 2000],
    "weights_version": [0, 1, 2],
    "bonds_reset_enabled": [True, False],
    "yuma3_enabled": [True, False],
    "rho": [10, 30],
    "transfers_enabled": [True, False],
    "burn_half_life": [100, 360, 720],
}

ROUTINE_WEIGHTS = [
    ("set_weights", 30),
    ("add_stake", 12),
    ("remove_stake", 10),
    ("transfer", 10),
    ("serve_axon", 8),
    ("move_stake", 5),
    ("commit_weights", 5),
    ("burned_register", 4),
    ("remark", 2),
]


def account(seed: int, label: str) -> bytes:
    return blake2_256(f"sentinel-devnet:{seed}:{label}".encode())


@dataclass
class ProducedBlock:
    number: int
    hash: str
    parent_hash: str
    runtime: DevRuntime
    header: dict[str, Any]
    extrinsics: list[str]
    events: bytes
    timestamp: int
    header_json: str = ""
    block_json: str = ""
    events_hex: str = ""

    def __post_init__(self) -> None:
        self.header_json = json.dumps(self.header, separators=(",", ":"))
        self.block_json = (
            '{"block":{"header":'
            + self.header_json
            + ',"extrinsics":'
            + json.dumps(self.extrinsics, separators=(",", ":"))
            + '},"justifications":null}'
        )
        self.events_hex = "0x" + self.events.hex()


@dataclass
class Subnet:
    netuid: int
    owner: bytes
    owner_hotkey: bytes
    registered_at: int


@dataclass
class _Ext:
    """One extrinsic being assembled: its bytes and its events (pallet, name, fields)."""

    data: bytes
    events: list[tuple[str, str, Any]] = field(default_factory=list)


class DevChain:
    """Produces and keeps the devnet's blocks and state."""

    def __init__(
        self,
        *,
        seed: int = 1,
        extrinsics_per_block: int = 20,
        block_time: float = BLOCK_TIME,
        governance_rate: float = 0.05,
        subnets: int = 8,
        scenario: Scenario | None = None,
        runtime: DevRuntime | None = None,
        upgrade_at: int | Sequence[int] | None = None,
        neuron_max_uids: int | None = None,
    ) -> None:
        self.seed = seed
        self.extrinsics_per_block = extrinsics_per_block
        self.block_time_ms = int(block_time * 1000)
        self.scenario = scenario or Scenario()
        self.governance_rate = (
            self.scenario.governance_rate if self.scenario.governance_rate is not None else governance_rate
        )
        self.genesis_runtime = runtime or DevRuntime()
        given = upgrade_at if upgrade_at is not None else self.scenario.upgrade_at
        self.upgrades: list[int] = upgrade_blocks(given)
        """The blocks that upgrade the runtime, ascending: the first to TODAY (spec 400), each later
        one to the same runtime with the spec version one higher."""
        self.upgrade_at = self.upgrades[0] if self.upgrades else None
        """The first upgrade block (None: the chain never upgrades)."""
        self.upgraded_runtime = DevRuntime(TODAY) if self.upgrades else None
        self.runtimes: list[DevRuntime] = [self.genesis_runtime]
        """The runtime in force before the first upgrade, then after each upgrade block."""
        if self.upgraded_runtime is not None:
            self.runtimes.append(self.upgraded_runtime)
            for i in range(1, len(self.upgrades)):
                self.runtimes.append(successor(self.upgraded_runtime, TODAY.spec_version + i))
        self._upgrade_index = {block: i + 1 for i, block in enumerate(self.upgrades)}
        # The newest runtime declares every storage item: keys do not depend on the runtime.
        self._storage_rt = self.upgraded_runtime or self.genesis_runtime
        self.runtime = self.genesis_runtime
        """The runtime encoding the block being built (its parent's runtime)."""
        self.neurons = (
            NeuronState(seed, self.genesis_runtime, max_uids=neuron_max_uids)
            if neuron_max_uids
            else NeuronState(seed, self.genesis_runtime)
        )
        self.blocks: list[ProducedBlock] = []
        self.by_hash: dict[str, ProducedBlock] = {}
        self.ledger: list[dict[str, Any]] = []
        self.listeners: list[Callable[[ProducedBlock], None]] = []
        self._kv: dict[bytes, tuple[list[int], list[bytes | None]]] = {}
        self._hp: dict[tuple[int, str], tuple[list[int], list[Any]]] = {}
        self.subnets: dict[int, Subnet] = {}
        self._subnet_life: dict[int, list[tuple[int, int | None]]] = {}
        self.sudo_key = account(seed, "sudo")
        self.coldkeys = [account(seed, f"coldkey/{i}") for i in range(48)]
        self.hotkeys = [account(seed, f"hotkey/{i}") for i in range(192)]
        self._nonces: dict[bytes, int] = {}
        self._events_key = self._storage_rt.storage_prefix("System", "Events")
        self._announcements: dict[bytes, bytes] = {}
        self.weights = WeightBook(self._set, self.storage_at, self._storage_rt)
        """``SubtensorModule.Weights`` / ``Bonds`` (see weights.py)."""
        self._genesis(subnets)

    # -- state --------------------------------------------------------------------------------------
    def _set(self, key: bytes, block: int, value: bytes | None) -> None:
        blocks, values = self._kv.setdefault(key, ([], []))
        if blocks and blocks[-1] == block:
            values[-1] = value
        else:
            blocks.append(block)
            values.append(value)

    def storage_at(self, key: bytes, block: int) -> bytes | None:
        hit = self._kv.get(key)
        if hit is None:
            return None
        blocks, values = hit
        i = bisect.bisect_right(blocks, block) - 1
        return values[i] if i >= 0 else None

    def keys_with_prefix(self, prefix: bytes, block: int) -> list[bytes]:
        return sorted(k for k in self._kv if k.startswith(prefix) and self.storage_at(k, block) is not None)

    def _store(self, block: int, pallet: str, item: str, keys: tuple[Any, ...], value: Any) -> None:
        rt = self._storage_rt
        key = rt.storage_key(pallet, item, *keys)
        self._set(key, block, None if value is None else rt.encode_storage_value(pallet, item, value))

    def hyperparam_at(self, netuid: int, name: str, block: int) -> Any:
        hist = self._hp.get((netuid, name))
        if hist is None:
            return None
        i = bisect.bisect_right(hist[0], block) - 1
        return hist[1][i] if i >= 0 else None

    def _set_hp(self, block: int, netuid: int, name: str, value: Any) -> None:
        blocks, values = self._hp.setdefault((netuid, name), ([], []))
        if blocks and blocks[-1] == block:
            values[-1] = value
        else:
            blocks.append(block)
            values.append(value)
        if name in ("alpha_low", "alpha_high"):
            low = self.hyperparam_at(netuid, "alpha_low", block)
            high = self.hyperparam_at(netuid, "alpha_high", block)
            if low is not None and high is not None:
                self._store(block, "SubtensorModule", "AlphaValues", (netuid,), (low, high))
            return
        item = (HYPERPARAMS.get(name) or NEW_HYPERPARAMS[name])[0]
        self._store(block, "SubtensorModule", item, (netuid,), value)

    def token_symbol(self, netuid: int, block: int) -> str | None:
        """``SubtensorModule.TokenSymbol`` of ``netuid`` after ``block``, decoded; None when not stored."""
        raw = self.storage_at(self._storage_rt.storage_key("SubtensorModule", "TokenSymbol", netuid), block)
        if raw is None:
            return None
        length, offset = decode_compact(raw)
        return raw[offset : offset + length].decode()

    def weights_at(self, netuid: int, block: int) -> dict[int, Pairs]:
        """``SubtensorModule.Weights`` of ``netuid`` after ``block``: every non-empty row, by uid."""
        return self.weights.rows("Weights", netuid, block)

    def bonds_at(self, netuid: int, block: int) -> dict[int, Pairs]:
        """``SubtensorModule.Bonds`` of ``netuid`` after ``block``: every non-empty row, by uid."""
        return self.weights.rows("Bonds", netuid, block)

    def subnet_exists(self, netuid: int, block: int) -> bool:
        return any(
            start <= block and (end is None or block < end)
            for start, end in self._subnet_life.get(netuid, ())
        )

    def netuids_at(self, block: int) -> list[int]:
        return sorted(n for n in self._subnet_life if self.subnet_exists(n, block))

    def hyperparams_v2(self, netuid: int, block: int) -> dict[str, Any] | None:
        if not self.subnet_exists(netuid, block):
            return None
        hp = {name: self.hyperparam_at(netuid, name, block) for name in HYPERPARAMS}
        return {
            "rho": hp["rho"],
            "kappa": hp["kappa"],
            "immunity_period": hp["immunity_period"],
            "min_allowed_weights": hp["min_allowed_weights"],
            "max_weights_limit": hp["max_weights_limit"],
            "tempo": hp["tempo"],
            "min_difficulty": hp["min_difficulty"],
            "max_difficulty": hp["max_difficulty"],
            "weights_version": hp["weights_version"],
            "weights_rate_limit": hp["weights_rate_limit"],
            "adjustment_interval": hp["adjustment_interval"],
            "activity_cutoff": hp["activity_cutoff"],
            "registration_allowed": hp["registration_allowed"],
            "target_regs_per_interval": hp["target_regs_per_interval"],
            "min_burn": hp["min_burn"],
            "max_burn": hp["max_burn"],
            "bonds_moving_avg": hp["bonds_moving_avg"],
            "max_regs_per_block": hp["max_regs_per_block"],
            "serving_rate_limit": hp["serving_rate_limit"],
            "max_validators": hp["max_validators"],
            "adjustment_alpha": hp["adjustment_alpha"],
            "difficulty": hp["difficulty"],
            "commit_reveal_period": hp["commit_reveal_period"],
            "commit_reveal_weights_enabled": hp["commit_reveal_weights_enabled"],
            "alpha_high": self.hyperparam_at(netuid, "alpha_high", block),
            "alpha_low": self.hyperparam_at(netuid, "alpha_low", block),
            "liquid_alpha_enabled": hp["liquid_alpha_enabled"],
            "alpha_sigmoid_steepness": {"bits": hp["alpha_sigmoid_steepness"] << 32},
            "yuma_version": 3 if hp["yuma3_enabled"] else 2,
            "subnet_is_active": True,
            "transfers_enabled": hp["transfers_enabled"],
            "bonds_reset_enabled": hp["bonds_reset_enabled"],
            "user_liquidity_enabled": False,
        }

    def hyperparams_v3(self, netuid: int, block: int) -> list[dict[str, Any]] | None:
        v2 = self.hyperparams_v2(netuid, block)
        if v2 is None:
            return None
        values = {**v2, **{name: self.hyperparam_at(netuid, name, block) for name in NEW_HYPERPARAMS}}
        out = []
        for name, value in values.items():
            if value is None:
                continue
            if isinstance(value, bool):
                tagged: Any = ("Bool", value)
            elif name in _V3_TAGS:
                tagged = (_V3_TAGS[name], value)
            else:
                tagged = ("U64" if name in _V3_U64 else "U16", value)
            out.append({"name": name.encode(), "value": tagged})
        return out

    def hyperparams_v1(self, netuid: int, block: int) -> dict[str, Any] | None:
        v2 = self.hyperparams_v2(netuid, block)
        if v2 is None:
            return None
        fields = self.runtime.reg.type_def(
            self.runtime.reg.ty("pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams")
        )
        names = [f["name"] for f in fields["def"]["composite"]["fields"]]
        v1 = {n: v2.get(n, 0) for n in names}
        if "alpha_sigmoid_steepness" in v1 and isinstance(v1["alpha_sigmoid_steepness"], dict):
            v1["alpha_sigmoid_steepness"] = v1["alpha_sigmoid_steepness"]["bits"] >> 32
        return v1

    # -- genesis ------------------------------------------------------------------------------------
    def _add_subnet(
        self, block: int, netuid: int, owner: bytes, owner_hotkey: bytes, rng: random.Random | None = None
    ) -> None:
        self.subnets[netuid] = Subnet(netuid, owner, owner_hotkey, block)
        self._subnet_life.setdefault(netuid, []).append((block, None))
        for name, (_, _, _, _, default) in HYPERPARAMS.items():
            value = default
            if rng is not None and name in ("tempo", "immunity_period", "kappa"):
                value = rng.choice(_CHOICES[name])
            self._set_hp(block, netuid, name, value)
        self._set_hp(block, netuid, "alpha_low", ALPHA_DEFAULT[0])
        self._set_hp(block, netuid, "alpha_high", ALPHA_DEFAULT[1])
        if self.upgraded(block):
            for name, spec in NEW_HYPERPARAMS.items():
                self._set_hp(block, netuid, name, spec[4])
        self._store(block, "SubtensorModule", "NetworksAdded", (netuid,), True)
        self._store(block, "SubtensorModule", "SubnetOwner", (netuid,), owner)
        self._store(block, "SubtensorModule", "SubnetOwnerHotkey", (netuid,), owner_hotkey)
        self._store(block, "SubtensorModule", "NetworkRegisteredAt", (netuid,), block)
        self._store(block, "SubtensorModule", "TotalNetworks", (), len(self.subnets))
        # As subtensor: genesis subnets get their own symbol, a registration the first one not in use.
        if block == 0:
            symbol = symbol_for_subnet(netuid)
        else:
            used = [s for n in self.subnets if n != netuid and (s := self.token_symbol(n, block)) is not None]
            symbol = next_available_symbol(netuid, used)
        self._store(block, "SubtensorModule", "TokenSymbol", (netuid,), symbol.encode())
        self.neurons.genesis_subnet(block, netuid, owner, owner_hotkey, None if block == 0 else 1)

    def _remove_subnet(self, block: int, netuid: int) -> None:
        self.subnets.pop(netuid, None)
        start, _ = self._subnet_life[netuid][-1]
        self._subnet_life[netuid][-1] = (start, block)
        for spec in {**HYPERPARAMS, **(NEW_HYPERPARAMS if self.upgraded_runtime else {})}.values():
            self._store(block, "SubtensorModule", spec[0], (netuid,), None)
        for item in (
            "AlphaValues",
            "NetworksAdded",
            "SubnetOwner",
            "SubnetOwnerHotkey",
            "NetworkRegisteredAt",
            "TokenSymbol",
        ):
            self._store(block, "SubtensorModule", item, (netuid,), None)
        self._store(block, "SubtensorModule", "TotalNetworks", (), len(self.subnets))
        self.weights.clear_subnet(block, netuid)
        self.neurons.remove_subnet(block, netuid)

    def _genesis(self, subnets: int) -> None:
        rng = random.Random(f"{self.seed}:genesis")
        for netuid in range(subnets + 1):  # netuid 0 is root
            owner = self.sudo_key if netuid == 0 else self.coldkeys[netuid % len(self.coldkeys)]
            self._add_subnet(0, netuid, owner, self.hotkeys[netuid], rng if netuid else None)
        self._store(0, "Sudo", "Key", (), self.sudo_key)
        self._append(self._seal(0, "0x" + "00" * 32, [], b"\x00", GENESIS_MS))

    # -- block production ---------------------------------------------------------------------------
    @property
    def head(self) -> ProducedBlock:
        return self.blocks[-1]

    @property
    def finalized(self) -> ProducedBlock:
        return self.blocks[max(0, len(self.blocks) - 1 - FINALITY_LAG)]

    def block(self, number: int) -> ProducedBlock | None:
        return self.blocks[number] if 0 <= number < len(self.blocks) else None

    def produce(self, count: int = 1) -> list[ProducedBlock]:
        out = []
        for _ in range(count):
            number = len(self.blocks)
            out.append(self._append(self._build(number, self.head.hash, salt="")))
        return out

    def reorg_head(self) -> ProducedBlock:
        """Replace the best (unfinalized) block with another block at the same height."""
        old = self.blocks.pop()
        del self.by_hash[old.hash]
        self._rollback(old.number)
        self.ledger = [e for e in self.ledger if e["block"] != old.number]
        return self._append(self._build(old.number, old.parent_hash, salt="fork"))

    def _rollback(self, number: int) -> None:
        for blocks, values in list(self._kv.values()) + list(self._hp.values()):
            while blocks and blocks[-1] >= number:
                blocks.pop()
                values.pop()
        for netuid, life in list(self._subnet_life.items()):
            life[:] = [(s, e if e is None or e < number else None) for s, e in life if s < number]
            if not life:
                del self._subnet_life[netuid]
        self.subnets = {
            n: self.subnets.get(n) or Subnet(n, self.sudo_key, self.hotkeys[0], 0)
            for n in self._subnet_life
            if self.subnet_exists(n, number - 1)
        }
        self.neurons.rollback(number)

    def _append(self, block: ProducedBlock) -> ProducedBlock:
        self.blocks.append(block)
        self.by_hash[block.hash] = block
        for listener in list(self.listeners):
            listener(block)
        return block

    def _seal(
        self, number: int, parent_hash: str, extrinsics: list[bytes], events: bytes, timestamp: int
    ) -> ProducedBlock:
        extrinsics_root = blake2_256(b"".join(extrinsics))
        state_root = blake2_256(f"{self.seed}:{number}:".encode() + events)
        slot = timestamp // max(self.block_time_ms, 1)
        digest = "0x06" + b"aura".hex() + (compact(8) + slot.to_bytes(8, "little")).hex()
        header_bytes = (
            bytes.fromhex(parent_hash[2:])
            + compact(number)
            + state_root
            + extrinsics_root
            + compact(1)
            + bytes.fromhex(digest[2:])
        )
        block_hash = "0x" + blake2_256(header_bytes).hex()
        header = {
            "parentHash": parent_hash,
            "number": hex(number),
            "stateRoot": "0x" + state_root.hex(),
            "extrinsicsRoot": "0x" + extrinsics_root.hex(),
            "digest": {"logs": [digest]},
        }
        return ProducedBlock(
            number,
            block_hash,
            parent_hash,
            self.runtime,
            header,
            ["0x" + x.hex() for x in extrinsics],
            events,
            timestamp,
        )

    def _build(self, number: int, parent_hash: str, salt: str) -> ProducedBlock:
        for netuid in self.neurons.on_block(number, lambda n: self.hyperparam_at(n, "tempo", number - 1)):
            epoch = self.neurons.epoch_at(netuid, number)
            if epoch is not None:
                self.weights.on_epoch(
                    number,
                    netuid,
                    epoch.permit,
                    int(self.hyperparam_at(netuid, "bonds_moving_avg", number - 1) or 0),
                )
        rng = random.Random(f"{self.seed}:{number}:{salt}")
        self.runtime = self.runtime_at(number - 1)
        timestamp = GENESIS_MS + number * self.block_time_ms
        exts: list[_Ext] = []
        now_call = self.runtime.encode_call("Timestamp", "set", {"now": timestamp})
        inherent_info = {
            "weight": {"ref_time": 9_000_000, "proof_size": 1493},
            "class": "Mandatory",
            "pays_fee": "Yes",
        }
        exts.append(
            _Ext(
                self.runtime.encode_unsigned_extrinsic(now_call),
                [("System", "ExtrinsicSuccess", {"dispatch_info": inherent_info})],
            )
        )
        if number in self._upgrade_index:
            exts.append(self._upgrade(number, len(exts), rng))
        scripted = self.scenario.at_block(number)
        quiet = self.scenario.is_quiet(number)
        for happening in scripted:
            exts.append(self._governance(number, len(exts), rng, happening))
        if not quiet and not scripted and rng.random() < self.governance_rate:
            exts.append(self._governance(number, len(exts), rng, None))
        count = max(0, self.extrinsics_per_block + rng.randint(-3, 3))
        failures = self.scenario.failures_at(number)
        for i in range(count):
            exts.append(self._routine(number, len(exts), rng, force_fail=i < failures))
        for _ in range(count, failures):
            exts.append(self._routine(number, len(exts), rng, force_fail=True))
        records = []
        for idx, ext in enumerate(exts):
            for pallet, name, fields in ext.events:
                records.append(self.runtime.encode_event_record(idx, pallet, name, fields))
        events = compact(len(records)) + b"".join(records)
        return self._seal(number, parent_hash, [e.data for e in exts], events, timestamp)

    # -- extrinsics ---------------------------------------------------------------------------------
    def _signed(self, signer: bytes, call: bytes) -> bytes:
        nonce = self._nonces.get(signer, 0)
        self._nonces[signer] = nonce + 1
        return self.runtime.encode_signed_extrinsic(signer, nonce, call)

    @staticmethod
    def _info(rng: random.Random) -> dict[str, Any]:
        return {
            "weight": {"ref_time": rng.randint(100_000_000, 900_000_000), "proof_size": rng.randint(0, 9000)},
            "class": "Normal",
            "pays_fee": "Yes",
        }

    def _ok(self, rng: random.Random) -> tuple[str, str, Any]:
        return ("System", "ExtrinsicSuccess", {"dispatch_info": self._info(rng)})

    def _failed(self, rng: random.Random, pallet: str, error: str) -> tuple[str, str, Any]:
        return (
            "System",
            "ExtrinsicFailed",
            {"dispatch_error": self.runtime.module_error(pallet, error), "dispatch_info": self._info(rng)},
        )

    def _routine(self, number: int, idx: int, rng: random.Random, force_fail: bool = False) -> _Ext:
        rt = self.runtime
        kinds, odds = zip(*ROUTINE_WEIGHTS)
        kind = rng.choices(kinds, odds)[0]
        netuids = [n for n in self.subnets if n != 0] or [0]
        netuid = rng.choice(netuids)
        coldkey = rng.choice(self.coldkeys)
        hotkey = rng.choice(self.hotkeys)
        # Most stake moves are small (0.01-25 TAO); a few are larger.
        tao = int(min(rng.lognormvariate(0.0, 1.6), 250.0) * RAO_PER_TAO)
        if force_fail:
            kind = "set_weights"
        if kind == "set_weights":
            drawn = sorted(rng.sample(range(256), 8))
            values = [rng.randint(0, U16_MAX) for _ in drawn]
            uid, signer, dests, weights = self._weights_call(netuid, hotkey, drawn, values)
            call = rt.encode_call(
                "SubtensorModule",
                "set_weights",
                {"netuid": netuid, "dests": dests, "weights": weights, "version_key": 0},
            )
            if force_fail or rng.random() < 0.02:
                return _Ext(
                    self._signed(signer, call),
                    [self._failed(rng, "SubtensorModule", "SettingWeightsTooFast")],
                )
            rng.randint(0, 255)  # once the event's uid; still drawn so that each seed's chain stays as it was
            self.weights.set_weights(number, netuid, uid, dests, weights)
            return _Ext(
                self._signed(signer, call), [("SubtensorModule", "WeightsSet", [netuid, uid]), self._ok(rng)]
            )
        if kind == "add_stake":
            call = rt.encode_call(
                "SubtensorModule", "add_stake", {"hotkey": hotkey, "netuid": netuid, "amount_staked": tao}
            )
            self.neurons.on_stake(number, netuid, hotkey, coldkey, tao)
            return _Ext(
                self._signed(coldkey, call),
                [("SubtensorModule", "StakeAdded", [coldkey, hotkey, tao, tao, netuid, 0]), self._ok(rng)],
            )
        if kind == "remove_stake":
            call = rt.encode_call(
                "SubtensorModule",
                "remove_stake",
                {"hotkey": hotkey, "netuid": netuid, "amount_unstaked": tao},
            )
            if rng.random() < 0.01:
                return _Ext(
                    self._signed(coldkey, call),
                    [self._failed(rng, "SubtensorModule", "NotEnoughStakeToWithdraw")],
                )
            self.neurons.on_stake(number, netuid, hotkey, coldkey, -tao)
            return _Ext(
                self._signed(coldkey, call),
                [("SubtensorModule", "StakeRemoved", [coldkey, hotkey, tao, tao, netuid, 0]), self._ok(rng)],
            )
        if kind == "move_stake":
            dest = rng.choice(netuids)
            dest_hotkey = rng.choice(self.hotkeys)
            call = rt.encode_call(
                "SubtensorModule",
                "move_stake",
                {
                    "origin_hotkey": hotkey,
                    "destination_hotkey": dest_hotkey,
                    "origin_netuid": netuid,
                    "destination_netuid": dest,
                    "alpha_amount": tao,
                },
            )
            moved = -self.neurons.on_stake(number, netuid, hotkey, coldkey, -tao)
            self.neurons.on_stake(number, dest, dest_hotkey, coldkey, moved)
            return _Ext(
                self._signed(coldkey, call),
                [
                    ("SubtensorModule", "StakeMoved", [coldkey, hotkey, netuid, dest_hotkey, dest, tao]),
                    self._ok(rng),
                ],
            )
        if kind == "transfer":
            to = rng.choice(self.coldkeys)
            call = rt.encode_call("Balances", "transfer_keep_alive", {"dest": ("Id", to), "value": tao})
            return _Ext(
                self._signed(coldkey, call),
                [("Balances", "Transfer", {"from": coldkey, "to": to, "amount": tao}), self._ok(rng)],
            )
        if kind == "serve_axon":
            call = rt.encode_call(
                "SubtensorModule",
                "serve_axon",
                {
                    "netuid": netuid,
                    "version": 1,
                    "ip": rng.getrandbits(32),
                    "port": 8091,
                    "ip_type": 4,
                    "protocol": 4,
                    "placeholder1": 0,
                    "placeholder2": 0,
                },
            )
            if rng.random() < 0.02:
                return _Ext(
                    self._signed(hotkey, call),
                    [self._failed(rng, "SubtensorModule", "ServingRateLimitExceeded")],
                )
            return _Ext(
                self._signed(hotkey, call),
                [("SubtensorModule", "AxonServed", [netuid, hotkey]), self._ok(rng)],
            )
        if kind == "commit_weights":
            call = rt.encode_call(
                "SubtensorModule", "commit_weights", {"netuid": netuid, "commit_hash": rng.randbytes(32)}
            )
            return _Ext(self._signed(hotkey, call), [self._ok(rng)])
        if kind == "burned_register":
            call = rt.encode_call("SubtensorModule", "burned_register", {"netuid": netuid, "hotkey": hotkey})
            if rng.random() < 0.1:
                return _Ext(
                    self._signed(coldkey, call),
                    [self._failed(rng, "SubtensorModule", "TooManyRegistrationsThisBlock")],
                )
            known = self.neurons.registered(netuid, hotkey)
            new_uid = self.neurons.on_register(
                number,
                netuid,
                hotkey,
                coldkey,
                immunity_period=self.hyperparam_at(netuid, "immunity_period", number),
            )
            if new_uid is None:
                return _Ext(
                    self._signed(coldkey, call), [self._failed(rng, "SubtensorModule", "NoNeuronIdAvailable")]
                )
            if known is None:
                # The uid's predecessor's weights and bonds go.
                self.weights.clear_uid(number, netuid, new_uid)
            return _Ext(
                self._signed(coldkey, call),
                [("SubtensorModule", "NeuronRegistered", [netuid, new_uid, hotkey]), self._ok(rng)],
            )
        call = rt.encode_call("System", "remark", {"remark": rng.randbytes(16)})
        return _Ext(self._signed(coldkey, call), [self._ok(rng)])

    def _weights_call(
        self, netuid: int, hotkey: bytes, drawn: list[int], values: list[int]
    ) -> tuple[int, bytes, list[int], list[int]]:
        """``(uid, hotkey, dests, weights)`` of a ``set_weights`` on ``netuid``: the signer is one of the
        subnet's weight setters (``NeuronState.weight_setter``), picked by the routine's random
        ``hotkey``; the drawn uids are taken modulo the subnet's size (the first weight of a uid wins)."""
        setter = self.neurons.weight_setter(netuid, int.from_bytes(hotkey[:4], "little"))
        assert setter is not None, f"subnet {netuid} has no neurons"
        uid, signer = setter
        size = self.neurons.size(netuid)
        chosen: dict[int, int] = {}
        for dest, value in zip(drawn, values):
            chosen.setdefault(dest % size, value)
        dests = sorted(chosen)
        return uid, signer, dests, [chosen[d] for d in dests]

    # -- governance ---------------------------------------------------------------------------------
    def _random_happening(self, rng: random.Random, number: int) -> Happening:
        actions: dict[Action, int] = {
            "set_hyperparam": 60,
            "schedule_swap_coldkey": 10,
            "register_network": 8,
            "dissolve_network": 5,
            "sudo_call": 10,
            "swap_coldkey": 4,
            "register_leased_network": 2,
        }
        if self.upgraded(number - 1):
            actions.update(
                {
                    "schedule_swap_coldkey": 0,
                    "announce_coldkey_swap": 8,
                    "dispute_coldkey_swap": 3,
                    "reset_coldkey_swap": 2,
                    "clear_coldkey_swap": 2,
                    "swap_coldkey_announced": 3,
                }
            )
        action = rng.choices(list(actions), list(actions.values()))[0]
        if action == "dissolve_network" and len(self.subnets) <= 4:
            action = "register_network"
        vias: list[Via] = ["sudo", "owner", "batch", "proxy", "sudo_failed"]
        via = rng.choices(vias, [50, 25, 8, 8, 4])[0]
        names = sorted(n for n in _CHOICES if n not in NEW_HYPERPARAMS or self.upgraded(number - 1))
        name = rng.choice(names + ["alpha_values"])
        return Happening(block=-1, action=action, via=via, name=name)

    def _governance(self, number: int, idx: int, rng: random.Random, h: Happening | None) -> _Ext:
        h = h or self._random_happening(rng, number)
        handler: Callable[[int, int, random.Random, Happening], _Ext] = getattr(self, f"_gov_{h.action}")
        return handler(number, idx, rng, h)

    def _record(self, number: int, idx: int, kind: str, **fields: Any) -> None:
        entry = {"block": number, "extrinsic_index": idx, "kind": kind, **fields}
        self.ledger.append(entry)

    def _wrap(
        self,
        number: int,
        idx: int,
        rng: random.Random,
        inner: bytes,
        signer: bytes,
        via: str,
        inner_events: list[tuple[str, str, Any]],
        *,
        inner_ok: bool = True,
    ) -> _Ext:
        """Wrap ``inner`` as ``via`` says and give the extrinsic the events a real runtime emits."""
        rt = self.runtime
        if via in ("sudo", "sudo_failed"):
            call = rt.encode_call("Sudo", "sudo", {"call": Raw(inner)})
            if via == "sudo_failed" or not inner_ok:
                result = ("Err", "BadOrigin")
                return _Ext(
                    self._signed(self.sudo_key, call),
                    [("Sudo", "Sudid", {"sudo_result": result}), self._ok(rng)],
                )
            return _Ext(
                self._signed(self.sudo_key, call),
                [*inner_events, ("Sudo", "Sudid", {"sudo_result": ("Ok", None)}), self._ok(rng)],
            )
        if via == "batch":
            remark = rt.encode_call("System", "remark", {"remark": b"sentinel"})
            call = rt.encode_call("Utility", "batch", {"calls": [Raw(inner), Raw(remark)]})
            return _Ext(
                self._signed(signer, call),
                [
                    *inner_events,
                    ("Utility", "ItemCompleted", None),
                    ("Utility", "ItemCompleted", None),
                    ("Utility", "BatchCompleted", None),
                    self._ok(rng),
                ],
            )
        if via == "proxy":
            proxy = (
                self.coldkeys[(self.coldkeys.index(signer) + 1) % len(self.coldkeys)]
                if signer in self.coldkeys
                else self.sudo_key
            )
            call = rt.encode_call(
                "Proxy", "proxy", {"real": ("Id", signer), "force_proxy_type": None, "call": Raw(inner)}
            )
            return _Ext(
                self._signed(proxy, call),
                [*inner_events, ("Proxy", "ProxyExecuted", {"result": ("Ok", None)}), self._ok(rng)],
            )
        return _Ext(self._signed(signer, inner), [*inner_events, self._ok(rng)])

    def _gov_set_hyperparam(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        netuids = [n for n in self.subnets if n != 0]
        netuid = h.netuid if h.netuid is not None else rng.choice(netuids)
        if netuid not in self.subnets:
            raise ValueError(f"block {number}: subnet {netuid} does not exist")
        owner = self.subnets[netuid].owner
        via = h.via or "sudo"
        signer = self.sudo_key if via.startswith("sudo") else owner
        rt = self.runtime
        if h.name in ("alpha_values", "alpha_low", "alpha_high"):
            low, high = (
                self.hyperparam_at(netuid, "alpha_low", number),
                self.hyperparam_at(netuid, "alpha_high", number),
            )
            new = (
                h.value
                if h.value is not None
                else (rng.choice([40000, 45875, 50000]), rng.choice([58982, 60000, 62000]))
            )
            if isinstance(new, list):
                new = tuple(new)
            if new == (low, high):
                new = (low - 100, high)
            new = (int(new[0]), int(new[1]))
            inner = rt.encode_call(
                "AdminUtils",
                "sudo_set_alpha_values",
                {"netuid": netuid, "alpha_low": new[0], "alpha_high": new[1]},
            )
            changes = [("alpha_low", low, new[0]), ("alpha_high", high, new[1])]
            events: list[tuple[str, str, Any]] = []
            call_name = "sudo_set_alpha_values"
        else:
            name = (
                h.name
                if h.name in HYPERPARAMS or h.name in NEW_HYPERPARAMS
                else (SETTERS.get(h.name or "") or "tempo")
            )
            if name in NEW_HYPERPARAMS and not self.upgraded(number - 1):
                raise ValueError(f"block {number}: {name} needs the upgraded runtime (upgrade_at)")
            storage, setter, arg, event, _ = HYPERPARAMS.get(name) or NEW_HYPERPARAMS[name]
            if setter is None or arg is None:
                raise ValueError(f"{name} has no setter on this runtime")
            old = self.hyperparam_at(netuid, name, number)
            new = h.value
            if new is None:
                options = [v for v in _CHOICES.get(name, [old]) if v != old] or [old]
                new = rng.choice(options)
            inner = rt.encode_call("AdminUtils", setter, {"netuid": netuid, arg: new})
            changes = [(name, old, new)]
            if isinstance(event, tuple):  # AdminUtils events have named fields
                events = [(event[0], event[1], {"netuid": netuid, arg: new})]
            else:
                events = [("SubtensorModule", event, [netuid, new])] if event else []
            call_name = setter
        ext = self._wrap(number, idx, rng, inner, signer, via, events)
        took_effect = via != "sudo_failed"
        if took_effect:
            for name, _, new in changes:
                self._set_hp(number, netuid, name, new)
        for name, old, new in changes:
            if old == new:
                continue  # the setter was called, but this value did not change
            self._record(
                number,
                idx,
                "hyperparam",
                netuid=netuid,
                name=name,
                old=old,
                new=new,
                call=f"AdminUtils.{call_name}",
                via=via,
                signer=signer.hex(),
                success=took_effect,
            )
        return ext

    def _gov_schedule_swap_coldkey(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        old, new = rng.sample(self.coldkeys, 2)
        call = self.runtime.encode_call("SubtensorModule", "schedule_swap_coldkey", {"new_coldkey": new})
        execution = number + 36_000
        self._store(number, "SubtensorModule", "ColdkeySwapScheduled", (old,), (execution, new))
        self._record(
            number,
            idx,
            "coldkey_swap_scheduled",
            old=old.hex(),
            new=new.hex(),
            call="SubtensorModule.schedule_swap_coldkey",
            success=True,
        )
        return _Ext(
            self._signed(old, call),
            [
                (
                    "SubtensorModule",
                    "ColdkeySwapScheduled",
                    {
                        "old_coldkey": old,
                        "new_coldkey": new,
                        "execution_block": execution,
                        "swap_cost": 100_000_000,
                    },
                ),
                self._ok(rng),
            ],
        )

    def _gov_swap_coldkey(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        old, new = rng.sample(self.coldkeys, 2)
        inner = self.runtime.encode_call(
            "SubtensorModule",
            "swap_coldkey",
            {"old_coldkey": old, "new_coldkey": new, "swap_cost": 100_000_000},
        )
        self._record(
            number,
            idx,
            "coldkey_swapped",
            old=old.hex(),
            new=new.hex(),
            call="SubtensorModule.swap_coldkey",
            via="sudo",
            success=True,
        )
        events = [
            (
                "SubtensorModule",
                "ColdkeySwapped",
                {"old_coldkey": old, "new_coldkey": new, "swap_cost": 100_000_000},
            )
        ]
        return self._wrap(number, idx, rng, inner, self.sudo_key, "sudo", events)

    def _gov_register_network(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        netuid = (
            h.netuid if h.netuid is not None else next(n for n in range(1, 1024) if n not in self.subnets)
        )
        owner = rng.choice(self.coldkeys)
        hotkey = rng.choice(self.hotkeys)
        call = self.runtime.encode_call("SubtensorModule", "register_network", {"hotkey": hotkey})
        self._add_subnet(number, netuid, owner, hotkey, rng)
        self._record(
            number,
            idx,
            "subnet_registered",
            netuid=netuid,
            owner=owner.hex(),
            call="SubtensorModule.register_network",
            success=True,
        )
        return _Ext(
            self._signed(owner, call), [("SubtensorModule", "NetworkAdded", [netuid, 1]), self._ok(rng)]
        )

    def _gov_dissolve_network(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        candidates = [n for n in self.subnets if n != 0]
        netuid = h.netuid if h.netuid is not None else rng.choice(candidates)
        if netuid not in self.subnets:
            raise ValueError(f"block {number}: subnet {netuid} does not exist")
        inner = self.runtime.encode_call("SubtensorModule", "root_dissolve_network", {"netuid": netuid})
        self._remove_subnet(number, netuid)
        self._record(
            number,
            idx,
            "subnet_dissolved",
            netuid=netuid,
            call="SubtensorModule.root_dissolve_network",
            via="sudo",
            success=True,
        )
        return self._wrap(
            number, idx, rng, inner, self.sudo_key, "sudo", [("SubtensorModule", "NetworkRemoved", netuid)]
        )

    def _gov_sudo_call(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        dest = rng.choice(self.coldkeys)
        amount = rng.randint(1, 100) * RAO_PER_TAO
        inner = self.runtime.encode_call(
            "Balances",
            "force_transfer",
            {"source": ("Id", self.sudo_key), "dest": ("Id", dest), "value": amount},
        )
        self._record(number, idx, "sudo_call", call="Balances.force_transfer", via="sudo", success=True)
        return self._wrap(
            number,
            idx,
            rng,
            inner,
            self.sudo_key,
            "sudo",
            [("Balances", "Transfer", {"from": self.sudo_key, "to": dest, "amount": amount})],
        )

    # -- reads the RPC server needs -------------------------------------------------------------------
    @property
    def events_key(self) -> bytes:
        return self._events_key

    def upgraded(self, number: int) -> bool:
        """Whether the state after block ``number`` runs an upgraded runtime (the first upgrade or later)."""
        return self.upgrade_at is not None and number >= self.upgrade_at

    def runtime_at(self, number: int) -> DevRuntime:
        """The runtime in force after block ``number`` (what ``state_getRuntimeVersion`` reports)."""
        return self.runtimes[bisect.bisect_right(self.upgrades, number)]

    def storage_value(self, key: bytes, block: ProducedBlock) -> bytes | None:
        """Storage at ``block``: per-block items from the block itself, the rest from versioned state."""
        rt = self.runtime_at(block.number)
        if key == rt.storage_prefix("Timestamp", "Now"):
            return block.timestamp.to_bytes(8, "little")
        if key == rt.storage_prefix("System", "Number"):
            return block.number.to_bytes(4, "little")
        if key == rt.storage_prefix("System", "ParentHash"):
            return bytes.fromhex(block.parent_hash[2:])
        if key == rt.storage_prefix("System", "EventCount"):
            return decode_compact(block.events)[0].to_bytes(4, "little")
        return self.storage_at(key, block.number)

    def runtime_call(self, method: str, data: bytes, number: int) -> bytes | None:
        """Answer ``state_call(method, data)`` at block ``number``; None when the runtime lacks it."""
        rt = self.runtime_at(number)
        api, _, name = method.partition("_")
        if rt.api_method(api, name) is None:
            return None
        out = self.neurons.answer(
            method,
            data,
            number,
            lambda n: self.hyperparam_at(n, "tempo", number),
            lambda n: self.hyperparams_v2(n, number),
            rt,
            lambda n: self.token_symbol(n, number),
        )
        if out is not None:
            return out
        if method == "Metadata_metadata_at_version":
            return rt.metadata_at_version(int.from_bytes(data[:4], "little"))
        if method == "Metadata_metadata_versions":
            return rt.reg.encode("Vec<u32>", [14, 15])
        if method == "Metadata_metadata":
            return compact(len(rt.metadata_v14)) + rt.metadata_v14
        if method == "Core_version":
            v = rt.runtime_version()
            return rt.encode_api_output(
                "Core",
                "version",
                {
                    "spec_name": v["specName"],
                    "impl_name": v["implName"],
                    "authoring_version": 1,
                    "spec_version": v["specVersion"],
                    "impl_version": v["implVersion"],
                    "apis": [(bytes.fromhex(a[2:]), ver) for a, ver in v["apis"]],
                    "transaction_version": v["transactionVersion"],
                    "system_version": 1,
                },
            )
        if method == "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2":
            netuid = int.from_bytes(data[:2], "little")
            return rt.encode_api_output(api, name, self.hyperparams_v2(netuid, number))
        if method == "SubnetInfoRuntimeApi_get_subnet_hyperparams_v3":
            netuid = int.from_bytes(data[:2], "little")
            return rt.encode_api_output(api, name, self.hyperparams_v3(netuid, number))
        if method == "SubnetInfoRuntimeApi_get_subnet_hyperparams":
            netuid = int.from_bytes(data[:2], "little")
            return rt.encode_api_output(api, name, self.hyperparams_v1(netuid, number))
        return None

    # -- the runtime upgrade and today's governance ---------------------------------------------------
    def _upgrade(self, number: int, idx: int, rng: random.Random) -> _Ext:
        """``Sudo.sudo_unchecked_weight(System.set_code(..))``: the new runtime is in force after this block.

        Every upgrade block carries the same: the set_code call, ``System.CodeUpdated``, ``Sudo.Sudid``
        and a ledger entry (old and new spec version). The first upgrade also brings the new runtime's
        hyperparameters in at their defaults; later ones (same declarations) keep their values."""
        i = self._upgrade_index[number]
        old, new = self.runtimes[i - 1], self.runtimes[i]
        code = b"\x00asm" + blake2_256(f"node-subtensor-{new.spec_version}".encode())
        inner = self.runtime.encode_call("System", "set_code", {"code": code})
        call = self.runtime.encode_call(
            "Sudo", "sudo_unchecked_weight", {"call": Raw(inner), "weight": {"ref_time": 0, "proof_size": 0}}
        )
        if i == 1:
            for netuid in self.subnets:
                for name, spec in NEW_HYPERPARAMS.items():
                    self._set_hp(number, netuid, name, spec[4])
        self._record(
            number,
            idx,
            "runtime_upgrade",
            call="System.set_code",
            via="sudo",
            success=True,
            old=old.spec_version,
            new=new.spec_version,
        )
        return _Ext(
            self._signed(self.sudo_key, call),
            [
                ("System", "CodeUpdated", None),
                ("Sudo", "Sudid", {"sudo_result": ("Ok", None)}),
                self._ok(rng),
            ],
        )

    def _require_today(self, number: int, action: str) -> None:
        if not self.upgraded(number - 1):
            raise ValueError(f"block {number}: {action} needs the upgraded runtime (upgrade_at before it)")

    def _gov_announce_coldkey_swap(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        self._require_today(number, "announce_coldkey_swap")
        old, new = rng.sample(self.coldkeys, 2)
        new_hash = blake2_256(new)
        self._announcements[old] = new
        call = self.runtime.encode_call(
            "SubtensorModule", "announce_coldkey_swap", {"new_coldkey_hash": new_hash}
        )
        self._record(
            number,
            idx,
            "coldkey_swap_announced",
            old=old.hex(),
            new=new.hex(),
            call="SubtensorModule.announce_coldkey_swap",
            success=True,
        )
        return _Ext(
            self._signed(old, call),
            [
                ("SubtensorModule", "ColdkeySwapAnnounced", {"who": old, "new_coldkey_hash": new_hash}),
                self._ok(rng),
            ],
        )

    def _announced(self, rng: random.Random) -> tuple[bytes, bytes]:
        """An announced swap to act on (one is announced on the spot when none is pending)."""
        if self._announcements:
            old = sorted(self._announcements)[0]
            return old, self._announcements.pop(old)
        old, new = rng.sample(self.coldkeys, 2)
        return old, new

    def _gov_swap_coldkey_announced(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        self._require_today(number, "swap_coldkey_announced")
        old, new = self._announced(rng)
        call = self.runtime.encode_call("SubtensorModule", "swap_coldkey_announced", {"new_coldkey": new})
        self._record(
            number,
            idx,
            "coldkey_swapped",
            old=old.hex(),
            new=new.hex(),
            call="SubtensorModule.swap_coldkey_announced",
            success=True,
        )
        return _Ext(
            self._signed(old, call),
            [
                (
                    "SubtensorModule",
                    "ColdkeySwapped",
                    {"old_coldkey": old, "new_coldkey": new, "swap_cost": 100_000_000},
                ),
                self._ok(rng),
            ],
        )

    def _gov_dispute_coldkey_swap(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        self._require_today(number, "dispute_coldkey_swap")
        old, _ = self._announced(rng)
        call = self.runtime.encode_call("SubtensorModule", "dispute_coldkey_swap", {})
        self._record(
            number,
            idx,
            "coldkey_swap_disputed",
            old=old.hex(),
            call="SubtensorModule.dispute_coldkey_swap",
            success=True,
        )
        return _Ext(
            self._signed(old, call),
            [("SubtensorModule", "ColdkeySwapDisputed", {"coldkey": old}), self._ok(rng)],
        )

    def _gov_reset_coldkey_swap(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        self._require_today(number, "reset_coldkey_swap")
        old, _ = self._announced(rng)
        inner = self.runtime.encode_call("SubtensorModule", "reset_coldkey_swap", {"coldkey": old})
        self._record(
            number,
            idx,
            "coldkey_swap_reset",
            old=old.hex(),
            call="SubtensorModule.reset_coldkey_swap",
            via="sudo",
            success=True,
        )
        return self._wrap(
            number,
            idx,
            rng,
            inner,
            self.sudo_key,
            "sudo",
            [("SubtensorModule", "ColdkeySwapReset", {"who": old})],
        )

    def _gov_clear_coldkey_swap(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        self._require_today(number, "clear_coldkey_swap_announcement")
        old, _ = self._announced(rng)
        call = self.runtime.encode_call("SubtensorModule", "clear_coldkey_swap_announcement", {})
        self._record(
            number,
            idx,
            "coldkey_swap_cleared",
            old=old.hex(),
            call="SubtensorModule.clear_coldkey_swap_announcement",
            success=True,
        )
        return _Ext(
            self._signed(old, call), [("SubtensorModule", "ColdkeySwapCleared", {"who": old}), self._ok(rng)]
        )

    def _gov_register_leased_network(self, number: int, idx: int, rng: random.Random, h: Happening) -> _Ext:
        netuid = (
            h.netuid if h.netuid is not None else next(n for n in range(1, 1024) if n not in self.subnets)
        )
        beneficiary = rng.choice(self.coldkeys)
        end_block = number + 100_000
        call = self.runtime.encode_call(
            "SubtensorModule", "register_leased_network", {"emissions_share": 10, "end_block": end_block}
        )
        self._add_subnet(number, netuid, beneficiary, rng.choice(self.hotkeys), rng)
        self._record(
            number,
            idx,
            "subnet_registered",
            netuid=netuid,
            owner=beneficiary.hex(),
            call="SubtensorModule.register_leased_network",
            success=True,
        )
        return _Ext(
            self._signed(beneficiary, call),
            [
                ("SubtensorModule", "NetworkAdded", [netuid, 1]),
                (
                    "SubtensorModule",
                    "SubnetLeaseCreated",
                    {
                        "beneficiary": beneficiary,
                        "lease_id": netuid,
                        "netuid": netuid,
                        "end_block": end_block,
                    },
                ),
                self._ok(rng),
            ],
        )


def upgrade_blocks(upgrade_at: int | Sequence[int] | None) -> list[int]:
    """The upgrade blocks ``upgrade_at`` names (one block, or several in any order), ascending.
    ValueError for a block before 1 or a block named twice."""
    if upgrade_at is None:
        return []
    blocks = [upgrade_at] if isinstance(upgrade_at, int) else list(upgrade_at)
    for b in blocks:
        if isinstance(b, bool) or not isinstance(b, int):
            raise ValueError(f"upgrade_at: {b!r} is not a block number")
        if b < 1:
            raise ValueError("upgrade_at must be a block after genesis (>= 1)")
    if len(set(blocks)) != len(blocks):
        dup = next(b for b in blocks if blocks.count(b) > 1)
        raise ValueError(f"upgrade_at: block {dup} is named twice")
    return sorted(blocks)
