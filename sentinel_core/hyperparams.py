"""The one table of subnet hyperparameter semantics, shared by the CLI, the rules engine and the TUI.

Each parameter has a canonical name (the ``SubnetHyperparamsV2`` / ``get_subnet_hyperparams_v3``
field name where there is one), a :class:`Unit`, and the chain objects that carry it: the
``AdminUtils`` setter and its value argument, the event the setter emits and the ``SubtensorModule``
storage map keyed by netuid.

Raw values are what the chain holds: integers, bools, and for fixed-point numbers the integer
``bits`` (``{"bits": n}`` as the runtime API decodes it is accepted everywhere). :func:`normalize`
turns a raw value into a human number, :func:`format_value` / :func:`format_change` into text.
None of these functions raises on odd input: what cannot be interpreted is shown raw.

``owner_settable`` reflects the current runtime (setters guarded by the subnet-owner-or-root check);
it has changed across runtime upgrades.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any, TypeGuard

from pydantic import BaseModel, ConfigDict

from .units import BLOCK_TIME, RAO_PER_TAO, U16_MAX, U64_MAX

SETTER_PREFIX = "sudo_set_"


class Unit(Enum):
    """How a parameter's raw value reads as a number (members are compared by identity, never as text)."""

    u16_fraction = "u16_fraction"
    """value / 65535."""
    u64_fraction = "u64_fraction"
    """value / (2**64 - 1)."""
    per_million = "per_million"
    """value / 1_000_000."""
    per_mille = "per_mille"
    """value / 1_000."""
    rao = "rao"
    """An amount in rao, shown as TAO (1 TAO = 1e9 rao)."""
    blocks = "blocks"
    """A block count, also shown as wall-clock time at 12 s per block."""
    u64f64 = "u64f64"
    """Unsigned fixed point: bits / 2**64."""
    i32f32 = "i32f32"
    """Signed fixed point: bits / 2**32 (bits are an i64)."""
    flag = "flag"
    count = "count"
    """A plain integer."""
    version = "version"
    """An integer identifier with no unit."""
    raw = "raw"
    """A known parameter whose value is not a number (account, enum, list): shown as is."""
    unknown = "unknown"
    """A parameter the table does not know."""


class HyperparamSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    unit: Unit
    setter: str | None = None
    """The ``AdminUtils`` call that sets it."""
    setter_arg: str | None = None
    """The argument of ``setter`` carrying the value."""
    setter_aliases: tuple[str, ...] = ()
    """Other ``AdminUtils`` calls that set it with the same argument."""
    setter_scale: int = 1
    """Raw value = setter argument x this (the steepness setter takes a whole number, state holds bits)."""
    event: str | None = None
    """Event emitted by the setter, in ``event_pallet``."""
    event_pallet: str = "SubtensorModule"
    storage: str | None = None
    """``SubtensorModule`` storage item holding it (a map keyed by netuid when ``per_subnet``)."""
    v2_field: str | None = None
    """Field of ``SubnetHyperparamsV2``, None when the struct does not carry it."""
    description: str
    owner_settable: bool = False
    per_subnet: bool = True
    """False for chain-wide settings (setter without a netuid argument)."""


_FIXED_POINT_BITS = {"I32F32": 32, "U64F64": 64}

