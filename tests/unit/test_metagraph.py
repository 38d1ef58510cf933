"""Metagraph core: epoch boundaries, diffs, APY, snapshot storage; the devnet's neuron state."""

from __future__ import annotations

import math
import time

import pytest

from sentinel_core import metagraph as mg
from sentinel_core.devnet.metadata import DevRuntime
from sentinel_core.devnet.neurons import NeuronState, _account
from sentinel_core.devnet.neurons import epoch_runs_at as devnet_epoch_runs_at
from sentinel_core.ingest.snapshots import plan_points
from sentinel_core.store import Store
from sentinel_core.units import RAO_PER_TAO

RUNTIME = DevRuntime()


# -- epoch boundaries ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tempo, netuid, first", [(1, 0, 0), (1, 1, 1), (2, 0, 1), (2, 1, 0), (100, 0, 99), (100, 1, 98)]
)
def test_first_epoch_block_as_in_subtensor_table(tempo, netuid, first):
    # The table in subtensor's blocks_until_next_epoch doc comment.
    assert mg.epoch_boundaries(0, 1000, [(0, tempo)], netuid)[0] == first
    assert devnet_epoch_runs_at(first, netuid, tempo)


def brute(start, end, tempo_of, netuid):
    return [b for b in range(start, end + 1) if mg.epoch_runs_at(b, netuid, tempo_of(b))]


@pytest.mark.parametrize("netuid", [0, 1, 7, 64])
def test_constant_tempo(netuid):
    got = mg.epoch_boundaries(10, 5000, [(0, 360)], netuid)
    assert got == brute(10, 5000, lambda b: 360, netuid)
    assert all(b - a == 361 for a, b in zip(got, got[1:]))


@pytest.mark.parametrize("netuid", [1, 3, 12])
def test_tempo_change_inside_the_range(netuid):
    # tempo 99 governs blocks up to 1233, then 20, then tempo 0 (no epochs), then 360.
    points = [(0, 99), (1234, 20), (2000, 0), (2100, 360)]

    def tempo_of(b):
        return [t for start, t in points if start <= b][-1]

    expected = brute(500, 4000, tempo_of, netuid)
    assert mg.epoch_boundaries(500, 4000, points, netuid) == expected
    assert mg.epoch_boundaries(500, 4000, tempo_of, netuid) == expected
    gaps = {b - a for a, b in zip(expected, expected[1:])}
    assert {100, 21, 361} <= gaps
    assert not [b for b in expected if 2000 <= b < 2100]


def test_subnet_missing_then_appearing():
    points = [(0, None), (300, 10)]
    expected = brute(0, 500, lambda b: None if b < 300 else 10, 5)
    assert mg.epoch_boundaries(0, 500, points, 5) == expected
    assert mg.epoch_boundaries(0, 500, lambda b: None if b < 300 else 10, 5) == expected
    assert expected and expected[0] >= 300


def test_plan_points_step_and_quarters():
    sched = {1: [(0, 99)], 2: [(0, 9)]}
    plan = plan_points(sched, 0, 1000, step_epochs=2, points_per_epoch=4)
    b1 = mg.epoch_boundaries(0, 1000, [(0, 99)], 1)[::2]
    assert [b for b, items in plan.items() if (1, 0) in items] == b1
    quarters = sorted(b for b, items in plan.items() for n, p in items if n == 1 and p)
    assert quarters[:3] == [b1[0] + 25, b1[0] + 50, b1[0] + 75]


# -- diff ------------------------------------------------------------------------------------------------
def row(uid, hotkey, stake_tao=100.0, permit=False, **kw):
    stake = int(stake_tao * RAO_PER_TAO)
    base = dict(
        uid=uid,
        hotkey=hotkey,
        coldkey="c" + hotkey,
        stake_rao=stake,
        alpha_stake_rao=stake,
        stake_tao=stake / RAO_PER_TAO,
        alpha_stake=stake / RAO_PER_TAO,
        trust=0.0,
        consensus=0.0,
        incentive=0.0,
        dividends=0.0,
        emission_rao=0,
        emission=0.0,
        validator_permit=permit,
        last_update=0,
        registered_at=0,
        active=True,
    )
    base.update(kw)
    return mg.NeuronRow(**base)


