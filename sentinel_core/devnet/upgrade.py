"""The devnet's second runtime: the recorded finney runtime plus the surface today's finney has.

From ``--upgrade-at B`` on, the devnet runs this runtime (spec 400 instead of 300); each later
``--upgrade-at`` block runs a :func:`successor` of it: the same metadata, the spec version one higher
(401, 402, ...). It keeps every
declaration of the fixture runtime (so those still pass the finney conformance test) and adds what the
live chain has grown since the fixture was recorded (see ../shared/GUIDE.md, "The live chain is newer"):

- ``SubnetInfoRuntimeApi.get_subnet_hyperparams_v3``: a list of ``{name, value}`` with tagged values;
- the reworked coldkey swap: ``announce_coldkey_swap`` (125), ``swap_coldkey_announced`` (126),
  ``dispute_coldkey_swap`` (127), ``reset_coldkey_swap`` (128), ``clear_coldkey_swap_announcement`` (133)
  and their events;
- setters the fixture runtime lacks: ``AdminUtils.sudo_set_burn_half_life`` (89),
  ``sudo_set_burn_increase_mult`` (90), with their AdminUtils events, and the storage they write.

Call indices and field shapes follow today's subtensor source. The new SubtensorModule events are
appended after the fixture's last event index rather than at today's indices, which today's runtime
reached by reordering events the fixture runtime still has.
"""

from __future__ import annotations

from dataclasses import replace

from . import pallets as finney
from .metadata import DevRuntime, RuntimeSpec
from .spec import Api, ApiMethod, Pallet, Storage, Variant
from .types import Registry

SPEC_VERSION = 400
ACCOUNT = "sp_core::crypto::AccountId32"
H256 = "primitive_types::H256"
HYPERPARAM_ENTRY = "pallet_subtensor::rpc_info::subnet_info::HyperparamEntry"
HYPERPARAM_VALUE = "pallet_subtensor::rpc_info::subnet_info::HyperparamValue"

NEW_SUBTENSOR_CALLS = (
    Variant(125, "announce_coldkey_swap", (("new_coldkey_hash", "T::Hash", H256),)),
    Variant(126, "swap_coldkey_announced", (("new_coldkey", "T::AccountId", ACCOUNT),)),
    Variant(127, "dispute_coldkey_swap"),
    Variant(128, "reset_coldkey_swap", (("coldkey", "T::AccountId", ACCOUNT),)),
    Variant(133, "clear_coldkey_swap_announcement"),
)
NEW_SUBTENSOR_EVENTS = (
    Variant(
        109, "ColdkeySwapAnnounced", (("who", "T::AccountId", ACCOUNT), ("new_coldkey_hash", "T::Hash", H256))
    ),
    Variant(110, "ColdkeySwapDisputed", (("coldkey", "T::AccountId", ACCOUNT),)),
    Variant(111, "ColdkeySwapReset", (("who", "T::AccountId", ACCOUNT),)),
    Variant(112, "ColdkeySwapCleared", (("who", "T::AccountId", ACCOUNT),)),
)
NEW_SUBTENSOR_STORAGE = (
    Storage("BurnHalfLife", "u16", key="u16", hashers=("Identity",), default=(360).to_bytes(2, "little")),
    Storage(
        "BurnIncreaseMult",
        "substrate_fixed::FixedU128",
        key="u16",
        hashers=("Identity",),
        default=(2 << 64).to_bytes(16, "little"),
    ),
)
NEW_ADMIN_CALLS = (
    Variant(89, "sudo_set_burn_half_life", (("netuid", "NetUid", "u16"), ("burn_half_life", "u16", "u16"))),
    Variant(
        90,
        "sudo_set_burn_increase_mult",
        (("netuid", "NetUid", "u16"), ("burn_increase_mult", "U64F64", "substrate_fixed::FixedU128")),
    ),
)
NEW_ADMIN_EVENTS = (
    Variant(3, "BurnHalfLifeSet", (("netuid", "NetUid", "u16"), ("burn_half_life", "u16", "u16"))),
    Variant(
        4,
        "BurnIncreaseMultSet",
        (("netuid", "NetUid", "u16"), ("burn_increase_mult", "U64F64", "substrate_fixed::FixedU128")),
    ),
)


