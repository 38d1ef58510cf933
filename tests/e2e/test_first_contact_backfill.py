"""Backfills as a new user meets them (issue 20): old blocks stored finalized, an end beyond the head
clamped to the head and said so at once, and progress figures that say what happens (requests per
second, what is in flight, the blocks stored, nothing counted while paused)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sentinel_core.bus import BackfillProgress
from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.backfill import Backfill, BackfillError
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def settings(db: Path, url: str):
    return load_config(
        ROOT / "sentinel.toml", env={}, overrides={"network": {"name": url}, "storage": {"path": str(db)}}
    )


def heads(node: BackgroundDevnet) -> tuple[int, int]:
    return node.call(lambda n: (n.chain.head.number, n.chain.finalized.number))


def finalized_numbers(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [n for (n,) in conn.execute("SELECT number FROM blocks WHERE finalized = 1 ORDER BY number")]


@pytest.mark.parametrize("mode", ["fast_backfill", "backfill"])
def test_backfilled_blocks_at_or_below_the_finalized_head_are_stored_finalized(devnet, tmp_path, mode):
    head, final = heads(devnet)
    assert final < head  # the devnet's last blocks are not final yet
    db = tmp_path / "f.db"
    start = final - 20
    proc = run_cli(
        "sentinel_tui.main",
        "--headless",
        "--mode",
        mode,
        "--start",
        str(start),
        "--end",
        str(head),
        "--network",
        devnet.url,
        "--db",
        str(db),
        *(["--rate-limit", "0"] if mode == "backfill" else []),
    )
    assert proc.returncode == 0, proc.stderr
    assert finalized_numbers(db) == list(range(start, final + 1))
    shown = run_cli("sentinel_tui.cli", "block", "show", str(final - 5), "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert "not finalized" not in shown.stdout and "finalized" in shown.stdout
    above = run_cli("sentinel_tui.cli", "block", "show", str(head), "--db", str(db))
    assert "not finalized" in above.stdout  # beyond the finalized head when it was fetched
    stats = json.loads(run_cli("sentinel_tui.cli", "db", "stats", "--json", "--db", str(db)).stdout)
    assert stats["finalized_up_to"] == final


def test_an_end_beyond_the_head_backfills_to_the_head_and_says_so_at_once(devnet, tmp_path):
    head, _ = heads(devnet)
    db = tmp_path / "c.db"
    args = [
        sys.executable,
        "-m",
        "sentinel_tui.main",
        "--headless",
        "--mode",
        "fast_backfill",
        "--start",
        "151",
        "--end",
        "99999999",
        "--network",
        devnet.url,
        "--db",
        str(db),
    ]
    begun = time.monotonic()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ}
    )
    assert proc.stdout is not None
    said_at = None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "beyond the chain head" in line and said_at is None:
            said_at = time.monotonic() - begun
    proc.wait(60)
    out = "".join(lines)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else out
    expected = f"end #99,999,999 is beyond the chain head #{head:,}: backfilling #151 – #{head:,}"
    assert expected in out
    assert said_at is not None and said_at < 15  # at the start (the run itself takes ~2 s here)
    count = head - 151 + 1
    progress = [ln for ln in lines if "fast_backfill 151-" in ln and "blocks (" in ln]
    assert progress and all(f"151-{head}:" in ln and f"/{count:,} blocks" in ln for ln in progress), progress
    assert f"{count:,}/{count:,} blocks (done)" in progress[-1]
    # The closing line tells the clamped range too, and nothing was stored before.
    assert f"fast_backfill 151-{head} complete: {count:,} blocks fetched (0 were stored already)" in out
    assert "beyond the chain head; retrying" not in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM blocks").fetchone()[0] == count
        (end,) = conn.execute("SELECT [end] FROM backfill_runs").fetchone()
    assert end == head  # the run is recorded with the range it backfills


async def test_a_start_beyond_the_head_is_a_one_line_error(devnet, tmp_path):
    head, _ = heads(devnet)
    async with Sentinel(settings(tmp_path / "s.db", devnet.url)) as sentinel:
        with pytest.raises(BackfillError, match=f"start #{head + 10:,} is beyond the chain head #{head:,}"):
            await Backfill(sentinel, start=head + 10, end=head + 20).run()


def test_headless_fast_backfill_lines_show_the_requests_made_and_nothing_in_flight_at_the_end(
    devnet, tmp_path
):
    db = tmp_path / "p.db"
    proc = run_cli(
        "sentinel_tui.main",
        "--headless",
        "--mode",
        "fast_backfill",
        "--start",
        "1",
        "--end",
        "200",
        "--network",
        devnet.url,
        "--db",
        str(db),
    )
    assert proc.returncode == 0, proc.stderr
    done = [ln for ln in proc.stdout.splitlines() if "fast_backfill 1-200: 200/200 blocks (done)" in ln]
    assert done, proc.stdout
    line = done[-1]
    calls = line.split(" calls/s")[0].rsplit(" ", 1)[-1]
    assert float(calls.replace(",", "")) > 0, line  # requests were made: they are counted
    assert "concurrency 0" in line, line  # a finished run has nothing in flight
    rate = line.split(" blocks/s")[0].rsplit(" ", 1)[-1]
    assert "." not in rate or float(rate) < 10, line  # 2,126 blocks/s, not 2125.71


async def test_sequential_backfill_reports_one_at_a_time_and_a_paused_run_stores_nothing(devnet, tmp_path):
    db = tmp_path / "q.db"
    async with Sentinel(settings(db, devnet.url)) as sentinel:
        seen: list[BackfillProgress] = []
        sentinel.bus.subscribe(lambda n: seen.append(n) if isinstance(n, BackfillProgress) else None)
        job = Backfill(sentinel, start=1, end=60, mode="backfill", rate_limit=0.02)
        task = asyncio.create_task(job.run())
        deadline = time.monotonic() + 60
        while job.done < 5:
            assert time.monotonic() < deadline and not task.done(), "the backfill did not get going"
            await asyncio.sleep(0.01)
        job.pause()
        await asyncio.sleep(0.5)  # what was in flight when paused is held, not stored
        held = job.done
        stored = await sentinel.store.missing_in(1, 60)
        await asyncio.sleep(1.0)
        assert job.done == held and await sentinel.store.missing_in(1, 60) == stored
        assert job.progress().done == held
        job.resume()
        result = await asyncio.wait_for(task, 60)
    assert (result.done, result.state, result.concurrency) == (60, "done", 0)
    running = [p for p in seen if p.state == "running" and p.done > 0]
    assert running and {p.concurrency for p in running} == {1}


async def test_a_cancelled_run_records_the_blocks_its_progress_showed(devnet, tmp_path):
    db = tmp_path / "x.db"
    async with Sentinel(settings(db, devnet.url)) as sentinel:
        job = Backfill(sentinel, start=1, end=240, workers=2, batch_size=5, processes=1)
        task = asyncio.create_task(job.run())
        deadline = time.monotonic() + 60
        while job.done < 40:
            assert time.monotonic() < deadline and not task.done(), "the backfill did not get going"
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        last = job.progress()
        runs = await sentinel.store.list_runs(1)
    assert last.state == "cancelled" and last.concurrency == 0
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM blocks").fetchone()[0]
    assert runs[0]["status"] == "cancelled"
    assert runs[0]["blocks_done"] == last.done == stored  # the runs table, the bar and the store agree