def test_diff_stake_registration_permit_owner():
    before = [row(0, "a", 100), row(1, "b", 50, permit=True), row(2, "c", 10), row(3, "d", 5)]
    after = [row(0, "a", 125), row(1, "b", 50, permit=False), row(2, "x", 0), row(4, "e", 1)]
    changes = mg.diff(before, after, previous_owner="o1", owner="o2")
    kinds = [(c.kind, c.uid) for c in changes]
    assert ("owner", None) in kinds
    stake = next(c for c in changes if c.kind == "stake")
    assert (stake.uid, stake.delta_tao, stake.rel_change) == (0, 25.0, 0.25)
    assert ("permit_lost", 1) in kinds
    assert ("deregistered", 2) in kinds and ("registered", 2) in kinds
    reg = next(c for c in changes if c.kind == "registered" and c.uid == 2)
    assert (reg.old, reg.new) == ("c", "x")
    assert ("deregistered", 3) in kinds and ("registered", 4) in kinds
    assert not [c for c in changes if c.kind == "stake" and c.uid in (2, 3, 4)]
    assert mg.diff(before, before) == []


# -- APY -------------------------------------------------------------------------------------------------
def test_apy_matches_a_hand_computation():
    # 1 TAO of dividends on 10,000 TAO in one 361-block epoch at 12 s per block:
    # epochs per year = 31,557,600 s / 4,332 s = 7284.76..., r = 1e-4.
    epochs = 365.25 * 24 * 3600 / (361 * 12)
    assert epochs == pytest.approx(7284.7645, rel=1e-7)
    hand = math.exp(epochs * math.log(1.0001)) - 1
    assert mg.apy(1.0, 10_000.0, 361) == pytest.approx(hand, rel=1e-12)
    assert hand == pytest.approx(1.07185, abs=1e-5)  # about 107 % a year
    assert mg.apy(0.0, 100.0, 361) == 0.0
    assert mg.apy(1.0, 0.0, 361) is None
    assert mg.apy(1e6, 1.0, 10) == math.inf


def test_validator_apy_uses_stake_before_the_epoch_emission():
    v = row(3, "v", 10_001.0, permit=True, emission_rao=RAO_PER_TAO, emission=1.0, dividends_rao=RAO_PER_TAO)
    m = row(4, "m", 50.0, emission_rao=10 * RAO_PER_TAO, emission=10.0)
    (p,) = mg.validator_apy([v, m], 361, 1234)
    assert (p.block, p.uid, p.dividends_tao, p.stake_tao) == (1234, 3, 1.0, 10_000.0)
    assert p.apy == pytest.approx(mg.apy(1.0, 10_000.0, 361))


# -- the devnet's neurons ------------------------------------------------------------------------------------
def state(seed=5, max_uids=256, blocks=400, tempo=20):
    ns = NeuronState(seed, RUNTIME, max_uids=max_uids)
    for netuid in (1, 2):
        ns.genesis_subnet(0, netuid, _account(seed, f"coldkey/{netuid}"), _account(seed, f"hotkey/{netuid}"))
    for b in range(1, blocks + 1):
        ns.on_block(b, lambda n: tempo)
        if b % 7 == 0:
            hk = ns.neurons(1, b)[b % 50].hotkey
            ns.on_stake(b, 1, hk, b"\x01" * 32, (b % 5 - 2) * 10 * 10**9)
    return ns


def test_neuron_state_is_deterministic():
    a, b = state(), state()
    assert a.metagraph(1, 400) == b.metagraph(1, 400)
    assert a.neurons_lite(2, 123) == b.neurons_lite(2, 123)
    assert state(seed=6).metagraph(1, 400) != a.metagraph(1, 400)
    m = a.metagraph(1, 400)
    assert 64 <= m["num_uids"] <= 256 and len(m["hotkeys"]) == m["num_uids"]
    assert sum(m["validator_permit"]) == min(64, m["num_uids"])
    assert abs(sum(m["incentives"]) - 65535) < 300 and abs(sum(m["dividends"]) - 65535) < 300
    # Validator permits go to the top 64 by the stake in force when the epoch ran.
    last = a.epoch_blocks(1)[-1]
    stakes = a.metagraph(1, last - 1)["total_stake"]
    top = set(sorted(range(len(stakes)), key=lambda u: (-stakes[u], u))[:64])
    assert {u for u, p in enumerate(a.metagraph(1, last)["validator_permit"]) if p} == top


