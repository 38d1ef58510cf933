"""The dashboard's block backfill in a child process: it writes under the dashboard's writer lock,
reports progress, alerts and its end on the dashboard's bus, obeys pause, resume and cancel, and a
child killed with kill -9 is reported failed with its run record closed and nothing stored lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

from conftest import HISTORY

from sentinel_core.bus import AlertRaised, BackfillProgress, LogLine
from sentinel_core.config import load_config
from sentinel_core.ingest.job_process import ChildJob
from sentinel_core.ingest.jobs import JobController
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]


def settings(db: Path, url: str):
    return load_config(
        ROOT / "sentinel.toml", env={}, overrides={"network": {"name": url}, "storage": {"path": str(db)}}
    )


def stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM blocks").fetchone()[0])


def run_status(db: Path, run_id: int) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT status, blocks_done FROM backfill_runs WHERE id = ?", (run_id,)).fetchone()
    return str(row[0]), int(row[1])


async def until(predicate: Any, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_a_backfill_in_a_child_process_stores_its_range_and_reports_on_the_parents_bus(
    devnet, tmp_path
):
    db = tmp_path / "s.db"
    async with Sentinel(settings(db, devnet.url)) as sentinel:
        notices: list[Any] = []
        sentinel.bus.subscribe(notices.append)
        jobs = JobController(sentinel, isolate=True)
        assert jobs.start_backfill(start=1, end=HISTORY, workers=2, batch_size=20) is None
        job = jobs.job
        assert isinstance(job, ChildJob)
        assert await jobs.wait(120)
        assert job.pid not in (None, os.getpid()) and job.state == "done"
        progress = [n for n in notices if isinstance(n, BackfillProgress)]
        assert progress[-1].state == "done" and progress[-1].done == progress[-1].total == HISTORY
        alerts = [n for n in notices if isinstance(n, AlertRaised)]
        assert alerts and all(a.history and a.source == "fast_backfill" for a in alerts)
        assert stored(db) == HISTORY and run_status(db, job.run_id) == ("done", HISTORY)
        assert len(await sentinel.store.list_alerts(limit=10_000)) == len(alerts)
        # the parent's deliverer was told: every outbox row of those alerts is sent
        await sentinel.drain_deliveries()
        with sqlite3.connect(db) as conn:
            pending = conn.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]
        assert pending == 0
        # a bad range is refused at once, before any process starts
        assert jobs.start_backfill(start=50, end=10) == "block_start 50 > block_end 10"


async def test_pause_resume_and_cancel_reach_the_child(devnet, tmp_path):
    db = tmp_path / "s.db"
    async with Sentinel(settings(db, devnet.url)) as sentinel:
        states: list[str] = []
        sentinel.bus.subscribe(lambda n: states.append(n.state) if isinstance(n, BackfillProgress) else None)
        jobs = JobController(sentinel, isolate=True)
        assert jobs.start_backfill(start=1, end=HISTORY, mode="backfill", workers=1, batch_size=1) is None
        assert jobs.toggle_pause() == "paused"  # before the child has started: queued, then obeyed
        await until(lambda: "paused" in states, what="the child paused")
        held = stored(db)
        await asyncio.sleep(1.0)
        assert stored(db) == held, "nothing is stored while paused"
        assert jobs.toggle_pause() == "running"
        await until(lambda: stored(db) > held + 3, what="the child resumed")
        assert jobs.cancel()
        assert await jobs.wait(30)
        job = jobs.job
        assert job is not None and job.state == "cancelled" and states[-1] == "cancelled"
        status, done = run_status(db, job.run_id)
        assert status == "cancelled" and done == stored(db) < HISTORY


async def test_a_child_killed_with_kill_9_is_reported_failed_and_a_new_run_resumes(devnet, tmp_path):
    db = tmp_path / "s.db"
    async with Sentinel(settings(db, devnet.url)) as sentinel:
        notices: list[Any] = []
        sentinel.bus.subscribe(notices.append)
        jobs = JobController(sentinel, isolate=True)
        assert jobs.start_backfill(start=1, end=HISTORY, mode="backfill", workers=1, batch_size=1) is None
        job = jobs.job
        assert isinstance(job, ChildJob)
        await until(lambda: job.run_id and stored(db) >= 5, what="blocks stored by the child")
        assert job.pid is not None
        os.kill(job.pid, signal.SIGKILL)
        assert await jobs.wait(30)
        last = [n for n in notices if isinstance(n, BackfillProgress)][-1]
        assert last.state == "failed" and last.concurrency == 0
        assert last.error == "the backfill process ended without finishing (killed by SIGKILL)"
        assert any(isinstance(n, LogLine) and n.level == "error" and "SIGKILL" in n.text for n in notices)
        kept = stored(db)
        assert kept >= 5 and run_status(db, job.run_id)[0] == "failed"
        # the dashboard's store is unharmed, and a new run fetches only what is missing
        await sentinel.store.set_meta("after-kill", "ok")
        assert jobs.start_backfill(start=1, end=HISTORY, workers=2, batch_size=20) is None
        assert await jobs.wait(120)
        again = jobs.job
        assert again is not None and again.state == "done"
        assert again.last is not None and again.last.total == HISTORY - kept
        assert stored(db) == HISTORY
