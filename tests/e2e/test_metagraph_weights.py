"""Weights and bonds: the devnet's ``SubtensorModule.Weights`` / ``Bonds``, as finney declares them, read
through the real client by ``read_metagraphs(lite=False)`` and ``sentinel-cli subnet metagraph``.

The devnet stores a successful ``set_weights`` under the signer's uid (the signer is a neuron of the
subnet), moves each validator's bonds towards its weights at every epoch, and clears a uid's rows when
a registration gives the uid to a new hotkey (see ``sentinel_core/devnet/weights.py``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from async_substrate_interface import AsyncSubstrateInterface
from conftest import devnet_with_chain
from scalecodec.utils.ss58 import ss58_encode

from sentinel_core.chain.client import ChainClient
from sentinel_core.chain.reads.metagraph import read_metagraphs
from sentinel_core.devnet.chain import DevChain
from sentinel_core.devnet.metadata import DevRuntime
from sentinel_core.devnet.scenario import Happening, Scenario
from sentinel_core.devnet.weights import decode_pairs, ema_bonds, encode_pairs, max_upscale

ROOT = Path(__file__).resolve().parents[2]
HISTORY = 300
MAX_UIDS = 64  # full subnets: registrations replace neurons
NETUIDS = (1, 2)
# Subnet 1 runs an epoch every 21 blocks from block 3, subnet 2 every 31.
SCENARIO = Scenario(
    governance_rate=0.0,
    at=[
        Happening(block=2, action="set_hyperparam", netuid=1, name="tempo", value=20, via="sudo"),
        Happening(block=2, action="set_hyperparam", netuid=2, name="tempo", value=30, via="sudo"),
    ],
)
BOOT = (
    "import sys; from sentinel_tui.cli import app; from sentinel_tui import cli_subnet; "
    "'subnet' in [g.name for g in app.registered_groups] or cli_subnet.register(app); app()"
)


@pytest.fixture(scope="module")
def node():
    devnet = devnet_with_chain(
        functools.partial(DevChain, neuron_max_uids=MAX_UIDS),
        history=HISTORY,
        seed=5,
        block_time=1.0,
        scenario=SCENARIO,
        produce=False,
    )
    yield devnet
    devnet.stop()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BOOT, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        env={**os.environ, "COLUMNS": "200"},
    )


def state(node, netuid: int, block: int) -> tuple[int, dict[int, list], dict[int, list]]:
    """The devnet's own state after ``block``: number of uids, weights rows, bonds rows."""
    return node.call(
        lambda n: (
            len(n.chain.neurons.neurons(netuid, block)),
            n.chain.weights_at(netuid, block),
            n.chain.bonds_at(netuid, block),
        )
    )


def read(node, requests: list[tuple[int, int]], lite: bool = False) -> list:
    async def go():
        async with ChainClient(node.url) as client:
            hashes = await client.block_hashes(sorted({b for _, b in requests}))
            by_block = dict(zip(sorted({b for _, b in requests}), hashes))
            return await read_metagraphs(client, [(n, b, by_block[b]) for n, b in requests], lite=lite)

    return asyncio.run(go())


def epochs(node, netuid: int) -> list[int]:
    return node.call(lambda n: n.chain.neurons.epoch_blocks(netuid, 1, HISTORY))


# -- the declaration ---------------------------------------------------------------------------------------
def test_rows_are_encoded_and_keyed_as_the_runtime_declares():
    rt = DevRuntime()
    weights, bonds = rt.storage("SubtensorModule", "Weights"), rt.storage("SubtensorModule", "Bonds")
    assert (weights.value, weights.key, weights.hashers, weights.modifier, weights.default) == (
        "Vec<(u16, u16)>",
        "(u16, u16)",
        ("Identity", "Identity"),
        "Default",
        b"\x00",
    )
    assert replace(bonds, name="Weights") == weights
    pairs = [(0, 65535), (7, 1), (300, 0), (65535, 12345)]
    assert encode_pairs(pairs) == rt.encode_storage_value("SubtensorModule", "Weights", pairs)
    assert decode_pairs(encode_pairs(pairs)) == pairs and decode_pairs(None) == []
    chain = DevChain(seed=3, extrinsics_per_block=10, subnets=2)
    chain.produce(20)
    rows = chain.weights_at(1, 20) or chain.weights_at(2, 20)
    assert rows
    netuid = 1 if chain.weights_at(1, 20) else 2
    for uid, row in rows.items():
        raw = chain.storage_at(rt.storage_key("SubtensorModule", "Weights", netuid, uid), 20)
        assert raw == rt.encode_storage_value("SubtensorModule", "Weights", row)


