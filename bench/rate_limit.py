"""Backfill against a rate-limited node: achieved request rate vs the permitted one.

The devnet (its own process) allows N requests per second across all connections (`--rate-limit N`; a
batch frame counts once, as an HTTP request does on public nodes). Printed for Sentinel's fast_backfill
(paced, adaptive) and, in the same run, for a naive loop (one block at a time through
async-substrate-interface, sleeping a second whenever it is refused): blocks/s, requests accepted per
second against the limit, refusals. Batches are kept small so the limit, not the CPU, is what binds.
Target: fast_backfill uses at least 80% of the permitted rate, and every block arrives.

    uv run python bench/rate_limit.py [--limit 50] [--blocks 800]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from _common import ROOT, verdict
from async_substrate_interface import AsyncSubstrateInterface

from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.service import Sentinel


def stats(node: BackgroundDevnet) -> dict:
    return node.call(lambda n: dict(n.stats))


async def naive(node: BackgroundDevnet, blocks: int) -> tuple[float, float, int]:
    refused = 0
    async with AsyncSubstrateInterface(node.url, ss58_format=42, max_retries=1) as s:
        await asyncio.sleep(1.0)
        before = stats(node)
        t = time.perf_counter()
        n = 1
        while n <= blocks:
            try:
                h = await s.get_block_hash(n)
                await s.get_block(h)
                await s.get_events(h)
                n += 1
            except Exception:  # noqa: BLE001 - refused: wait for the next second
                refused += 1
                await asyncio.sleep(1.0)
        dt = time.perf_counter() - t
    after = stats(node)
    accepted = (after["frames"] - before["frames"]) - (after["rate_limited"] - before["rate_limited"])
    return blocks / dt, accepted / dt, refused


async def sentinel(node: BackgroundDevnet, blocks: int, batch: int) -> tuple[float, float, int, int]:
    with tempfile.TemporaryDirectory() as d:
        s = load_config(
            ROOT / "sentinel.toml",
            env={},
            overrides={"network": {"name": node.url}, "storage": {"path": str(Path(d) / "rl.db")}},
        )
        async with Sentinel(s) as sen:
            await asyncio.sleep(1.0)
            before = stats(node)
            t = time.perf_counter()
            result = await Backfill(sen, start=1, end=blocks, workers=8, batch_size=batch).run()
            dt = time.perf_counter() - t
            stored = (await sen.store.stats())["blocks"]
    after = stats(node)
    accepted = (after["frames"] - before["frames"]) - (after["rate_limited"] - before["rate_limited"])
    assert result.done == blocks == stored
    return blocks / dt, accepted / dt, after["rate_limited"] - before["rate_limited"], stored


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=50)
    ap.add_argument("--blocks", type=int, default=800)
    ap.add_argument("--batch-size", type=int, default=4)
    args = ap.parse_args()
    with BackgroundDevnet(
        history=args.blocks + 5, seed=5, block_time=600, produce=False, rate_limit=args.limit
    ) as node:
        n_rate, n_acc, n_ref = asyncio.run(naive(node, min(args.blocks, 200)))
        print(
            f"naive loop:     {n_rate:7.1f} blocks/s, {n_acc:5.1f} requests/s accepted of {args.limit:g} "
            f"({n_acc / args.limit:5.1%}), {n_ref} refusals"
        )
        s_rate, s_acc, s_ref, stored = asyncio.run(sentinel(node, args.blocks, args.batch_size))
        print(
            f"fast_backfill:  {s_rate:7.1f} blocks/s, {s_acc:5.1f} requests/s accepted of {args.limit:g} "
            f"({s_acc / args.limit:5.1%}), {s_ref} refusals, {stored} of {args.blocks} blocks stored"
        )
    print(f"target >= 80% of the permitted rate: {verdict(s_acc / args.limit >= 0.8)}")


if __name__ == "__main__":
    main()
