"""fast_backfill throughput against a local devnet, side by side with a naive loop.

The devnet runs in its own process (blocks of ~20 extrinsics). Printed: blocks/s of the naive loop
(sequential ``get_block`` + ``get_events`` with async-substrate-interface) and of Sentinel's
fast_backfill storing into SQLite with the default rules (in one process, then with its decoding
processes, as it runs by default), the ratio, and peak RSS (of this process; the decoding processes
are separate).
Targets: fast_backfill >= 500 blocks/s and >= 20x the naive loop.

    uv run python bench/backfill.py [--blocks 3000] [--naive-blocks 150]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from _common import ROOT, devnet_process, peak_rss_mb, verdict
from async_substrate_interface import AsyncSubstrateInterface

from sentinel_core.config import load_config
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.ingest.procs import auto_processes
from sentinel_core.service import Sentinel


async def naive(url: str, blocks: int) -> float:
    async with AsyncSubstrateInterface(url, ss58_format=42) as s:
        await s.get_block(block_number=1)
        t = time.perf_counter()
        for n in range(2, blocks + 2):
            h = await s.get_block_hash(n)
            await s.get_block(h)
            await s.get_events(h)
        return blocks / (time.perf_counter() - t)


async def fast(url: str, blocks: int, workers: int, batch: int, processes: int | None) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as d:
        s = load_config(
            ROOT / "sentinel.toml",
            env={},
            overrides={"network": {"name": url}, "storage": {"path": str(Path(d) / "bench.db")}},
        )
        async with Sentinel(s) as sentinel:
            t = time.perf_counter()
            result = await Backfill(
                sentinel, start=1, end=blocks, workers=workers, batch_size=batch, processes=processes
            ).run()
            dt = time.perf_counter() - t
            stored = (await sentinel.store.stats())["blocks"]
    assert result.done == blocks == stored, (result.done, stored)
    return blocks / dt, stored


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=3000)
    ap.add_argument("--naive-blocks", type=int, default=150)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument(
        "--processes",
        type=int,
        default=None,
        help="decoding processes (default: what fast_backfill picks, one per core)",
    )
    args = ap.parse_args()
    history = max(args.blocks, args.naive_blocks) + 2
    print(f"devnet: {history} blocks of ~20 extrinsics, in its own process")
    with devnet_process("--history", str(history), "--block-time", "600", "--extrinsics-per-block", "20") as (
        url,
        _,
    ):
        naive_rate = asyncio.run(naive(url, args.naive_blocks))
        print(f"naive loop (get_block + get_events, sequential): {naive_rate:8.1f} blocks/s")
        one_rate, _ = asyncio.run(fast(url, args.blocks, args.workers, args.batch_size, 1))
        print(f"fast_backfill in one process:                    {one_rate:8.1f} blocks/s")
        procs = args.processes or auto_processes(args.blocks)
        fast_rate, stored = asyncio.run(fast(url, args.blocks, args.workers, args.batch_size, procs))
        print(
            f"fast_backfill ({args.workers} workers, batches of {args.batch_size}, {procs} decoding processes, "
            f"stored + rules): {fast_rate:8.1f} blocks/s  ({stored} blocks)"
        )
    ratio = fast_rate / naive_rate
    print(f"speed-up: {ratio:.1f}x over the naive loop    peak RSS (this process): {peak_rss_mb():.0f} MiB")
    print(
        f"target >= 500 blocks/s: {verdict(fast_rate >= 500)}    target >= 20x naive: {verdict(ratio >= 20)}"
    )


if __name__ == "__main__":
    main()