_SPECS = (
    # --- SubnetHyperparamsV2 fields ---
    HyperparamSpec(
        name="rho",
        unit=Unit.count,
        setter="sudo_set_rho",
        setter_arg="rho",
        storage="Rho",
        v2_field="rho",
        owner_settable=True,
        description="Steepness of the trust sigmoid in the legacy epoch (a plain integer, default 10). "
        "The runtime declares RhoSet but does not emit it.",
    ),
    HyperparamSpec(
        name="kappa",
        unit=Unit.u16_fraction,
        setter="sudo_set_kappa",
        setter_arg="kappa",
        event="KappaSet",
        storage="Kappa",
        v2_field="kappa",
        description="Consensus majority threshold: share of stake that must agree for a weight to count.",
    ),
    HyperparamSpec(
        name="immunity_period",
        unit=Unit.blocks,
        setter="sudo_set_immunity_period",
        setter_arg="immunity_period",
        event="ImmunityPeriodSet",
        storage="ImmunityPeriod",
        v2_field="immunity_period",
        owner_settable=True,
        description="Blocks a newly registered neuron is protected from deregistration.",
    ),
    HyperparamSpec(
        name="min_allowed_weights",
        unit=Unit.count,
        setter="sudo_set_min_allowed_weights",
        setter_arg="min_allowed_weights",
        event="MinAllowedWeightSet",
        storage="MinAllowedWeights",
        v2_field="min_allowed_weights",
        owner_settable=True,
        description="Minimum number of non-zero weights a validator must set.",
    ),
    HyperparamSpec(
        name="max_weights_limit",
        unit=Unit.u16_fraction,
        event="MaxWeightLimitSet",
        storage="MaxWeightsLimit",
        v2_field="max_weights_limit",
        description="Largest share of its weight a validator may put on one neuron (no AdminUtils setter).",
    ),
    HyperparamSpec(
        name="tempo",
        unit=Unit.blocks,
        setter="sudo_set_tempo",
        setter_arg="tempo",
        event="TempoSet",
        storage="Tempo",
        v2_field="tempo",
        description="Blocks per epoch: how often emissions are computed and distributed.",
    ),
    HyperparamSpec(
        name="min_difficulty",
        unit=Unit.count,
        setter="sudo_set_min_difficulty",
        setter_arg="min_difficulty",
        event="MinDifficultySet",
        storage="MinDifficulty",
        v2_field="min_difficulty",
        description="Lower bound of the proof-of-work registration difficulty.",
    ),
    HyperparamSpec(
        name="max_difficulty",
        unit=Unit.count,
        setter="sudo_set_max_difficulty",
        setter_arg="max_difficulty",
        event="MaxDifficultySet",
        storage="MaxDifficulty",
        v2_field="max_difficulty",
        owner_settable=True,
        description="Upper bound of the proof-of-work registration difficulty.",
    ),
    HyperparamSpec(
        name="weights_version",
        unit=Unit.version,
        setter="sudo_set_weights_version_key",
        setter_arg="weights_version_key",
        event="WeightsVersionKeySet",
        storage="WeightsVersionKey",
        v2_field="weights_version",
        owner_settable=True,
        description="Minimum version key validators must send with their weights.",
    ),
    HyperparamSpec(
        name="weights_rate_limit",
        unit=Unit.blocks,
        setter="sudo_set_weights_set_rate_limit",
        setter_arg="weights_set_rate_limit",
        event="WeightsSetRateLimitSet",
        storage="WeightsSetRateLimit",
        v2_field="weights_rate_limit",
        description="Minimum blocks between two weight submissions of a validator.",
    ),
    HyperparamSpec(
        name="adjustment_interval",
        unit=Unit.blocks,
        setter="sudo_set_adjustment_interval",
        setter_arg="adjustment_interval",
        event="AdjustmentIntervalSet",
        storage="AdjustmentInterval",
        v2_field="adjustment_interval",
        description="Blocks between adjustments of the registration burn and difficulty.",
    ),
    HyperparamSpec(
        name="activity_cutoff",
        unit=Unit.blocks,
        setter="sudo_set_activity_cutoff",
        setter_arg="activity_cutoff",
        event="ActivityCutoffSet",
        storage="ActivityCutoff",
        v2_field="activity_cutoff",
        owner_settable=True,
        description="Blocks without setting weights after which a validator counts as inactive.",
    ),
    HyperparamSpec(
        name="registration_allowed",
        unit=Unit.flag,
        setter="sudo_set_network_registration_allowed",
        setter_arg="registration_allowed",
        event="RegistrationAllowed",
        storage="NetworkRegistrationAllowed",
        v2_field="registration_allowed",
        description="Whether new neurons may register on the subnet.",
    ),
    HyperparamSpec(
        name="target_regs_per_interval",
        unit=Unit.count,
        setter="sudo_set_target_registrations_per_interval",
        setter_arg="target_registrations_per_interval",
        event="RegistrationPerIntervalSet",
        storage="TargetRegistrationsPerInterval",
        v2_field="target_regs_per_interval",
        description="Registrations per adjustment interval the burn/difficulty adjustment aims for.",
    ),
    HyperparamSpec(
        name="min_burn",
        unit=Unit.rao,
        setter="sudo_set_min_burn",
        setter_arg="min_burn",
        event="MinBurnSet",
        storage="MinBurn",
        v2_field="min_burn",
        owner_settable=True,
        description="Lower bound of the registration burn.",
    ),
    HyperparamSpec(
        name="max_burn",
        unit=Unit.rao,
        setter="sudo_set_max_burn",
        setter_arg="max_burn",
        event="MaxBurnSet",
        storage="MaxBurn",
        v2_field="max_burn",
        owner_settable=True,
        description="Upper bound of the registration burn.",
    ),
    HyperparamSpec(
        name="bonds_moving_avg",
        unit=Unit.per_million,
        setter="sudo_set_bonds_moving_average",
        setter_arg="bonds_moving_average",
        event="BondsMovingAverageSet",
        storage="BondsMovingAverage",
        v2_field="bonds_moving_avg",
        owner_settable=True,
        description="Smoothing factor of the validator bonds moving average (per million).",
    ),
    HyperparamSpec(
        name="max_regs_per_block",
        unit=Unit.count,
        setter="sudo_set_max_registrations_per_block",
        setter_arg="max_registrations_per_block",
        event="MaxRegistrationsPerBlockSet",
        storage="MaxRegistrationsPerBlock",
        v2_field="max_regs_per_block",
        description="Maximum neuron registrations in one block.",
    ),
    HyperparamSpec(
        name="serving_rate_limit",
        unit=Unit.blocks,
        setter="sudo_set_serving_rate_limit",
        setter_arg="serving_rate_limit",
        event="ServingRateLimitSet",
        storage="ServingRateLimit",
        v2_field="serving_rate_limit",
        owner_settable=True,
        description="Minimum blocks between two axon/prometheus announcements of a neuron.",
    ),
    HyperparamSpec(
        name="max_validators",
        unit=Unit.count,
        setter="sudo_set_max_allowed_validators",
        setter_arg="max_allowed_validators",
        event="MaxAllowedValidatorsSet",
        storage="MaxAllowedValidators",
        v2_field="max_validators",
        description="Number of validator permits on the subnet.",
    ),
    HyperparamSpec(
        name="adjustment_alpha",
        unit=Unit.u64_fraction,
        setter="sudo_set_adjustment_alpha",
        setter_arg="adjustment_alpha",
        event="AdjustmentAlphaSet",
        storage="AdjustmentAlpha",
        v2_field="adjustment_alpha",
        owner_settable=True,
        description="Inertia of the burn/difficulty adjustment (share of the old value kept).",
    ),
    HyperparamSpec(
        name="difficulty",
        unit=Unit.count,
        setter="sudo_set_difficulty",
        setter_arg="difficulty",
        event="DifficultySet",
        storage="Difficulty",
        v2_field="difficulty",
        description="Current proof-of-work registration difficulty.",
    ),
    HyperparamSpec(
        name="commit_reveal_period",
        unit=Unit.count,
        setter="sudo_set_commit_reveal_weights_interval",
        setter_arg="interval",
        event="CommitRevealPeriodsSet",
        storage="RevealPeriodEpochs",
        v2_field="commit_reveal_period",
        owner_settable=True,
        description="Epochs (tempos, not blocks) between committing weights and revealing them.",
    ),
    HyperparamSpec(
        name="commit_reveal_weights_enabled",
        unit=Unit.flag,
        setter="sudo_set_commit_reveal_weights_enabled",
        setter_arg="enabled",
        event="CommitRevealEnabled",
        storage="CommitRevealWeightsEnabled",
        v2_field="commit_reveal_weights_enabled",
        owner_settable=True,
        description="Whether validators must commit weights before revealing them.",
    ),
    HyperparamSpec(
        name="alpha_high",
        unit=Unit.u16_fraction,
        setter="sudo_set_alpha_values",
        setter_arg="alpha_high",
        storage="AlphaValues",
        v2_field="alpha_high",
        owner_settable=True,
        description="Upper bound of the liquid-alpha bonds EMA factor (AlphaValues holds low and high).",
    ),
    HyperparamSpec(
        name="alpha_low",
        unit=Unit.u16_fraction,
        setter="sudo_set_alpha_values",
        setter_arg="alpha_low",
        storage="AlphaValues",
        v2_field="alpha_low",
        owner_settable=True,
        description="Lower bound of the liquid-alpha bonds EMA factor (AlphaValues holds low and high).",
    ),
    HyperparamSpec(
        name="liquid_alpha_enabled",
        unit=Unit.flag,
        setter="sudo_set_liquid_alpha_enabled",
        setter_arg="enabled",
        storage="LiquidAlphaOn",
        v2_field="liquid_alpha_enabled",
        owner_settable=True,
        description="Whether the bonds EMA factor varies per validator between alpha_low and alpha_high.",
    ),
    HyperparamSpec(
        name="alpha_sigmoid_steepness",
        unit=Unit.i32f32,
        setter="sudo_set_alpha_sigmoid_steepness",
        setter_arg="steepness",
        setter_scale=2**32,
        event="AlphaSigmoidSteepnessSet",
        storage="AlphaSigmoidSteepness",
        v2_field="alpha_sigmoid_steepness",
        owner_settable=True,
        description="Steepness of the liquid-alpha sigmoid. I32F32 in the runtime API; storage and "
        "setter hold a whole i16 (only root may set it negative).",
    ),
    HyperparamSpec(
        name="yuma_version",
        unit=Unit.version,
        v2_field="yuma_version",
        description="Consensus version, 3 when yuma3_enabled (Yuma3On) is set, else 2.",
    ),
    HyperparamSpec(
        name="subnet_is_active",
        unit=Unit.flag,
        setter="sudo_set_subtoken_enabled",
        setter_arg="subtoken_enabled",
        storage="SubtokenEnabled",
        v2_field="subnet_is_active",
        description="Whether the subnet token is enabled (the subnet has been started).",
    ),
    HyperparamSpec(
        name="transfers_enabled",
        unit=Unit.flag,
        setter="sudo_set_toggle_transfer",
        setter_arg="toggle",
        event="TransferToggle",
        storage="TransferToggle",
        v2_field="transfers_enabled",
        owner_settable=True,
        description="Whether stake on this subnet may be transferred between coldkeys.",
    ),
    HyperparamSpec(
        name="bonds_reset_enabled",
        unit=Unit.flag,
        setter="sudo_set_bonds_reset_enabled",
        setter_arg="enabled",
        event="BondsResetOnSet",
        storage="BondsResetOn",
        v2_field="bonds_reset_enabled",
        owner_settable=True,
        description="Whether a miner's bonds are reset when it commits new data.",
    ),
    HyperparamSpec(
        name="user_liquidity_enabled",
        unit=Unit.flag,
        v2_field="user_liquidity_enabled",
        description="Whether users may provide liquidity (Swap.toggle_user_liquidity, now deprecated; "
        "always false on current runtimes).",
    ),
    # --- per-subnet settings outside the v2 struct ---
    HyperparamSpec(
        name="max_allowed_uids",
        unit=Unit.count,
        setter="sudo_set_max_allowed_uids",
        setter_arg="max_allowed_uids",
        event="MaxAllowedUidsSet",
        storage="MaxAllowedUids",
        owner_settable=True,
        description="Maximum number of neurons (UIDs) on the subnet.",
    ),
    HyperparamSpec(
        name="min_allowed_uids",
        unit=Unit.count,
        setter="sudo_set_min_allowed_uids",
        setter_arg="min_allowed_uids",
        event="MinAllowedUidsSet",
        storage="MinAllowedUids",
        description="Lower bound for max_allowed_uids when the subnet is trimmed.",
    ),
    HyperparamSpec(
        name="pow_registration_allowed",
        unit=Unit.flag,
        setter="sudo_set_network_pow_registration_allowed",
        setter_arg="registration_allowed",
        event="PowRegistrationAllowed",
        storage="NetworkPowRegistrationAllowed",
        description="Whether proof-of-work registration is allowed (a no-op on current runtimes).",
    ),
    HyperparamSpec(
        name="rao_recycled",
        unit=Unit.rao,
        setter="sudo_set_rao_recycled",
        setter_arg="rao_recycled",
        event="RAORecycledForRegistrationSet",
        storage="RAORecycledForRegistration",
        description="Total TAO recycled by registrations on the subnet.",
    ),
    HyperparamSpec(
        name="bonds_penalty",
        unit=Unit.u16_fraction,
        setter="sudo_set_bonds_penalty",
        setter_arg="bonds_penalty",
        event="BondsPenaltySet",
        storage="BondsPenalty",
        owner_settable=True,
        description="How strongly bonds above consensus are penalised.",
    ),
    HyperparamSpec(
        name="subnet_owner_hotkey",
        unit=Unit.raw,
        setter="sudo_set_subnet_owner_hotkey",
        setter_arg="hotkey",
        setter_aliases=("sudo_set_sn_owner_hotkey",),
        event="SubnetOwnerHotkeySet",
        storage="SubnetOwnerHotkey",
        owner_settable=True,
        description="Hotkey of the subnet owner.",
    ),
    HyperparamSpec(
        name="ema_price_halving_period",
        unit=Unit.blocks,
        setter="sudo_set_ema_price_halving_period",
        setter_arg="ema_halving",
        storage="EMAPriceHalvingBlocks",
        description="Half-life of the moving average of the subnet token price.",
    ),
    HyperparamSpec(
        name="yuma3_enabled",
        unit=Unit.flag,
        setter="sudo_set_yuma3_enabled",
        setter_arg="enabled",
        event="Yuma3EnableToggled",
        event_pallet="AdminUtils",
        storage="Yuma3On",
        owner_settable=True,
        description="Whether the subnet runs Yuma consensus v3 (seen as yuma_version 3 in the v2 struct).",
    ),
    HyperparamSpec(
        name="owner_immune_neuron_limit",
        unit=Unit.count,
        setter="sudo_set_owner_immune_neuron_limit",
        setter_arg="immune_neurons",
        storage="ImmuneOwnerUidsLimit",
        owner_settable=True,
        description="How many of the owner's neurons are immune from deregistration.",
    ),
    HyperparamSpec(
        name="mechanism_count",
        unit=Unit.count,
        setter="sudo_set_mechanism_count",
        setter_arg="mechanism_count",
        storage="MechanismCountCurrent",
        owner_settable=True,
        description="Number of incentive mechanisms (sub-subnets) on the subnet.",
    ),
    HyperparamSpec(
        name="mechanism_emission_split",
        unit=Unit.raw,
        setter="sudo_set_mechanism_emission_split",
        setter_arg="maybe_split",
        storage="MechanismEmissionSplit",
        owner_settable=True,
        description="Emission share of each mechanism (u16 fractions; None means an even split).",
    ),
    HyperparamSpec(
        name="recycle_or_burn",
        unit=Unit.raw,
        setter="sudo_set_recycle_or_burn",
        setter_arg="recycle_or_burn",
        storage="RecycleOrBurn",
        owner_settable=True,
        description="Whether the owner's share of registration cost is recycled or burned.",
    ),
    HyperparamSpec(
        name="burn_half_life",
        unit=Unit.blocks,
        setter="sudo_set_burn_half_life",
        setter_arg="burn_half_life",
        event="BurnHalfLifeSet",
        event_pallet="AdminUtils",
        storage="BurnHalfLife",
        owner_settable=True,
        description="Half-life of the registration burn's decay back towards min_burn.",
    ),
    HyperparamSpec(
        name="burn_increase_mult",
        unit=Unit.u64f64,
        setter="sudo_set_burn_increase_mult",
        setter_arg="burn_increase_mult",
        event="BurnIncreaseMultSet",
        event_pallet="AdminUtils",
        storage="BurnIncreaseMult",
        owner_settable=True,
        description="Multiplier applied to the registration burn after each registration.",
    ),
    HyperparamSpec(
        name="min_childkey_take",
        unit=Unit.u16_fraction,
        setter="sudo_set_min_childkey_take_per_subnet",
        setter_arg="take",
        event="MinChildKeyTakePerSubnetSet",
        storage="MinChildkeyTakePerSubnet",
        owner_settable=True,
        description="Minimum childkey take on this subnet.",
    ),
    HyperparamSpec(
        name="owner_cut_enabled",
        unit=Unit.flag,
        setter="sudo_set_owner_cut_enabled",
        setter_arg="enabled",
        storage="OwnerCutEnabled",
        owner_settable=True,
        description="Whether the subnet owner receives its emission cut.",
    ),
    HyperparamSpec(
        name="owner_cut_auto_lock_enabled",
        unit=Unit.flag,
        setter="sudo_set_owner_cut_auto_lock_enabled",
        setter_arg="enabled",
        storage="OwnerCutAutoLockEnabled",
        owner_settable=True,
        description="Whether the owner's emission cut is locked automatically.",
    ),
    HyperparamSpec(
        name="subnet_emission_enabled",
        unit=Unit.flag,
        setter="sudo_set_subnet_emission_enabled",
        setter_arg="enabled",
        event="SubnetEmissionEnabledSet",
        event_pallet="AdminUtils",
        storage="SubnetEmissionEnabled",
        description="Whether the subnet receives emission.",
    ),
    HyperparamSpec(
        name="min_non_immune_uids",
        unit=Unit.count,
        setter="sudo_set_min_non_immune_uids",
        setter_arg="min",
        event="MinNonImmuneUidsSet",
        storage="MinNonImmuneUids",
        description="Minimum number of neurons that are not immune from deregistration.",
    ),
    HyperparamSpec(
        name="activity_cutoff_factor",
        unit=Unit.per_mille,
        event="ActivityCutoffFactorMilliSet",
        storage="ActivityCutoffFactorMilli",
        owner_settable=True,
        description="Activity cutoff as a multiple of tempo, in thousandths (set by "
        "SubtensorModule.set_activity_cutoff_factor on newer runtimes).",
    ),
    # --- chain-wide settings (no netuid) ---
    HyperparamSpec(
        name="default_take",
        unit=Unit.u16_fraction,
        setter="sudo_set_default_take",
        setter_arg="default_take",
        event="MaxDelegateTakeSet",
        storage="MaxDelegateTake",
        per_subnet=False,
        description="Maximum (and default) delegate take.",
    ),
    HyperparamSpec(
        name="min_delegate_take",
        unit=Unit.u16_fraction,
        setter="sudo_set_min_delegate_take",
        setter_arg="take",
        event="MinDelegateTakeSet",
        storage="MinDelegateTake",
        per_subnet=False,
        description="Minimum delegate take.",
    ),
    HyperparamSpec(
        name="subnet_owner_cut",
        unit=Unit.u16_fraction,
        setter="sudo_set_subnet_owner_cut",
        setter_arg="subnet_owner_cut",
        event="SubnetOwnerCutSet",
        storage="SubnetOwnerCut",
        per_subnet=False,
        description="Share of subnet emission paid to subnet owners.",
    ),
    HyperparamSpec(
        name="tx_rate_limit",
        unit=Unit.blocks,
        setter="sudo_set_tx_rate_limit",
        setter_arg="tx_rate_limit",
        event="TxRateLimitSet",
        storage="TxRateLimit",
        per_subnet=False,
        description="Minimum blocks between rate-limited transactions of one key.",
    ),
    HyperparamSpec(
        name="tx_delegate_take_rate_limit",
        unit=Unit.blocks,
        setter="sudo_set_tx_delegate_take_rate_limit",
        setter_arg="tx_rate_limit",
        event="TxDelegateTakeRateLimitSet",
        storage="TxDelegateTakeRateLimit",
        per_subnet=False,
        description="Minimum blocks between two delegate take increases.",
    ),
    HyperparamSpec(
        name="network_rate_limit",
        unit=Unit.blocks,
        setter="sudo_set_network_rate_limit",
        setter_arg="rate_limit",
        event="NetworkRateLimitSet",
        storage="NetworkRateLimit",
        per_subnet=False,
        description="Minimum blocks between two subnet registrations.",
    ),
    HyperparamSpec(
        name="network_immunity_period",
        unit=Unit.blocks,
        setter="sudo_set_network_immunity_period",
        setter_arg="immunity_period",
        event="NetworkImmunityPeriodSet",
        storage="NetworkImmunityPeriod",
        per_subnet=False,
        description="Blocks a new subnet is protected from being pruned.",
    ),
    HyperparamSpec(
        name="network_min_lock_cost",
        unit=Unit.rao,
        setter="sudo_set_network_min_lock_cost",
        setter_arg="lock_cost",
        event="NetworkMinLockCostSet",
        storage="NetworkMinLockCost",
        per_subnet=False,
        description="Minimum TAO locked to register a subnet.",
    ),
    HyperparamSpec(
        name="lock_reduction_interval",
        unit=Unit.blocks,
        setter="sudo_set_lock_reduction_interval",
        setter_arg="interval",
        event="NetworkLockCostReductionIntervalSet",
        storage="NetworkLockReductionInterval",
        per_subnet=False,
        description="Blocks over which the subnet lock cost decays back to its minimum.",
    ),
    HyperparamSpec(
        name="subnet_limit",
        unit=Unit.count,
        setter="sudo_set_subnet_limit",
        setter_arg="max_subnets",
        event="SubnetLimitSet",
        storage="SubnetLimit",
        per_subnet=False,
        description="Maximum number of subnets.",
    ),
    HyperparamSpec(
        name="stake_threshold",
        unit=Unit.rao,
        setter="sudo_set_stake_threshold",
        setter_arg="min_stake",
        event="StakeThresholdSet",
        storage="StakeThreshold",
        per_subnet=False,
        description="Minimum stake for a validator permit.",
    ),
    HyperparamSpec(
        name="nominator_min_required_stake",
        unit=Unit.rao,
        setter="sudo_set_nominator_min_required_stake",
        setter_arg="min_stake",
        storage="NominatorMinRequiredStake",
        per_subnet=False,
        description="Minimum stake a nominator must keep.",
    ),
    HyperparamSpec(
        name="coldkey_swap_schedule_duration",
        unit=Unit.blocks,
        setter="sudo_set_coldkey_swap_schedule_duration",
        setter_arg="duration",
        event="ColdkeySwapScheduleDurationSet",
        storage="ColdkeySwapScheduleDuration",
        per_subnet=False,
        description="Delay between scheduling and executing a coldkey swap.",
    ),
    HyperparamSpec(
        name="dissolve_network_schedule_duration",
        unit=Unit.blocks,
        setter="sudo_set_dissolve_network_schedule_duration",
        setter_arg="duration",
        event="DissolveNetworkScheduleDurationSet",
        storage="DissolveNetworkScheduleDuration",
        per_subnet=False,
        description="Delay between scheduling and executing a subnet dissolution.",
    ),
    HyperparamSpec(
        name="commit_reveal_version",
        unit=Unit.version,
        setter="sudo_set_commit_reveal_version",
        setter_arg="version",
        event="CommitRevealVersionSet",
        storage="CommitRevealWeightsVersion",
        per_subnet=False,
        description="Commit-reveal protocol version validators must use.",
    ),
    HyperparamSpec(
        name="admin_freeze_window",
        unit=Unit.blocks,
        setter="sudo_set_admin_freeze_window",
        setter_arg="window",
        event="AdminFreezeWindowSet",
        storage="AdminFreezeWindow",
        per_subnet=False,
        description="Blocks at the end of each epoch in which hyperparameters cannot change.",
    ),
    HyperparamSpec(
        name="owner_hparam_rate_limit",
        unit=Unit.count,
        setter="sudo_set_owner_hparam_rate_limit",
        setter_arg="epochs",
        event="OwnerHyperparamRateLimitSet",
        storage="OwnerHyperparamRateLimit",
        per_subnet=False,
        description="Epochs a subnet owner must wait between changes of one hyperparameter.",
    ),
)