def test_weight_normalisation_and_bond_average():
    assert max_upscale([0, 100, 200]) == [0, 32768, 65535]
    assert max_upscale([0, 0]) == [0, 0]
    assert max_upscale([65535, 1]) == [65535, 1]
    assert ema_bonds([(1, 1000), (5, 4)], [(1, 65535), (2, 10)], 0.1) == [(1, 7454), (2, 1), (5, 4)]
    assert ema_bonds([(5, 4)], [(1, 0)], 0.1) == [(5, 4)]
    assert ema_bonds([(5, 5)], [], 0.1) == [(5, 5)] and ema_bonds([(5, 1)], [(5, 0)], 0.1) == [(5, 1)]
    assert ema_bonds([(5, 1)], [(5, 0)], 1.0) == []


# -- the reader against the devnet's state -------------------------------------------------------------------
def test_read_metagraphs_gives_the_devnet_weights_and_bonds_at_two_blocks(node):
    blocks = (epochs(node, 1)[5] + 3, HISTORY)
    requests = [(n, b) for b in blocks for n in NETUIDS]
    seen: dict[tuple[int, int], tuple] = {}
    for (netuid, block), mg in zip(requests, read(node, requests), strict=True):
        size, weights, bonds = state(node, netuid, block)
        assert mg.exists and len(mg.rows) == size == MAX_UIDS
        assert len(weights) >= 10 and len(bonds) >= 5, (netuid, block, len(weights), len(bonds))
        for row in mg.rows:
            assert row.weights == weights.get(row.uid, []), (netuid, block, row.uid)
            assert row.bonds == bonds.get(row.uid, []), (netuid, block, row.uid)
        assert set(weights) <= set(range(size)) and set(bonds) <= set(range(size))
        for pairs in weights.values():
            assert all(dest < size for dest, _ in pairs)
            assert max(v for _, v in pairs) in (0, 65535)  # max-upscaled
        seen[(netuid, block)] = (weights, bonds)
    for netuid in NETUIDS:
        (w1, b1), (w2, b2) = seen[(netuid, blocks[0])], seen[(netuid, blocks[1])]
        assert w1 != w2 and b1 != b2


