"""Real-chain readiness: a runtime upgrade in the middle of the chain, and a rate-limited node."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.devnet.scenario import Happening, Scenario
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]
B = 60  # the upgrade block

SCENARIO = Scenario(
    governance_rate=0.0,
    upgrade_at=B,
    at=[
        Happening(block=30, action="set_hyperparam", netuid=2, name="tempo", value=222, via="sudo"),
        Happening(block=30, action="schedule_swap_coldkey"),
        Happening(block=64, action="set_hyperparam", netuid=1, name="burn_half_life", value=720, via="owner"),
        Happening(block=65, action="announce_coldkey_swap"),
        Happening(block=66, action="dispute_coldkey_swap"),
        Happening(block=67, action="reset_coldkey_swap"),
        Happening(block=68, action="clear_coldkey_swap"),
        Happening(block=69, action="swap_coldkey_announced"),
        Happening(block=70, action="register_leased_network", netuid=30),
    ],
)


@pytest.fixture(scope="module")
def upgraded():
    with BackgroundDevnet(history=90, seed=11, block_time=1.0, scenario=SCENARIO, produce=False) as node:
        yield node


def settings(tmp_path: Path, url: str):
    return load_config(
        ROOT / "sentinel.toml",
        env={},
        overrides={"network": {"name": url}, "storage": {"path": str(tmp_path / "u.db")}},
    )


async def test_backfill_across_the_upgrade(upgraded, tmp_path):
    ledger = upgraded.ledger()
    async with Sentinel(settings(tmp_path, upgraded.url)) as sentinel:
        await Backfill(sentinel, start=1, end=90, workers=3, batch_size=8).run()
        store = sentinel.store
        assert (await store.stats())["blocks"] == 90
        before, at, after = [await store.get_block(n) for n in (B - 1, B, B + 1)]
        assert (before.spec_version, at.spec_version, after.spec_version) == (300, 300, 400)
        upgrade = next(ev for ev in at.events if ev.qualname == "System.CodeUpdated")
        assert upgrade.attributes == {"old_spec_version": 300, "new_spec_version": 400}
        for entry in ledger:
            block = await store.get_block(entry["block"])
            ext = block.extrinsics[entry["extrinsic_index"]]
            assert entry["call"] in [c.qualname for c in ext.calls], entry
            assert ext.success
        names = {ev.qualname for n in range(64, 71) for ev in (await store.get_block(n)).events}  # noqa: E501
        assert {
            "AdminUtils.BurnHalfLifeSet",
            "SubtensorModule.ColdkeySwapAnnounced",
            "SubtensorModule.ColdkeySwapDisputed",
            "SubtensorModule.ColdkeySwapReset",
            "SubtensorModule.ColdkeySwapCleared",
            "SubtensorModule.ColdkeySwapped",
            "SubtensorModule.SubnetLeaseCreated",
        } <= names

        history = await store.hyperparam_history(limit=100)
        burn = [c for c in history if c.name == "burn_half_life"]
        assert [(c.block, c.old, c.new, c.known) for c in burn] == [(64, 360, 720, True)]
        alerts = [a for _, a, _ in await store.list_alerts(limit=1000)]
    by_rule = {}
    for a in alerts:
        by_rule.setdefault(a.rule, []).append(a.block)
    assert by_rule["runtime-upgraded"] == [B]
    upgrade_alert = next(a for a in alerts if a.rule == "runtime-upgraded")
    assert "300 -> 400" in upgrade_alert.message and upgrade_alert.severity.value == "info"
    assert sorted(by_rule["coldkey-swap"]) == [30, 65, 66, 67, 68, 69]  # both generations, once each
    assert 64 in by_rule["hyperparam-change"] and 30 in by_rule["hyperparam-change"]
    assert by_rule["subnet-registered"] == [70]
    assert 67 not in by_rule.get("sudo-call", [])  # the sudo'd reset is the coldkey-swap rule's alert
    assert by_rule.get("sudo-call", []) == [B] or by_rule.get("sudo-call", []) == []


def test_cli_reads_hyperparameters_on_both_sides_alike(upgraded):
    def read(block: int) -> dict:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "sentinel_tui.cli",
                "block",
                "hyperparameters",
                "--netuid",
                "2",
                "--block",
                str(block),
                "--network",
                upgraded.url,
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            env={**os.environ},
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    old, new = read(B - 1), read(B + 1)
    assert (old["method"], new["method"]) == ("get_subnet_hyperparams_v2", "get_subnet_hyperparams_v3")
    old_rows = {r["name"]: r for r in old["hyperparameters"]}
    new_rows = {r["name"]: r for r in new["hyperparameters"]}
    assert old_rows["tempo"]["raw"] == new_rows["tempo"]["raw"] == 222
    for name in ("kappa", "immunity_period", "min_burn", "alpha_sigmoid_steepness", "registration_allowed"):
        assert old_rows[name]["raw"] == new_rows[name]["raw"], name
        assert old_rows[name]["human"] == new_rows[name]["human"], name
    assert "burn_half_life" in new_rows and "burn_half_life" not in old_rows
    assert new_rows["burn_half_life"]["unit"] == "blocks"


async def test_live_goes_through_an_upgrade_without_a_restart(tmp_path):
    scenario = Scenario(
        governance_rate=0.0, upgrade_at=15, at=[Happening(block=17, action="announce_coldkey_swap")]
    )
    with BackgroundDevnet(history=10, seed=12, block_time=0.2, scenario=scenario, produce=False) as node:
        async with Sentinel(settings(tmp_path, node.url)) as sentinel:
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                for _ in range(200):
                    if runner.last_number == 10:
                        break
                    await asyncio.sleep(0.05)
                for _ in range(10):
                    node.call(lambda n: n.produce(1))
                    await asyncio.sleep(0.1)
                for _ in range(200):
                    if runner.last_number == 20:
                        break
                    await asyncio.sleep(0.05)
                assert runner.last_number == 20
                block = await sentinel.store.get_block(17)
                assert block.spec_version == 400
                assert "SubtensorModule.announce_coldkey_swap" in [x.qualname for x in block.extrinsics]
                alerts = [a for _, a, _ in await sentinel.store.list_alerts(limit=100)]
                assert [a.block for a in alerts if a.rule == "runtime-upgraded"] == [15]
                assert [a.block for a in alerts if a.rule == "coldkey-swap"] == [17]
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task


# The rate-limited backfill (both units, 2,000 blocks) is tests/e2e/test_rate_limit.py.


async def test_a_backfill_across_20_upgrades_decodes_each_runtime_once(tmp_path, monkeypatch):
    """More runtime versions than the library's cache holds: every block decodes with its own runtime,
    and each runtime's metadata is fetched once (the registry and the disk cache keep them all)."""
    import sqlite3

    monkeypatch.setenv("SENTINEL_CACHE_DIR", str(tmp_path / "cache"))
    upgrades = list(range(50, 1001, 50))  # 20 upgrades: spec 400 .. 419
    with BackgroundDevnet(history=1005, seed=17, block_time=600, produce=False, upgrade_at=upgrades) as node:
        async with Sentinel(settings(tmp_path, node.url)) as sentinel:
            result = await Backfill(sentinel, start=1, end=1001, workers=8, batch_size=25, processes=1).run()
        fetched = node.call(lambda n: n.calls["state_call:Metadata_metadata_at_version"])
    assert result.state == "done" and result.done == 1001
    with sqlite3.connect(tmp_path / "u.db") as conn:
        rows = conn.execute(
            "SELECT number, spec_version, decode_error FROM blocks ORDER BY number"
        ).fetchall()
    assert len(rows) == 1001 and all(err is None for _, _, err in rows)
    # A block runs under its parent's runtime: the upgrade block itself still under the old one.
    expected = {
        n: 300 + (100 if n > upgrades[0] else 0) + sum(1 for u in upgrades[1:] if n > u) for n, _, _ in rows
    }
    assert all(spec == expected[n] for n, spec, _ in rows), [
        (n, s, expected[n]) for n, s, _ in rows if s != expected[n]
    ][:5]
    assert len({spec for _, spec, _ in rows}) == 21
    # 21 runtimes, each fetched once, and the head's by the first connection's handshake; a worker's
    # connection may ask once more (22-23 seen). Before, 8 workers meeting 20 new runtimes at about
    # the same time each fetched and decoded them: 33 fetches.
    assert fetched <= 21 + 4, fetched