TABLE: dict[str, HyperparamSpec] = {s.name: s for s in _SPECS}

_V2_NAMES = {s.v2_field: s.name for s in _SPECS if s.v2_field}


def _index_setters(specs: tuple[HyperparamSpec, ...]) -> dict[str, list[HyperparamSpec]]:
    index: dict[str, list[HyperparamSpec]] = {}
    for s in specs:
        for call in filter(None, (s.setter, *s.setter_aliases)):
            index.setdefault(call, []).append(s)
    return index


_BY_SETTER = _index_setters(_SPECS)

_LABELS = {
    Unit.u16_fraction: "u16 fraction",
    Unit.u64_fraction: "u64 fraction",
    Unit.per_million: "per-million fraction",
    Unit.per_mille: "per-mille",
    Unit.rao: "TAO",
    Unit.blocks: "blocks",
    Unit.u64f64: "U64F64",
    Unit.i32f32: "I32F32",
    Unit.flag: "flag",
    Unit.count: "count",
    Unit.version: "version",
    Unit.raw: "raw",
    Unit.unknown: "unknown",
}

_DIVISORS = {
    Unit.u16_fraction: U16_MAX,
    Unit.u64_fraction: U64_MAX,
    Unit.per_million: 1_000_000,
    Unit.per_mille: 1_000,
    Unit.rao: RAO_PER_TAO,
    Unit.u64f64: 2**64,
    Unit.i32f32: 2**32,
}

