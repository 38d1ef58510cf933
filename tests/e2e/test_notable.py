"""The same block shows the same notable calls live and after a restart (one definition of them)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sentinel_core.bus import BlockProcessed
from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel
from sentinel_core.store import Store

ROOT = Path(__file__).resolve().parents[2]


async def test_notable_calls_live_equal_stored(tmp_path: Path) -> None:
    db = tmp_path / "sentinel.db"
    with BackgroundDevnet(history=5, seed=7, block_time=0.1, extrinsics_per_block=20) as node:
        s = load_config(
            ROOT / "sentinel.toml",
            env={},
            overrides={"network": {"name": node.url}, "storage": {"path": str(db)}},
        )
        live: dict[int, list[str]] = {}
        async with Sentinel(s) as sentinel:

            def on_notice(notice: object) -> None:
                if isinstance(notice, BlockProcessed) and notice.source == "live":
                    live[notice.number] = notice.notable

            sentinel.bus.subscribe(on_notice)
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                deadline = asyncio.get_running_loop().time() + 60
                while sum(1 for n in live.values() if any(" via " in x for x in n)) < 3:
                    assert asyncio.get_running_loop().time() < deadline, "too few wrapped calls seen"
                    await asyncio.sleep(0.05)
            finally:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
    # "After a restart": a fresh store on the same file, as the dashboard opens it.
    with Store(db, readonly=True) as store:
        stored = {r["number"]: r["notable"] for r in store.recent_blocks(10_000)}
    assert live and all(number in stored for number in live)
    assert {n: stored[n] for n in live} == live
    assert any(" via " in label for labels in live.values() for label in labels)
