"""fast_backfill with decoding processes: the same rows as in one process, and it survives a decoding
process that dies."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from conftest import HISTORY

from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.ingest.procs import DecoderDied, DecoderPool, auto_processes
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]
# Everything stored about a block, without the columns that depend on when it was written.
TABLES = {
    "blocks": "SELECT * FROM blocks ORDER BY number",
    "extrinsics": "SELECT * FROM extrinsics ORDER BY block, idx",
    "events": "SELECT * FROM events ORDER BY block, idx",
    "hyperparam_changes": "SELECT block, netuid, name, old, new, extrinsic_index, signer, call, via_sudo, known "
    "FROM hyperparam_changes ORDER BY block, netuid, name, extrinsic_index",
    "alerts": "SELECT dedup_key, rule, severity, block, extrinsic_index, netuid, message, fields, channels "
    "FROM alerts ORDER BY dedup_key",
}


def settings(db: Path, url: str):
    return load_config(
        ROOT / "sentinel.toml", env={}, overrides={"network": {"name": url}, "storage": {"path": str(db)}}
    )


def contents(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {table: conn.execute(sql).fetchall() for table, sql in TABLES.items()}


async def backfill(db: Path, url: str, processes: int) -> None:
    async with Sentinel(settings(db, url)) as sentinel:
        # One worker, so the pattern rules' windows see the blocks in order on both sides.
        result = await Backfill(
            sentinel, start=1, end=HISTORY, workers=1, batch_size=30, processes=processes
        ).run()
        assert (result.done, result.state) == (HISTORY, "done")


async def test_decoding_processes_store_exactly_what_one_process_stores(devnet, tmp_path):
    await backfill(tmp_path / "one.db", devnet.url, processes=1)
    await backfill(tmp_path / "two.db", devnet.url, processes=2)
    one, two = contents(tmp_path / "one.db"), contents(tmp_path / "two.db")
    assert len(one["blocks"]) == HISTORY and one["hyperparam_changes"] and one["alerts"]
    for table in TABLES:
        assert two[table] == one[table], table


async def test_a_killed_decoding_process_is_replaced_and_nothing_is_lost(tmp_path):
    db = tmp_path / "k.db"
    with BackgroundDevnet(history=1200, seed=31, produce=False) as node:
        async with Sentinel(settings(db, node.url)) as sentinel:
            job = Backfill(sentinel, start=1, end=1200, workers=2, batch_size=10, processes=2)
            task = asyncio.create_task(job.run())
            deadline = asyncio.get_running_loop().time() + 60
            while job.done < 100 or job.decoders is None or not job.decoders.pids:
                assert asyncio.get_running_loop().time() < deadline, "backfill did not get going"
                await asyncio.sleep(0.05)
            os.kill(job.decoders.pids[0], signal.SIGKILL)
            result = await asyncio.wait_for(task, 120)
            assert (result.done, result.state) == (1200, "done")
            assert job.decoders is None  # closed at the end
    with sqlite3.connect(db) as conn:
        numbers = [n for (n,) in conn.execute("SELECT number FROM blocks ORDER BY number")]
    assert numbers == list(range(1, 1201))


async def test_decoding_processes_that_keep_dying_end_in_one_clear_error(devnet):
    pool = DecoderPool(1, devnet.url, [], max_restarts=0)
    try:
        from sentinel_core.chain.client import ChainClient

        async with ChainClient(devnet.url) as client:
            raw = await client.fetch_raw([1, 2, 3])
        prepared = await pool.prepare(raw)
        assert prepared.rows.numbers == [1, 2, 3]
        os.kill(pool.pids[0], signal.SIGKILL)
        with pytest.raises(DecoderDied, match=r"a decoding process died, 0 restart\(s\) already spent"):
            for _ in range(50):  # the pool notices the death on the next call
                await pool.prepare(raw)
                await asyncio.sleep(0.1)
    finally:
        pool.close()


def test_auto_processes_only_for_long_ranges():
    assert auto_processes(999) == 1
    assert 1 <= auto_processes(100_000) <= 4


async def test_a_bug_in_a_decoding_process_is_raised_here_and_the_process_serves_on(devnet):
    pool = DecoderPool(1, devnet.url, [], max_restarts=0)
    try:
        with pytest.raises(RuntimeError, match=r"a decoding process failed: \w+Error"):
            await pool.prepare(["not a raw block"])
        from sentinel_core.chain.client import ChainClient

        async with ChainClient(devnet.url) as client:
            raw = await client.fetch_raw([4, 5])
        assert (await pool.prepare(raw)).rows.numbers == [4, 5]
        assert pool.restarts == 0 and len(pool.pids) == 1
    finally:
        pool.close()
    assert pool.pids == []