_VALUE_TAGS = frozenset(
    {
        "Bool",
        "U8",
        "U16",
        "U32",
        "U64",
        "U128",
        "TaoBalance",
        "TaoCurrency",
        "AlphaBalance",
        "AlphaCurrency",
        "I32F32",
        "U64F64",
        "I64F64",
        "U96F32",
        "I96F32",
        "bits",
    }
)

_SPANS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def spec(name: str) -> HyperparamSpec | None:
    return TABLE.get(name)


def unit_of(name: str) -> Unit:
    known = TABLE.get(name)
    return known.unit if known else Unit.unknown


def unit_label(name: str) -> str:
    return _LABELS[unit_of(name)]


def by_setter(call_name: str) -> list[HyperparamSpec]:
    """The parameters an ``AdminUtils`` call sets (``sudo_set_alpha_values`` sets two)."""
    return list(_BY_SETTER.get(_bare_call(call_name) or "", ()))


def setter_changes(call_name: str, args: dict[str, Any] | None) -> list[tuple[int | None, str, object, bool]]:
    """``(netuid, name, new_raw_value, known)`` for each parameter an ``AdminUtils.sudo_set_*`` call sets.

    ``call_name`` may carry the pallet (``AdminUtils.sudo_set_tempo``). A setter the table does not
    know yields one entry named after the call, with its single non-netuid argument (or all of them
    as a dict) and ``known=False``. Chain-wide setters have netuid None; other calls yield [].
    """
    call = _bare_call(call_name)
    if call is None or not call.startswith(SETTER_PREFIX):
        return []
    args = args if isinstance(args, dict) else {}
    netuid = _netuid(args.get("netuid"))
    rest = {k: v for k, v in args.items() if k != "netuid"}
    specs = _BY_SETTER.get(call)
    if not specs:
        return [(netuid, call.removeprefix(SETTER_PREFIX), _only_value(rest), False)]
    return [(netuid, s.name, *_setter_value(s, rest)) for s in specs]


