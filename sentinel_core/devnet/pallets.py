"""The devnet runtime's pallets, as on finney: names, indices, call/event/error variants, field names
and typeNames, storage items and runtime-API methods.

Only the pallets Sentinel watches are declared (System, Timestamp, Balances, SubtensorModule, Utility,
Sudo, Proxy, AdminUtils), with every call, event and error of each, the storage items the devnet
answers, and the runtime APIs it serves. ``tests/e2e/test_conformance.py`` checks every declaration
here against the recorded finney metadata. Type expressions are resolved by
:class:`sentinel_core.devnet.types.Registry`; named types use their Rust paths.
"""

from __future__ import annotations

from .spec import Api, ApiMethod, Pallet, Storage, Variant
from .types import Registry


def _errors(*names: str) -> tuple[Variant, ...]:
    """Error enums: variants without fields, indexed in declaration order."""
    return tuple(Variant(i, n) for i, n in enumerate(names))


def declare_types(reg: Registry) -> None:
    """Named types the pallets refer to; ``RuntimeCall``/``RuntimeEvent`` are reserved beforehand."""
    reg.composite(
        "pallet_balances::types::ExtraFlags",
        "pallet_balances::types::ExtraFlags",
        [(None, "u128", "u128")],
        [],
    )
    reg.composite(
        "pallet_balances::types::AccountData",
        "pallet_balances::types::AccountData",
        [
            ("free", "Balance", "u64"),
            ("reserved", "Balance", "u64"),
            ("frozen", "Balance", "u64"),
            ("flags", "ExtraFlags", "pallet_balances::types::ExtraFlags"),
        ],
        [("Balance", "u64")],
    )
    reg.composite(
        "frame_system::AccountInfo",
        "frame_system::AccountInfo",
        [
            ("nonce", "Nonce", "u32"),
            ("consumers", "RefCount", "u32"),
            ("providers", "RefCount", "u32"),
            ("sufficients", "RefCount", "u32"),
            ("data", "AccountData", "pallet_balances::types::AccountData"),
        ],
        [("Nonce", "u32"), ("AccountData", "pallet_balances::types::AccountData")],
    )
    reg.composite(
        "sp_core::crypto::AccountId32", "sp_core::crypto::AccountId32", [(None, "[u8; 32]", "[u8; 32]")], []
    )
    reg.composite("primitive_types::H256", "primitive_types::H256", [(None, "[u8; 32]", "[u8; 32]")], [])
    reg.variant(
        "sp_runtime::generic::digest::DigestItem",
        "sp_runtime::generic::digest::DigestItem",
        [
            ("PreRuntime", 6, [(None, "ConsensusEngineId", "[u8; 4]"), (None, "Vec<u8>", "Vec<u8>")]),
            ("Consensus", 4, [(None, "ConsensusEngineId", "[u8; 4]"), (None, "Vec<u8>", "Vec<u8>")]),
            ("Seal", 5, [(None, "ConsensusEngineId", "[u8; 4]"), (None, "Vec<u8>", "Vec<u8>")]),
            ("Other", 0, [(None, "Vec<u8>", "Vec<u8>")]),
            ("RuntimeEnvironmentUpdated", 8, []),
        ],
        [],
    )
    reg.composite(
        "sp_runtime::generic::digest::Digest",
        "sp_runtime::generic::digest::Digest",
        [("logs", "Vec<DigestItem>", "Vec<sp_runtime::generic::digest::DigestItem>")],
        [],
    )
    reg.variant(
        "frame_system::Phase",
        "frame_system::Phase",
        [("ApplyExtrinsic", 0, [(None, "u32", "u32")]), ("Finalization", 1, []), ("Initialization", 2, [])],
        [],
    )
    reg.composite(
        "frame_system::EventRecord",
        "frame_system::EventRecord",
        [
            ("phase", "Phase", "frame_system::Phase"),
            ("event", "E", "RuntimeEvent"),
            ("topics", "Vec<T>", "Vec<primitive_types::H256>"),
        ],
        [("E", "RuntimeEvent"), ("T", "primitive_types::H256")],
    )
    reg.composite(
        "sp_weights::weight_v2::Weight",
        "sp_weights::weight_v2::Weight",
        [("ref_time", "u64", "Compact<u64>"), ("proof_size", "u64", "Compact<u64>")],
        [],
    )
    reg.variant(
        "frame_support::dispatch::DispatchClass",
        "frame_support::dispatch::DispatchClass",
        [("Normal", 0, []), ("Operational", 1, []), ("Mandatory", 2, [])],
        [],
    )
    reg.variant(
        "frame_support::dispatch::Pays", "frame_support::dispatch::Pays", [("Yes", 0, []), ("No", 1, [])], []
    )
    reg.composite(
        "frame_system::DispatchEventInfo",
        "frame_system::DispatchEventInfo",
        [
            ("weight", "Weight", "sp_weights::weight_v2::Weight"),
            ("class", "DispatchClass", "frame_support::dispatch::DispatchClass"),
            ("pays_fee", "Pays", "frame_support::dispatch::Pays"),
        ],
        [],
    )
    reg.composite(
        "sp_runtime::ModuleError",
        "sp_runtime::ModuleError",
        [("index", "u8", "u8"), ("error", "[u8; MAX_MODULE_ERROR_ENCODED_SIZE]", "[u8; 4]")],
        [],
    )
    reg.variant(
        "sp_runtime::TokenError",
        "sp_runtime::TokenError",
        [
            ("FundsUnavailable", 0, []),
            ("OnlyProvider", 1, []),
            ("BelowMinimum", 2, []),
            ("CannotCreate", 3, []),
            ("UnknownAsset", 4, []),
            ("Frozen", 5, []),
            ("Unsupported", 6, []),
            ("CannotCreateHold", 7, []),
            ("NotExpendable", 8, []),
            ("Blocked", 9, []),
        ],
        [],
    )
    reg.variant(
        "sp_arithmetic::ArithmeticError",
        "sp_arithmetic::ArithmeticError",
        [("Underflow", 0, []), ("Overflow", 1, []), ("DivisionByZero", 2, [])],
        [],
    )
    reg.variant(
        "sp_runtime::TransactionalError",
        "sp_runtime::TransactionalError",
        [("LimitReached", 0, []), ("NoLayer", 1, [])],
        [],
    )
    reg.variant(
        "sp_runtime::proving_trie::TrieError",
        "sp_runtime::proving_trie::TrieError",
        [
            ("InvalidStateRoot", 0, []),
            ("IncompleteDatabase", 1, []),
            ("ValueAtIncompleteKey", 2, []),
            ("DecoderError", 3, []),
            ("InvalidHash", 4, []),
            ("DuplicateKey", 5, []),
            ("ExtraneousNode", 6, []),
            ("ExtraneousValue", 7, []),
            ("ExtraneousHashReference", 8, []),
            ("InvalidChildReference", 9, []),
            ("ValueMismatch", 10, []),
            ("IncompleteProof", 11, []),
            ("RootMismatch", 12, []),
            ("DecodeError", 13, []),
        ],
        [],
    )
    reg.variant(
        "sp_runtime::DispatchError",
        "sp_runtime::DispatchError",
        [
            ("Other", 0, []),
            ("CannotLookup", 1, []),
            ("BadOrigin", 2, []),
            ("Module", 3, [(None, "ModuleError", "sp_runtime::ModuleError")]),
            ("ConsumerRemaining", 4, []),
            ("NoProviders", 5, []),
            ("TooManyConsumers", 6, []),
            ("Token", 7, [(None, "TokenError", "sp_runtime::TokenError")]),
            ("Arithmetic", 8, [(None, "ArithmeticError", "sp_arithmetic::ArithmeticError")]),
            ("Transactional", 9, [(None, "TransactionalError", "sp_runtime::TransactionalError")]),
            ("Exhausted", 10, []),
            ("Corruption", 11, []),
            ("Unavailable", 12, []),
            ("RootNotAllowed", 13, []),
            ("Trie", 14, [(None, "TrieError", "sp_runtime::proving_trie::TrieError")]),
        ],
        [],
    )
    reg.variant(
        "sp_runtime::multiaddress::MultiAddress",
        "sp_runtime::multiaddress::MultiAddress",
        [
            ("Id", 0, [(None, "AccountId", "sp_core::crypto::AccountId32")]),
            ("Index", 1, [(None, "AccountIndex", "Compact<()>")]),
            ("Raw", 2, [(None, "Vec<u8>", "Vec<u8>")]),
            ("Address32", 3, [(None, "[u8; 32]", "[u8; 32]")]),
            ("Address20", 4, [(None, "[u8; 20]", "[u8; 20]")]),
        ],
        [("AccountId", "sp_core::crypto::AccountId32"), ("AccountIndex", "()")],
    )
    reg.variant(
        "pallet_balances::types::AdjustmentDirection",
        "pallet_balances::types::AdjustmentDirection",
        [("Increase", 0, []), ("Decrease", 1, [])],
        [],
    )
    reg.variant(
        "frame_support::traits::tokens::misc::BalanceStatus",
        "frame_support::traits::tokens::misc::BalanceStatus",
        [("Free", 0, []), ("Reserved", 1, [])],
        [],
    )
    reg.composite(
        "pallet_subtensor::pallet::SubnetIdentityV3",
        "pallet_subtensor::pallet::SubnetIdentityV3",
        [
            ("subnet_name", "Vec<u8>", "Vec<u8>"),
            ("github_repo", "Vec<u8>", "Vec<u8>"),
            ("subnet_contact", "Vec<u8>", "Vec<u8>"),
            ("subnet_url", "Vec<u8>", "Vec<u8>"),
            ("discord", "Vec<u8>", "Vec<u8>"),
            ("description", "Vec<u8>", "Vec<u8>"),
            ("logo_url", "Vec<u8>", "Vec<u8>"),
            ("additional", "Vec<u8>", "Vec<u8>"),
        ],
        [],
    )
    reg.composite("primitive_types::H160", "primitive_types::H160", [(None, "[u8; 20]", "[u8; 20]")], [])
    reg.composite(
        "sp_arithmetic::per_things::Percent", "sp_arithmetic::per_things::Percent", [(None, "u8", "u8")], []
    )
    reg.composite("BTreeSet", "BTreeSet", [(None, None, "Vec<u16>")], [("T", "u16")])
    reg.variant(
        "pallet_subtensor::pallet::RootClaimTypeEnum",
        "pallet_subtensor::pallet::RootClaimTypeEnum",
        [("Swap", 0, []), ("Keep", 1, [])],
        [],
    )
    reg.variant(
        "frame_support::dispatch::RawOrigin",
        "frame_support::dispatch::RawOrigin",
        [
            ("Root", 0, []),
            ("Signed", 1, [(None, "AccountId", "sp_core::crypto::AccountId32")]),
            ("None", 2, []),
            ("Authorized", 3, []),
        ],
        [("AccountId", "sp_core::crypto::AccountId32")],
    )
    reg.variant(
        "pallet_ethereum::RawOrigin",
        "pallet_ethereum::RawOrigin",
        [("EthereumTransaction", 0, [(None, "H160", "primitive_types::H160")])],
        [],
    )
    reg.variant(
        "node_subtensor_runtime::OriginCaller",
        "node_subtensor_runtime::OriginCaller",
        [
            ("system", 0, [(None, "frame_system::Origin<Runtime>", "frame_support::dispatch::RawOrigin")]),
            ("Ethereum", 21, [(None, "pallet_ethereum::Origin", "pallet_ethereum::RawOrigin")]),
        ],
        [],
    )
    reg.variant(
        "subtensor_runtime_common::ProxyType",
        "subtensor_runtime_common::ProxyType",
        [
            ("Any", 0, []),
            ("Owner", 1, []),
            ("NonCritical", 2, []),
            ("NonTransfer", 3, []),
            ("Senate", 4, []),
            ("NonFungible", 5, []),
            ("Triumvirate", 6, []),
            ("Governance", 7, []),
            ("Staking", 8, []),
            ("Registration", 9, []),
            ("Transfer", 10, []),
            ("SmallTransfer", 11, []),
            ("RootWeights", 12, []),
            ("ChildKeys", 13, []),
            ("SudoUncheckedSetCode", 14, []),
            ("SwapHotkey", 15, []),
            ("SubnetLeaseBeneficiary", 16, []),
            ("RootClaim", 17, []),
        ],
        [],
    )
    reg.composite(
        "pallet_subtensor_proxy::ProxyDefinition",
        "pallet_subtensor_proxy::ProxyDefinition",
        [
            ("delegate", "AccountId", "sp_core::crypto::AccountId32"),
            ("proxy_type", "ProxyType", "subtensor_runtime_common::ProxyType"),
            ("delay", "BlockNumber", "u32"),
        ],
        [
            ("AccountId", "sp_core::crypto::AccountId32"),
            ("ProxyType", "subtensor_runtime_common::ProxyType"),
            ("BlockNumber", "u32"),
        ],
    )
    reg.variant(
        "pallet_subtensor_proxy::DepositKind",
        "pallet_subtensor_proxy::DepositKind",
        [("Proxies", 0, []), ("Announcements", 1, [])],
        [],
    )
    reg.composite(
        "sp_consensus_aura::sr25519::app_sr25519::Public",
        "sp_consensus_aura::sr25519::app_sr25519::Public",
        [(None, "sr25519::Public", "[u8; 32]")],
        [],
    )
    reg.composite(
        "sp_consensus_grandpa::app::Public",
        "sp_consensus_grandpa::app::Public",
        [(None, "ed25519::Public", "[u8; 32]")],
        [],
    )
    reg.variant(
        "pallet_subtensor::pallet::RecycleOrBurnEnum",
        "pallet_subtensor::pallet::RecycleOrBurnEnum",
        [("Burn", 0, []), ("Recycle", 1, [])],
        [],
    )
    reg.variant(
        "pallet_admin_utils::pallet::PrecompileEnum",
        "pallet_admin_utils::pallet::PrecompileEnum",
        [
            ("BalanceTransfer", 0, []),
            ("Staking", 1, []),
            ("Subnet", 2, []),
            ("Metagraph", 3, []),
            ("Neuron", 4, []),
            ("UidLookup", 5, []),
            ("Alpha", 6, []),
            ("Crowdloan", 7, []),
            ("PureProxy", 8, []),
            ("Leasing", 9, []),
        ],
        [],
    )
    reg.composite("substrate_typenum::uint::UTerm", "substrate_typenum::uint::UTerm", [], [])
    reg.composite("substrate_typenum::bit::B1", "substrate_typenum::bit::B1", [], [])
    reg.composite(
        "substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>",
        "substrate_typenum::uint::UInt",
        [("msb", "U", "substrate_typenum::uint::UTerm"), ("lsb", "B", "substrate_typenum::bit::B1")],
        [("U", "substrate_typenum::uint::UTerm"), ("B", "substrate_typenum::bit::B1")],
    )
    reg.composite("substrate_typenum::bit::B0", "substrate_typenum::bit::B0", [], [])
    reg.composite(
        "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>",
        "substrate_typenum::uint::UInt",
        [
            (
                "msb",
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>",
            ),
            ("lsb", "B", "substrate_typenum::bit::B0"),
        ],
        [
            (
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>",
            ),
            ("B", "substrate_typenum::bit::B0"),
        ],
    )
    reg.composite(
        "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
        "substrate_typenum::uint::UInt",
        [
            (
                "msb",
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>",
            ),
            ("lsb", "B", "substrate_typenum::bit::B0"),
        ],
        [
            (
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>",
            ),
            ("B", "substrate_typenum::bit::B0"),
        ],
    )
    reg.composite(
        "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
        "substrate_typenum::uint::UInt",
        [
            (
                "msb",
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
            ),
            ("lsb", "B", "substrate_typenum::bit::B0"),
        ],
        [
            (
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
            ),
            ("B", "substrate_typenum::bit::B0"),
        ],
    )
    reg.composite(
        "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
        "substrate_typenum::uint::UInt",
        [
            (
                "msb",
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
            ),
            ("lsb", "B", "substrate_typenum::bit::B0"),
        ],
        [
            (
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
            ),
            ("B", "substrate_typenum::bit::B0"),
        ],
    )
    reg.composite(
        "substrate_typenum::uint::UInt",
        "substrate_typenum::uint::UInt",
        [
            (
                "msb",
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
            ),
            ("lsb", "B", "substrate_typenum::bit::B0"),
        ],
        [
            (
                "U",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt<substrate_typenum::uint::UTerm, substrate_typenum::bit::B1>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>, substrate_typenum::bit::B0>",
            ),
            ("B", "substrate_typenum::bit::B0"),
        ],
    )
    reg.composite(
        "substrate_fixed::FixedI128",
        "substrate_fixed::FixedI128",
        [("bits", "i128", "i128")],
        [("Frac", "substrate_typenum::uint::UInt")],
    )
    reg.composite(
        "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt, substrate_typenum::bit::B0>",
        "substrate_typenum::uint::UInt",
        [("msb", "U", "substrate_typenum::uint::UInt"), ("lsb", "B", "substrate_typenum::bit::B0")],
        [("U", "substrate_typenum::uint::UInt"), ("B", "substrate_typenum::bit::B0")],
    )
    reg.composite(
        "substrate_fixed::FixedI128<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt, substrate_typenum::bit::B0>>",
        "substrate_fixed::FixedI128",
        [("bits", "i128", "i128")],
        [
            (
                "Frac",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt, substrate_typenum::bit::B0>",
            )
        ],
    )
    reg.composite(
        "substrate_fixed::FixedU128",
        "substrate_fixed::FixedU128",
        [("bits", "u128", "u128")],
        [
            (
                "Frac",
                "substrate_typenum::uint::UInt<substrate_typenum::uint::UInt, substrate_typenum::bit::B0>",
            )
        ],
    )
    reg.composite("Cow", "Cow", [(None, None, "str")], [("T", "str")])
    reg.composite(
        "Cow<Vec<([u8; 8], u32)>>",
        "Cow",
        [(None, None, "Vec<([u8; 8], u32)>")],
        [("T", "Vec<([u8; 8], u32)>")],
    )
    reg.composite(
        "sp_version::RuntimeVersion",
        "sp_version::RuntimeVersion",
        [
            ("spec_name", "Cow<'static, str>", "Cow"),
            ("impl_name", "Cow<'static, str>", "Cow"),
            ("authoring_version", "u32", "u32"),
            ("spec_version", "u32", "u32"),
            ("impl_version", "u32", "u32"),
            ("apis", "ApisVec", "Cow<Vec<([u8; 8], u32)>>"),
            ("transaction_version", "u32", "u32"),
            ("system_version", "u8", "u8"),
        ],
        [],
    )
    reg.composite("sp_core::OpaqueMetadata", "sp_core::OpaqueMetadata", [(None, "Vec<u8>", "Vec<u8>")], [])
    reg.composite(
        "pallet_subtensor::pallet::AxonInfo",
        "pallet_subtensor::pallet::AxonInfo",
        [
            ("block", "u64", "u64"),
            ("version", "u32", "u32"),
            ("ip", "u128", "u128"),
            ("port", "u16", "u16"),
            ("ip_type", "u8", "u8"),
            ("protocol", "u8", "u8"),
            ("placeholder1", "u8", "u8"),
            ("placeholder2", "u8", "u8"),
        ],
        [],
    )
    reg.composite(
        "pallet_subtensor::pallet::PrometheusInfo",
        "pallet_subtensor::pallet::PrometheusInfo",
        [
            ("block", "u64", "u64"),
            ("version", "u32", "u32"),
            ("ip", "u128", "u128"),
            ("port", "u16", "u16"),
            ("ip_type", "u8", "u8"),
        ],
        [],
    )
    reg.composite(
        "pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite",
        "pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite",
        [
            ("hotkey", "AccountId", "sp_core::crypto::AccountId32"),
            ("coldkey", "AccountId", "sp_core::crypto::AccountId32"),
            ("uid", "Compact<u16>", "Compact<u16>"),
            ("netuid", "Compact<NetUid>", "Compact<u16>"),
            ("active", "bool", "bool"),
            ("axon_info", "AxonInfo", "pallet_subtensor::pallet::AxonInfo"),
            ("prometheus_info", "PrometheusInfo", "pallet_subtensor::pallet::PrometheusInfo"),
            (
                "stake",
                "Vec<(AccountId, Compact<AlphaCurrency>)>",
                "Vec<(sp_core::crypto::AccountId32, Compact<u64>)>",
            ),
            ("rank", "Compact<u16>", "Compact<u16>"),
            ("emission", "Compact<AlphaCurrency>", "Compact<u64>"),
            ("incentive", "Compact<u16>", "Compact<u16>"),
            ("consensus", "Compact<u16>", "Compact<u16>"),
            ("trust", "Compact<u16>", "Compact<u16>"),
            ("validator_trust", "Compact<u16>", "Compact<u16>"),
            ("dividends", "Compact<u16>", "Compact<u16>"),
            ("last_update", "Compact<u64>", "Compact<u64>"),
            ("validator_permit", "bool", "bool"),
            ("pruning_score", "Compact<u16>", "Compact<u16>"),
        ],
        [("AccountId", "sp_core::crypto::AccountId32")],
    )
    reg.composite(
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams",
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams",
        [
            ("rho", "Compact<u16>", "Compact<u16>"),
            ("kappa", "Compact<u16>", "Compact<u16>"),
            ("immunity_period", "Compact<u16>", "Compact<u16>"),
            ("min_allowed_weights", "Compact<u16>", "Compact<u16>"),
            ("max_weights_limit", "Compact<u16>", "Compact<u16>"),
            ("tempo", "Compact<u16>", "Compact<u16>"),
            ("min_difficulty", "Compact<u64>", "Compact<u64>"),
            ("max_difficulty", "Compact<u64>", "Compact<u64>"),
            ("weights_version", "Compact<u64>", "Compact<u64>"),
            ("weights_rate_limit", "Compact<u64>", "Compact<u64>"),
            ("adjustment_interval", "Compact<u16>", "Compact<u16>"),
            ("activity_cutoff", "Compact<u16>", "Compact<u16>"),
            ("registration_allowed", "bool", "bool"),
            ("target_regs_per_interval", "Compact<u16>", "Compact<u16>"),
            ("min_burn", "Compact<TaoCurrency>", "Compact<u64>"),
            ("max_burn", "Compact<TaoCurrency>", "Compact<u64>"),
            ("bonds_moving_avg", "Compact<u64>", "Compact<u64>"),
            ("max_regs_per_block", "Compact<u16>", "Compact<u16>"),
            ("serving_rate_limit", "Compact<u64>", "Compact<u64>"),
            ("max_validators", "Compact<u16>", "Compact<u16>"),
            ("adjustment_alpha", "Compact<u64>", "Compact<u64>"),
            ("difficulty", "Compact<u64>", "Compact<u64>"),
            ("commit_reveal_period", "Compact<u64>", "Compact<u64>"),
            ("commit_reveal_weights_enabled", "bool", "bool"),
            ("alpha_high", "Compact<u16>", "Compact<u16>"),
            ("alpha_low", "Compact<u16>", "Compact<u16>"),
            ("liquid_alpha_enabled", "bool", "bool"),
        ],
        [],
    )
    reg.composite(
        "substrate_fixed::FixedI64",
        "substrate_fixed::FixedI64",
        [("bits", "i64", "i64")],
        [("Frac", "substrate_typenum::uint::UInt")],
    )
    reg.composite(
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2",
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2",
        [
            ("rho", "Compact<u16>", "Compact<u16>"),
            ("kappa", "Compact<u16>", "Compact<u16>"),
            ("immunity_period", "Compact<u16>", "Compact<u16>"),
            ("min_allowed_weights", "Compact<u16>", "Compact<u16>"),
            ("max_weights_limit", "Compact<u16>", "Compact<u16>"),
            ("tempo", "Compact<u16>", "Compact<u16>"),
            ("min_difficulty", "Compact<u64>", "Compact<u64>"),
            ("max_difficulty", "Compact<u64>", "Compact<u64>"),
            ("weights_version", "Compact<u64>", "Compact<u64>"),
            ("weights_rate_limit", "Compact<u64>", "Compact<u64>"),
            ("adjustment_interval", "Compact<u16>", "Compact<u16>"),
            ("activity_cutoff", "Compact<u16>", "Compact<u16>"),
            ("registration_allowed", "bool", "bool"),
            ("target_regs_per_interval", "Compact<u16>", "Compact<u16>"),
            ("min_burn", "Compact<TaoCurrency>", "Compact<u64>"),
            ("max_burn", "Compact<TaoCurrency>", "Compact<u64>"),
            ("bonds_moving_avg", "Compact<u64>", "Compact<u64>"),
            ("max_regs_per_block", "Compact<u16>", "Compact<u16>"),
            ("serving_rate_limit", "Compact<u64>", "Compact<u64>"),
            ("max_validators", "Compact<u16>", "Compact<u16>"),
            ("adjustment_alpha", "Compact<u64>", "Compact<u64>"),
            ("difficulty", "Compact<u64>", "Compact<u64>"),
            ("commit_reveal_period", "Compact<u64>", "Compact<u64>"),
            ("commit_reveal_weights_enabled", "bool", "bool"),
            ("alpha_high", "Compact<u16>", "Compact<u16>"),
            ("alpha_low", "Compact<u16>", "Compact<u16>"),
            ("liquid_alpha_enabled", "bool", "bool"),
            ("alpha_sigmoid_steepness", "I32F32", "substrate_fixed::FixedI64"),
            ("yuma_version", "Compact<u16>", "Compact<u16>"),
            ("subnet_is_active", "bool", "bool"),
            ("transfers_enabled", "bool", "bool"),
            ("bonds_reset_enabled", "bool", "bool"),
            ("user_liquidity_enabled", "bool", "bool"),
        ],
        [],
    )
    reg.composite(
        "pallet_subtensor::pallet::ChainIdentityV2",
        "pallet_subtensor::pallet::ChainIdentityV2",
        [
            ("name", "Vec<u8>", "Vec<u8>"),
            ("url", "Vec<u8>", "Vec<u8>"),
            ("github_repo", "Vec<u8>", "Vec<u8>"),
            ("image", "Vec<u8>", "Vec<u8>"),
            ("discord", "Vec<u8>", "Vec<u8>"),
            ("description", "Vec<u8>", "Vec<u8>"),
            ("additional", "Vec<u8>", "Vec<u8>"),
        ],
        [],
    )
    reg.composite(
        "pallet_subtensor::rpc_info::metagraph::Metagraph",
        "pallet_subtensor::rpc_info::metagraph::Metagraph",
        [
            ("netuid", "Compact<NetUid>", "Compact<u16>"),
            ("name", "Vec<Compact<u8>>", "Vec<Compact<u8>>"),
            ("symbol", "Vec<Compact<u8>>", "Vec<Compact<u8>>"),
            ("identity", "Option<SubnetIdentityV3>", "Option<pallet_subtensor::pallet::SubnetIdentityV3>"),
            ("network_registered_at", "Compact<u64>", "Compact<u64>"),
            ("owner_hotkey", "AccountId", "sp_core::crypto::AccountId32"),
            ("owner_coldkey", "AccountId", "sp_core::crypto::AccountId32"),
            ("block", "Compact<u64>", "Compact<u64>"),
            ("tempo", "Compact<u16>", "Compact<u16>"),
            ("last_step", "Compact<u64>", "Compact<u64>"),
            ("blocks_since_last_step", "Compact<u64>", "Compact<u64>"),
            ("subnet_emission", "Compact<u64>", "Compact<u64>"),
            ("alpha_in", "Compact<AlphaCurrency>", "Compact<u64>"),
            ("alpha_out", "Compact<AlphaCurrency>", "Compact<u64>"),
            ("tao_in", "Compact<TaoCurrency>", "Compact<u64>"),
            ("alpha_out_emission", "Compact<AlphaCurrency>", "Compact<u64>"),
            ("alpha_in_emission", "Compact<AlphaCurrency>", "Compact<u64>"),
            ("tao_in_emission", "Compact<TaoCurrency>", "Compact<u64>"),
            ("pending_alpha_emission", "Compact<AlphaCurrency>", "Compact<u64>"),
            ("pending_root_emission", "Compact<TaoCurrency>", "Compact<u64>"),
            ("subnet_volume", "Compact<u128>", "Compact<u128>"),
            ("moving_price", "I96F32", "substrate_fixed::FixedI128"),
            ("rho", "Compact<u16>", "Compact<u16>"),
            ("kappa", "Compact<u16>", "Compact<u16>"),
            ("min_allowed_weights", "Compact<u16>", "Compact<u16>"),
            ("max_weights_limit", "Compact<u16>", "Compact<u16>"),
            ("weights_version", "Compact<u64>", "Compact<u64>"),
            ("weights_rate_limit", "Compact<u64>", "Compact<u64>"),
            ("activity_cutoff", "Compact<u16>", "Compact<u16>"),
            ("max_validators", "Compact<u16>", "Compact<u16>"),
            ("num_uids", "Compact<u16>", "Compact<u16>"),
            ("max_uids", "Compact<u16>", "Compact<u16>"),
            ("burn", "Compact<TaoCurrency>", "Compact<u64>"),
            ("difficulty", "Compact<u64>", "Compact<u64>"),
            ("registration_allowed", "bool", "bool"),
            ("pow_registration_allowed", "bool", "bool"),
            ("immunity_period", "Compact<u16>", "Compact<u16>"),
            ("min_difficulty", "Compact<u64>", "Compact<u64>"),
            ("max_difficulty", "Compact<u64>", "Compact<u64>"),
            ("min_burn", "Compact<TaoCurrency>", "Compact<u64>"),
            ("max_burn", "Compact<TaoCurrency>", "Compact<u64>"),
            ("adjustment_alpha", "Compact<u64>", "Compact<u64>"),
            ("adjustment_interval", "Compact<u16>", "Compact<u16>"),
            ("target_regs_per_interval", "Compact<u16>", "Compact<u16>"),
            ("max_regs_per_block", "Compact<u16>", "Compact<u16>"),
            ("serving_rate_limit", "Compact<u64>", "Compact<u64>"),
            ("commit_reveal_weights_enabled", "bool", "bool"),
            ("commit_reveal_period", "Compact<u64>", "Compact<u64>"),
            ("liquid_alpha_enabled", "bool", "bool"),
            ("alpha_high", "Compact<u16>", "Compact<u16>"),
            ("alpha_low", "Compact<u16>", "Compact<u16>"),
            ("bonds_moving_avg", "Compact<u64>", "Compact<u64>"),
            ("hotkeys", "Vec<AccountId>", "Vec<sp_core::crypto::AccountId32>"),
            ("coldkeys", "Vec<AccountId>", "Vec<sp_core::crypto::AccountId32>"),
            (
                "identities",
                "Vec<Option<ChainIdentityOfV2>>",
                "Vec<Option<pallet_subtensor::pallet::ChainIdentityV2>>",
            ),
            ("axons", "Vec<AxonInfo>", "Vec<pallet_subtensor::pallet::AxonInfo>"),
            ("active", "Vec<bool>", "Vec<bool>"),
            ("validator_permit", "Vec<bool>", "Vec<bool>"),
            ("pruning_score", "Vec<Compact<u16>>", "Vec<Compact<u16>>"),
            ("last_update", "Vec<Compact<u64>>", "Vec<Compact<u64>>"),
            ("emission", "Vec<Compact<AlphaCurrency>>", "Vec<Compact<u64>>"),
            ("dividends", "Vec<Compact<u16>>", "Vec<Compact<u16>>"),
            ("incentives", "Vec<Compact<u16>>", "Vec<Compact<u16>>"),
            ("consensus", "Vec<Compact<u16>>", "Vec<Compact<u16>>"),
            ("trust", "Vec<Compact<u16>>", "Vec<Compact<u16>>"),
            ("rank", "Vec<Compact<u16>>", "Vec<Compact<u16>>"),
            ("block_at_registration", "Vec<Compact<u64>>", "Vec<Compact<u64>>"),
            ("alpha_stake", "Vec<Compact<AlphaCurrency>>", "Vec<Compact<u64>>"),
            ("tao_stake", "Vec<Compact<TaoCurrency>>", "Vec<Compact<u64>>"),
            ("total_stake", "Vec<Compact<TaoCurrency>>", "Vec<Compact<u64>>"),
            (
                "tao_dividends_per_hotkey",
                "Vec<(AccountId, Compact<TaoCurrency>)>",
                "Vec<(sp_core::crypto::AccountId32, Compact<u64>)>",
            ),
            (
                "alpha_dividends_per_hotkey",
                "Vec<(AccountId, Compact<AlphaCurrency>)>",
                "Vec<(sp_core::crypto::AccountId32, Compact<u64>)>",
            ),
        ],
        [("AccountId", "sp_core::crypto::AccountId32")],
    )
    reg.composite(
        "pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph",
        "pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph",
        [
            ("netuid", "Compact<NetUid>", "Compact<u16>"),
            ("name", "Option<Vec<Compact<u8>>>", "Option<Vec<Compact<u8>>>"),
            ("symbol", "Option<Vec<Compact<u8>>>", "Option<Vec<Compact<u8>>>"),
            (
                "identity",
                "Option<Option<SubnetIdentityV3>>",
                "Option<Option<pallet_subtensor::pallet::SubnetIdentityV3>>",
            ),
            ("network_registered_at", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("owner_hotkey", "Option<AccountId>", "Option<sp_core::crypto::AccountId32>"),
            ("owner_coldkey", "Option<AccountId>", "Option<sp_core::crypto::AccountId32>"),
            ("block", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("tempo", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("last_step", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("blocks_since_last_step", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("subnet_emission", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("alpha_in", "Option<Compact<AlphaCurrency>>", "Option<Compact<u64>>"),
            ("alpha_out", "Option<Compact<AlphaCurrency>>", "Option<Compact<u64>>"),
            ("tao_in", "Option<Compact<TaoCurrency>>", "Option<Compact<u64>>"),
            ("alpha_out_emission", "Option<Compact<AlphaCurrency>>", "Option<Compact<u64>>"),
            ("alpha_in_emission", "Option<Compact<AlphaCurrency>>", "Option<Compact<u64>>"),
            ("tao_in_emission", "Option<Compact<TaoCurrency>>", "Option<Compact<u64>>"),
            ("pending_alpha_emission", "Option<Compact<AlphaCurrency>>", "Option<Compact<u64>>"),
            ("pending_root_emission", "Option<Compact<TaoCurrency>>", "Option<Compact<u64>>"),
            ("subnet_volume", "Option<Compact<u128>>", "Option<Compact<u128>>"),
            ("moving_price", "Option<I96F32>", "Option<substrate_fixed::FixedI128>"),
            ("rho", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("kappa", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("min_allowed_weights", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("max_weights_limit", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("weights_version", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("weights_rate_limit", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("activity_cutoff", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("max_validators", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("num_uids", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("max_uids", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("burn", "Option<Compact<TaoCurrency>>", "Option<Compact<u64>>"),
            ("difficulty", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("registration_allowed", "Option<bool>", "Option<bool>"),
            ("pow_registration_allowed", "Option<bool>", "Option<bool>"),
            ("immunity_period", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("min_difficulty", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("max_difficulty", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("min_burn", "Option<Compact<TaoCurrency>>", "Option<Compact<u64>>"),
            ("max_burn", "Option<Compact<TaoCurrency>>", "Option<Compact<u64>>"),
            ("adjustment_alpha", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("adjustment_interval", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("target_regs_per_interval", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("max_regs_per_block", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("serving_rate_limit", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("commit_reveal_weights_enabled", "Option<bool>", "Option<bool>"),
            ("commit_reveal_period", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("liquid_alpha_enabled", "Option<bool>", "Option<bool>"),
            ("alpha_high", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("alpha_low", "Option<Compact<u16>>", "Option<Compact<u16>>"),
            ("bonds_moving_avg", "Option<Compact<u64>>", "Option<Compact<u64>>"),
            ("hotkeys", "Option<Vec<AccountId>>", "Option<Vec<sp_core::crypto::AccountId32>>"),
            ("coldkeys", "Option<Vec<AccountId>>", "Option<Vec<sp_core::crypto::AccountId32>>"),
            (
                "identities",
                "Option<Vec<Option<ChainIdentityOfV2>>>",
                "Option<Vec<Option<pallet_subtensor::pallet::ChainIdentityV2>>>",
            ),
            ("axons", "Option<Vec<AxonInfo>>", "Option<Vec<pallet_subtensor::pallet::AxonInfo>>"),
            ("active", "Option<Vec<bool>>", "Option<Vec<bool>>"),
            ("validator_permit", "Option<Vec<bool>>", "Option<Vec<bool>>"),
            ("pruning_score", "Option<Vec<Compact<u16>>>", "Option<Vec<Compact<u16>>>"),
            ("last_update", "Option<Vec<Compact<u64>>>", "Option<Vec<Compact<u64>>>"),
            ("emission", "Option<Vec<Compact<AlphaCurrency>>>", "Option<Vec<Compact<u64>>>"),
            ("dividends", "Option<Vec<Compact<u16>>>", "Option<Vec<Compact<u16>>>"),
            ("incentives", "Option<Vec<Compact<u16>>>", "Option<Vec<Compact<u16>>>"),
            ("consensus", "Option<Vec<Compact<u16>>>", "Option<Vec<Compact<u16>>>"),
            ("trust", "Option<Vec<Compact<u16>>>", "Option<Vec<Compact<u16>>>"),
            ("rank", "Option<Vec<Compact<u16>>>", "Option<Vec<Compact<u16>>>"),
            ("block_at_registration", "Option<Vec<Compact<u64>>>", "Option<Vec<Compact<u64>>>"),
            ("alpha_stake", "Option<Vec<Compact<AlphaCurrency>>>", "Option<Vec<Compact<u64>>>"),
            ("tao_stake", "Option<Vec<Compact<TaoCurrency>>>", "Option<Vec<Compact<u64>>>"),
            ("total_stake", "Option<Vec<Compact<TaoCurrency>>>", "Option<Vec<Compact<u64>>>"),
            (
                "tao_dividends_per_hotkey",
                "Option<Vec<(AccountId, Compact<TaoCurrency>)>>",
                "Option<Vec<(sp_core::crypto::AccountId32, Compact<u64>)>>",
            ),
            (
                "alpha_dividends_per_hotkey",
                "Option<Vec<(AccountId, Compact<AlphaCurrency>)>>",
                "Option<Vec<(sp_core::crypto::AccountId32, Compact<u64>)>>",
            ),
            ("validators", "Option<Vec<Compact<u16>>>", "Option<Vec<Compact<u16>>>"),
            (
                "commitments",
                "Option<Vec<(AccountId, Vec<Compact<u8>>)>>",
                "Option<Vec<(sp_core::crypto::AccountId32, Vec<Compact<u8>>)>>",
            ),
        ],
        [("AccountId", "sp_core::crypto::AccountId32")],
    )
    reg.variant(
        "sp_runtime::MultiSignature",
        "sp_runtime::MultiSignature",
        [
            ("Ed25519", 0, [(None, "ed25519::Signature", "[u8; 64]")]),
            ("Sr25519", 1, [(None, "sr25519::Signature", "[u8; 64]")]),
            ("Ecdsa", 2, [(None, "ecdsa::Signature", "[u8; 65]")]),
        ],
        [],
    )
    reg.composite(
        "frame_system::extensions::check_non_zero_sender::CheckNonZeroSender",
        "frame_system::extensions::check_non_zero_sender::CheckNonZeroSender",
        [],
        [("T", None)],
    )
    reg.composite(
        "frame_system::extensions::check_spec_version::CheckSpecVersion",
        "frame_system::extensions::check_spec_version::CheckSpecVersion",
        [],
        [("T", None)],
    )
    reg.composite(
        "frame_system::extensions::check_tx_version::CheckTxVersion",
        "frame_system::extensions::check_tx_version::CheckTxVersion",
        [],
        [("T", None)],
    )
    reg.composite(
        "frame_system::extensions::check_genesis::CheckGenesis",
        "frame_system::extensions::check_genesis::CheckGenesis",
        [],
        [("T", None)],
    )
    reg.variant(
        "sp_runtime::generic::era::Era",
        "sp_runtime::generic::era::Era",
        [
            ("Immortal", 0, []),
            ("Mortal1", 1, [(None, None, "u8")]),
            ("Mortal2", 2, [(None, None, "u8")]),
            ("Mortal3", 3, [(None, None, "u8")]),
            ("Mortal4", 4, [(None, None, "u8")]),
            ("Mortal5", 5, [(None, None, "u8")]),
            ("Mortal6", 6, [(None, None, "u8")]),
            ("Mortal7", 7, [(None, None, "u8")]),
            ("Mortal8", 8, [(None, None, "u8")]),
            ("Mortal9", 9, [(None, None, "u8")]),
            ("Mortal10", 10, [(None, None, "u8")]),
            ("Mortal11", 11, [(None, None, "u8")]),
            ("Mortal12", 12, [(None, None, "u8")]),
            ("Mortal13", 13, [(None, None, "u8")]),
            ("Mortal14", 14, [(None, None, "u8")]),
            ("Mortal15", 15, [(None, None, "u8")]),
            ("Mortal16", 16, [(None, None, "u8")]),
            ("Mortal17", 17, [(None, None, "u8")]),
            ("Mortal18", 18, [(None, None, "u8")]),
            ("Mortal19", 19, [(None, None, "u8")]),
            ("Mortal20", 20, [(None, None, "u8")]),
            ("Mortal21", 21, [(None, None, "u8")]),
            ("Mortal22", 22, [(None, None, "u8")]),
            ("Mortal23", 23, [(None, None, "u8")]),
            ("Mortal24", 24, [(None, None, "u8")]),
            ("Mortal25", 25, [(None, None, "u8")]),
            ("Mortal26", 26, [(None, None, "u8")]),
            ("Mortal27", 27, [(None, None, "u8")]),
            ("Mortal28", 28, [(None, None, "u8")]),
            ("Mortal29", 29, [(None, None, "u8")]),
            ("Mortal30", 30, [(None, None, "u8")]),
            ("Mortal31", 31, [(None, None, "u8")]),
            ("Mortal32", 32, [(None, None, "u8")]),
            ("Mortal33", 33, [(None, None, "u8")]),
            ("Mortal34", 34, [(None, None, "u8")]),
            ("Mortal35", 35, [(None, None, "u8")]),
            ("Mortal36", 36, [(None, None, "u8")]),
            ("Mortal37", 37, [(None, None, "u8")]),
            ("Mortal38", 38, [(None, None, "u8")]),
            ("Mortal39", 39, [(None, None, "u8")]),
            ("Mortal40", 40, [(None, None, "u8")]),
            ("Mortal41", 41, [(None, None, "u8")]),
            ("Mortal42", 42, [(None, None, "u8")]),
            ("Mortal43", 43, [(None, None, "u8")]),
            ("Mortal44", 44, [(None, None, "u8")]),
            ("Mortal45", 45, [(None, None, "u8")]),
            ("Mortal46", 46, [(None, None, "u8")]),
            ("Mortal47", 47, [(None, None, "u8")]),
            ("Mortal48", 48, [(None, None, "u8")]),
            ("Mortal49", 49, [(None, None, "u8")]),
            ("Mortal50", 50, [(None, None, "u8")]),
            ("Mortal51", 51, [(None, None, "u8")]),
            ("Mortal52", 52, [(None, None, "u8")]),
            ("Mortal53", 53, [(None, None, "u8")]),
            ("Mortal54", 54, [(None, None, "u8")]),
            ("Mortal55", 55, [(None, None, "u8")]),
            ("Mortal56", 56, [(None, None, "u8")]),
            ("Mortal57", 57, [(None, None, "u8")]),
            ("Mortal58", 58, [(None, None, "u8")]),
            ("Mortal59", 59, [(None, None, "u8")]),
            ("Mortal60", 60, [(None, None, "u8")]),
            ("Mortal61", 61, [(None, None, "u8")]),
            ("Mortal62", 62, [(None, None, "u8")]),
            ("Mortal63", 63, [(None, None, "u8")]),
            ("Mortal64", 64, [(None, None, "u8")]),
            ("Mortal65", 65, [(None, None, "u8")]),
            ("Mortal66", 66, [(None, None, "u8")]),
            ("Mortal67", 67, [(None, None, "u8")]),
            ("Mortal68", 68, [(None, None, "u8")]),
            ("Mortal69", 69, [(None, None, "u8")]),
            ("Mortal70", 70, [(None, None, "u8")]),
            ("Mortal71", 71, [(None, None, "u8")]),
            ("Mortal72", 72, [(None, None, "u8")]),
            ("Mortal73", 73, [(None, None, "u8")]),
            ("Mortal74", 74, [(None, None, "u8")]),
            ("Mortal75", 75, [(None, None, "u8")]),
            ("Mortal76", 76, [(None, None, "u8")]),
            ("Mortal77", 77, [(None, None, "u8")]),
            ("Mortal78", 78, [(None, None, "u8")]),
            ("Mortal79", 79, [(None, None, "u8")]),
            ("Mortal80", 80, [(None, None, "u8")]),
            ("Mortal81", 81, [(None, None, "u8")]),
            ("Mortal82", 82, [(None, None, "u8")]),
            ("Mortal83", 83, [(None, None, "u8")]),
            ("Mortal84", 84, [(None, None, "u8")]),
            ("Mortal85", 85, [(None, None, "u8")]),
            ("Mortal86", 86, [(None, None, "u8")]),
            ("Mortal87", 87, [(None, None, "u8")]),
            ("Mortal88", 88, [(None, None, "u8")]),
            ("Mortal89", 89, [(None, None, "u8")]),
            ("Mortal90", 90, [(None, None, "u8")]),
            ("Mortal91", 91, [(None, None, "u8")]),
            ("Mortal92", 92, [(None, None, "u8")]),
            ("Mortal93", 93, [(None, None, "u8")]),
            ("Mortal94", 94, [(None, None, "u8")]),
            ("Mortal95", 95, [(None, None, "u8")]),
            ("Mortal96", 96, [(None, None, "u8")]),
            ("Mortal97", 97, [(None, None, "u8")]),
            ("Mortal98", 98, [(None, None, "u8")]),
            ("Mortal99", 99, [(None, None, "u8")]),
            ("Mortal100", 100, [(None, None, "u8")]),
            ("Mortal101", 101, [(None, None, "u8")]),
            ("Mortal102", 102, [(None, None, "u8")]),
            ("Mortal103", 103, [(None, None, "u8")]),
            ("Mortal104", 104, [(None, None, "u8")]),
            ("Mortal105", 105, [(None, None, "u8")]),
            ("Mortal106", 106, [(None, None, "u8")]),
            ("Mortal107", 107, [(None, None, "u8")]),
            ("Mortal108", 108, [(None, None, "u8")]),
            ("Mortal109", 109, [(None, None, "u8")]),
            ("Mortal110", 110, [(None, None, "u8")]),
            ("Mortal111", 111, [(None, None, "u8")]),
            ("Mortal112", 112, [(None, None, "u8")]),
            ("Mortal113", 113, [(None, None, "u8")]),
            ("Mortal114", 114, [(None, None, "u8")]),
            ("Mortal115", 115, [(None, None, "u8")]),
            ("Mortal116", 116, [(None, None, "u8")]),
            ("Mortal117", 117, [(None, None, "u8")]),
            ("Mortal118", 118, [(None, None, "u8")]),
            ("Mortal119", 119, [(None, None, "u8")]),
            ("Mortal120", 120, [(None, None, "u8")]),
            ("Mortal121", 121, [(None, None, "u8")]),
            ("Mortal122", 122, [(None, None, "u8")]),
            ("Mortal123", 123, [(None, None, "u8")]),
            ("Mortal124", 124, [(None, None, "u8")]),
            ("Mortal125", 125, [(None, None, "u8")]),
            ("Mortal126", 126, [(None, None, "u8")]),
            ("Mortal127", 127, [(None, None, "u8")]),
            ("Mortal128", 128, [(None, None, "u8")]),
            ("Mortal129", 129, [(None, None, "u8")]),
            ("Mortal130", 130, [(None, None, "u8")]),
            ("Mortal131", 131, [(None, None, "u8")]),
            ("Mortal132", 132, [(None, None, "u8")]),
            ("Mortal133", 133, [(None, None, "u8")]),
            ("Mortal134", 134, [(None, None, "u8")]),
            ("Mortal135", 135, [(None, None, "u8")]),
            ("Mortal136", 136, [(None, None, "u8")]),
            ("Mortal137", 137, [(None, None, "u8")]),
            ("Mortal138", 138, [(None, None, "u8")]),
            ("Mortal139", 139, [(None, None, "u8")]),
            ("Mortal140", 140, [(None, None, "u8")]),
            ("Mortal141", 141, [(None, None, "u8")]),
            ("Mortal142", 142, [(None, None, "u8")]),
            ("Mortal143", 143, [(None, None, "u8")]),
            ("Mortal144", 144, [(None, None, "u8")]),
            ("Mortal145", 145, [(None, None, "u8")]),
            ("Mortal146", 146, [(None, None, "u8")]),
            ("Mortal147", 147, [(None, None, "u8")]),
            ("Mortal148", 148, [(None, None, "u8")]),
            ("Mortal149", 149, [(None, None, "u8")]),
            ("Mortal150", 150, [(None, None, "u8")]),
            ("Mortal151", 151, [(None, None, "u8")]),
            ("Mortal152", 152, [(None, None, "u8")]),
            ("Mortal153", 153, [(None, None, "u8")]),
            ("Mortal154", 154, [(None, None, "u8")]),
            ("Mortal155", 155, [(None, None, "u8")]),
            ("Mortal156", 156, [(None, None, "u8")]),
            ("Mortal157", 157, [(None, None, "u8")]),
            ("Mortal158", 158, [(None, None, "u8")]),
            ("Mortal159", 159, [(None, None, "u8")]),
            ("Mortal160", 160, [(None, None, "u8")]),
            ("Mortal161", 161, [(None, None, "u8")]),
            ("Mortal162", 162, [(None, None, "u8")]),
            ("Mortal163", 163, [(None, None, "u8")]),
            ("Mortal164", 164, [(None, None, "u8")]),
            ("Mortal165", 165, [(None, None, "u8")]),
            ("Mortal166", 166, [(None, None, "u8")]),
            ("Mortal167", 167, [(None, None, "u8")]),
            ("Mortal168", 168, [(None, None, "u8")]),
            ("Mortal169", 169, [(None, None, "u8")]),
            ("Mortal170", 170, [(None, None, "u8")]),
            ("Mortal171", 171, [(None, None, "u8")]),
            ("Mortal172", 172, [(None, None, "u8")]),
            ("Mortal173", 173, [(None, None, "u8")]),
            ("Mortal174", 174, [(None, None, "u8")]),
            ("Mortal175", 175, [(None, None, "u8")]),
            ("Mortal176", 176, [(None, None, "u8")]),
            ("Mortal177", 177, [(None, None, "u8")]),
            ("Mortal178", 178, [(None, None, "u8")]),
            ("Mortal179", 179, [(None, None, "u8")]),
            ("Mortal180", 180, [(None, None, "u8")]),
            ("Mortal181", 181, [(None, None, "u8")]),
            ("Mortal182", 182, [(None, None, "u8")]),
            ("Mortal183", 183, [(None, None, "u8")]),
            ("Mortal184", 184, [(None, None, "u8")]),
            ("Mortal185", 185, [(None, None, "u8")]),
            ("Mortal186", 186, [(None, None, "u8")]),
            ("Mortal187", 187, [(None, None, "u8")]),
            ("Mortal188", 188, [(None, None, "u8")]),
            ("Mortal189", 189, [(None, None, "u8")]),
            ("Mortal190", 190, [(None, None, "u8")]),
            ("Mortal191", 191, [(None, None, "u8")]),
            ("Mortal192", 192, [(None, None, "u8")]),
            ("Mortal193", 193, [(None, None, "u8")]),
            ("Mortal194", 194, [(None, None, "u8")]),
            ("Mortal195", 195, [(None, None, "u8")]),
            ("Mortal196", 196, [(None, None, "u8")]),
            ("Mortal197", 197, [(None, None, "u8")]),
            ("Mortal198", 198, [(None, None, "u8")]),
            ("Mortal199", 199, [(None, None, "u8")]),
            ("Mortal200", 200, [(None, None, "u8")]),
            ("Mortal201", 201, [(None, None, "u8")]),
            ("Mortal202", 202, [(None, None, "u8")]),
            ("Mortal203", 203, [(None, None, "u8")]),
            ("Mortal204", 204, [(None, None, "u8")]),
            ("Mortal205", 205, [(None, None, "u8")]),
            ("Mortal206", 206, [(None, None, "u8")]),
            ("Mortal207", 207, [(None, None, "u8")]),
            ("Mortal208", 208, [(None, None, "u8")]),
            ("Mortal209", 209, [(None, None, "u8")]),
            ("Mortal210", 210, [(None, None, "u8")]),
            ("Mortal211", 211, [(None, None, "u8")]),
            ("Mortal212", 212, [(None, None, "u8")]),
            ("Mortal213", 213, [(None, None, "u8")]),
            ("Mortal214", 214, [(None, None, "u8")]),
            ("Mortal215", 215, [(None, None, "u8")]),
            ("Mortal216", 216, [(None, None, "u8")]),
            ("Mortal217", 217, [(None, None, "u8")]),
            ("Mortal218", 218, [(None, None, "u8")]),
            ("Mortal219", 219, [(None, None, "u8")]),
            ("Mortal220", 220, [(None, None, "u8")]),
            ("Mortal221", 221, [(None, None, "u8")]),
            ("Mortal222", 222, [(None, None, "u8")]),
            ("Mortal223", 223, [(None, None, "u8")]),
            ("Mortal224", 224, [(None, None, "u8")]),
            ("Mortal225", 225, [(None, None, "u8")]),
            ("Mortal226", 226, [(None, None, "u8")]),
            ("Mortal227", 227, [(None, None, "u8")]),
            ("Mortal228", 228, [(None, None, "u8")]),
            ("Mortal229", 229, [(None, None, "u8")]),
            ("Mortal230", 230, [(None, None, "u8")]),
            ("Mortal231", 231, [(None, None, "u8")]),
            ("Mortal232", 232, [(None, None, "u8")]),
            ("Mortal233", 233, [(None, None, "u8")]),
            ("Mortal234", 234, [(None, None, "u8")]),
            ("Mortal235", 235, [(None, None, "u8")]),
            ("Mortal236", 236, [(None, None, "u8")]),
            ("Mortal237", 237, [(None, None, "u8")]),
            ("Mortal238", 238, [(None, None, "u8")]),
            ("Mortal239", 239, [(None, None, "u8")]),
            ("Mortal240", 240, [(None, None, "u8")]),
            ("Mortal241", 241, [(None, None, "u8")]),
            ("Mortal242", 242, [(None, None, "u8")]),
            ("Mortal243", 243, [(None, None, "u8")]),
            ("Mortal244", 244, [(None, None, "u8")]),
            ("Mortal245", 245, [(None, None, "u8")]),
            ("Mortal246", 246, [(None, None, "u8")]),
            ("Mortal247", 247, [(None, None, "u8")]),
            ("Mortal248", 248, [(None, None, "u8")]),
            ("Mortal249", 249, [(None, None, "u8")]),
            ("Mortal250", 250, [(None, None, "u8")]),
            ("Mortal251", 251, [(None, None, "u8")]),
            ("Mortal252", 252, [(None, None, "u8")]),
            ("Mortal253", 253, [(None, None, "u8")]),
            ("Mortal254", 254, [(None, None, "u8")]),
            ("Mortal255", 255, [(None, None, "u8")]),
        ],
        [],
    )
    reg.composite(
        "frame_system::extensions::check_mortality::CheckMortality",
        "frame_system::extensions::check_mortality::CheckMortality",
        [(None, "Era", "sp_runtime::generic::era::Era")],
        [("T", None)],
    )
    reg.composite(
        "node_subtensor_runtime::check_nonce::CheckNonce",
        "node_subtensor_runtime::check_nonce::CheckNonce",
        [(None, "T::Nonce", "Compact<u32>")],
        [("T", None)],
    )
    reg.composite(
        "frame_system::extensions::check_weight::CheckWeight",
        "frame_system::extensions::check_weight::CheckWeight",
        [],
        [("T", None)],
    )
    reg.composite(
        "pallet_transaction_payment::ChargeTransactionPayment",
        "pallet_transaction_payment::ChargeTransactionPayment",
        [(None, "BalanceOf<T>", "Compact<u64>")],
        [("T", None)],
    )
    reg.composite("node_subtensor_runtime::Runtime", "node_subtensor_runtime::Runtime", [], [])
    reg.composite(
        "pallet_subtensor::transaction_extension::SubtensorTransactionExtension",
        "pallet_subtensor::transaction_extension::SubtensorTransactionExtension",
        [],
        [("T", "node_subtensor_runtime::Runtime")],
    )
    reg.composite(
        "pallet_drand::drand_priority::DrandPriority",
        "pallet_drand::drand_priority::DrandPriority",
        [],
        [("T", "node_subtensor_runtime::Runtime")],
    )
    reg.variant(
        "frame_metadata_hash_extension::Mode",
        "frame_metadata_hash_extension::Mode",
        [("Disabled", 0, []), ("Enabled", 1, [])],
        [],
    )
    reg.composite(
        "frame_metadata_hash_extension::CheckMetadataHash",
        "frame_metadata_hash_extension::CheckMetadataHash",
        [("mode", "Mode", "frame_metadata_hash_extension::Mode")],
        [("T", None)],
    )
    # Wrapper the runtime puts around ChargeTransactionPayment in its transaction-extension tuple.
    reg.composite(
        "node_subtensor_runtime::transaction_payment_wrapper::ChargeTransactionPaymentWrapper",
        "node_subtensor_runtime::transaction_payment_wrapper::ChargeTransactionPaymentWrapper",
        [
            (
                "charge_transaction_payment",
                "ChargeTransactionPayment<T>",
                "pallet_transaction_payment::ChargeTransactionPayment",
            )
        ],
        [("T", None)],
    )
    # Bounded vectors, declared under their expressions so the field keeps scale-info's typeName
    # ``Vec<T>`` (the registry's generic ``BoundedVec<..>`` names it after the item type).
    for item in (
        "u8",
        "sp_consensus_aura::sr25519::app_sr25519::Public",
        "pallet_subtensor_proxy::ProxyDefinition",
    ):
        reg.composite(
            f"BoundedVec<{item}>",
            "bounded_collections::bounded_vec::BoundedVec",
            [(None, "Vec<T>", f"Vec<{item}>")],
            [("T", item), ("S", None)],
        )


SYSTEM = Pallet(
    "System",
    0,
    "frame_system::pallet",
    calls=(
        Variant(0, "remark", (("remark", "Vec<u8>", "Vec<u8>"),)),
        Variant(1, "set_heap_pages", (("pages", "u64", "u64"),)),
        Variant(2, "set_code", (("code", "Vec<u8>", "Vec<u8>"),)),
        Variant(3, "set_code_without_checks", (("code", "Vec<u8>", "Vec<u8>"),)),
        Variant(4, "set_storage", (("items", "Vec<KeyValue>", "Vec<(Vec<u8>, Vec<u8>)>"),)),
        Variant(5, "kill_storage", (("keys", "Vec<Key>", "Vec<Vec<u8>>"),)),
        Variant(6, "kill_prefix", (("prefix", "Key", "Vec<u8>"), ("subkeys", "u32", "u32"))),
        Variant(7, "remark_with_event", (("remark", "Vec<u8>", "Vec<u8>"),)),
        Variant(9, "authorize_upgrade", (("code_hash", "T::Hash", "primitive_types::H256"),)),
        Variant(10, "authorize_upgrade_without_checks", (("code_hash", "T::Hash", "primitive_types::H256"),)),
        Variant(11, "apply_authorized_upgrade", (("code", "Vec<u8>", "Vec<u8>"),)),
    ),
    events=(
        Variant(
            0,
            "ExtrinsicSuccess",
            (("dispatch_info", "DispatchEventInfo", "frame_system::DispatchEventInfo"),),
        ),
        Variant(
            1,
            "ExtrinsicFailed",
            (
                ("dispatch_error", "DispatchError", "sp_runtime::DispatchError"),
                ("dispatch_info", "DispatchEventInfo", "frame_system::DispatchEventInfo"),
            ),
        ),
        Variant(2, "CodeUpdated"),
        Variant(3, "NewAccount", (("account", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(4, "KilledAccount", (("account", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(
            5,
            "Remarked",
            (
                ("sender", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("hash", "T::Hash", "primitive_types::H256"),
            ),
        ),
        Variant(
            6,
            "UpgradeAuthorized",
            (("code_hash", "T::Hash", "primitive_types::H256"), ("check_version", "bool", "bool")),
        ),
        Variant(
            7,
            "RejectedInvalidAuthorizedUpgrade",
            (
                ("code_hash", "T::Hash", "primitive_types::H256"),
                ("error", "DispatchError", "sp_runtime::DispatchError"),
            ),
        ),
    ),
    errors=_errors(
        "InvalidSpecName",
        "SpecVersionNeedsToIncrease",
        "FailedToExtractRuntimeVersion",
        "NonDefaultComposite",
        "NonZeroRefCount",
        "CallFiltered",
        "MultiBlockMigrationsOngoing",
        "NothingAuthorized",
        "Unauthorized",
    ),
    storage=(
        Storage(
            "Account",
            "frame_system::AccountInfo",
            key="sp_core::crypto::AccountId32",
            hashers=("Blake2_128Concat",),
            default=bytes.fromhex(
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000080"
            ),
        ),
        Storage(
            "BlockHash",
            "primitive_types::H256",
            key="u32",
            hashers=("Twox64Concat",),
            default=bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000000"),
        ),
        Storage("Number", "u32", default=bytes.fromhex("00000000")),
        Storage(
            "ParentHash",
            "primitive_types::H256",
            default=bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000000"),
        ),
        Storage("Digest", "sp_runtime::generic::digest::Digest", default=bytes.fromhex("00")),
        Storage("Events", "Vec<frame_system::EventRecord>", default=bytes.fromhex("00")),
        Storage("EventCount", "u32", default=bytes.fromhex("00000000")),
    ),
)

TIMESTAMP = Pallet(
    "Timestamp",
    2,
    "pallet_timestamp::pallet",
    calls=(Variant(0, "set", (("now", "T::Moment", "Compact<u64>"),)),),
    storage=(Storage("Now", "u64", default=bytes.fromhex("0000000000000000")),),
)

BALANCES = Pallet(
    "Balances",
    5,
    "pallet_balances::pallet",
    calls=(
        Variant(
            0,
            "transfer_allow_death",
            (
                ("dest", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("value", "T::Balance", "Compact<u64>"),
            ),
        ),
        Variant(
            2,
            "force_transfer",
            (
                ("source", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("dest", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("value", "T::Balance", "Compact<u64>"),
            ),
        ),
        Variant(
            3,
            "transfer_keep_alive",
            (
                ("dest", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("value", "T::Balance", "Compact<u64>"),
            ),
        ),
        Variant(
            4,
            "transfer_all",
            (
                ("dest", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("keep_alive", "bool", "bool"),
            ),
        ),
        Variant(
            5,
            "force_unreserve",
            (
                ("who", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("amount", "T::Balance", "u64"),
            ),
        ),
        Variant(6, "upgrade_accounts", (("who", "Vec<T::AccountId>", "Vec<sp_core::crypto::AccountId32>"),)),
        Variant(
            8,
            "force_set_balance",
            (
                ("who", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("new_free", "T::Balance", "Compact<u64>"),
            ),
        ),
        Variant(
            9,
            "force_adjust_total_issuance",
            (
                ("direction", "AdjustmentDirection", "pallet_balances::types::AdjustmentDirection"),
                ("delta", "T::Balance", "Compact<u64>"),
            ),
        ),
        Variant(10, "burn", (("value", "T::Balance", "Compact<u64>"), ("keep_alive", "bool", "bool"))),
    ),
    events=(
        Variant(
            0,
            "Endowed",
            (
                ("account", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("free_balance", "T::Balance", "u64"),
            ),
        ),
        Variant(
            1,
            "DustLost",
            (("account", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            2,
            "Transfer",
            (
                ("from", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("to", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("amount", "T::Balance", "u64"),
            ),
        ),
        Variant(
            3,
            "BalanceSet",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("free", "T::Balance", "u64")),
        ),
        Variant(
            4,
            "Reserved",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            5,
            "Unreserved",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            6,
            "ReserveRepatriated",
            (
                ("from", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("to", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("amount", "T::Balance", "u64"),
                ("destination_status", "Status", "frame_support::traits::tokens::misc::BalanceStatus"),
            ),
        ),
        Variant(
            7,
            "Deposit",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            8,
            "Withdraw",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            9,
            "Slashed",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            10,
            "Minted",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            11,
            "Burned",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            12,
            "Suspended",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            13,
            "Restored",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(14, "Upgraded", (("who", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(15, "Issued", (("amount", "T::Balance", "u64"),)),
        Variant(16, "Rescinded", (("amount", "T::Balance", "u64"),)),
        Variant(
            17,
            "Locked",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            18,
            "Unlocked",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            19,
            "Frozen",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(
            20,
            "Thawed",
            (("who", "T::AccountId", "sp_core::crypto::AccountId32"), ("amount", "T::Balance", "u64")),
        ),
        Variant(21, "TotalIssuanceForced", (("old", "T::Balance", "u64"), ("new", "T::Balance", "u64"))),
    ),
    errors=_errors(
        "VestingBalance",
        "LiquidityRestrictions",
        "InsufficientBalance",
        "ExistentialDeposit",
        "Expendability",
        "ExistingVestingSchedule",
        "DeadAccount",
        "TooManyReserves",
        "TooManyHolds",
        "TooManyFreezes",
        "IssuanceDeactivated",
        "DeltaZero",
    ),
    storage=(Storage("TotalIssuance", "u64", default=bytes.fromhex("0000000000000000")),),
)

SUBTENSOR_MODULE = Pallet(
    "SubtensorModule",
    7,
    "pallet_subtensor::pallet",
    calls=(
        Variant(
            0,
            "set_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("dests", "Vec<u16>", "Vec<u16>"),
                ("weights", "Vec<u16>", "Vec<u16>"),
                ("version_key", "u64", "u64"),
            ),
        ),
        Variant(
            119,
            "set_mechanism_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("mecid", "MechId", "u8"),
                ("dests", "Vec<u16>", "Vec<u16>"),
                ("weights", "Vec<u16>", "Vec<u16>"),
                ("version_key", "u64", "u64"),
            ),
        ),
        Variant(
            80,
            "batch_set_weights",
            (
                ("netuids", "Vec<Compact<NetUid>>", "Vec<Compact<u16>>"),
                (
                    "weights",
                    "Vec<Vec<(Compact<u16>, Compact<u16>)>>",
                    "Vec<Vec<(Compact<u16>, Compact<u16>)>>",
                ),
                ("version_keys", "Vec<Compact<u64>>", "Vec<Compact<u64>>"),
            ),
        ),
        Variant(
            96,
            "commit_weights",
            (("netuid", "NetUid", "u16"), ("commit_hash", "H256", "primitive_types::H256")),
        ),
        Variant(
            115,
            "commit_mechanism_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("mecid", "MechId", "u8"),
                ("commit_hash", "H256", "primitive_types::H256"),
            ),
        ),
        Variant(
            100,
            "batch_commit_weights",
            (
                ("netuids", "Vec<Compact<NetUid>>", "Vec<Compact<u16>>"),
                ("commit_hashes", "Vec<H256>", "Vec<primitive_types::H256>"),
            ),
        ),
        Variant(
            97,
            "reveal_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("uids", "Vec<u16>", "Vec<u16>"),
                ("values", "Vec<u16>", "Vec<u16>"),
                ("salt", "Vec<u16>", "Vec<u16>"),
                ("version_key", "u64", "u64"),
            ),
        ),
        Variant(
            116,
            "reveal_mechanism_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("mecid", "MechId", "u8"),
                ("uids", "Vec<u16>", "Vec<u16>"),
                ("values", "Vec<u16>", "Vec<u16>"),
                ("salt", "Vec<u16>", "Vec<u16>"),
                ("version_key", "u64", "u64"),
            ),
        ),
        Variant(
            117,
            "commit_crv3_mechanism_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("mecid", "MechId", "u8"),
                ("commit", "BoundedVec<u8, ConstU32<MAX_CRV3_COMMIT_SIZE_BYTES>>", "BoundedVec<u8>"),
                ("reveal_round", "u64", "u64"),
            ),
        ),
        Variant(
            98,
            "batch_reveal_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("uids_list", "Vec<Vec<u16>>", "Vec<Vec<u16>>"),
                ("values_list", "Vec<Vec<u16>>", "Vec<Vec<u16>>"),
                ("salts_list", "Vec<Vec<u16>>", "Vec<Vec<u16>>"),
                ("version_keys", "Vec<u64>", "Vec<u64>"),
            ),
        ),
        Variant(
            65,
            "decrease_take",
            (("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"), ("take", "u16", "u16")),
        ),
        Variant(
            66,
            "increase_take",
            (("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"), ("take", "u16", "u16")),
        ),
        Variant(
            2,
            "add_stake",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("amount_staked", "TaoCurrency", "u64"),
            ),
        ),
        Variant(
            3,
            "remove_stake",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("amount_unstaked", "AlphaCurrency", "u64"),
            ),
        ),
        Variant(
            4,
            "serve_axon",
            (
                ("netuid", "NetUid", "u16"),
                ("version", "u32", "u32"),
                ("ip", "u128", "u128"),
                ("port", "u16", "u16"),
                ("ip_type", "u8", "u8"),
                ("protocol", "u8", "u8"),
                ("placeholder1", "u8", "u8"),
                ("placeholder2", "u8", "u8"),
            ),
        ),
        Variant(
            40,
            "serve_axon_tls",
            (
                ("netuid", "NetUid", "u16"),
                ("version", "u32", "u32"),
                ("ip", "u128", "u128"),
                ("port", "u16", "u16"),
                ("ip_type", "u8", "u8"),
                ("protocol", "u8", "u8"),
                ("placeholder1", "u8", "u8"),
                ("placeholder2", "u8", "u8"),
                ("certificate", "Vec<u8>", "Vec<u8>"),
            ),
        ),
        Variant(
            5,
            "serve_prometheus",
            (
                ("netuid", "NetUid", "u16"),
                ("version", "u32", "u32"),
                ("ip", "u128", "u128"),
                ("port", "u16", "u16"),
                ("ip_type", "u8", "u8"),
            ),
        ),
        Variant(
            6,
            "register",
            (
                ("netuid", "NetUid", "u16"),
                ("block_number", "u64", "u64"),
                ("nonce", "u64", "u64"),
                ("work", "Vec<u8>", "Vec<u8>"),
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(62, "root_register", (("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(
            7,
            "burned_register",
            (("netuid", "NetUid", "u16"), ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(
            70,
            "swap_hotkey",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("new_hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "Option<NetUid>", "Option<u16>"),
            ),
        ),
        Variant(
            71,
            "swap_coldkey",
            (
                ("old_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("new_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("swap_cost", "TaoCurrency", "u64"),
            ),
        ),
        Variant(
            75,
            "set_childkey_take",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("take", "u16", "u16"),
            ),
        ),
        Variant(69, "sudo_set_tx_childkey_take_rate_limit", (("tx_rate_limit", "u64", "u64"),)),
        Variant(76, "sudo_set_min_childkey_take", (("take", "u16", "u16"),)),
        Variant(77, "sudo_set_max_childkey_take", (("take", "u16", "u16"),)),
        Variant(59, "register_network", (("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(
            60,
            "faucet",
            (("block_number", "u64", "u64"), ("nonce", "u64", "u64"), ("work", "Vec<u8>", "Vec<u8>")),
        ),
        Variant(
            61,
            "dissolve_network",
            (("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"), ("netuid", "NetUid", "u16")),
        ),
        Variant(
            67,
            "set_children",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("children", "Vec<(u64, T::AccountId)>", "Vec<(u64, sp_core::crypto::AccountId32)>"),
            ),
        ),
        Variant(
            73, "schedule_swap_coldkey", (("new_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),)
        ),
        Variant(
            68,
            "set_identity",
            (
                ("name", "Vec<u8>", "Vec<u8>"),
                ("url", "Vec<u8>", "Vec<u8>"),
                ("github_repo", "Vec<u8>", "Vec<u8>"),
                ("image", "Vec<u8>", "Vec<u8>"),
                ("discord", "Vec<u8>", "Vec<u8>"),
                ("description", "Vec<u8>", "Vec<u8>"),
                ("additional", "Vec<u8>", "Vec<u8>"),
            ),
        ),
        Variant(
            78,
            "set_subnet_identity",
            (
                ("netuid", "NetUid", "u16"),
                ("subnet_name", "Vec<u8>", "Vec<u8>"),
                ("github_repo", "Vec<u8>", "Vec<u8>"),
                ("subnet_contact", "Vec<u8>", "Vec<u8>"),
                ("subnet_url", "Vec<u8>", "Vec<u8>"),
                ("discord", "Vec<u8>", "Vec<u8>"),
                ("description", "Vec<u8>", "Vec<u8>"),
                ("logo_url", "Vec<u8>", "Vec<u8>"),
                ("additional", "Vec<u8>", "Vec<u8>"),
            ),
        ),
        Variant(
            79,
            "register_network_with_identity",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                (
                    "identity",
                    "Option<SubnetIdentityOfV3>",
                    "Option<pallet_subtensor::pallet::SubnetIdentityV3>",
                ),
            ),
        ),
        Variant(83, "unstake_all", (("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(84, "unstake_all_alpha", (("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(
            85,
            "move_stake",
            (
                ("origin_hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("destination_hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("origin_netuid", "NetUid", "u16"),
                ("destination_netuid", "NetUid", "u16"),
                ("alpha_amount", "AlphaCurrency", "u64"),
            ),
        ),
        Variant(
            86,
            "transfer_stake",
            (
                ("destination_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("origin_netuid", "NetUid", "u16"),
                ("destination_netuid", "NetUid", "u16"),
                ("alpha_amount", "AlphaCurrency", "u64"),
            ),
        ),
        Variant(
            87,
            "swap_stake",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("origin_netuid", "NetUid", "u16"),
                ("destination_netuid", "NetUid", "u16"),
                ("alpha_amount", "AlphaCurrency", "u64"),
            ),
        ),
        Variant(
            88,
            "add_stake_limit",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("amount_staked", "TaoCurrency", "u64"),
                ("limit_price", "TaoCurrency", "u64"),
                ("allow_partial", "bool", "bool"),
            ),
        ),
        Variant(
            89,
            "remove_stake_limit",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("amount_unstaked", "AlphaCurrency", "u64"),
                ("limit_price", "TaoCurrency", "u64"),
                ("allow_partial", "bool", "bool"),
            ),
        ),
        Variant(
            90,
            "swap_stake_limit",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("origin_netuid", "NetUid", "u16"),
                ("destination_netuid", "NetUid", "u16"),
                ("alpha_amount", "AlphaCurrency", "u64"),
                ("limit_price", "TaoCurrency", "u64"),
                ("allow_partial", "bool", "bool"),
            ),
        ),
        Variant(91, "try_associate_hotkey", (("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(92, "start_call", (("netuid", "NetUid", "u16"),)),
        Variant(
            93,
            "associate_evm_key",
            (
                ("netuid", "NetUid", "u16"),
                ("evm_key", "H160", "primitive_types::H160"),
                ("block_number", "u64", "u64"),
                ("signature", "Signature", "[u8; 65]"),
            ),
        ),
        Variant(
            101,
            "recycle_alpha",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("amount", "AlphaCurrency", "u64"),
                ("netuid", "NetUid", "u16"),
            ),
        ),
        Variant(
            102,
            "burn_alpha",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("amount", "AlphaCurrency", "u64"),
                ("netuid", "NetUid", "u16"),
            ),
        ),
        Variant(109, "set_pending_childkey_cooldown", (("cooldown", "u64", "u64"),)),
        Variant(
            103,
            "remove_stake_full_limit",
            (
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("limit_price", "Option<TaoCurrency>", "Option<u64>"),
            ),
        ),
        Variant(
            110,
            "register_leased_network",
            (
                ("emissions_share", "Percent", "sp_arithmetic::per_things::Percent"),
                ("end_block", "Option<BlockNumberFor<T>>", "Option<u32>"),
            ),
        ),
        Variant(
            111,
            "terminate_lease",
            (("lease_id", "LeaseId", "u32"), ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(112, "update_symbol", (("netuid", "NetUid", "u16"), ("symbol", "Vec<u8>", "Vec<u8>"))),
        Variant(
            113,
            "commit_timelocked_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("commit", "BoundedVec<u8, ConstU32<MAX_CRV3_COMMIT_SIZE_BYTES>>", "BoundedVec<u8>"),
                ("reveal_round", "u64", "u64"),
                ("commit_reveal_version", "u16", "u16"),
            ),
        ),
        Variant(
            114,
            "set_coldkey_auto_stake_hotkey",
            (("netuid", "NetUid", "u16"), ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(
            118,
            "commit_timelocked_mechanism_weights",
            (
                ("netuid", "NetUid", "u16"),
                ("mecid", "MechId", "u8"),
                ("commit", "BoundedVec<u8, ConstU32<MAX_CRV3_COMMIT_SIZE_BYTES>>", "BoundedVec<u8>"),
                ("reveal_round", "u64", "u64"),
                ("commit_reveal_version", "u16", "u16"),
            ),
        ),
        Variant(120, "root_dissolve_network", (("netuid", "NetUid", "u16"),)),
        Variant(121, "claim_root", (("subnets", "BTreeSet<NetUid>", "BTreeSet"),)),
        Variant(
            122,
            "set_root_claim_type",
            (("new_root_claim_type", "RootClaimTypeEnum", "pallet_subtensor::pallet::RootClaimTypeEnum"),),
        ),
        Variant(123, "sudo_set_num_root_claims", (("new_value", "u64", "u64"),)),
        Variant(
            124, "sudo_set_root_claim_threshold", (("netuid", "NetUid", "u16"), ("new_value", "u64", "u64"))
        ),
    ),
    events=(
        Variant(0, "NetworkAdded", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(1, "NetworkRemoved", ((None, "NetUid", "u16"),)),
        Variant(
            2,
            "StakeAdded",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "TaoCurrency", "u64"),
                (None, "AlphaCurrency", "u64"),
                (None, "NetUid", "u16"),
                (None, "u64", "u64"),
            ),
        ),
        Variant(
            3,
            "StakeRemoved",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "TaoCurrency", "u64"),
                (None, "AlphaCurrency", "u64"),
                (None, "NetUid", "u16"),
                (None, "u64", "u64"),
            ),
        ),
        Variant(
            4,
            "StakeMoved",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUid", "u16"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUid", "u16"),
                (None, "TaoCurrency", "u64"),
            ),
        ),
        Variant(5, "WeightsSet", ((None, "NetUidStorageIndex", "u16"), (None, "u16", "u16"))),
        Variant(
            6,
            "NeuronRegistered",
            (
                (None, "NetUid", "u16"),
                (None, "u16", "u16"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(7, "BulkNeuronsRegistered", ((None, "u16", "u16"), (None, "u16", "u16"))),
        Variant(8, "BulkBalancesSet", ((None, "u16", "u16"), (None, "u16", "u16"))),
        Variant(9, "MaxAllowedUidsSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(10, "MaxWeightLimitSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(11, "DifficultySet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(12, "AdjustmentIntervalSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(13, "RegistrationPerIntervalSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(14, "MaxRegistrationsPerBlockSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(15, "ActivityCutoffSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(16, "RhoSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(17, "AlphaSigmoidSteepnessSet", ((None, "NetUid", "u16"), (None, "i16", "i16"))),
        Variant(18, "KappaSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(19, "MinAllowedWeightSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(20, "ValidatorPruneLenSet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(21, "ScalingLawPowerSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(22, "WeightsSetRateLimitSet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(23, "ImmunityPeriodSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(24, "BondsMovingAverageSet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(25, "BondsPenaltySet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(26, "BondsResetOnSet", ((None, "NetUid", "u16"), (None, "bool", "bool"))),
        Variant(27, "MaxAllowedValidatorsSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(
            28,
            "AxonServed",
            ((None, "NetUid", "u16"), (None, "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(
            29,
            "PrometheusServed",
            ((None, "NetUid", "u16"), (None, "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(
            30,
            "DelegateAdded",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "u16", "u16"),
            ),
        ),
        Variant(31, "DefaultTakeSet", ((None, "u16", "u16"),)),
        Variant(32, "WeightsVersionKeySet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(33, "MinDifficultySet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(34, "MaxDifficultySet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(35, "ServingRateLimitSet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(36, "BurnSet", ((None, "NetUid", "u16"), (None, "TaoCurrency", "u64"))),
        Variant(37, "MaxBurnSet", ((None, "NetUid", "u16"), (None, "TaoCurrency", "u64"))),
        Variant(38, "MinBurnSet", ((None, "NetUid", "u16"), (None, "TaoCurrency", "u64"))),
        Variant(39, "TxRateLimitSet", ((None, "u64", "u64"),)),
        Variant(40, "TxDelegateTakeRateLimitSet", ((None, "u64", "u64"),)),
        Variant(41, "TxChildKeyTakeRateLimitSet", ((None, "u64", "u64"),)),
        Variant(42, "AdminFreezeWindowSet", ((None, "u16", "u16"),)),
        Variant(43, "OwnerHyperparamRateLimitSet", ((None, "u16", "u16"),)),
        Variant(44, "MinChildKeyTakeSet", ((None, "u16", "u16"),)),
        Variant(45, "MaxChildKeyTakeSet", ((None, "u16", "u16"),)),
        Variant(
            46,
            "ChildKeyTakeSet",
            ((None, "T::AccountId", "sp_core::crypto::AccountId32"), (None, "u16", "u16")),
        ),
        Variant(47, "Sudid", ((None, "DispatchResult", "Result<(), sp_runtime::DispatchError>"),)),
        Variant(48, "RegistrationAllowed", ((None, "NetUid", "u16"), (None, "bool", "bool"))),
        Variant(49, "PowRegistrationAllowed", ((None, "NetUid", "u16"), (None, "bool", "bool"))),
        Variant(50, "TempoSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(51, "RAORecycledForRegistrationSet", ((None, "NetUid", "u16"), (None, "TaoCurrency", "u64"))),
        Variant(52, "StakeThresholdSet", ((None, "u64", "u64"),)),
        Variant(53, "AdjustmentAlphaSet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(54, "Faucet", ((None, "T::AccountId", "sp_core::crypto::AccountId32"), (None, "u64", "u64"))),
        Variant(55, "SubnetOwnerCutSet", ((None, "u16", "u16"),)),
        Variant(56, "NetworkRateLimitSet", ((None, "u64", "u64"),)),
        Variant(57, "NetworkImmunityPeriodSet", ((None, "u64", "u64"),)),
        Variant(58, "NetworkMinLockCostSet", ((None, "TaoCurrency", "u64"),)),
        Variant(59, "SubnetLimitSet", ((None, "u16", "u16"),)),
        Variant(60, "NetworkLockCostReductionIntervalSet", ((None, "u64", "u64"),)),
        Variant(
            61,
            "TakeDecreased",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "u16", "u16"),
            ),
        ),
        Variant(
            62,
            "TakeIncreased",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "u16", "u16"),
            ),
        ),
        Variant(
            63,
            "HotkeySwapped",
            (
                ("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("old_hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("new_hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(64, "MaxDelegateTakeSet", ((None, "u16", "u16"),)),
        Variant(65, "MinDelegateTakeSet", ((None, "u16", "u16"),)),
        Variant(
            66,
            "ColdkeySwapped",
            (
                ("old_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("new_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("swap_cost", "TaoCurrency", "u64"),
            ),
        ),
        Variant(
            67,
            "AllBalanceUnstakedAndTransferredToNewColdkey",
            (
                ("current_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("new_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                (
                    "total_balance",
                    "<<T as Config>::Currency as fungible::Inspect<<T as frame_system::\nConfig>::AccountId,>>::Balance",
                    "u64",
                ),
            ),
        ),
        Variant(
            68,
            "ColdkeySwapScheduled",
            (
                ("old_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("new_coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("execution_block", "BlockNumberFor<T>", "u32"),
                ("swap_cost", "TaoCurrency", "u64"),
            ),
        ),
        Variant(
            69, "ArbitrationPeriodExtended", (("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),)
        ),
        Variant(
            70,
            "SetChildrenScheduled",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUid", "u16"),
                (None, "u64", "u64"),
                (None, "Vec<(u64, T::AccountId)>", "Vec<(u64, sp_core::crypto::AccountId32)>"),
            ),
        ),
        Variant(
            71,
            "SetChildren",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUid", "u16"),
                (None, "Vec<(u64, T::AccountId)>", "Vec<(u64, sp_core::crypto::AccountId32)>"),
            ),
        ),
        Variant(72, "ChainIdentitySet", ((None, "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(73, "SubnetIdentitySet", ((None, "NetUid", "u16"),)),
        Variant(74, "SubnetIdentityRemoved", ((None, "NetUid", "u16"),)),
        Variant(
            75,
            "DissolveNetworkScheduled",
            (
                ("account", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("execution_block", "BlockNumberFor<T>", "u32"),
            ),
        ),
        Variant(76, "ColdkeySwapScheduleDurationSet", ((None, "BlockNumberFor<T>", "u32"),)),
        Variant(77, "DissolveNetworkScheduleDurationSet", ((None, "BlockNumberFor<T>", "u32"),)),
        Variant(
            78,
            "CRV3WeightsCommitted",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUidStorageIndex", "u16"),
                (None, "H256", "primitive_types::H256"),
            ),
        ),
        Variant(
            79,
            "WeightsCommitted",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUidStorageIndex", "u16"),
                (None, "H256", "primitive_types::H256"),
            ),
        ),
        Variant(
            80,
            "WeightsRevealed",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUidStorageIndex", "u16"),
                (None, "H256", "primitive_types::H256"),
            ),
        ),
        Variant(
            81,
            "WeightsBatchRevealed",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUid", "u16"),
                (None, "Vec<H256>", "Vec<primitive_types::H256>"),
            ),
        ),
        Variant(
            82,
            "BatchWeightsCompleted",
            (
                (None, "Vec<Compact<NetUid>>", "Vec<Compact<u16>>"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(83, "BatchCompletedWithErrors"),
        Variant(
            84, "BatchWeightItemFailed", ((None, "sp_runtime::DispatchError", "sp_runtime::DispatchError"),)
        ),
        Variant(
            85,
            "StakeTransferred",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUid", "u16"),
                (None, "NetUid", "u16"),
                (None, "TaoCurrency", "u64"),
            ),
        ),
        Variant(
            86,
            "StakeSwapped",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUid", "u16"),
                (None, "NetUid", "u16"),
                (None, "TaoCurrency", "u64"),
            ),
        ),
        Variant(87, "TransferToggle", ((None, "NetUid", "u16"), (None, "bool", "bool"))),
        Variant(
            88,
            "SubnetOwnerHotkeySet",
            ((None, "NetUid", "u16"), (None, "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(89, "FirstEmissionBlockNumberSet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(
            90,
            "AlphaRecycled",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "AlphaCurrency", "u64"),
                (None, "NetUid", "u16"),
            ),
        ),
        Variant(
            91,
            "AlphaBurned",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "AlphaCurrency", "u64"),
                (None, "NetUid", "u16"),
            ),
        ),
        Variant(
            92,
            "EvmKeyAssociated",
            (
                ("netuid", "NetUid", "u16"),
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("evm_key", "H160", "primitive_types::H160"),
                ("block_associated", "u64", "u64"),
            ),
        ),
        Variant(
            93,
            "CRV3WeightsRevealed",
            ((None, "NetUid", "u16"), (None, "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(94, "CommitRevealPeriodsSet", ((None, "NetUid", "u16"), (None, "u64", "u64"))),
        Variant(95, "CommitRevealEnabled", ((None, "NetUid", "u16"), (None, "bool", "bool"))),
        Variant(
            96,
            "HotkeySwappedOnSubnet",
            (
                ("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("old_hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("new_hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
            ),
        ),
        Variant(
            97,
            "SubnetLeaseCreated",
            (
                ("beneficiary", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("lease_id", "LeaseId", "u32"),
                ("netuid", "NetUid", "u16"),
                ("end_block", "Option<BlockNumberFor<T>>", "Option<u32>"),
            ),
        ),
        Variant(
            98,
            "SubnetLeaseTerminated",
            (("beneficiary", "T::AccountId", "sp_core::crypto::AccountId32"), ("netuid", "NetUid", "u16")),
        ),
        Variant(99, "SymbolUpdated", (("netuid", "NetUid", "u16"), ("symbol", "Vec<u8>", "Vec<u8>"))),
        Variant(100, "CommitRevealVersionSet", ((None, "u16", "u16"),)),
        Variant(
            101,
            "TimelockedWeightsCommitted",
            (
                (None, "T::AccountId", "sp_core::crypto::AccountId32"),
                (None, "NetUidStorageIndex", "u16"),
                (None, "H256", "primitive_types::H256"),
                (None, "u64", "u64"),
            ),
        ),
        Variant(
            102,
            "TimelockedWeightsRevealed",
            ((None, "NetUidStorageIndex", "u16"), (None, "T::AccountId", "sp_core::crypto::AccountId32")),
        ),
        Variant(
            103,
            "AutoStakeAdded",
            (
                ("netuid", "NetUid", "u16"),
                ("destination", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("owner", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("incentive", "AlphaCurrency", "u64"),
            ),
        ),
        Variant(
            104,
            "IncentiveAlphaEmittedToMiners",
            (("netuid", "NetUidStorageIndex", "u16"), ("emissions", "Vec<AlphaCurrency>", "Vec<u64>")),
        ),
        Variant(105, "MinAllowedUidsSet", ((None, "NetUid", "u16"), (None, "u16", "u16"))),
        Variant(
            106,
            "AutoStakeDestinationSet",
            (
                ("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("netuid", "NetUid", "u16"),
                ("hotkey", "T::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(107, "RootClaimed", (("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),)),
        Variant(
            108,
            "RootClaimTypeSet",
            (
                ("coldkey", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("root_claim_type", "RootClaimTypeEnum", "pallet_subtensor::pallet::RootClaimTypeEnum"),
            ),
        ),
    ),
    errors=_errors(
        "RootNetworkDoesNotExist",
        "InvalidIpType",
        "InvalidIpAddress",
        "InvalidPort",
        "HotKeyNotRegisteredInSubNet",
        "HotKeyAccountNotExists",
        "HotKeyNotRegisteredInNetwork",
        "NonAssociatedColdKey",
        "NotEnoughStake",
        "NotEnoughStakeToWithdraw",
        "NotEnoughStakeToSetWeights",
        "NotEnoughStakeToSetChildkeys",
        "NotEnoughBalanceToStake",
        "BalanceWithdrawalError",
        "ZeroBalanceAfterWithdrawn",
        "NeuronNoValidatorPermit",
        "WeightVecNotEqualSize",
        "DuplicateUids",
        "UidVecContainInvalidOne",
        "WeightVecLengthIsLow",
        "TooManyRegistrationsThisBlock",
        "HotKeyAlreadyRegisteredInSubNet",
        "NewHotKeyIsSameWithOld",
        "InvalidWorkBlock",
        "InvalidDifficulty",
        "InvalidSeal",
        "MaxWeightExceeded",
        "HotKeyAlreadyDelegate",
        "SettingWeightsTooFast",
        "IncorrectWeightVersionKey",
        "ServingRateLimitExceeded",
        "UidsLengthExceedUidsInSubNet",
        "NetworkTxRateLimitExceeded",
        "DelegateTxRateLimitExceeded",
        "HotKeySetTxRateLimitExceeded",
        "StakingRateLimitExceeded",
        "SubNetRegistrationDisabled",
        "TooManyRegistrationsThisInterval",
        "TransactorAccountShouldBeHotKey",
        "FaucetDisabled",
        "NotSubnetOwner",
        "RegistrationNotPermittedOnRootSubnet",
        "StakeTooLowForRoot",
        "AllNetworksInImmunity",
        "NotEnoughBalanceToPaySwapHotKey",
        "NotRootSubnet",
        "CanNotSetRootNetworkWeights",
        "NoNeuronIdAvailable",
        "DelegateTakeTooLow",
        "DelegateTakeTooHigh",
        "NoWeightsCommitFound",
        "InvalidRevealCommitHashNotMatch",
        "CommitRevealEnabled",
        "CommitRevealDisabled",
        "LiquidAlphaDisabled",
        "AlphaHighTooLow",
        "AlphaLowOutOfRange",
        "ColdKeyAlreadyAssociated",
        "NotEnoughBalanceToPaySwapColdKey",
        "ColdkeyIsInArbitration",
        "InvalidChild",
        "DuplicateChild",
        "ProportionOverflow",
        "TooManyChildren",
        "TxRateLimitExceeded",
        "SwapAlreadyScheduled",
        "FailedToSchedule",
        "NewColdKeyIsHotkey",
        "InvalidChildkeyTake",
        "TxChildkeyTakeRateLimitExceeded",
        "InvalidIdentity",
        "MechanismDoesNotExist",
        "CannotUnstakeLock",
        "SubnetNotExists",
        "TooManyUnrevealedCommits",
        "ExpiredWeightCommit",
        "RevealTooEarly",
        "InputLengthsUnequal",
        "CommittingWeightsTooFast",
        "AmountTooLow",
        "InsufficientLiquidity",
        "SlippageTooHigh",
        "TransferDisallowed",
        "ActivityCutoffTooLow",
        "CallDisabled",
        "FirstEmissionBlockNumberAlreadySet",
        "NeedWaitingMoreBlocksToStarCall",
        "NotEnoughAlphaOutToRecycle",
        "CannotBurnOrRecycleOnRootSubnet",
        "UnableToRecoverPublicKey",
        "InvalidRecoveredPublicKey",
        "SubtokenDisabled",
        "HotKeySwapOnSubnetIntervalNotPassed",
        "ZeroMaxStakeAmount",
        "SameNetuid",
        "InsufficientBalance",
        "StakingOperationRateLimitExceeded",
        "InvalidLeaseBeneficiary",
        "LeaseCannotEndInThePast",
        "LeaseNetuidNotFound",
        "LeaseDoesNotExist",
        "LeaseHasNoEndBlock",
        "LeaseHasNotEnded",
        "Overflow",
        "BeneficiaryDoesNotOwnHotkey",
        "ExpectedBeneficiaryOrigin",
        "AdminActionProhibitedDuringWeightsWindow",
        "SymbolDoesNotExist",
        "SymbolAlreadyInUse",
        "IncorrectCommitRevealVersion",
        "RevealPeriodTooLarge",
        "RevealPeriodTooSmall",
        "InvalidValue",
        "SubnetLimitReached",
        "CannotAffordLockCost",
        "EvmKeyAssociateRateLimitExceeded",
        "SameAutoStakeHotkeyAlreadySet",
        "UidMapCouldNotBeCleared",
        "TrimmingWouldExceedMaxImmunePercentage",
        "ChildParentInconsistency",
        "InvalidNumRootClaim",
        "InvalidRootClaimThreshold",
        "InvalidSubnetNumber",
    ),
    storage=(
        Storage("ColdkeySwapScheduleDuration", "u32", default=bytes.fromhex("a08c0000")),
        Storage("DissolveNetworkScheduleDuration", "u32", default=bytes.fromhex("a08c0000")),
        Storage(
            "Owner",
            "sp_core::crypto::AccountId32",
            key="sp_core::crypto::AccountId32",
            hashers=("Blake2_128Concat",),
            default=bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000000"),
        ),
        Storage("TotalStake", "u64", default=bytes.fromhex("0000000000000000")),
        Storage(
            "ColdkeySwapScheduled",
            "(u32, sp_core::crypto::AccountId32)",
            key="sp_core::crypto::AccountId32",
            hashers=("Blake2_128Concat",),
            default=bytes.fromhex("000000000000000000000000000000000000000000000000000000000000000000000000"),
        ),
        Storage(
            "TotalHotkeyAlpha",
            "u64",
            key="(sp_core::crypto::AccountId32, u16)",
            hashers=("Blake2_128Concat", "Identity"),
            default=bytes.fromhex("0000000000000000"),
        ),
        Storage(
            "MaxRegistrationsPerBlock", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("0100")
        ),
        Storage("TotalNetworks", "u16", default=bytes.fromhex("0000")),
        Storage("TransferToggle", "bool", key="u16", hashers=("Identity",), default=bytes.fromhex("01")),
        Storage("Tempo", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("6801")),
        Storage("SubnetMechanism", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("0000")),
        Storage("SubnetworkN", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("0000")),
        Storage("NetworksAdded", "bool", key="u16", hashers=("Identity",), default=bytes.fromhex("00")),
        Storage(
            "NetworkRegistrationAllowed",
            "bool",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("01"),
        ),
        Storage(
            "NetworkPowRegistrationAllowed",
            "bool",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("01"),
        ),
        Storage(
            "NetworkRegisteredAt",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("0000000000000000"),
        ),
        Storage(
            "SubnetOwner",
            "sp_core::crypto::AccountId32",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000000"),
        ),
        Storage(
            "SubnetOwnerHotkey",
            "sp_core::crypto::AccountId32",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000000"),
        ),
        Storage(
            "ServingRateLimit",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("3200000000000000"),
        ),
        Storage("Rho", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("0a00")),
        Storage(
            "AlphaSigmoidSteepness", "i16", key="u16", hashers=("Identity",), default=bytes.fromhex("e803")
        ),
        Storage("Kappa", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("ff7f")),
        Storage("MaxAllowedUids", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("0010")),
        Storage("ImmunityPeriod", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("0010")),
        Storage("ActivityCutoff", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("8813")),
        Storage("MaxWeightsLimit", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("ffff")),
        Storage(
            "WeightsVersionKey",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("0000000000000000"),
        ),
        Storage("MinAllowedWeights", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("0004")),
        Storage(
            "MaxAllowedValidators", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("8000")
        ),
        Storage("AdjustmentInterval", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("6400")),
        Storage(
            "BondsMovingAverage",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("a0bb0d0000000000"),
        ),
        Storage("BondsPenalty", "u16", key="u16", hashers=("Identity",), default=bytes.fromhex("ffff")),
        Storage("BondsResetOn", "bool", key="u16", hashers=("Identity",), default=bytes.fromhex("00")),
        Storage(
            "WeightsSetRateLimit",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("6400000000000000"),
        ),
        Storage(
            "TargetRegistrationsPerInterval",
            "u16",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("0200"),
        ),
        Storage(
            "AdjustmentAlpha",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("0000000000000000"),
        ),
        Storage(
            "CommitRevealWeightsEnabled",
            "bool",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("01"),
        ),
        Storage("Burn", "u64", key="u16", hashers=("Identity",), default=bytes.fromhex("00e1f50500000000")),
        Storage(
            "Difficulty", "u64", key="u16", hashers=("Identity",), default=bytes.fromhex("8096980000000000")
        ),
        Storage(
            "MinBurn", "u64", key="u16", hashers=("Identity",), default=bytes.fromhex("20a1070000000000")
        ),
        Storage(
            "MaxBurn", "u64", key="u16", hashers=("Identity",), default=bytes.fromhex("00e8764817000000")
        ),
        Storage(
            "MinDifficulty",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("8096980000000000"),
        ),
        Storage(
            "MaxDifficulty",
            "u64",
            key="u16",
            hashers=("Identity",),
            default=bytes.fromhex("ffffffffffffff3f"),
        ),
        Storage(
            "LiquidAlphaOn", "bool", key="u16", hashers=("Blake2_128Concat",), default=bytes.fromhex("00")
        ),
        Storage("Yuma3On", "bool", key="u16", hashers=("Blake2_128Concat",), default=bytes.fromhex("00")),
        Storage(
            "AlphaValues", "(u16, u16)", key="u16", hashers=("Identity",), default=bytes.fromhex("33b366e6")
        ),
        Storage("SubtokenEnabled", "bool", key="u16", hashers=("Identity",), default=bytes.fromhex("00")),
        Storage(
            "Uids",
            "u16",
            key="(u16, sp_core::crypto::AccountId32)",
            hashers=("Identity", "Blake2_128Concat"),
            modifier="Optional",
            default=bytes.fromhex("00"),
        ),
        Storage(
            "Keys",
            "sp_core::crypto::AccountId32",
            key="(u16, u16)",
            hashers=("Identity", "Identity"),
            default=bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000000"),
        ),
        Storage(
            "Weights",
            "Vec<(u16, u16)>",
            key="(u16, u16)",
            hashers=("Identity", "Identity"),
            default=bytes.fromhex("00"),
        ),
        Storage(
            "Bonds",
            "Vec<(u16, u16)>",
            key="(u16, u16)",
            hashers=("Identity", "Identity"),
            default=bytes.fromhex("00"),
        ),
        Storage(
            "RevealPeriodEpochs",
            "u64",
            key="u16",
            hashers=("Twox64Concat",),
            default=bytes.fromhex("0100000000000000"),
        ),
        Storage(
            "TokenSymbol", "Vec<u8>", key="u16", hashers=("Identity",), default=bytes.fromhex("10f09d9c8f")
        ),
    ),
)

UTILITY = Pallet(
    "Utility",
    11,
    "pallet_subtensor_utility::pallet",
    calls=(
        Variant(0, "batch", (("calls", "Vec<<T as Config>::RuntimeCall>", "Vec<RuntimeCall>"),)),
        Variant(
            1,
            "as_derivative",
            (("index", "u16", "u16"), ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall")),
        ),
        Variant(2, "batch_all", (("calls", "Vec<<T as Config>::RuntimeCall>", "Vec<RuntimeCall>"),)),
        Variant(
            3,
            "dispatch_as",
            (
                ("as_origin", "Box<T::PalletsOrigin>", "node_subtensor_runtime::OriginCaller"),
                ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
            ),
        ),
        Variant(4, "force_batch", (("calls", "Vec<<T as Config>::RuntimeCall>", "Vec<RuntimeCall>"),)),
        Variant(
            5,
            "with_weight",
            (
                ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
                ("weight", "Weight", "sp_weights::weight_v2::Weight"),
            ),
        ),
        Variant(
            6,
            "if_else",
            (
                ("main", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
                ("fallback", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
            ),
        ),
        Variant(
            7,
            "dispatch_as_fallible",
            (
                ("as_origin", "Box<T::PalletsOrigin>", "node_subtensor_runtime::OriginCaller"),
                ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
            ),
        ),
    ),
    events=(
        Variant(
            0,
            "BatchInterrupted",
            (("index", "u32", "u32"), ("error", "DispatchError", "sp_runtime::DispatchError")),
        ),
        Variant(1, "BatchCompleted"),
        Variant(2, "BatchCompletedWithErrors"),
        Variant(3, "ItemCompleted"),
        Variant(4, "ItemFailed", (("error", "DispatchError", "sp_runtime::DispatchError"),)),
        Variant(5, "DispatchedAs", (("result", "DispatchResult", "Result<(), sp_runtime::DispatchError>"),)),
        Variant(6, "IfElseMainSuccess"),
        Variant(7, "IfElseFallbackCalled", (("main_error", "DispatchError", "sp_runtime::DispatchError"),)),
    ),
    errors=_errors(
        "TooManyCalls",
        "InvalidDerivedAccount",
    ),
)

SUDO = Pallet(
    "Sudo",
    12,
    "pallet_sudo::pallet",
    calls=(
        Variant(0, "sudo", (("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),)),
        Variant(
            1,
            "sudo_unchecked_weight",
            (
                ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
                ("weight", "Weight", "sp_weights::weight_v2::Weight"),
            ),
        ),
        Variant(2, "set_key", (("new", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),)),
        Variant(
            3,
            "sudo_as",
            (
                ("who", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
            ),
        ),
        Variant(4, "remove_key"),
    ),
    events=(
        Variant(0, "Sudid", (("sudo_result", "DispatchResult", "Result<(), sp_runtime::DispatchError>"),)),
        Variant(
            1,
            "KeyChanged",
            (
                ("old", "Option<T::AccountId>", "Option<sp_core::crypto::AccountId32>"),
                ("new", "T::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(2, "KeyRemoved"),
        Variant(
            3, "SudoAsDone", (("sudo_result", "DispatchResult", "Result<(), sp_runtime::DispatchError>"),)
        ),
    ),
    errors=_errors(
        "RequireSudo",
    ),
    storage=(
        Storage("Key", "sp_core::crypto::AccountId32", modifier="Optional", default=bytes.fromhex("00")),
    ),
)

PROXY = Pallet(
    "Proxy",
    16,
    "pallet_subtensor_proxy::pallet",
    calls=(
        Variant(
            0,
            "proxy",
            (
                ("real", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("force_proxy_type", "Option<T::ProxyType>", "Option<subtensor_runtime_common::ProxyType>"),
                ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
            ),
        ),
        Variant(
            1,
            "add_proxy",
            (
                ("delegate", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("delay", "BlockNumberFor<T>", "u32"),
            ),
        ),
        Variant(
            2,
            "remove_proxy",
            (
                ("delegate", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("delay", "BlockNumberFor<T>", "u32"),
            ),
        ),
        Variant(3, "remove_proxies"),
        Variant(
            4,
            "create_pure",
            (
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("delay", "BlockNumberFor<T>", "u32"),
                ("index", "u16", "u16"),
            ),
        ),
        Variant(
            5,
            "kill_pure",
            (
                ("spawner", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("index", "u16", "u16"),
                ("height", "BlockNumberFor<T>", "Compact<u32>"),
                ("ext_index", "u32", "Compact<u32>"),
            ),
        ),
        Variant(
            6,
            "announce",
            (
                ("real", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("call_hash", "CallHashOf<T>", "primitive_types::H256"),
            ),
        ),
        Variant(
            7,
            "remove_announcement",
            (
                ("real", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("call_hash", "CallHashOf<T>", "primitive_types::H256"),
            ),
        ),
        Variant(
            8,
            "reject_announcement",
            (
                ("delegate", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("call_hash", "CallHashOf<T>", "primitive_types::H256"),
            ),
        ),
        Variant(
            9,
            "proxy_announced",
            (
                ("delegate", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("real", "AccountIdLookupOf<T>", "sp_runtime::multiaddress::MultiAddress"),
                ("force_proxy_type", "Option<T::ProxyType>", "Option<subtensor_runtime_common::ProxyType>"),
                ("call", "Box<<T as Config>::RuntimeCall>", "RuntimeCall"),
            ),
        ),
        Variant(10, "poke_deposit"),
    ),
    events=(
        Variant(0, "ProxyExecuted", (("result", "DispatchResult", "Result<(), sp_runtime::DispatchError>"),)),
        Variant(
            1,
            "PureCreated",
            (
                ("pure", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("who", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("disambiguation_index", "u16", "u16"),
            ),
        ),
        Variant(
            2,
            "PureKilled",
            (
                ("pure", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("spawner", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("disambiguation_index", "u16", "u16"),
            ),
        ),
        Variant(
            3,
            "Announced",
            (
                ("real", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("proxy", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("call_hash", "CallHashOf<T>", "primitive_types::H256"),
            ),
        ),
        Variant(
            4,
            "ProxyAdded",
            (
                ("delegator", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("delegatee", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("delay", "BlockNumberFor<T>", "u32"),
            ),
        ),
        Variant(
            5,
            "ProxyRemoved",
            (
                ("delegator", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("delegatee", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("proxy_type", "T::ProxyType", "subtensor_runtime_common::ProxyType"),
                ("delay", "BlockNumberFor<T>", "u32"),
            ),
        ),
        Variant(
            6,
            "DepositPoked",
            (
                ("who", "T::AccountId", "sp_core::crypto::AccountId32"),
                ("kind", "DepositKind", "pallet_subtensor_proxy::DepositKind"),
                ("old_deposit", "BalanceOf<T>", "u64"),
                ("new_deposit", "BalanceOf<T>", "u64"),
            ),
        ),
    ),
    errors=_errors(
        "TooMany",
        "NotFound",
        "NotProxy",
        "Unproxyable",
        "Duplicate",
        "NoPermission",
        "Unannounced",
        "NoSelfProxy",
        "AnnouncementDepositInvariantViolated",
        "InvalidDerivedAccountId",
    ),
    storage=(
        Storage(
            "Proxies",
            "(BoundedVec<pallet_subtensor_proxy::ProxyDefinition>, u64)",
            key="sp_core::crypto::AccountId32",
            hashers=("Twox64Concat",),
            default=bytes.fromhex("000000000000000000"),
        ),
    ),
)

ADMIN_UTILS = Pallet(
    "AdminUtils",
    19,
    "pallet_admin_utils::pallet",
    calls=(
        Variant(
            0,
            "swap_authorities",
            (
                (
                    "new_authorities",
                    "BoundedVec<<T as Config>::AuthorityId, T::MaxAuthorities>",
                    "BoundedVec<sp_consensus_aura::sr25519::app_sr25519::Public>",
                ),
            ),
        ),
        Variant(1, "sudo_set_default_take", (("default_take", "u16", "u16"),)),
        Variant(2, "sudo_set_tx_rate_limit", (("tx_rate_limit", "u64", "u64"),)),
        Variant(
            3,
            "sudo_set_serving_rate_limit",
            (("netuid", "NetUid", "u16"), ("serving_rate_limit", "u64", "u64")),
        ),
        Variant(
            4, "sudo_set_min_difficulty", (("netuid", "NetUid", "u16"), ("min_difficulty", "u64", "u64"))
        ),
        Variant(
            5, "sudo_set_max_difficulty", (("netuid", "NetUid", "u16"), ("max_difficulty", "u64", "u64"))
        ),
        Variant(
            6,
            "sudo_set_weights_version_key",
            (("netuid", "NetUid", "u16"), ("weights_version_key", "u64", "u64")),
        ),
        Variant(
            7,
            "sudo_set_weights_set_rate_limit",
            (("netuid", "NetUid", "u16"), ("weights_set_rate_limit", "u64", "u64")),
        ),
        Variant(
            8,
            "sudo_set_adjustment_interval",
            (("netuid", "NetUid", "u16"), ("adjustment_interval", "u16", "u16")),
        ),
        Variant(
            9, "sudo_set_adjustment_alpha", (("netuid", "NetUid", "u16"), ("adjustment_alpha", "u64", "u64"))
        ),
        Variant(
            13, "sudo_set_immunity_period", (("netuid", "NetUid", "u16"), ("immunity_period", "u16", "u16"))
        ),
        Variant(
            14,
            "sudo_set_min_allowed_weights",
            (("netuid", "NetUid", "u16"), ("min_allowed_weights", "u16", "u16")),
        ),
        Variant(
            15, "sudo_set_max_allowed_uids", (("netuid", "NetUid", "u16"), ("max_allowed_uids", "u16", "u16"))
        ),
        Variant(16, "sudo_set_kappa", (("netuid", "NetUid", "u16"), ("kappa", "u16", "u16"))),
        Variant(17, "sudo_set_rho", (("netuid", "NetUid", "u16"), ("rho", "u16", "u16"))),
        Variant(
            18, "sudo_set_activity_cutoff", (("netuid", "NetUid", "u16"), ("activity_cutoff", "u16", "u16"))
        ),
        Variant(
            19,
            "sudo_set_network_registration_allowed",
            (("netuid", "NetUid", "u16"), ("registration_allowed", "bool", "bool")),
        ),
        Variant(
            20,
            "sudo_set_network_pow_registration_allowed",
            (("netuid", "NetUid", "u16"), ("registration_allowed", "bool", "bool")),
        ),
        Variant(
            21,
            "sudo_set_target_registrations_per_interval",
            (("netuid", "NetUid", "u16"), ("target_registrations_per_interval", "u16", "u16")),
        ),
        Variant(22, "sudo_set_min_burn", (("netuid", "NetUid", "u16"), ("min_burn", "TaoCurrency", "u64"))),
        Variant(23, "sudo_set_max_burn", (("netuid", "NetUid", "u16"), ("max_burn", "TaoCurrency", "u64"))),
        Variant(24, "sudo_set_difficulty", (("netuid", "NetUid", "u16"), ("difficulty", "u64", "u64"))),
        Variant(
            25,
            "sudo_set_max_allowed_validators",
            (("netuid", "NetUid", "u16"), ("max_allowed_validators", "u16", "u16")),
        ),
        Variant(
            26,
            "sudo_set_bonds_moving_average",
            (("netuid", "NetUid", "u16"), ("bonds_moving_average", "u64", "u64")),
        ),
        Variant(60, "sudo_set_bonds_penalty", (("netuid", "NetUid", "u16"), ("bonds_penalty", "u16", "u16"))),
        Variant(
            27,
            "sudo_set_max_registrations_per_block",
            (("netuid", "NetUid", "u16"), ("max_registrations_per_block", "u16", "u16")),
        ),
        Variant(28, "sudo_set_subnet_owner_cut", (("subnet_owner_cut", "u16", "u16"),)),
        Variant(29, "sudo_set_network_rate_limit", (("rate_limit", "u64", "u64"),)),
        Variant(30, "sudo_set_tempo", (("netuid", "NetUid", "u16"), ("tempo", "u16", "u16"))),
        Variant(33, "sudo_set_total_issuance", (("total_issuance", "TaoCurrency", "u64"),)),
        Variant(35, "sudo_set_network_immunity_period", (("immunity_period", "u64", "u64"),)),
        Variant(36, "sudo_set_network_min_lock_cost", (("lock_cost", "TaoCurrency", "u64"),)),
        Variant(37, "sudo_set_subnet_limit", (("max_subnets", "u16", "u16"),)),
        Variant(38, "sudo_set_lock_reduction_interval", (("interval", "u64", "u64"),)),
        Variant(
            39, "sudo_set_rao_recycled", (("netuid", "NetUid", "u16"), ("rao_recycled", "TaoCurrency", "u64"))
        ),
        Variant(42, "sudo_set_stake_threshold", (("min_stake", "u64", "u64"),)),
        Variant(43, "sudo_set_nominator_min_required_stake", (("min_stake", "u64", "u64"),)),
        Variant(45, "sudo_set_tx_delegate_take_rate_limit", (("tx_rate_limit", "u64", "u64"),)),
        Variant(46, "sudo_set_min_delegate_take", (("take", "u16", "u16"),)),
        Variant(
            49,
            "sudo_set_commit_reveal_weights_enabled",
            (("netuid", "NetUid", "u16"), ("enabled", "bool", "bool")),
        ),
        Variant(
            50, "sudo_set_liquid_alpha_enabled", (("netuid", "NetUid", "u16"), ("enabled", "bool", "bool"))
        ),
        Variant(
            51,
            "sudo_set_alpha_values",
            (("netuid", "NetUid", "u16"), ("alpha_low", "u16", "u16"), ("alpha_high", "u16", "u16")),
        ),
        Variant(54, "sudo_set_coldkey_swap_schedule_duration", (("duration", "BlockNumberFor<T>", "u32"),)),
        Variant(
            55, "sudo_set_dissolve_network_schedule_duration", (("duration", "BlockNumberFor<T>", "u32"),)
        ),
        Variant(
            57,
            "sudo_set_commit_reveal_weights_interval",
            (("netuid", "NetUid", "u16"), ("interval", "u64", "u64")),
        ),
        Variant(58, "sudo_set_evm_chain_id", (("chain_id", "u64", "u64"),)),
        Variant(
            59,
            "schedule_grandpa_change",
            (
                ("next_authorities", "AuthorityList", "Vec<(sp_consensus_grandpa::app::Public, u64)>"),
                ("in_blocks", "BlockNumberFor<T>", "u32"),
                ("forced", "Option<BlockNumberFor<T>>", "Option<u32>"),
            ),
        ),
        Variant(61, "sudo_set_toggle_transfer", (("netuid", "NetUid", "u16"), ("toggle", "bool", "bool"))),
        Variant(
            80,
            "sudo_set_recycle_or_burn",
            (
                ("netuid", "NetUid", "u16"),
                (
                    "recycle_or_burn",
                    "pallet_subtensor::RecycleOrBurnEnum",
                    "pallet_subtensor::pallet::RecycleOrBurnEnum",
                ),
            ),
        ),
        Variant(
            62,
            "sudo_toggle_evm_precompile",
            (
                ("precompile_id", "PrecompileEnum", "pallet_admin_utils::pallet::PrecompileEnum"),
                ("enabled", "bool", "bool"),
            ),
        ),
        Variant(63, "sudo_set_subnet_moving_alpha", (("alpha", "I96F32", "substrate_fixed::FixedI128"),)),
        Variant(
            64,
            "sudo_set_subnet_owner_hotkey",
            (
                ("netuid", "NetUid", "u16"),
                ("hotkey", "<T as frame_system::Config>::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(
            65,
            "sudo_set_ema_price_halving_period",
            (("netuid", "NetUid", "u16"), ("ema_halving", "u64", "u64")),
        ),
        Variant(
            68, "sudo_set_alpha_sigmoid_steepness", (("netuid", "NetUid", "u16"), ("steepness", "i16", "i16"))
        ),
        Variant(69, "sudo_set_yuma3_enabled", (("netuid", "NetUid", "u16"), ("enabled", "bool", "bool"))),
        Variant(
            70, "sudo_set_bonds_reset_enabled", (("netuid", "NetUid", "u16"), ("enabled", "bool", "bool"))
        ),
        Variant(
            67,
            "sudo_set_sn_owner_hotkey",
            (
                ("netuid", "NetUid", "u16"),
                ("hotkey", "<T as frame_system::Config>::AccountId", "sp_core::crypto::AccountId32"),
            ),
        ),
        Variant(
            66,
            "sudo_set_subtoken_enabled",
            (("netuid", "NetUid", "u16"), ("subtoken_enabled", "bool", "bool")),
        ),
        Variant(71, "sudo_set_commit_reveal_version", (("version", "u16", "u16"),)),
        Variant(
            72,
            "sudo_set_owner_immune_neuron_limit",
            (("netuid", "NetUid", "u16"), ("immune_neurons", "u16", "u16")),
        ),
        Variant(73, "sudo_set_ck_burn", (("burn", "u64", "u64"),)),
        Variant(74, "sudo_set_admin_freeze_window", (("window", "u16", "u16"),)),
        Variant(75, "sudo_set_owner_hparam_rate_limit", (("epochs", "u16", "u16"),)),
        Variant(
            76, "sudo_set_mechanism_count", (("netuid", "NetUid", "u16"), ("mechanism_count", "MechId", "u8"))
        ),
        Variant(
            77,
            "sudo_set_mechanism_emission_split",
            (("netuid", "NetUid", "u16"), ("maybe_split", "Option<Vec<u16>>", "Option<Vec<u16>>")),
        ),
        Variant(78, "sudo_trim_to_max_allowed_uids", (("netuid", "NetUid", "u16"), ("max_n", "u16", "u16"))),
        Variant(
            79, "sudo_set_min_allowed_uids", (("netuid", "NetUid", "u16"), ("min_allowed_uids", "u16", "u16"))
        ),
        Variant(
            81,
            "sudo_set_tao_flow_cutoff",
            (
                (
                    "flow_cutoff",
                    "I64F64",
                    "substrate_fixed::FixedI128<substrate_typenum::uint::UInt<substrate_typenum::uint::UInt, substrate_typenum::bit::B0>>",
                ),
            ),
        ),
        Variant(
            82,
            "sudo_set_tao_flow_normalization_exponent",
            (("exponent", "U64F64", "substrate_fixed::FixedU128"),),
        ),
        Variant(83, "sudo_set_tao_flow_smoothing_factor", (("smoothing_factor", "u64", "u64"),)),
    ),
    events=(
        Variant(
            0,
            "PrecompileUpdated",
            (
                ("precompile_id", "PrecompileEnum", "pallet_admin_utils::pallet::PrecompileEnum"),
                ("enabled", "bool", "bool"),
            ),
        ),
        Variant(1, "Yuma3EnableToggled", (("netuid", "NetUid", "u16"), ("enabled", "bool", "bool"))),
        Variant(2, "BondsResetToggled", (("netuid", "NetUid", "u16"), ("enabled", "bool", "bool"))),
    ),
    errors=_errors(
        "SubnetDoesNotExist",
        "MaxValidatorsLargerThanMaxUIds",
        "MaxAllowedUIdsLessThanCurrentUIds",
        "BondsMovingAverageMaxReached",
        "NegativeSigmoidSteepness",
        "ValueNotInBounds",
        "MinAllowedUidsGreaterThanCurrentUids",
        "MinAllowedUidsGreaterThanMaxAllowedUids",
        "MaxAllowedUidsLessThanMinAllowedUids",
        "MaxAllowedUidsGreaterThanDefaultMaxAllowedUids",
        "InvalidValue",
    ),
)

PALLETS: tuple[Pallet, ...] = (
    SYSTEM,
    TIMESTAMP,
    BALANCES,
    SUBTENSOR_MODULE,
    UTILITY,
    SUDO,
    PROXY,
    ADMIN_UTILS,
)

APIS: tuple[Api, ...] = (
    Api("Core", (ApiMethod("version", (), "sp_version::RuntimeVersion"),)),
    Api(
        "Metadata",
        (
            ApiMethod("metadata", (), "sp_core::OpaqueMetadata"),
            ApiMethod("metadata_at_version", (("version", "u32"),), "Option<sp_core::OpaqueMetadata>"),
            ApiMethod("metadata_versions", (), "Vec<u32>"),
        ),
    ),
    Api(
        "NeuronInfoRuntimeApi",
        (
            ApiMethod(
                "get_neurons_lite",
                (("netuid", "u16"),),
                "Vec<pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite>",
            ),
            ApiMethod(
                "get_neuron_lite",
                (("netuid", "u16"), ("uid", "u16")),
                "Option<pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite>",
            ),
        ),
    ),
    Api(
        "SubnetInfoRuntimeApi",
        (
            ApiMethod(
                "get_subnet_hyperparams",
                (("netuid", "u16"),),
                "Option<pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams>",
            ),
            ApiMethod(
                "get_subnet_hyperparams_v2",
                (("netuid", "u16"),),
                "Option<pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2>",
            ),
            ApiMethod(
                "get_metagraph",
                (("netuid", "u16"),),
                "Option<pallet_subtensor::rpc_info::metagraph::Metagraph>",
            ),
            ApiMethod(
                "get_selective_metagraph",
                (("netuid", "u16"), ("metagraph_indexes", "Vec<u16>")),
                "Option<pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph>",
            ),
        ),
    ),
)

# typeName of a pallet's variant in RuntimeEvent/RuntimeError where it is not ``{crate}::{Kind}<Runtime>``
# (the runtime names the subtensor forks of utility/proxy after the upstream crates; utility's
# Event is not generic).
OUTER_ENUM_TYPE_NAMES: dict[tuple[str, str], str] = {
    ("Utility", "Event"): "pallet_utility::Event",
    ("Utility", "Error"): "pallet_utility::Error<Runtime>",
    ("Proxy", "Event"): "pallet_proxy::Event<Runtime>",
    ("Proxy", "Error"): "pallet_proxy::Error<Runtime>",
}

ADDRESS = "sp_runtime::multiaddress::MultiAddress"
SIGNATURE = "sp_runtime::MultiSignature"
SIGNED_EXTENSIONS: tuple[tuple[str, str, str], ...] = (
    ("CheckNonZeroSender", "frame_system::extensions::check_non_zero_sender::CheckNonZeroSender", "()"),
    ("CheckSpecVersion", "frame_system::extensions::check_spec_version::CheckSpecVersion", "u32"),
    ("CheckTxVersion", "frame_system::extensions::check_tx_version::CheckTxVersion", "u32"),
    ("CheckGenesis", "frame_system::extensions::check_genesis::CheckGenesis", "primitive_types::H256"),
    ("CheckMortality", "frame_system::extensions::check_mortality::CheckMortality", "primitive_types::H256"),
    ("CheckNonce", "node_subtensor_runtime::check_nonce::CheckNonce", "()"),
    ("CheckWeight", "frame_system::extensions::check_weight::CheckWeight", "()"),
    ("ChargeTransactionPayment", "pallet_transaction_payment::ChargeTransactionPayment", "()"),
    (
        "SubtensorTransactionExtension",
        "pallet_subtensor::transaction_extension::SubtensorTransactionExtension",
        "()",
    ),
    ("DrandPriority", "pallet_drand::drand_priority::DrandPriority", "()"),
    ("CheckMetadataHash", "frame_metadata_hash_extension::CheckMetadataHash", "Option<[u8; 32]>"),
)

# The runtime's transaction-extension tuple (the extrinsic's ``extra_ty``): the signed extensions'
# types in order, except that ChargeTransactionPayment is wrapped.
TX_EXTENSION: tuple[str, ...] = tuple(
    "node_subtensor_runtime::transaction_payment_wrapper::ChargeTransactionPaymentWrapper"
    if ident == "ChargeTransactionPayment"
    else ty
    for ident, ty, _ in SIGNED_EXTENSIONS
)
