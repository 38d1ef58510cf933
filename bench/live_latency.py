"""Live latency: from a new head arriving to its block stored (with rules and alerts), p50 and p99.

The devnet (its own process) produces 10 blocks/s of ~20 extrinsics. Sentinel's live mode stores
each block; the latency of each comes from the BlockProcessed notice (head notification received ->
block, its changes and alerts committed). Baseline in the same run: the naive way, the library's
``subscribe_block_headers`` then ``get_block`` + ``get_events`` for each head (nothing stored).
Target: p99 < 250 ms.

    uv run python bench/live_latency.py [--blocks 200]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from _common import ROOT, devnet_process, peak_rss_mb, percentile, verdict
from async_substrate_interface import AsyncSubstrateInterface

from sentinel_core.bus import BlockProcessed
from sentinel_core.config import load_config
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel


async def naive(url: str, blocks: int) -> list[float]:
    latencies: list[float] = []
    async with AsyncSubstrateInterface(url, ss58_format=42) as s:

        async def handler(obj):
            t = time.perf_counter()
            h = await s.get_block_hash(obj["header"]["number"])
            await s.get_block(h)
            await s.get_events(h)
            latencies.append((time.perf_counter() - t) * 1000)
            return True if len(latencies) >= blocks else None

        await s.subscribe_block_headers(handler)
    return latencies[5:]


async def sentinel_live(url: str, blocks: int) -> list[float]:
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as d:
        s = load_config(
            ROOT / "sentinel.toml",
            env={},
            overrides={"network": {"name": url}, "storage": {"path": str(Path(d) / "live.db")}},
        )
        async with Sentinel(s) as sentinel:
            sentinel.bus.subscribe(
                lambda n: (
                    latencies.append(n.latency_ms)
                    if isinstance(n, BlockProcessed) and n.latency_ms is not None
                    else None
                )
            )
            task = asyncio.create_task(LiveRunner(sentinel).run())
            while len(latencies) < blocks + 5:
                await asyncio.sleep(0.1)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
    return latencies[5:]


def report(label: str, values: list[float]) -> float:
    p50, p99 = percentile(values, 50), percentile(values, 99)
    print(f"{label:<44} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({len(values)} blocks)")
    return p99


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=200)
    args = ap.parse_args()
    with devnet_process("--history", "50", "--block-time", "0.1") as (url, _):
        report("naive (subscribe, get_block + get_events)", asyncio.run(naive(url, args.blocks)))
        p99 = report(
            "sentinel live (fetch, decode, rules, store)", asyncio.run(sentinel_live(url, args.blocks))
        )
    print(f"peak RSS {peak_rss_mb():.0f} MiB    target p99 < 250 ms: {verdict(p99 < 250)}")


if __name__ == "__main__":
    main()