def normalize(name: str, raw: object) -> object:
    """The human number for a raw value: float for fractions, fixed point and TAO, int for blocks and
    counts, bool for flags; ``raw`` unchanged when the unit is unknown or the value does not fit it."""
    value = _convert(unit_of(name), raw)
    return raw if value is None else value


def format_value(name: str, raw: object) -> str:
    """Human text with unit: ``0.5000``, ``τ0.500000000``, ``360 blocks (1h 12m)``, ``yes``."""
    if raw is None:
        return "unset"
    unit = unit_of(name)
    value = _convert(unit, raw)
    if value is None:
        return str(raw)
    if unit is Unit.rao and (rao := _as_int(raw)) is not None:
        return _tao(rao)
    if unit is Unit.blocks and isinstance(value, int):
        return f"{value} {'block' if value == 1 else 'blocks'} ({wall_clock(value)})"
    return _render(unit, value)


def format_change(name: str, old: object, new: object) -> str:
    """Old -> new in words: ``tempo 360 -> 100 blocks (1h 12m -> 20m)``, ``kappa 0.5000 -> 0.2500``,
    ``tempo unset -> 100 blocks (20m)``; adds the raw values when both render alike."""
    blocks = _blocks_change(name, old, new)
    if blocks is not None:
        return f"{name} {blocks}"
    before, after = format_value(name, old), format_value(name, new)
    if before == after and normalize(name, old) != normalize(name, new):
        return f"{name} {before} -> {after} (raw {old} -> {new})"
    return f"{name} {before} -> {after}"


