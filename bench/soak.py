"""Soak: an hour of chain at 10 blocks/s (36,000 blocks) through live mode under periodic drops.

The devnet (its own process) produces blocks fast (default every 20 ms: the hour of chain in about
12 minutes, within what live mode sustains on this 2-core machine beside the devnet; faster than
that, live mode falls behind and, past its 10,000-block gap-fill limit, leaves the oldest missed
blocks to a backfill, as it should on a real chain) and closes every connection every few seconds. Sentinel's live mode must store every block exactly
once, and its memory must stay flat: RSS is sampled after a warm-up (the SQLite page cache and the
runtime caches are full by then) and at the end; target growth under 10%. The warm-up figure is the
baseline, in the same run.

    uv run python bench/soak.py [--blocks 36000] [--block-time 0.01] [--drop-every 5]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

import psutil
from _common import ROOT, devnet_process, verdict

from sentinel_core.bus import ConnectionChanged
from sentinel_core.config import load_config
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


async def soak(url: str, blocks: int, warmup: int, db: Path) -> dict:
    s = load_config(
        ROOT / "sentinel.toml", env={}, overrides={"network": {"name": url}, "storage": {"path": str(db)}}
    )
    drops = 0

    def on(n) -> None:
        nonlocal drops
        if isinstance(n, ConnectionChanged) and n.state == "reconnecting" and n.error:
            drops += 1

    async with Sentinel(s) as sentinel:
        sentinel.bus.subscribe(on)
        runner = LiveRunner(sentinel)
        task = asyncio.create_task(runner.run())
        t0 = time.perf_counter()
        base = None
        samples = []
        max_lag = 0
        while runner.blocks_processed < blocks:
            await asyncio.sleep(1.0)
            if runner.best is not None and runner.last_number is not None:
                max_lag = max(max_lag, runner.best - runner.last_number)
            if base is None and runner.blocks_processed >= warmup:
                base = rss_mb()
            samples.append(rss_mb())
            if len(samples) % 30 == 0:
                print(
                    f"  {runner.blocks_processed:>6} blocks, RSS {samples[-1]:.0f} MiB, {drops} drops, "
                    f"lag {runner.best - runner.last_number if runner.best and runner.last_number else 0}",
                    flush=True,
                )
        elapsed = time.perf_counter() - t0
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        end = rss_mb()
    return {
        "elapsed": elapsed,
        "base": base,
        "end": end,
        "peak": max(samples),
        "drops": drops,
        "max_lag": max_lag,
        "processed": runner.blocks_processed,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=36_000)
    ap.add_argument("--block-time", type=float, default=0.02)
    ap.add_argument("--drop-every", type=float, default=5.0)
    ap.add_argument("--warmup", type=int, default=5_000)
    args = ap.parse_args()
    with (
        tempfile.TemporaryDirectory() as d,
        devnet_process(
            "--history", "10", "--block-time", str(args.block_time), "--drop-every", str(args.drop_every)
        ) as (url, _),
    ):
        db = Path(d) / "soak.db"
        r = asyncio.run(soak(url, args.blocks, min(args.warmup, args.blocks // 4), db))
        with sqlite3.connect(db) as conn:
            numbers = [n for (n,) in conn.execute("SELECT number FROM blocks ORDER BY number")]
    once = numbers == list(range(numbers[0], numbers[-1] + 1))
    if not once:
        have = set(numbers)
        missing = [n for n in range(numbers[0], numbers[-1] + 1) if n not in have]
        print(f"missing blocks: {missing[:20]}{' ...' if len(missing) > 20 else ''}")
    growth = (r["end"] - r["base"]) / r["base"] * 100
    print(
        f"{len(numbers):,} blocks stored (#{numbers[0]}..#{numbers[-1]}) in {r['elapsed']:.0f} s "
        f"({len(numbers) / r['elapsed']:.0f} blocks/s), {r['drops']} connection drops survived, "
        f"largest lag behind the head {r['max_lag']} blocks"
    )
    print(f"every block stored exactly once: {verdict(once)}")
    print(
        f"RSS after warm-up {r['base']:.0f} MiB, at the end {r['end']:.0f} MiB (peak {r['peak']:.0f}): "
        f"growth {growth:+.1f}%  target < 10%: {verdict(growth < 10)}"
    )


if __name__ == "__main__":
    main()