def test_neuron_state_answers_any_past_block():
    ns = state(blocks=200)
    before = ns.metagraph(1, 150)
    lite_before = ns.neurons_lite(1, 150)
    for b in range(201, 401):
        ns.on_block(b, lambda n: 20)
        ns.on_stake(b, 1, ns.neurons(1, b)[1].hotkey, b"\x01" * 32, 10**12)
    assert ns.metagraph(1, 150) == before and ns.neurons_lite(1, 150) == lite_before
    assert ns.metagraph(1, 400)["total_stake"][1] > before["total_stake"][1] + 200 * 10**12 - 1
    # Epochs ran at exactly the subtensor boundaries.
    assert ns.epoch_blocks(1) == mg.epoch_boundaries(1, 400, [(0, 20)], 1)
    m = ns.metagraph(1, 400)
    assert m["last_step"] == ns.epoch_blocks(1)[-1] and m["blocks_since_last_step"] == 400 - m["last_step"]


def test_stake_never_negative_and_move_is_two_calls():
    ns = state(blocks=10)
    hk_a, hk_b = ns.neurons(1, 10)[5].hotkey, ns.neurons(2, 10)[6].hotkey
    have = ns.stake_of(1, hk_a, 10)
    moved = -ns.on_stake(11, 1, hk_a, b"\x02" * 32, -(have + 10**15))
    assert moved == have and ns.stake_of(1, hk_a, 11) == 0
    ns.on_stake(11, 2, hk_b, b"\x02" * 32, moved)
    assert ns.stake_of(2, hk_b, 11) == ns.stake_of(2, hk_b, 10) + have
    assert ns.stake_of(1, hk_a, 10) == have


def test_reregistration_replaces_the_lowest_pruning_score():
    ns = state(max_uids=64, blocks=100)
    assert ns.neurons(1, 100) and len(ns.neurons(1, 100)) == 64
    epoch = ns.epoch_at(1, 100)
    newcomer = _account(5, "newcomer")
    uid = ns.on_register(101, 1, newcomer, b"\x03" * 32, immunity_period=50)
    expected = min(range(1, 64), key=lambda u: (epoch.pruning_score[u], 0, u))
    assert uid == expected
    old = ns.neurons(1, 100)[uid]
    new = ns.neurons(1, 101)[uid]
    assert (new.hotkey, new.coldkey, new.registered_at) == (newcomer, b"\x03" * 32, 101)
    assert old.hotkey != newcomer and new.incentive == 0 and new.emission == 0
    # Registering again keeps the uid; everyone is immune right after genesis, yet a full subnet
    # still takes the newcomer (subtensor prunes among the immune then).
    assert ns.on_register(102, 1, newcomer, b"\x03" * 32) == uid
    fresh = NeuronState(5, RUNTIME, max_uids=64)
    fresh.genesis_subnet(0, 1, b"\x09" * 32, b"\x08" * 32)
    assert fresh.on_register(1, 1, newcomer, b"\x03" * 32, immunity_period=4096) is not None


def test_rollback_forgets_the_replaced_block():
    ns = state(blocks=60)
    want = ns.metagraph(1, 60)
    ns.on_block(61, lambda n: 20)
    ns.on_stake(61, 1, ns.neurons(1, 60)[2].hotkey, b"\x01" * 32, 10**13)
    ns.on_register(61, 1, _account(5, "late"), b"\x04" * 32)
    ns.rollback(61)
    assert ns.metagraph(1, 60) == want
    assert ns.neurons(1, 61) == ns.neurons(1, 60)
    assert ns.uid_of(1, _account(5, "late"), 61) is None