def relative_change(name: str, old: object, new: object) -> float | None:
    """``|new - old| / |old|`` on normalized values; None when either is not a number or old is 0."""
    before, after = normalize(name, old), normalize(name, new)
    if not (_is_number(before) and _is_number(after)) or before == 0:
        return None
    try:
        return abs(after - before) / abs(before)
    except OverflowError:
        return None


def from_v2(decoded: dict[str, Any] | None) -> dict[str, object]:
    """``{name: raw}`` from a decoded ``SubnetHyperparamsV2``; fixed point kept as integer bits."""
    if not isinstance(decoded, dict):
        return {}
    return {_V2_NAMES.get(field, field): _untag(value) for field, value in decoded.items()}


def from_v3(items: list[Any] | None) -> dict[str, object]:
    """``{name: raw}`` from a decoded ``get_subnet_hyperparams_v3`` list of ``{name, value}`` entries.

    Names may be str, bytes, a list of byte values or 0x-hex; values are tagged (``{"U16": 5}``,
    ``{"I32F32": {"bits": n}}``) and come out as the inner number, bool or bits. Entries that are
    not of that shape are skipped.
    """
    out: dict[str, object] = {}
    for item in items if isinstance(items, (list, tuple)) else ():
        if isinstance(item, dict):
            name, value = item.get("name"), item.get("value")
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            name, value = item
        else:
            continue
        text = _name_text(name)
        if text:
            out[text] = _untag(value)
    return out


