"""The hyperparameter table: units, formatting, setter decoding and runtime-API mapping."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinel_core import hyperparams as hp
from sentinel_core.hyperparams import TABLE, Unit

V2_FIELDS = (
    "rho kappa immunity_period min_allowed_weights max_weights_limit tempo min_difficulty "
    "max_difficulty weights_version weights_rate_limit adjustment_interval activity_cutoff "
    "registration_allowed target_regs_per_interval min_burn max_burn bonds_moving_avg "
    "max_regs_per_block serving_rate_limit max_validators adjustment_alpha difficulty "
    "commit_reveal_period commit_reveal_weights_enabled alpha_high alpha_low liquid_alpha_enabled "
    "alpha_sigmoid_steepness yuma_version subnet_is_active transfers_enabled bonds_reset_enabled "
    "user_liquidity_enabled"
).split()


def test_table_covers_every_v2_field_under_its_own_name():
    for field in V2_FIELDS:
        assert TABLE[field].v2_field == field


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("kappa", Unit.u16_fraction),
        ("max_weights_limit", Unit.u16_fraction),
        ("alpha_high", Unit.u16_fraction),
        ("alpha_low", Unit.u16_fraction),
        ("rho", Unit.count),
        ("adjustment_alpha", Unit.u64_fraction),
        ("bonds_moving_avg", Unit.per_million),
        ("min_burn", Unit.rao),
        ("max_burn", Unit.rao),
        ("tempo", Unit.blocks),
        ("immunity_period", Unit.blocks),
        ("activity_cutoff", Unit.blocks),
        ("weights_rate_limit", Unit.blocks),
        ("adjustment_interval", Unit.blocks),
        ("serving_rate_limit", Unit.blocks),
        ("burn_half_life", Unit.blocks),
        ("alpha_sigmoid_steepness", Unit.i32f32),
        ("yuma3_enabled", Unit.flag),
        ("registration_allowed", Unit.flag),
        ("mechanism_count", Unit.count),
    ],
)
def test_units(name, unit):
    assert hp.spec(name).unit is unit


def test_unknown_name_has_unknown_unit():
    assert hp.spec("frobnication") is None
    assert hp.unit_label("frobnication") == "unknown"
    assert hp.normalize("frobnication", 7) == 7
    assert hp.format_value("frobnication", {"a": 1}) == "{'a': 1}"


def test_unit_labels():
    assert hp.unit_label("kappa") == "u16 fraction"
    assert hp.unit_label("min_burn") == "TAO"
    assert hp.unit_label("tempo") == "blocks"


def test_storage_and_event_names():
    assert (TABLE["tempo"].storage, TABLE["tempo"].event) == ("Tempo", "TempoSet")
    assert TABLE["weights_rate_limit"].storage == "WeightsSetRateLimit"
    assert TABLE["commit_reveal_period"].storage == "RevealPeriodEpochs"
    assert (TABLE["yuma3_enabled"].event_pallet, TABLE["yuma3_enabled"].event) == (
        "AdminUtils",
        "Yuma3EnableToggled",
    )


def test_alpha_sigmoid_steepness_is_i32f32_not_u16_fraction():
    assert hp.normalize("alpha_sigmoid_steepness", {"bits": 1000 * 2**32}) == 1000.0
    assert hp.normalize("alpha_sigmoid_steepness", -5 * 2**32) == -5.0
    assert hp.normalize("alpha_sigmoid_steepness", 2**64 - 2**31) == -0.5  # bits read as unsigned
    assert hp.format_value("alpha_sigmoid_steepness", {"bits": 1000 * 2**32}) == "1000"
    assert hp.format_value("alpha_sigmoid_steepness", -(2**31)) == "-0.5"


def test_burn_half_life_is_a_block_count():
    assert hp.normalize("burn_half_life", 360) == 360
    assert hp.format_value("burn_half_life", 360) == "360 blocks (1h 12m)"


def test_fractions_and_tao():
    assert hp.normalize("kappa", 32767) == pytest.approx(0.5, abs=1e-4)
    assert hp.format_value("kappa", 32767) == "0.5000"
    assert hp.format_value("kappa", 65535) == "1.0000"
    assert hp.normalize("bonds_moving_avg", 900_000) == 0.9
    assert hp.normalize("adjustment_alpha", 2**64 - 1) == 1.0
    assert hp.normalize("min_burn", 500_000_000) == 0.5
    assert hp.format_value("min_burn", 500_000_000) == "τ0.500000000"
    assert hp.format_value("max_burn", 100_000_000_000_123_456_789) == "τ100000000000.123456789"
    assert hp.normalize("burn_increase_mult", {"bits": 3 * 2**63}) == 1.5


def test_blocks_flags_counts():
    assert hp.format_value("tempo", 360) == "360 blocks (1h 12m)"
    assert hp.format_value("tempo", 1) == "1 block (12s)"
    assert hp.format_value("tempo", 0) == "0 blocks (0s)"
    assert hp.format_value("immunity_period", 7200) == "7200 blocks (1d)"
    assert hp.format_value("registration_allowed", True) == "yes"
    assert hp.format_value("registration_allowed", 0) == "no"
    assert hp.normalize("registration_allowed", {"Bool": False}) is False
    assert hp.format_value("max_validators", 64) == "64"
    assert hp.format_value("tempo", None) == "unset"


def test_wall_clock():
    assert hp.wall_clock(100) == "20m"
    assert hp.wall_clock(4032) == "13h 26m"
    assert hp.wall_clock(7) == "1m 24s"
    assert hp.wall_clock(50_400) == "7d"


def test_values_that_do_not_fit_the_unit_are_shown_raw():
    assert hp.normalize("tempo", "abc") == "abc"
    assert hp.normalize("tempo", True) is True  # a bool is not a block count
    assert hp.format_value("kappa", [1, 2]) == "[1, 2]"
    assert hp.normalize("registration_allowed", 7) == 7
    assert hp.normalize("tempo", "360") == 360  # big integers may be stored as decimal text


@pytest.mark.parametrize(
    ("name", "old", "new", "text"),
    [
        ("tempo", 360, 100, "tempo 360 -> 100 blocks (1h 12m -> 20m)"),
        ("immunity_period", 4032, 100, "immunity_period 4032 -> 100 blocks (13h 26m -> 20m)"),
        ("tempo", None, 100, "tempo unset -> 100 blocks (20m)"),
        ("kappa", 32767, 16384, "kappa 0.5000 -> 0.2500"),
        ("kappa", None, 16384, "kappa unset -> 0.2500"),
        ("min_burn", 500_000_000, 10**9, "min_burn τ0.500000000 -> τ1.000000000"),
        ("registration_allowed", True, False, "registration_allowed yes -> no"),
        ("alpha_sigmoid_steepness", {"bits": 1000 * 2**32}, -5 * 2**32, "alpha_sigmoid_steepness 1000 -> -5"),
        ("max_validators", 64, 128, "max_validators 64 -> 128"),
        ("frobnication", 1, 2, "frobnication 1 -> 2"),
        ("kappa", 32767, 32768, "kappa 0.5000 -> 0.5000 (raw 32767 -> 32768)"),
    ],
)
def test_format_change(name, old, new, text):
    assert hp.format_change(name, old, new) == text


def test_relative_change():
    assert hp.relative_change("immunity_period", 4032, 100) == pytest.approx(3932 / 4032)
    assert hp.relative_change("kappa", 32767, 16384) == pytest.approx(0.5, abs=1e-4)
    assert hp.relative_change("tempo", 0, 100) is None
    assert hp.relative_change("tempo", None, 100) is None
    assert hp.relative_change("registration_allowed", True, False) is None
    assert hp.relative_change("subnet_owner_hotkey", "5Fa", "5Gb") is None


def test_by_setter():
    assert {s.name for s in hp.by_setter("sudo_set_alpha_values")} == {"alpha_low", "alpha_high"}
    assert [s.name for s in hp.by_setter("AdminUtils.sudo_set_tempo")] == ["tempo"]
    assert [s.name for s in hp.by_setter("sudo_set_sn_owner_hotkey")] == ["subnet_owner_hotkey"]
    assert hp.by_setter("sudo_set_frobnication") == []


def test_setter_changes_known():
    assert hp.setter_changes("sudo_set_tempo", {"netuid": 7, "tempo": 100}) == [(7, "tempo", 100, True)]
    assert hp.setter_changes(
        "AdminUtils.sudo_set_weights_set_rate_limit", {"netuid": 1, "weights_set_rate_limit": 50}
    ) == [(1, "weights_rate_limit", 50, True)]


def test_setter_changes_alpha_values_gives_two_entries():
    args = {"netuid": 3, "alpha_low": 45875, "alpha_high": 58982}
    changes = hp.setter_changes("sudo_set_alpha_values", args)
    assert sorted(changes) == [(3, "alpha_high", 58982, True), (3, "alpha_low", 45875, True)]


def test_setter_changes_steepness_becomes_bits_like_the_runtime_api():
    [(netuid, name, raw, known)] = hp.setter_changes(
        "sudo_set_alpha_sigmoid_steepness", {"netuid": 2, "steepness": -300}
    )
    assert (netuid, name, known) == (2, "alpha_sigmoid_steepness", True)
    assert hp.normalize(name, raw) == -300.0


def test_setter_changes_unknown_setter():
    assert hp.setter_changes("sudo_set_frobnication_level", {"netuid": 9, "level": 5}) == [
        (9, "frobnication_level", 5, False)
    ]
    assert hp.setter_changes("sudo_set_frob_pair", {"netuid": 9, "a": 1, "b": 2}) == [
        (9, "frob_pair", {"a": 1, "b": 2}, False)
    ]


def test_setter_changes_global_setters_have_no_netuid():
    changes = hp.setter_changes("sudo_set_tx_rate_limit", {"tx_rate_limit": 1})
    assert changes == [(None, "tx_rate_limit", 1, True)]
    assert hp.setter_changes("sudo_set_ck_burn", {"burn": 5}) == [(None, "ck_burn", 5, False)]


def test_setter_changes_ignores_other_calls():
    assert hp.setter_changes("swap_authorities", {"new_authorities": []}) == []
    assert hp.setter_changes("sudo_trim_to_max_allowed_uids", {"netuid": 1, "max_n": 64}) == []
    assert hp.setter_changes("SubtensorModule.sudo_set_tempo", {"netuid": 1, "tempo": 1}) == []


def test_setter_changes_renamed_argument_falls_back_to_the_single_value():
    assert hp.setter_changes("sudo_set_tempo", {"netuid": 1, "new_tempo": 99}) == [(1, "tempo", 99, True)]


def test_from_v2():
    decoded = {
        "rho": 10,
        "kappa": 32767,
        "tempo": 360,
        "min_burn": 500_000_000,
        "registration_allowed": True,
        "alpha_sigmoid_steepness": {"bits": 1000 * 2**32},
        "yuma_version": 2,
    }
    raw = hp.from_v2(decoded)
    assert raw == {**decoded, "alpha_sigmoid_steepness": 1000 * 2**32}
    assert hp.format_value("tempo", raw["tempo"]) == "360 blocks (1h 12m)"
    assert hp.from_v2(None) == {}


def test_from_v3():
    items = [
        {"name": "kappa", "value": {"U16": 32767}},
        {"name": b"min_burn", "value": {"TaoBalance": 500_000_000}},
        {"name": list(b"registration_allowed"), "value": {"Bool": True}},
        {"name": "0x" + b"alpha_sigmoid_steepness".hex(), "value": {"I32F32": {"bits": -5 * 2**32}}},
        {"name": "burn_increase_mult", "value": {"U64F64": {"bits": 3 * 2**63}}},
        {"name": "brand_new_param", "value": {"U64": 42}},
        "garbage",
    ]
    raw = hp.from_v3(items)
    assert raw == {
        "kappa": 32767,
        "min_burn": 500_000_000,
        "registration_allowed": True,
        "alpha_sigmoid_steepness": -5 * 2**32,
        "burn_increase_mult": 3 * 2**63,
        "brand_new_param": 42,
    }
    assert hp.normalize("alpha_sigmoid_steepness", raw["alpha_sigmoid_steepness"]) == -5.0
    assert hp.normalize("burn_increase_mult", raw["burn_increase_mult"]) == 1.5


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
names = st.sampled_from([*TABLE, "frobnication"])


@given(names, json_like, json_like)
def test_never_raises_on_garbage(name, old, new):
    hp.normalize(name, old)
    assert isinstance(hp.format_value(name, old), str)
    assert isinstance(hp.format_change(name, old, new), str)
    change = hp.relative_change(name, old, new)
    assert change is None or (change >= 0 and math.isfinite(change))


@given(names, st.integers(min_value=0, max_value=2**64 - 1))
def test_normalize_is_numeric_for_numeric_units(name, raw):
    value = hp.normalize(name, raw)
    unit = hp.spec(name).unit if hp.spec(name) else Unit.unknown
    if unit in (Unit.raw, Unit.unknown):
        assert value == raw
    elif unit is Unit.flag:
        assert value == (raw if raw > 1 else bool(raw))
    else:
        assert isinstance(value, (int, float)) and not isinstance(value, bool)


@given(json_like)
def test_from_runtime_api_never_raises(items):
    assert isinstance(hp.from_v2(items), dict)
    assert isinstance(hp.from_v3(items), dict)
