"""Metagraphs, snapshots and APY against a devnet whose neurons follow its own ledger.

Until chain.py calls the NeuronState hooks itself, this module's devnet runs ``NeuronChain``: a
DevChain that makes exactly those calls (see the report of issue 9 for the lines chain.py needs).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import devnet_with_chain

from sentinel_core.chain.client import ChainClient
from sentinel_core.chain.reads.metagraph import read_all_summaries, read_metagraph
from sentinel_core.config import load_config
from sentinel_core.devnet.chain import DevChain
from sentinel_core.devnet.scenario import Happening, Scenario
from sentinel_core.ingest.snapshots import SnapshotBackfill
from sentinel_core.service import Sentinel
from sentinel_core.store import Store
from sentinel_core.units import RAO_PER_TAO as RAO
from sentinel_core.units import SECONDS_PER_YEAR

ROOT = Path(__file__).resolve().parents[2]
HISTORY = 320
MAX_UIDS = 64  # full subnets: a registration replaces a neuron

# Subnet 1: tempo 20 from block 3, 13 from block 151 (set in blocks 2 and 150); subnet 2: tempo 30.
SCENARIO = Scenario(
    governance_rate=0.0,
    at=[
        Happening(block=2, action="set_hyperparam", netuid=1, name="tempo", value=20, via="sudo"),
        Happening(block=2, action="set_hyperparam", netuid=2, name="tempo", value=30, via="sudo"),
        Happening(block=150, action="set_hyperparam", netuid=1, name="tempo", value=13, via="sudo"),
    ],
)


class NeuronChain(DevChain):
    """The devnet's chain with full subnets (so registrations replace neurons), and a ledger of what
    its extrinsics did to neurons, recorded by watching the chain's own NeuronState hooks."""

    def __init__(self, *args, **kwargs):
        self.neuron_ledger: list[dict] = []
        self._effects: list[tuple] = []
        super().__init__(*args, neuron_max_uids=MAX_UIDS, **kwargs)
        ns = self.neurons
        stake, register = ns.on_stake, ns.on_register

        def on_stake(block, netuid, hotkey, coldkey, delta):
            done = stake(block, netuid, hotkey, coldkey, delta)
            self._effects.append(("stake", netuid, hotkey, done))
            return done

        def on_register(block, netuid, hotkey, coldkey, **kw):
            before = ns.neurons(netuid, block) or []
            uid = register(block, netuid, hotkey, coldkey, **kw)
            replaced = before[uid].hotkey if uid is not None and uid < len(before) else None
            self._effects.append(("register", netuid, hotkey, uid, replaced))
            return uid

        ns.on_stake, ns.on_register = on_stake, on_register

    def _routine(self, number, idx, rng, force_fail=False):
        self._effects.clear()
        ext = super()._routine(number, idx, rng, force_fail)
        effects, log = list(self._effects), self.neuron_ledger
        names = [name for _, name, _ in ext.events]
        if "StakeMoved" in names and len(effects) == 2:
            (_, netuid, hotkey, out), (_, dest, dest_hotkey, _) = effects
            log.append(
                {
                    "block": number,
                    "kind": "move",
                    "netuid": netuid,
                    "hotkey": hotkey,
                    "delta": out,
                    "dest_netuid": dest,
                    "dest_hotkey": dest_hotkey,
                }
            )
        elif ("StakeAdded" in names or "StakeRemoved" in names) and effects:
            _, netuid, hotkey, done = effects[0]
            log.append({"block": number, "kind": "stake", "netuid": netuid, "hotkey": hotkey, "delta": done})
        elif "NeuronRegistered" in names and effects:
            _, netuid, hotkey, uid, replaced = effects[0]
            log.append(
                {
                    "block": number,
                    "kind": "register",
                    "netuid": netuid,
                    "hotkey": hotkey,
                    "uid": uid,
                    "replaced": replaced if replaced != hotkey else None,
                }
            )
        return ext


@pytest.fixture(scope="module")
def node():
    devnet = devnet_with_chain(
        NeuronChain, history=HISTORY, seed=11, block_time=1.0, scenario=SCENARIO, produce=False
    )
    yield devnet
    devnet.stop()


