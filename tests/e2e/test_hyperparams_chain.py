"""Hyperparameters against the devnet: values at any block, and a history of every setter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HISTORY

from sentinel_core.chain.client import ChainClient
from sentinel_core.chain.reads.hyperparams import read_hyperparams
from sentinel_core.config import load_config
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.mark.parametrize("block", [1, 39, 40, 45, 120])
def test_cli_values_equal_the_devnet_state(devnet, block):
    proc = cli(
        "block", "hyperparameters", "--netuid", "1", "--block", str(block), "--network", devnet.url, "--json"
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    expected = devnet.call(lambda n: n.chain.hyperparams_v2(1, block))
    rows = {r["name"]: r for r in data["hyperparameters"]}
    assert data["block"] == block and data["method"] == "get_subnet_hyperparams_v2"
    for name in (
        "tempo",
        "kappa",
        "immunity_period",
        "min_burn",
        "max_burn",
        "registration_allowed",
        "alpha_high",
        "alpha_low",
        "commit_reveal_period",
        "bonds_moving_avg",
    ):
        assert rows[name]["raw"] == expected[name], name
    assert rows["alpha_sigmoid_steepness"]["raw"] == expected["alpha_sigmoid_steepness"]["bits"]
    assert rows["kappa"]["value"] == pytest.approx(expected["kappa"] / 65535)
    assert rows["min_burn"]["human"].startswith("τ")
    assert "blocks" in rows["tempo"]["human"]
    # With --block, values that differ from the previous block are flagged.
    changed = {r["name"] for r in data["hyperparameters"] if r["changed"]}
    assert changed == ({"tempo"} if block == 40 else {"alpha_low", "alpha_high"} if block == 45 else changed)


def test_cli_table_marks_the_change(devnet):
    proc = cli("block", "hyperparameters", "--netuid", "1", "--block", "40", "--network", devnet.url)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.strip("│ ").startswith("tempo"))
    assert "111" in line and "changed from" in line


def test_cli_all_subnets(devnet):
    proc = cli("block", "hyperparameters", "--all", "--block", "56", "--network", devnet.url, "--json")
    assert proc.returncode == 0, proc.stderr
    subnets = json.loads(proc.stdout)["subnets"]
    assert "20" in subnets and "0" in subnets  # subnet 20 exists between blocks 55 and 59
    expected = devnet.call(lambda n: n.chain.netuids_at(56))
    assert sorted(int(k) for k in subnets) == expected


async def test_all_subnets_in_one_batched_round_trip(devnet):
    async with ChainClient(devnet.url) as client:
        (h,) = await client.block_hashes([100])
        await read_hyperparams(client, [1], h)  # warm the runtime
        before = devnet.call(lambda n: dict(n.stats))
        netuids = devnet.call(lambda n: n.chain.netuids_at(100))
        values = await read_hyperparams(client, netuids, h)
        after = devnet.call(lambda n: dict(n.stats))
    assert all(values[n] is not None for n in netuids)
    assert after["frames"] - before["frames"] == 1
    assert after["requests"] - before["requests"] == len(netuids)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--netuid", "77"], "subnet 77 does not exist at block"),
        (["--netuid", "1", "--block", "999999"], "block 999999 is beyond the chain head"),
        (["--netuid", "1", "--hash", "0x" + "12" * 32], "no block with hash"),
    ],
)
def test_cli_bad_input_is_one_line(devnet, args, message):
    proc = cli("block", "hyperparameters", *args, "--network", devnet.url)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_cli_unreachable_node():
    proc = cli("block", "hyperparameters", "--netuid", "1", "--network", "ws://127.0.0.1:9")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: cannot reach ws://127.0.0.1:9: connection refused"


async def test_every_ledger_setter_is_in_the_history(devnet, tmp_path):
    s = load_config(
        ROOT / "sentinel.toml",
        env={},
        overrides={"network": {"name": devnet.url}, "storage": {"path": str(tmp_path / "h.db")}},
    )
    # Backfill in reverse-ish order (two runs, the later range first): old values come from chain state.
    async with Sentinel(s) as sentinel:
        await Backfill(sentinel, start=HISTORY // 2, end=HISTORY, workers=3, batch_size=7).run()
        await Backfill(sentinel, start=1, end=HISTORY // 2 - 1, workers=3, batch_size=7).run()
        history = await sentinel.store.hyperparam_history(limit=10_000)
    recorded = {(c.block, c.netuid, c.name): c for c in history}
    expected = [e for e in devnet.ledger() if e["kind"] == "hyperparam" and e["block"] <= HISTORY]
    assert len(expected) >= 8
    for entry in expected:
        key = (entry["block"], entry["netuid"], entry["name"])
        if not entry["success"]:
            assert key not in recorded, entry
            continue
        change = recorded[key]
        old, new = entry["old"], entry["new"]
        if entry["name"] == "alpha_sigmoid_steepness":  # the setter takes an i16; raw values are I32F32 bits
            old, new = old << 32, new << 32
        assert (change.old, change.new) == (old, new), entry
        assert change.via_sudo == entry["via"].startswith("sudo"), entry
        assert change.call == entry["call"]
    assert len([c for c in history if c.call]) == len([e for e in expected if e["success"]])
    hist = cli(
        "hyperparameters", "history", "--netuid", "1", "--name", "tempo", "--db", str(tmp_path / "h.db")
    )
    assert hist.returncode == 0
    assert "tempo" in hist.stdout and "-> 111 blocks" in hist.stdout and "via sudo" in hist.stdout
