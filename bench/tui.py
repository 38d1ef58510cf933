"""Dashboard responsiveness and memory.

Phase 1: the devnet (its own process) produces 10 blocks/s while a fast_backfill runs from the
dashboard's Backfill pane. Every 20 ms an input is posted to the app (a message, as a key press is)
and the time until the app handles it is recorded; real pane-switch key presses are sent as well,
cycling all five panes (1 Blocks, 2 Hyperparams, 3 Subnet, 4 Alerts, 5 Backfill).
Target: inputs handled within 100 ms at p99. Baseline in the same run: the same probe with the app
idle (no chain, no backfill).

Phase 2: memory over 10,000 blocks of live flow (the devnet as fast as it goes): RSS after the first
2,000 blocks (baseline) and after 10,000; target growth under 10% (bounded widgets, no unbounded lists).

    uv run python bench/tui.py [--seconds 20] [--blocks 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import psutil
from _common import ROOT, devnet_process, percentile, verdict
from textual import events
from textual.message import Message

from sentinel_core.bus import BlockProcessed
from sentinel_core.config import load_config
from sentinel_tui.app import SentinelApp

BATCH = 10


class Probe(Message):
    def __init__(self, sent: float) -> None:
        super().__init__()
        self.sent = sent


class BenchApp(SentinelApp):
    CSS_PATH = str(ROOT / "sentinel_tui" / "sentinel.tcss")  # relative paths resolve beside the subclass
    latencies: list[float]

    key_sent: float | None = None
    key_latencies: list[float]

    def on_probe(self, message: Probe) -> None:
        self.latencies.append((time.perf_counter() - message.sent) * 1000)

    def action_show_pane(self, name: str) -> None:
        super().action_show_pane(name)
        if self.key_sent is not None:  # press -> the binding's action done
            self.key_latencies.append((time.perf_counter() - self.key_sent) * 1000)
            self.key_sent = None


def app_for(url: str | None, db: Path, live: bool) -> BenchApp:
    over = {"storage": {"path": str(db)}}
    if url:
        over["network"] = {"name": url}
    settings = load_config(ROOT / "sentinel.toml", env={}, overrides=over)
    app = BenchApp(settings, live=live)
    app.latencies, app.key_latencies = [], []
    return app


async def probe(app: BenchApp, pilot, seconds: float, keys: bool) -> list[float]:
    app.latencies.clear()
    app.key_latencies.clear()
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        app.post_message(Probe(time.perf_counter()))
        n += 1
        if keys and n % 10 == 0 and app.key_sent is None:
            key = "12345"[(n // 10) % 5]
            app.key_sent = time.perf_counter()
            app.post_message(events.Key(key, key))  # as the terminal driver delivers a key press
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)
    return list(app.latencies), list(app.key_latencies)


async def phase1(url: str, seconds: float) -> tuple[list[float], list[float], list[float]]:
    with tempfile.TemporaryDirectory() as d:
        idle_app = app_for(None, Path(d) / "idle.db", live=False)
        async with idle_app.run_test(size=(120, 40)) as pilot:
            baseline, _ = await probe(idle_app, pilot, 3.0, keys=False)
        app = app_for(url, Path(d) / "busy.db", live=True)
        async with app.run_test(size=(120, 40)) as pilot:
            while not app.core_ready:
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.0)
            error = app.start_backfill(start=1, end=2900, mode="fast_backfill", workers=8, batch_size=BATCH)
            assert error is None, error
            busy, keys = await probe(app, pilot, seconds, keys=True)
            running = app.backfill_running
    print(f"  (fast_backfill still running at the end of the probe: {running})")
    return baseline, busy, keys


async def phase2(url: str, blocks: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as d:
        app = app_for(url, Path(d) / "mem.db", live=True)
        seen = 0

        def count(n) -> None:
            nonlocal seen
            if isinstance(n, BlockProcessed):
                seen += 1

        async with app.run_test(size=(120, 40)):
            app.sentinel.bus.subscribe(count)
            base = None
            while seen < blocks:
                await asyncio.sleep(0.5)
                if base is None and seen >= min(2000, blocks // 5):
                    base = psutil.Process().memory_info().rss / 2**20
            end = psutil.Process().memory_info().rss / 2**20
            rows = len(app.flow.table.rows) if hasattr(app.flow, "table") else -1
    return base, end, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--blocks", type=int, default=10_000)
    args = ap.parse_args()
    with devnet_process("--history", "3000", "--block-time", "0.1") as (url, _):
        baseline, busy, keys = asyncio.run(phase1(url, args.seconds))
    print(
        f"input -> handled, app idle (baseline): p50 {percentile(baseline, 50):6.1f} ms  p99 {percentile(baseline, 99):6.1f} ms"
    )
    print(
        f"input -> handled, 10 blocks/s + fast_backfill: p50 {percentile(busy, 50):6.1f} ms  "
        f"p99 {percentile(busy, 99):6.1f} ms  ({len(busy)} inputs)"
    )
    print(
        f"pane-switch key presses (key event -> action done): p50 {percentile(keys, 50):6.1f} ms  "
        f"p99 {percentile(keys, 99):6.1f} ms  ({len(keys)} presses)"
    )
    worst = max(percentile(busy, 99), percentile(keys, 99))
    print(f"target p99 < 100 ms: {verdict(worst < 100)}")
    with devnet_process("--history", "10", "--block-time", "0.01") as (url, _):
        base, end, rows = asyncio.run(phase2(url, args.blocks))
    growth = (end - base) / base * 100
    print(
        f"memory over {args.blocks:,} blocks: {base:.0f} MiB after 2,000 -> {end:.0f} MiB ({growth:+.1f}%), "
        f"block table rows {rows}; target growth < 10%: {verdict(growth < 10)}"
    )


if __name__ == "__main__":
    main()