BOOT = (
    "import sys; from sentinel_tui.cli import app; from sentinel_tui import cli_subnet; "
    "'subnet' in [g.name for g in app.registered_groups] or cli_subnet.register(app); app()"
)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BOOT, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        env={**os.environ, "COLUMNS": "200"},
    )


def ss58(key: bytes) -> str:
    from scalecodec.utils.ss58 import ss58_encode

    return ss58_encode(key, 42)


def settings(node, path):
    return load_config(
        ROOT / "sentinel.toml",
        env={},
        overrides={"network": {"name": node.url}, "storage": {"path": str(path)}},
    )


# -- reading ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("block", [1, 60, 151, 240, HISTORY])
def test_metagraph_at_several_blocks_equals_the_devnet_state(node, block):
    proc = cli("subnet", "metagraph", "--netuid", "1", "--block", str(block), "--network", node.url, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    expected = node.call(lambda n: n.chain.neurons.neurons(1, block))
    epoch = node.call(lambda n: n.chain.neurons.epoch_at(1, block))
    assert data["block"] == block and data["method"] == "get_metagraph" and data["neurons"] == len(expected)
    assert data["last_step"] == (epoch.block if epoch else 0)
    assert data["tempo"] == node.call(lambda n: n.chain.hyperparam_at(1, "tempo", block))
    for r, want in zip(data["rows"], expected, strict=True):
        raw, human = r["raw"], r["human"]
        assert (raw["uid"], raw["hotkey"], raw["coldkey"]) == (
            want.uid,
            ss58(want.hotkey),
            ss58(want.coldkey),
        )
        assert (raw["stake"], raw["emission"], raw["registered_at"]) == (
            want.stake,
            want.emission,
            want.registered_at,
        )
        assert (raw["trust"], raw["consensus"], raw["incentive"], raw["dividends"]) == (
            want.trust,
            want.consensus,
            want.incentive,
            want.dividends,
        )
        assert (raw["validator_permit"], raw["last_update"], raw["active"]) == (
            want.validator_permit,
            want.last_update,
            want.active,
        )
        assert human["stake"] == pytest.approx(want.stake / RAO)
        assert human["dividends"] == pytest.approx(want.dividends / 65535)


def test_metagraph_table_sorted_by_stake(node):
    proc = cli(
        "subnet", "metagraph", "--netuid", "2", "--sort", "stake", "--limit", "5", "--network", node.url
    )
    assert proc.returncode == 0, proc.stderr
    assert "get_metagraph" in proc.stdout and "τ" in proc.stdout
    lines = [x for x in proc.stdout.splitlines() if x.strip()[:1].isdigit()]
    assert len(lines) == 5
    top = max(node.call(lambda n: n.chain.neurons.neurons(2, HISTORY)), key=lambda x: (x.stake, -x.uid))
    assert lines[0].split()[0] == str(top.uid)


def test_lite_read_agrees_with_the_full_one(node):
    import asyncio

    from sentinel_core.chain.reads.metagraph import read_metagraphs
    from sentinel_core.metagraph import rows_from_lite

    async def go():
        async with ChainClient(node.url) as client:
            (h,) = await client.block_hashes([200])
            full = await read_metagraph(client, 3, h, block_number=200)
            lite = await client.sub.runtime_call(
                "NeuronInfoRuntimeApi", "get_neurons_lite", [3], block_hash=h
            )
            many = await read_metagraphs(client, [(n, 200, h) for n in (1, 2, 3)])
            return full, rows_from_lite(lite), many

    full, lite, many = asyncio.run(go())
    assert [(r.uid, r.hotkey, r.stake_rao, r.incentive, r.validator_permit) for r in full.rows] == [
        (r.uid, r.hotkey, r.stake_rao, r.incentive, r.validator_permit) for r in lite
    ]
    # the full read adds weights and bonds (a list per uid); the lite read leaves them None
    assert all(isinstance(r.weights, list) and isinstance(r.bonds, list) for r in full.rows)
    assert many[2].rows == [r.model_copy(update={"weights": None, "bonds": None}) for r in full.rows]


def test_all_subnets_in_one_batched_round_trip(node):
    import asyncio

    async def go():
        async with ChainClient(node.url) as client:
            (h,) = await client.block_hashes([100])
            await read_all_summaries(client, [1], h)  # warm the runtime
            before = node.call(lambda n: dict(n.stats))
            netuids = node.call(lambda n: n.chain.netuids_at(100))
            summaries = await read_all_summaries(client, netuids, h)
            after = node.call(lambda n: dict(n.stats))
            return netuids, summaries, before, after

    netuids, summaries, before, after = asyncio.run(go())
    assert [s.netuid for s in summaries] == netuids
    assert after["frames"] - before["frames"] == 1
    assert after["requests"] - before["requests"] == len(netuids)
    for s in summaries:
        want = node.call(lambda n: n.chain.neurons.neurons(s.netuid, 100))
        assert s.neurons == len(want) and s.total_stake_rao == sum(x.stake for x in want)
        assert s.tempo == node.call(lambda n: n.chain.hyperparam_at(s.netuid, "tempo", 100))
    proc = cli("subnet", "metagraph", "--all", "--block", "100", "--network", node.url, "--json")
    assert proc.returncode == 0, proc.stderr
    assert [x["netuid"] for x in json.loads(proc.stdout)["subnets"]] == netuids


@pytest.mark.parametrize(
    "args, message",
    [
        (["--netuid", "77"], "subnet 77 does not exist at block"),
        (["--netuid", "1", "--block", "999999"], "block 999999 is beyond the chain head"),
        (["--netuid", "1", "--sort", "nonsense"], "--sort 'nonsense': must be one of"),
        ([], "say which subnet"),
    ],
)
def test_bad_input_is_one_line(node, args, message):
    proc = cli("subnet", "metagraph", *args, "--network", node.url)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


# -- snapshots -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def snapshots_db(node, tmp_path_factory):
    import asyncio

    path = tmp_path_factory.mktemp("snapshots") / "s.db"

    async def go():
        async with Sentinel(settings(node, path)) as sentinel:
            seen = []
            sentinel.bus.subscribe(lambda notice: seen.append(notice) if notice.kind == "backfill" else None)
            first = SnapshotBackfill(sentinel, 1, HISTORY // 2, [1, 2], workers=2, calls_per_frame=4)
            await first.run()
            second = SnapshotBackfill(sentinel, 1, HISTORY, [1, 2], workers=3, calls_per_frame=5)
            result = await second.run()
            again = await SnapshotBackfill(sentinel, 1, HISTORY, [1, 2]).run()
            return first, second, result, again, seen

    first, second, result, again, seen = asyncio.run(go())
    assert result.state == "done" and result.done == result.total
    assert second.skipped == first.total > 0  # the second run resumed after the first
    assert again.total == 0
    assert seen and seen[-1].state == "done"
    return path, second


def test_snapshots_at_exactly_the_epoch_boundaries_across_a_tempo_change(node, snapshots_db):
    path, run = snapshots_db
    assert run.schedule[1][1:] == [(3, 20), (151, 13)]  # set in blocks 2 and 150
    with Store(path, readonly=True) as store:
        for netuid in (1, 2):
            blocks = store.snapshot_blocks(netuid, point=0)
            assert blocks == node.call(lambda n: n.chain.neurons.epoch_blocks(netuid, 1, HISTORY))
            for b in blocks:
                assert store.read_snapshot(netuid, b).last_step == b
        blocks = store.snapshot_blocks(1)
        gaps = [b - a for a, b in zip(blocks, blocks[1:])]
        assert gaps.count(21) >= 5 and gaps.count(14) >= 5
        assert any(b < 151 for b in blocks) and any(b > 151 for b in blocks)


def test_stake_move_and_reregistration_appear_in_the_changes(node, snapshots_db):
    path, _ = snapshots_db
    ledger = node.call(lambda n: list(n.chain.neuron_ledger))
    with Store(path, readonly=True) as store:
        blocks = store.snapshot_blocks(1, point=0)
        items = {i["block"]: i for i in store.snapshot_changes(1, point=0)}
        found_move = found_reg = 0
        for a, b in zip(blocks, blocks[1:]):
            before, after = store.read_snapshot(1, a), store.read_snapshot(1, b)
            changes = items[b]["changes"]
            window = [e for e in ledger if a < e["block"] <= b]
            uids = {r.hotkey: r.uid for r in after.rows}
            # Re-registrations: the hotkey now at the uid registered, the one before deregistered.
            for e in window:
                if e["kind"] == "register" and e["netuid"] == 1 and e["replaced"]:
                    hk = ss58(e["hotkey"])
                    if uids.get(hk) == e["uid"] and before.by_uid()[e["uid"]].hotkey != hk:
                        kinds = {(c.kind, c.uid, c.hotkey) for c in changes}
                        assert ("registered", e["uid"], hk) in kinds
                        assert ("deregistered", e["uid"], before.by_uid()[e["uid"]].hotkey) in kinds
                        found_reg += 1
            # Stake flow: each unchanged neuron's change is its ledger stake moves plus its emission at b.
            stake_changes = {c.uid: c.delta_rao for c in changes if c.kind == "stake"}
            for r in after.rows:
                old = before.by_uid().get(r.uid)
                if old is None or old.hotkey != r.hotkey:
                    continue
                flows = [
                    e
                    for e in window
                    if e["kind"] in ("stake", "move") and e["netuid"] == 1 and ss58(e["hotkey"]) == r.hotkey
                ]
                flows += [
                    {"delta": -e["delta"]}
                    for e in window
                    if e["kind"] == "move" and e["dest_netuid"] == 1 and ss58(e["dest_hotkey"]) == r.hotkey
                ]
                expected = sum(e["delta"] for e in flows) + r.emission_rao
                assert stake_changes.get(r.uid, 0) == expected, (a, b, r.uid)
                if any(e.get("kind") == "move" and e["delta"] for e in flows):
                    found_move += 1
    assert found_move >= 1 and found_reg >= 1


def test_apy_equals_a_hand_computation(node, snapshots_db):
    path, _ = snapshots_db
    start, end = 160, HISTORY
    proc = cli(
        "subnet",
        "apy",
        "--netuid",
        "1",
        "--from",
        str(start),
        "--to",
        str(end),
        "--network",
        node.url,
        "--db",
        str(path),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    points = json.loads(proc.stdout)["points"]
    epochs = node.call(lambda n: n.chain.neurons.epoch_blocks(1, start, end))
    assert sorted({p["block"] for p in points}) == epochs
    checked = 0
    for p in points[:: max(1, len(points) // 25)]:
        b, uid = p["block"], p["uid"]
        ep = node.call(lambda n: n.chain.neurons.epoch_at(1, b))
        nrn = node.call(lambda n: n.chain.neurons.neurons(1, b))[uid]
        dividends = ep.dividends_rao[uid] / 1e9
        stake = (nrn.stake - ep.emission[uid]) / 1e9
        epoch_blocks = 13 + 1
        hand = (1 + dividends / stake) ** (SECONDS_PER_YEAR / (epoch_blocks * 12)) - 1
        assert p["epoch_blocks"] == epoch_blocks
        assert p["human"]["apy"] == pytest.approx(hand, rel=1e-9)
        assert math.isfinite(hand) and 0 < hand < 10
        checked += 1
    assert checked >= 5
    table = cli(
        "subnet",
        "apy",
        "--netuid",
        "1",
        "--from",
        str(start),
        "--to",
        str(end),
        "--db",
        str(path),
        "--offline",
    )
    assert table.returncode == 0, table.stderr
    assert "APY" in table.stdout and "%" in table.stdout


def test_live_snapshots_fall_on_the_epoch_blocks(node, tmp_path):
    import asyncio

    from sentinel_core.ingest.snapshots import LiveSnapshots

    async def go():
        async with Sentinel(settings(node, tmp_path / "live.db")) as sentinel:
            live = LiveSnapshots(sentinel, [1, 2], points_per_epoch=4)
            client = await sentinel.connect()
            try:
                blocks = await client.fetch_blocks(list(range(140, 181)))
                await live.on_blocks(client, blocks)
            finally:
                await client.close()
            return await sentinel.store.snapshot_blocks(1, point=0), await sentinel.store.snapshot_blocks(1)

    epochs, every = asyncio.run(go())
    assert epochs == node.call(lambda n: n.chain.neurons.epoch_blocks(1, 140, 180))
    assert len(every) > len(epochs) * 2  # the quarter points too