def declare_types(reg: Registry) -> None:
    finney.declare_types(reg)
    reg.variant(
        HYPERPARAM_VALUE,
        HYPERPARAM_VALUE,
        [
            ("Bool", 0, [(None, "bool", "bool")]),
            ("U16", 1, [(None, "Compact<u16>", "Compact<u16>")]),
            ("U32", 2, [(None, "Compact<u32>", "Compact<u32>")]),
            ("U64", 3, [(None, "Compact<u64>", "Compact<u64>")]),
            ("U128", 4, [(None, "Compact<u128>", "Compact<u128>")]),
            ("TaoBalance", 5, [(None, "Compact<TaoBalance>", "Compact<u64>")]),
            ("I32F32", 6, [(None, "I32F32", "substrate_fixed::FixedI64")]),
            ("U64F64", 7, [(None, "U64F64", "substrate_fixed::FixedU128")]),
        ],
    )
    reg.composite(
        HYPERPARAM_ENTRY,
        HYPERPARAM_ENTRY,
        [("name", "Vec<u8>", "Vec<u8>"), ("value", "HyperparamValue", HYPERPARAM_VALUE)],
    )


def _pallets() -> tuple[Pallet, ...]:
    out = []
    for p in finney.PALLETS:
        if p.name == "SubtensorModule":
            p = replace(
                p,
                calls=(p.calls or ()) + NEW_SUBTENSOR_CALLS,
                events=(p.events or ()) + NEW_SUBTENSOR_EVENTS,
                storage=(p.storage or ()) + NEW_SUBTENSOR_STORAGE,
            )
        elif p.name == "AdminUtils":
            p = replace(
                p, calls=(p.calls or ()) + NEW_ADMIN_CALLS, events=(p.events or ()) + NEW_ADMIN_EVENTS
            )
        out.append(p)
    return tuple(out)


def _apis() -> tuple[Api, ...]:
    out = []
    for a in finney.APIS:
        if a.name == "SubnetInfoRuntimeApi":
            a = Api(
                a.name,
                a.methods
                + (
                    ApiMethod(
                        "get_subnet_hyperparams_v3", (("netuid", "u16"),), f"Option<Vec<{HYPERPARAM_ENTRY}>>"
                    ),
                ),
            )
        out.append(a)
    return tuple(out)


TODAY = RuntimeSpec(spec_version=SPEC_VERSION, pallets=_pallets(), apis=_apis(), declare_types=declare_types)
"""The runtime the devnet switches to at ``--upgrade-at``."""

ADDITIONS = {
    "calls": [f"SubtensorModule.{v.name}" for v in NEW_SUBTENSOR_CALLS]
    + [f"AdminUtils.{v.name}" for v in NEW_ADMIN_CALLS],
    "events": [f"SubtensorModule.{v.name}" for v in NEW_SUBTENSOR_EVENTS]
    + [f"AdminUtils.{v.name}" for v in NEW_ADMIN_EVENTS],
    "storage": [f"SubtensorModule.{s.name}" for s in NEW_SUBTENSOR_STORAGE],
    "apis": ["SubnetInfoRuntimeApi.get_subnet_hyperparams_v3"],
}
"""What the new runtime declares beyond the recorded finney fixture (listed by the conformance test)."""


class _Successor(DevRuntime):
    """``base`` under another spec version: its registry, encoders and metadata (encoded once, by
    ``base``), with ``spec_version`` changed. What a runtime upgrade that changes no type declares."""

    def __init__(self, base: DevRuntime, spec_version: int) -> None:  # base's work: no super().__init__
        # Share everything base built (registry, encoders, caches); not base's own cached metadata
        # entries, which the properties below read from base.
        self.__dict__.update(
            {k: v for k, v in base.__dict__.items() if k not in ("metadata_v14", "metadata_v15")}
        )
        self.base = base
        self.spec = replace(base.spec, spec_version=spec_version)
        self.spec_version = spec_version

    @property
    def metadata_v14(self) -> bytes:
        return self.base.metadata_v14

    @property
    def metadata_v15(self) -> bytes:
        return self.base.metadata_v15


def successor(base: DevRuntime, spec_version: int) -> DevRuntime:
    """A runtime like ``base`` (same metadata, no re-encoding) that reports ``spec_version``."""
    root = base.base if isinstance(base, _Successor) else base
    return _Successor(root, spec_version)
