"""Ingestion against the devnet: every block stored exactly once, matching the devnet."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HISTORY

from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]


def settings(tmp_path: Path, url: str, **overrides):
    over = {"network": {"name": url}, "storage": {"path": str(tmp_path / "sentinel.db")}}
    for key, value in overrides.items():
        over[key] = value
    return load_config(ROOT / "sentinel.toml", env={}, overrides=over)


def block_rows(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT number, hash FROM blocks ORDER BY number").fetchall()


async def wait_for(predicate, timeout: float = 30.0, every: float = 0.05):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(every)


async def test_fast_backfill_stores_what_the_devnet_made(devnet, tmp_path):
    s = settings(tmp_path, devnet.url)
    async with Sentinel(s) as sentinel:
        result = await Backfill(sentinel, start=1, end=HISTORY, workers=4, batch_size=25).run()
        assert (result.done, result.total, result.state) == (HISTORY, HISTORY, "done")
        stats = await sentinel.store.stats()
        assert stats["blocks"] == HISTORY and stats["gaps"] == [] and stats["undecodable_blocks"] == 0
        chain = devnet.call(
            lambda n: [(b.number, b.hash, len(b.extrinsics)) for b in n.chain.blocks[1 : HISTORY + 1]]
        )
        for number, block_hash, ext_count in chain[::17]:
            block = await sentinel.store.get_block(number)
            assert (block.hash, len(block.extrinsics)) == (block_hash, ext_count)
            assert block.extrinsics[0].qualname == "Timestamp.set"
            assert all(ev.extrinsic_index is not None for ev in block.events)
        for entry in devnet.ledger():
            if entry["block"] > HISTORY:
                continue
            block = await sentinel.store.get_block(entry["block"])
            ext = block.extrinsics[entry["extrinsic_index"]]
            effective = [c.qualname for c in ext.calls]
            assert entry["call"] in effective, (entry, effective)
            call = next(c for c in ext.calls if c.qualname == entry["call"])
            assert call.success == entry["success"]
            via = entry.get("via")
            expected_via = {
                "sudo": ["Sudo.sudo"],
                "sudo_failed": ["Sudo.sudo"],
                "batch": ["Utility.batch"],
                "proxy": ["Proxy.proxy"],
                "owner": [],
                None: [],
            }[via]
            assert call.via == expected_via
    assert [n for n, _ in block_rows(tmp_path / "sentinel.db")] == list(range(1, HISTORY + 1))


async def test_fast_backfill_interrupted_then_resumed(devnet, tmp_path):
    s = settings(tmp_path, devnet.url)
    async with Sentinel(s) as sentinel:
        first = Backfill(sentinel, start=1, end=HISTORY, workers=2, batch_size=10, max_rps=150)
        task = asyncio.create_task(first.run())
        await wait_for(lambda: first.done >= 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        stored = (await sentinel.store.stats())["blocks"]
        assert 60 <= stored < HISTORY
        second = Backfill(sentinel, start=1, end=HISTORY, workers=3, batch_size=10)
        result = await second.run()
        assert result.total == HISTORY - stored  # only what was missing was fetched
        runs = await sentinel.store.list_runs()
        assert [r["status"] for r in runs[:2]] == ["done", "cancelled"]
    numbers = [n for n, _ in block_rows(tmp_path / "sentinel.db")]
    assert numbers == list(range(1, HISTORY + 1))  # no gap, no duplicate


async def test_backfill_with_step(devnet, tmp_path):
    s = settings(tmp_path, devnet.url)
    async with Sentinel(s) as sentinel:
        result = await Backfill(sentinel, start=5, end=104, step=10, workers=2, batch_size=4).run()
        assert result.done == 10
    assert [n for n, _ in block_rows(tmp_path / "sentinel.db")] == list(range(5, 105, 10))


async def test_sequential_backfill(devnet, tmp_path):
    s = settings(tmp_path, devnet.url)
    async with Sentinel(s) as sentinel:
        result = await Backfill(sentinel, start=1, end=15, mode="backfill", rate_limit=0.01).run()
        assert result.done == 15
    assert len(block_rows(tmp_path / "sentinel.db")) == 15


@pytest.fixture
def live_devnet():
    with BackgroundDevnet(history=30, seed=3, block_time=0.15) as node:
        yield node


async def test_live_survives_a_disconnect_and_stores_each_block_once(live_devnet, tmp_path):
    s = settings(tmp_path, live_devnet.url)
    async with Sentinel(s) as sentinel:
        runner = LiveRunner(sentinel)
        task = asyncio.create_task(runner.run())
        try:
            await wait_for(lambda: runner.blocks_processed >= 10)
            first = runner.last_number
            live_devnet.call(lambda n: n.drop_connections())
            await wait_for(lambda: runner.attempt > 0 or runner.last_number >= first + 25, timeout=20)
            await wait_for(
                lambda: runner.last_number is not None and runner.last_number >= first + 25, timeout=40
            )
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    rows = block_rows(tmp_path / "sentinel.db")
    numbers = [n for n, _ in rows]
    assert numbers == list(range(numbers[0], numbers[-1] + 1))  # no gap, no duplicate
    chain = dict(live_devnet.call(lambda n: [(b.number, b.hash) for b in n.chain.blocks]))
    assert all(chain[n] == h for n, h in rows)


async def test_live_replaces_a_reorganised_block(tmp_path):
    with BackgroundDevnet(history=10, seed=4, block_time=0.3, produce=False) as node:
        s = settings(tmp_path, node.url)
        async with Sentinel(s) as sentinel:
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                await wait_for(lambda: runner.last_number == 10)
                node.call(lambda n: n.produce(3))
                await wait_for(lambda: runner.last_number == 13)
                old = node.call(lambda n: n.chain.head.hash)
                new = node.call(lambda n: n.chain.reorg_head().hash)
                assert old != new
                node.call(lambda n: n.produce(2))
                await wait_for(lambda: runner.last_number == 15)
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
        rows = dict(block_rows(tmp_path / "sentinel.db"))
        assert rows[13] == new
        assert sorted(rows) == list(range(10, 16))  # a fresh database starts at the head it first sees


def run_cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def test_headless_fast_backfill_exits_zero_when_complete(devnet, tmp_path):
    db = tmp_path / "h.db"
    proc = run_cli(
        "sentinel_tui.main",
        "--headless",
        "--mode",
        "fast_backfill",
        "--start",
        "1",
        "--end",
        "80",
        "--network",
        devnet.url,
        "--db",
        str(db),
    )
    assert proc.returncode == 0, proc.stderr
    assert "fast_backfill 1-80 complete: 80 blocks fetched" in proc.stdout
    assert len(block_rows(db)) == 80
    stats = json.loads(run_cli("sentinel_tui.cli", "db", "stats", "--json", "--db", str(db)).stdout)
    assert (stats["first_block"], stats["last_block"], stats["gaps"]) == (1, 80, [])


def test_headless_reads_the_original_environment_variables(devnet, tmp_path):
    db = tmp_path / "env.db"
    env = {
        "SENTINEL_MODE": "fast_backfill",
        "BLOCK_START": "10",
        "BLOCK_END": "29",
        "BACKFILL_BATCH_SIZE": "5",
        "BITTENSOR_NETWORK": devnet.url,
        "STORE_ARTIFACT": "true",  # a flag: the artifact goes beside the database
    }
    proc = run_cli("sentinel_tui.main", "--headless", "--db", str(db), env=env)
    assert proc.returncode == 0, proc.stderr
    assert [n for n, _ in block_rows(db)] == list(range(10, 30))
    lines = (tmp_path / "env.artifact.jsonl").read_text().splitlines()
    assert sorted(json.loads(x)["number"] for x in lines) == list(range(10, 30))
    gaps = run_cli("sentinel_tui.cli", "db", "gaps", "--db", str(db))
    assert gaps.returncode == 0 and gaps.stdout.strip() == "no gaps"


def test_bad_range_and_unreachable_node_are_one_line_errors(tmp_path):
    proc = run_cli(
        "sentinel_tui.main",
        "--headless",
        "--mode",
        "fast_backfill",
        "--start",
        "50",
        "--end",
        "10",
        "--db",
        str(tmp_path / "x.db"),
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "block_start 50 > block_end 10" in proc.stderr
    proc = run_cli(
        "sentinel_tui.main",
        "--headless",
        "--mode",
        "fast_backfill",
        "--start",
        "1",
        "--end",
        "10",
        "--network",
        "ws://127.0.0.1:9",
        "--db",
        str(tmp_path / "y.db"),
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot reach ws://127.0.0.1:9" in proc.stderr
    proc = run_cli(
        "sentinel_tui.main", "--headless", "--network", "http://example.org", "--db", str(tmp_path / "z.db")
    )
    assert proc.returncode == 2 and "not a ws:// or wss:// URL" in proc.stderr


def test_block_show_prints_unwrapped_calls(devnet, tmp_path):
    db = tmp_path / "b.db"
    assert (
        run_cli(
            "sentinel_tui.main",
            "--headless",
            "--mode",
            "fast_backfill",
            "--start",
            "40",
            "--end",
            "43",
            "--network",
            devnet.url,
            "--db",
            str(db),
        ).returncode
        == 0
    )
    shown = run_cli("sentinel_tui.cli", "block", "show", "40", "--db", str(db), "--network", devnet.url)
    assert shown.returncode == 0, shown.stderr
    assert "AdminUtils.sudo_set_tempo(netuid=1, tempo=111) via Sudo.sudo" in shown.stdout
    data = json.loads(run_cli("sentinel_tui.cli", "block", "show", "42", "--json", "--db", str(db)).stdout)
    calls = [c for x in data["extrinsics"] for c in x["calls"] if c["via"]]
    assert calls[0]["pallet"] == "AdminUtils" and calls[0]["via"] == ["Utility.batch"]