def test_metagraph_answer_encodes_and_is_fast():
    ns = NeuronState(9, RUNTIME)
    ns.genesis_subnet(0, 3, b"\x01" * 32, b"\x02" * 32, 256)
    for b in range(1, 200):
        ns.on_block(b, lambda n: 50)
    data = (3).to_bytes(2, "little")
    out = ns.answer("SubnetInfoRuntimeApi_get_metagraph", data, 199)
    assert out[0] == 1 and len(out) > 256 * 40
    assert ns.answer("SubnetInfoRuntimeApi_get_metagraph", (4).to_bytes(2, "little"), 199) == b"\x00"
    assert ns.answer("NeuronInfoRuntimeApi_get_neurons_lite", (4).to_bytes(2, "little"), 199) == b"\x00"
    assert ns.answer("Core_version", b"", 199) is None
    sel = ns.answer(
        "SubnetInfoRuntimeApi_get_selective_metagraph",
        data + bytes([4 << 2 & 0xFF]) + b"".join(i.to_bytes(2, "little") for i in mg.SUMMARY_INDEXES[:1]),
        199,
    )
    assert sel and len(sel) < 200
    t = time.perf_counter()
    for _ in range(10):
        ns.metagraph(3, 199)
    per = (time.perf_counter() - t) / 10
    assert per < 0.010, f"metagraph() took {per * 1000:.1f} ms for 256 neurons"


# -- snapshot storage -------------------------------------------------------------------------------------
def snapshot(block, rows, owner="o", tempo=360, last_step=None):
    return mg.Metagraph(
        netuid=1,
        block=block,
        block_hash=f"0x{block:064x}",
        method="get_metagraph",
        tempo=tempo,
        owner_coldkey=owner,
        owner_hotkey="h",
        last_step=block if last_step is None else last_step,
        rows=rows,
    )


def test_snapshot_storage_roundtrip_changes_and_apy(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.snapshot_blocks(1) == []
        v1 = row(
            0,
            "v",
            10_001.0,
            permit=True,
            emission_rao=RAO_PER_TAO,
            emission=1.0,
            dividends_rao=RAO_PER_TAO,
            trust=32768 / 65535,
            incentive=1 / 65535,
        )
        store.write_snapshots([snapshot(361, [v1, row(1, "b", 50)])])
        v2 = row(
            0,
            "v",
            10_101.0,
            permit=True,
            emission_rao=2 * RAO_PER_TAO,
            emission=2.0,
            dividends_rao=2 * RAO_PER_TAO,
        )
        store.write_snapshots([snapshot(722, [v2, row(1, "z", 0)], owner="o2")])
        store.write_snapshots([snapshot(800, [v2], last_step=722)], points=1)
        got = store.read_snapshot(1, 361)
        assert got.rows[0] == v1 and got.owner_coldkey == "o"
        assert store.snapshot_blocks(1) == [361, 722, 800]
        assert store.snapshot_blocks(1, point=0) == [361, 722]
        assert store.taken([(361, 1), (361, 2), (722, 1)]) == {(361, 1), (722, 1)}
        items = store.snapshot_changes(1, point=0)
        assert [(i["previous_block"], i["block"]) for i in items] == [(361, 722)]
        kinds = {(c.kind, c.uid) for c in items[0]["changes"]}
        assert kinds == {("owner", None), ("stake", 0), ("deregistered", 1), ("registered", 1)}
        points = store.apy_series(1)
        assert [(p.block, p.uid) for p in points] == [(361, 0), (722, 0)]
        assert points[0].apy == pytest.approx(mg.apy(1.0, 10_000.0, 361))
        assert points[1].apy == pytest.approx(mg.apy(2.0, 10_099.0, 361))


def test_fast_metagraph_encoding_equals_the_registry():
    ns = state(blocks=120)
    for netuid, block in ((1, 120), (2, 57), (1, 0)):
        value = ns.metagraph(netuid, block)
        data = netuid.to_bytes(2, "little")
        assert ns.answer("SubnetInfoRuntimeApi_get_metagraph", data, block) == RUNTIME.encode_api_output(
            "SubnetInfoRuntimeApi", "get_metagraph", value
        )
