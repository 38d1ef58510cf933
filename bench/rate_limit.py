"""Backfill against a rate-limited node: achieved call rate vs the permitted one, in both units.

The devnet allows N per second across all connections (a token bucket, burst N), counting either
every call of a batch frame (`--rate-limit-unit call`, as hosted providers and per-IP limiters do; a
frame that does not fit is answered in part) or each frame once (`frame`). For each unit, printed for
Sentinel's fast_backfill (one pacer for the node: learns the limit from refusals, cuts frames to fit,
asks again only for refused items) and, in the same run, for a naive loop (one block at a time through
async-substrate-interface, sleeping a second whenever it is refused): blocks/s, what the node accepted
per second against the limit (calls, or frames for the frame unit), refusals.
Target: fast_backfill uses at least 80% of the permitted rate in both units, and every block arrives
exactly once.

    uv run python bench/rate_limit.py [--limit 60] [--blocks 600]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from _common import ROOT, devnet_process, verdict
from async_substrate_interface import AsyncSubstrateInterface

from sentinel_core.config import load_config
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.service import Sentinel


async def naive(url: str, blocks: int) -> tuple[float, float, int]:
    """One block at a time through the library (three requests each), a second's sleep on refusal.
    Returns blocks/s, requests answered per second (counted here), refusals."""
    refused = 0
    async with AsyncSubstrateInterface(url, ss58_format=42, max_retries=1) as s:
        await asyncio.sleep(1.5)  # the bucket refills after the handshake
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
    return blocks / dt, 3 * blocks / dt, refused


async def sentinel(
    url: str, blocks: int, batch: int, unit: str, workers: int
) -> tuple[float, float, int, int, Backfill]:
    """Sentinel's fast_backfill of 1..blocks; blocks/s, calls (frame unit: frames) answered per
    second (counted by its pacer: sent less refused), refused frames, blocks stored, the job."""
    with tempfile.TemporaryDirectory() as d:
        s = load_config(
            ROOT / "sentinel.toml",
            env={},
            overrides={"network": {"name": url}, "storage": {"path": str(Path(d) / "rl.db")}},
        )
        async with Sentinel(s) as sen:
            await asyncio.sleep(1.5)
            job = Backfill(sen, start=1, end=blocks, workers=workers, batch_size=batch, processes=1)
            t = time.perf_counter()
            result = await job.run()
            dt = time.perf_counter() - t
            stored = (await sen.store.stats())["blocks"]
            numbers = await sen.store.present_numbers(1, blocks)
    assert result.done == blocks == stored == len(numbers), (result.done, stored, len(numbers))
    pacer = job.throttle.pacer
    answered = (pacer.frames - pacer.backoffs) if unit == "frame" else (pacer.sent - pacer.refused_calls)
    return blocks / dt, answered / dt, pacer.backoffs, stored, job


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=60)
    ap.add_argument("--blocks", type=int, default=600)
    ap.add_argument(
        "--batch-size", type=int, default=4, help="blocks per batch (small: the limit binds, not the CPU)"
    )
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--units", default="call,frame")
    args = ap.parse_args()
    ok = True
    for unit in args.units.split(","):
        what = "calls" if unit == "call" else "frames"
        with devnet_process(
            "--history",
            str(args.blocks + 5),
            "--seed",
            "5",
            "--block-time",
            "600",
            "--rate-limit",
            f"{args.limit:g}",
            "--rate-limit-unit",
            unit,
        ) as (url, _):
            n_rate, n_acc, n_ref = asyncio.run(naive(url, min(args.blocks, 100)))
            print(
                f"{unit} unit, naive loop:    {n_rate:7.1f} blocks/s, {n_acc:6.1f} {what}/s accepted of "
                f"{args.limit:g} ({n_acc / args.limit:6.1%}), {n_ref} refusals"
            )
            s_rate, s_acc, s_ref, stored, job = asyncio.run(
                sentinel(url, args.blocks, args.batch_size, unit, args.workers)
            )
            cap, frame = job.throttle.pacer.cap(), job.progress().frame_calls
            print(
                f"{unit} unit, fast_backfill: {s_rate:7.1f} blocks/s, {s_acc:6.1f} {what}/s accepted of "
                f"{args.limit:g} ({s_acc / args.limit:6.1%}), {s_ref} refused frames, "
                f"{stored} of {args.blocks} blocks stored once; learned limit "
                f"{'-' if cap is None else f'{cap:.0f} calls/s'}, {frame} calls a frame"
            )
            ok = ok and s_acc / args.limit >= 0.8
    print(f"target >= 80% of the permitted rate in every unit: {verdict(ok)}")


if __name__ == "__main__":
    main()