def test_cli_metagraph_json_has_the_weights_and_bonds_and_lite_has_none(node):
    block = epochs(node, 2)[-1] + 1
    size, weights, bonds = state(node, 2, block)
    proc = cli("subnet", "metagraph", "--netuid", "2", "--block", str(block), "--json", "--network", node.url)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["rows"]
    assert len(rows) == size
    for r in rows:
        assert r["weights"] == [list(p) for p in weights.get(r["uid"], [])]
        assert r["bonds"] == [list(p) for p in bonds.get(r["uid"], [])]
    assert any(r["weights"] for r in rows) and any(r["bonds"] for r in rows)

    proc = cli(
        "subnet",
        "metagraph",
        "--netuid",
        "2",
        "--block",
        str(block),
        "--json",
        "--lite",
        "--network",
        node.url,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["rows"]
    assert len(rows) == size and all("weights" not in r and "bonds" not in r for r in rows)
    (mg,) = read(node, [(2, block)], lite=True)
    assert all(r.weights is None and r.bonds is None for r in mg.rows)


# -- how the devnet keeps them -------------------------------------------------------------------------------
def test_bonds_move_towards_the_weights_of_permitted_validators_at_each_epoch(node):
    for netuid in NETUIDS:
        for e in epochs(node, netuid)[1:]:
            before_w, before_b, after_b, epoch, avg, neurons = node.call(
                lambda n: (
                    n.chain.weights_at(netuid, e - 1),
                    n.chain.bonds_at(netuid, e - 1),
                    n.chain.bonds_at(netuid, e),
                    n.chain.neurons.epoch_at(netuid, e),
                    n.chain.hyperparam_at(netuid, "bonds_moving_avg", e - 1),
                    n.chain.neurons.neurons(netuid, e),
                )
            )
            assert epoch.block == e
            alpha = 1 - avg / 1_000_000
            replaced = {x.uid for x in neurons if x.registered_at == e}  # after the epoch, in the block
            want = {}
            for uid in (set(before_w) | set(before_b)) - replaced:
                w = before_w.get(uid, []) if epoch.permit[uid] else []
                row = ema_bonds(before_b.get(uid, []), w, alpha) if w else []
                if row:
                    want[uid] = row
            assert after_b == want, (netuid, e)
            assert node.call(lambda n: n.chain.bonds_at(netuid, e + 1)) == after_b  # only epochs move bonds


async def test_set_weights_is_signed_by_the_uid_whose_row_it_stores(node):
    block = HISTORY - 5
    stored: dict[tuple[int, int], list] = {}  # the last set_weights of each (netuid, uid) in the block
    async with AsyncSubstrateInterface(node.url, ss58_format=42) as substrate:
        h = await substrate.get_block_hash(block)
        got = await substrate.get_block(h)
        events = await substrate.get_events(h)
    ok = {e["extrinsic_idx"] for e in events if e["event"]["event_id"] == "ExtrinsicSuccess"}
    for idx, ext in enumerate(got["extrinsics"]):
        value = ext.value
        call = value["call"]
        if call["call_function"] != "set_weights" or idx not in ok:
            continue
        args = {a["name"]: a["value"] for a in call["call_args"]}
        (ws,) = [
            e["event"]["attributes"]
            for e in events
            if e["extrinsic_idx"] == idx and e["event"]["event_id"] == "WeightsSet"
        ]
        netuid, uid = ws if isinstance(ws, (list, tuple)) else (ws["netuid"], ws["uid"])
        hotkey = node.call(lambda n: n.chain.neurons.neurons(netuid, block)[uid].hotkey)
        assert value["address"] == ss58_encode(hotkey, 42)
        stored[(netuid, uid)] = [tuple(p) for p in zip(args["dests"], max_upscale(args["weights"]))]
    assert stored, "no successful set_weights in the block"
    for (netuid, uid), pairs in stored.items():
        assert node.call(lambda n: n.chain.weights.row("Weights", netuid, uid, block)) == pairs


def test_a_reregistered_uid_starts_without_its_predecessors_weights_and_bonds(node):
    cases = []
    for netuid in NETUIDS:
        neurons = node.call(lambda n: n.chain.neurons.neurons(netuid, HISTORY))
        for x in neurons:
            r = x.registered_at
            if r == 0:
                continue
            before = node.call(lambda n: n.chain.neurons.neurons(netuid, r - 1))
            if x.uid >= len(before):
                continue  # a new uid, not a replacement
            old_w, old_b = node.call(
                lambda n: (
                    n.chain.weights.row("Weights", netuid, x.uid, r - 1),
                    n.chain.weights.row("Bonds", netuid, x.uid, r - 1),
                )
            )
            cases.append((netuid, x.uid, r, old_w, old_b))
    replaced = [c for c in cases if c[3] or c[4]]
    assert replaced, "no replaced uid had weights or bonds"
    mgs = read(node, [(netuid, r) for netuid, _, r, _, _ in replaced])
    for (netuid, uid, r, old_w, _old_b), mg in zip(replaced, mgs, strict=True):
        row = mg.by_uid()[uid]
        assert row.registered_at == r
        assert row.bonds == [] and (row.weights == [] or row.weights != old_w)
        assert row.weights == node.call(lambda n: n.chain.weights.row("Weights", netuid, uid, r))
    assert any(mg.by_uid()[uid].weights == [] for (_, uid, _, _, _), mg in zip(replaced, mgs))


def test_weights_and_bonds_are_a_function_of_the_seed_and_follow_a_replaced_block():
    def chain() -> DevChain:
        c = DevChain(seed=9, extrinsics_per_block=8, subnets=3, scenario=SCENARIO, neuron_max_uids=MAX_UIDS)
        c.produce(120)
        return c

    a, b = chain(), chain()
    for netuid in (1, 2, 3):
        for block in (60, 120):
            assert a.weights_at(netuid, block) == b.weights_at(netuid, block)
            assert a.bonds_at(netuid, block) == b.bonds_at(netuid, block)
    before = {n: (a.weights_at(n, 119), a.bonds_at(n, 119)) for n in (1, 2, 3)}
    a.reorg_head()
    assert {n: (a.weights_at(n, 119), a.bonds_at(n, 119)) for n in (1, 2, 3)} == before
    assert any(a.weights_at(n, 120) != b.weights_at(n, 120) for n in (1, 2, 3))  # the fork's own set_weights