def wall_clock(blocks: int) -> str:
    """Approximate time for a block count at 12 s per block, two largest units: ``13h 26m``, ``20m``."""
    rest = abs(blocks) * int(BLOCK_TIME)
    amounts = []
    for suffix, size in _SPANS:
        amount, rest = divmod(rest, size)
        amounts.append((amount, suffix))
    first = next((i for i, (amount, _) in enumerate(amounts) if amount), None)
    if first is None:
        return "0s"
    return " ".join(f"{amount}{suffix}" for amount, suffix in amounts[first : first + 2] if amount)


def _bare_call(call_name: object) -> str | None:
    """``sudo_set_tempo`` from ``sudo_set_tempo`` or ``AdminUtils.sudo_set_tempo``; None for other pallets."""
    if not isinstance(call_name, str):
        return None
    pallet, _, call = call_name.rpartition(".")
    return call if pallet in ("", "AdminUtils") else None


def _netuid(value: object) -> int | None:
    value = _as_int(value)
    return value if value is not None and value >= 0 else None


def _only_value(args: dict[str, Any]) -> object:
    return next(iter(args.values())) if len(args) == 1 else args


def _setter_value(s: HyperparamSpec, args: dict[str, Any]) -> tuple[object, bool]:
    if s.setter_arg in args:
        value = args[s.setter_arg]
    elif len(args) == 1:
        value = _only_value(args)
    else:
        return args, False
    if s.setter_scale != 1 and isinstance(value, int) and not isinstance(value, bool):
        value *= s.setter_scale
    return value, True


