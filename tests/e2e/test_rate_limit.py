"""fast_backfill against a node that limits calls per second (a token bucket over all connections):
counted per call of a frame (answering part of a frame and refusing the rest) and per frame. Every
block arrives exactly once, the refused items are asked again (nothing lost), and the progress says
what the pacer learned."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sentinel_core.bus import BackfillProgress
from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = 2000


@pytest.mark.parametrize("unit", ["call", "frame"])
async def test_fast_backfill_under_a_rate_limit_stores_every_block_once(tmp_path, unit):
    with BackgroundDevnet(
        history=BLOCKS + 5, seed=11, block_time=600, produce=False, rate_limit=60, rate_limit_unit=unit
    ) as node:
        db = tmp_path / "rl.db"
        settings = load_config(
            ROOT / "sentinel.toml",
            env={},
            overrides={"network": {"name": node.url}, "storage": {"path": str(db)}},
        )
        seen: list[BackfillProgress] = []
        async with Sentinel(settings) as sentinel:
            sentinel.bus.subscribe(lambda e: seen.append(e) if isinstance(e, BackfillProgress) else None)
            # Frame unit: small batches, so that frames (not our CPU) are what the limit binds.
            job = (
                Backfill(sentinel, start=1, end=BLOCKS, processes=1)
                if unit == "call"
                else Backfill(sentinel, start=1, end=BLOCKS, processes=1, batch_size=4, workers=16)
            )
            result = await job.run()
        stats = node.call(lambda n: dict(n.stats))

    assert result.state == "done" and result.done == result.total == BLOCKS
    # The limit bit (this is not a test of an idle node) and every refused call was asked again.
    assert stats["calls_refused"] > 0 and stats["rate_limited"] > 0
    if unit == "call":
        # Some frames were answered in part: the answered items were kept, only the rest asked again.
        assert job.throttle.pacer.refused_calls >= stats["calls_refused"] - 50
    with sqlite3.connect(db) as conn:
        numbers = [n for (n,) in conn.execute("SELECT number FROM blocks ORDER BY number")]
        assert numbers == list(range(1, BLOCKS + 1))
        dup = conn.execute(
            "SELECT COUNT(*) - COUNT(DISTINCT block || ':' || idx) FROM extrinsics"
        ).fetchone()[0]
        assert dup == 0
        half = conn.execute(
            "SELECT COUNT(*) FROM blocks b WHERE b.extrinsic_count != "
            "(SELECT COUNT(*) FROM extrinsics e WHERE e.block = b.number)"
        ).fetchone()[0]
        assert half == 0
    # The progress says what was learned: the node's limit (calls/s) and the frame size.
    learned = [p for p in seen if p.call_limit is not None]
    assert learned, "no progress event carried the learned limit"
    last = learned[-1]
    assert last.frame_calls is not None and last.frame_calls >= 1
    if unit == "call":
        assert 30 <= last.call_limit <= 90, last.call_limit
