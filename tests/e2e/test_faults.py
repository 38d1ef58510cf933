"""Faults injected by the devnet, crashes and bad input: Sentinel keeps going and loses nothing."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import headless

from sentinel_core.bus import AlertRaised, ConnectionChanged
from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.ingest.procs import auto_processes
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]


def settings(tmp_path: Path, url: str, **extra):
    over = {"network": {"name": url}, "storage": {"path": str(tmp_path / "f.db")}, **extra}
    return load_config(ROOT / "sentinel.toml", env={}, overrides=over)


def stored(db: Path) -> list[tuple[int, str, int, int, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT b.number, b.hash, b.extrinsic_count, "
            "(SELECT COUNT(*) FROM extrinsics e WHERE e.block = b.number), b.decode_error "
            "FROM blocks b ORDER BY b.number"
        ).fetchall()


def assert_complete(
    db: Path, first: int | None = None, last: int | None = None, *, gaps: bool = False
) -> list[int]:
    """Every stored block whole, none twice, the file intact; and no gap unless ``gaps`` (the state a
    parallel backfill leaves when killed: batches finish out of order, the next run fills the rest)."""
    rows = stored(db)
    numbers = [r[0] for r in rows]
    assert len(set(numbers)) == len(numbers), "a duplicate"
    if not gaps:
        assert numbers == list(range(numbers[0], numbers[-1] + 1)), "a gap"
    assert all(r[2] == r[3] for r in rows if r[4] is None), "a half-written block"
    if first is not None:
        assert numbers[0] == first
    if last is not None:
        assert numbers[-1] == last
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return numbers


async def until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def run_live(tmp_path: Path, node: BackgroundDevnet, blocks: int, timeout: float = 60.0, **extra):
    notices = []
    async with Sentinel(settings(tmp_path, node.url, **extra)) as sentinel:
        sentinel.bus.subscribe(notices.append)
        runner = LiveRunner(sentinel)
        task = asyncio.create_task(runner.run())
        try:
            await until(lambda: runner.blocks_processed >= blocks, timeout)
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    return runner, notices


@pytest.mark.parametrize(
    "fault",
    [
        {"latency_ms": 40},
        {"error_rate": 0.05},
        {"drop_every": 0.7},
    ],
)
async def test_live_through_node_faults(tmp_path, fault):
    with BackgroundDevnet(history=20, seed=21, block_time=0.1, **fault) as node:
        runner, notices = await run_live(tmp_path, node, 30)
        if "drop_every" in fault:
            assert any(isinstance(n, ConnectionChanged) and n.state == "reconnecting" for n in notices)
        chain = dict(node.call(lambda n: [(b.number, b.hash) for b in n.chain.blocks]))
    numbers = assert_complete(tmp_path / "f.db")
    assert len(numbers) >= 30
    assert all(chain[n] == h for n, h, *_ in stored(tmp_path / "f.db"))


async def test_live_stops_when_told_at_any_moment_of_a_reconnect(tmp_path):
    """Cancelled while it closes a dropped connection, waits out a back-off or reconnects, the live
    runner ends, every time (it once swallowed the cancellation there and reconnected forever)."""
    import random

    rng = random.Random(7)
    with BackgroundDevnet(history=20, seed=26, block_time=0.05, drop_every=0.25) as node:
        async with Sentinel(settings(tmp_path, node.url)) as sentinel:
            for _ in range(25):
                runner = LiveRunner(sentinel)
                runner.rng = random.Random(1)
                task = asyncio.create_task(runner.run())
                await asyncio.sleep(rng.uniform(0.0, 0.8))
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await asyncio.wait_for(task, 10)
                assert task.cancelled()
    assert_complete(tmp_path / "f.db", gaps=True)


async def test_fast_backfill_through_errors_and_drops(tmp_path):
    with BackgroundDevnet(history=400, seed=22, produce=False, error_rate=0.05, drop_every=1.0) as node:
        async with Sentinel(settings(tmp_path, node.url)) as sentinel:
            result = await Backfill(sentinel, start=1, end=400, workers=4, batch_size=10).run()
        assert result.done == 400 and node.call(lambda n: n.stats["errors_injected"]) > 0
    assert_complete(tmp_path / "f.db", 1, 400)


async def test_chain_stall_alerts_once_then_recovers(tmp_path):
    stall_rule = [{"kind": "stall", "name": "chain-stall", "severity": "critical", "after_seconds": 1.5}]
    with BackgroundDevnet(history=10, seed=23, block_time=0.2) as node:
        async with Sentinel(settings(tmp_path, node.url, rules=stall_rule)) as sentinel:
            alerts = []
            sentinel.bus.subscribe(lambda n: alerts.append(n.alert) if isinstance(n, AlertRaised) else None)
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                await until(lambda: runner.blocks_processed >= 3)
                node.call(lambda n: n.stall(4.0))
                await until(lambda: alerts, 10)
                await asyncio.sleep(1.5)  # still stalled: no second alert
                assert [a.rule for a in alerts] == ["chain-stall"]
                stalled_at = runner.last_number
                await until(
                    lambda: runner.last_number is not None and runner.last_number >= stalled_at + 3, 15
                )
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
    assert [a.rule for a in alerts] == ["chain-stall"]
    assert_complete(tmp_path / "f.db")


async def test_an_undecodable_block_is_recorded_and_ingestion_goes_on(tmp_path):
    with BackgroundDevnet(history=60, seed=24, produce=False) as node:
        node.call(lambda n: n.corrupt(30))
        async with Sentinel(settings(tmp_path, node.url)) as sentinel:
            await Backfill(sentinel, start=1, end=60, workers=2, batch_size=7).run()
            block = await sentinel.store.get_block(30)
            stats = await sentinel.store.stats()
    assert block.decode_error and "does not decode" in block.decode_error
    assert stats["blocks"] == 60 and stats["undecodable_blocks"] == 1
    cli = subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", "db", "stats", "--db", str(tmp_path / "f.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    assert re.search(r"undecodable blocks\s+1\s*$", cli.stdout, re.M), cli.stdout


async def test_garbage_answers_are_retried(tmp_path):
    with BackgroundDevnet(history=200, seed=25, produce=False) as node:
        async with Sentinel(settings(tmp_path, node.url)) as sentinel:
            backfill = Backfill(sentinel, start=1, end=200, workers=1, batch_size=5, max_rps=150)
            task = asyncio.create_task(backfill.run())
            await until(lambda: backfill.done >= 20)
            node.call(lambda n: n.answer_garbage(2))  # mid-run: the connection breaks, and is reopened
            result = await task
        assert result.done == 200
    assert_complete(tmp_path / "f.db", 1, 200)


def test_garbage_at_the_start_is_one_line(tmp_path):
    with BackgroundDevnet(history=20, seed=25, produce=False) as node:
        node.call(lambda n: n.answer_garbage(50))
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "sentinel_tui.main",
                "--headless",
                "--mode",
                "fast_backfill",
                "--start",
                "1",
                "--end",
                "10",
                "--network",
                node.url,
                "--db",
                str(tmp_path / "g.db"),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: cannot talk to ws://127.0.0.1:")


def wait_rows(db: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db) as conn:
                if conn.execute("SELECT COUNT(*) FROM blocks").fetchone()[0] >= count:
                    return
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} blocks stored in time")


def test_kill_9_during_fast_backfill_then_resume(tmp_path):
    db = tmp_path / "k.db"
    with BackgroundDevnet(history=1500, seed=26, produce=False) as node:
        proc = headless(
            "--mode",
            "fast_backfill",
            "--start",
            "1",
            "--end",
            "1500",
            "--network",
            node.url,
            "--workers",
            "2",
            "--batch-size",
            "10",
            db=db,
        )
        wait_rows(db, 100)
        # Its decoding processes (1,500 blocks: one per core) must not outlive it.
        helpers = [
            p
            for p in psutil.Process(proc.pid).children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())
        ]
        assert helpers or auto_processes(1500) == 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        _, alive = psutil.wait_procs(helpers, timeout=10)
        assert not alive, f"decoding processes outlived a killed backfill: {alive}"
        partial = assert_complete(db, gaps=True) if stored(db) else []
        assert partial, "something was stored before the kill"
        again = headless(
            "--mode", "fast_backfill", "--start", "1", "--end", "1500", "--network", node.url, db=db
        )
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
    assert_complete(db, 1, 1500)


def test_kill_9_during_live_then_restart_fills_the_gap(tmp_path):
    db = tmp_path / "l.db"
    with BackgroundDevnet(history=20, seed=27, block_time=0.1) as node:
        proc = headless("--network", node.url, db=db)
        wait_rows(db, 10)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        killed_at = stored(db)[-1][0]
        time.sleep(1.5)  # the chain moves on while Sentinel is down
        proc = headless("--network", node.url, db=db)
        try:
            deadline = time.monotonic() + 60
            while stored(db)[-1][0] < killed_at + 25:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
    assert_complete(db)


def test_a_second_writer_is_refused_and_readers_are_fine(tmp_path):
    db = tmp_path / "two.db"
    with BackgroundDevnet(history=20, seed=28, block_time=0.2) as node:
        first = headless("--network", node.url, db=db)
        try:
            wait_rows(db, 3)
            second = headless("--network", node.url, db=db)
            out, err = second.communicate(timeout=60)
            assert second.returncode == 2
            assert "is being written by another Sentinel process" in err and "Traceback" not in err
            reader = subprocess.run(
                [sys.executable, "-m", "sentinel_tui.cli", "db", "stats", "--json", "--db", str(db)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=60,
            )
            assert reader.returncode == 0 and '"blocks"' in reader.stdout
        finally:
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=30)
    assert_complete(db)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[network\nname = 'devnet'\n", "sentinel.toml:1: not valid TOML"),
        ("[network]\nnmae = 'devnet'\n", "sentinel.toml:2: network.nmae"),
        ("[ingest]\nworkers = 'many'\n", "sentinel.toml:2: ingest.workers"),
        (
            "[[rules]]\nkind = 'event'\nname = 'x'\npallet = 'Subtensor'\nevent = 'TempoSet'\n",
            "sentinel.toml:4: rules[0].pallet",
        ),
        (
            "[[rules]]\nkind = 'call'\nname = 'x'\npallet = 'SubtensorModule'\ncall = 'add_stake'\n"
            "where = { hotkey = { regex = '([' } }\n",
            "sentinel.toml:6: rules[0].where",
        ),
        ("[ingest]\nblock_start = 500\nblock_end = 100\n", "block_start 500 > block_end 100"),
    ],
)
def test_bad_sentinel_toml_is_one_line_and_exit_2(tmp_path, text, expected):
    (tmp_path / "sentinel.toml").write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", "rules", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert expected in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_unwritable_database_path_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentinel_tui.main",
            "--headless",
            "--network",
            "ws://127.0.0.1:9",
            "--db",
            str(blocker / "sentinel.db"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "sentinel.db" in proc.stderr


async def test_full_disk_keeps_what_was_stored(tmp_path):
    """SQLite is capped (PRAGMA max_page_count) to behave like a full disk: a clear error, nothing lost."""
    with BackgroundDevnet(history=120, seed=29, produce=False) as node:
        async with Sentinel(settings(tmp_path, node.url)) as sentinel:
            await Backfill(sentinel, start=1, end=20, workers=1, batch_size=10).run()
            await sentinel.store.write(
                lambda s: s._c().execute(
                    "PRAGMA max_page_count = " + str(s._c().execute("PRAGMA page_count").fetchone()[0] + 2)
                )
            )
            with pytest.raises(Exception) as failure:
                await Backfill(sentinel, start=21, end=120, workers=1, batch_size=50, max_attempts=1).run()
            assert "full" in str(failure.value)
    assert assert_complete(tmp_path / "f.db", 1)[-1] >= 20