def _untag(raw: object) -> object:
    """Unwrap type tags and fixed-point wrappers: ``{"U16": 5}`` -> 5, ``{"I32F32": {"bits": n}}`` -> n."""
    while isinstance(raw, dict) and len(raw) == 1:
        ((tag, inner),) = raw.items()
        if tag not in _VALUE_TAGS:
            break
        raw = inner
    return raw


def _as_int(raw: object) -> int | None:
    raw = _untag(raw)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw, 10)
        except ValueError:
            return None
    return None


def _count(n: int | None) -> int | None:
    """``n`` as a block count or plain integer: None when missing or negative."""
    return n if n is not None and n >= 0 else None


def _as_flag(raw: object) -> bool | None:
    raw = _untag(raw)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    return None


def _convert(unit: Unit, raw: object) -> object | None:
    """The normalized value, or None when ``raw`` does not fit ``unit`` (or the unit has no number)."""
    if unit is Unit.flag:
        return _as_flag(raw)
    if unit in (Unit.raw, Unit.unknown):
        return None
    n = _as_int(raw)
    if n is None:
        return None
    if unit in (Unit.blocks, Unit.count, Unit.version):
        return _count(n)
    if unit is Unit.i32f32 and n >= 2**63:
        n -= 2**64  # bits decoded as an unsigned i64
    try:
        return n / _DIVISORS[unit]
    except OverflowError:
        return None


def _render(unit: Unit, value: object) -> str:
    if unit is Unit.flag:
        return "yes" if value else "no"
    if unit is Unit.u16_fraction:
        return f"{value:.4f}"
    if unit in (Unit.u64_fraction, Unit.per_million):
        return f"{value:.6f}"
    if unit in (Unit.u64f64, Unit.i32f32, Unit.per_mille):
        return _trim(f"{value:.6f}")
    return str(value)


def _tao(rao: int) -> str:
    sign = "-" if rao < 0 else ""
    tao, rest = divmod(abs(rao), RAO_PER_TAO)
    return f"{sign}τ{tao}.{rest:09d}"


def _trim(number: str) -> str:
    return number.rstrip("0").rstrip(".") if "." in number else number


def _blocks_change(name: str, old: object, new: object) -> str | None:
    """``360 -> 100 blocks (1h 12m -> 20m)`` when both sides are block counts (or old is unset)."""
    if unit_of(name) is not Unit.blocks:
        return None
    before = None if old is None else _count(_as_int(old))
    after = _count(_as_int(new))
    if after is None or (old is not None and before is None):
        return None
    if before is None:
        return f"unset -> {after} blocks ({wall_clock(after)})"
    return f"{before} -> {after} blocks ({wall_clock(before)} -> {wall_clock(after)})"


def _is_number(value: object) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _name_text(name: object) -> str | None:
    if isinstance(name, (list, tuple)) and all(isinstance(b, int) and 0 <= b < 256 for b in name):
        name = bytes(name)
    if isinstance(name, str) and name.startswith("0x"):
        text = name
        try:
            name = bytes.fromhex(text[2:])
        except ValueError:
            return text
    if isinstance(name, (bytes, bytearray)):
        return bytes(name).decode("utf-8", errors="replace")
    return name if isinstance(name, str) else None
