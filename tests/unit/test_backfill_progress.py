"""Backfill progress figures (issue 20): the rates as printed, requests counted, nothing in flight
once a run is over, the run record counting what the progress counts, finality on stored rows, and a
real stderr for starting the decoding processes under Textual's capture."""

from __future__ import annotations

import asyncio
import io
import sys
from typing import Any

import pytest
from rich.console import Console

from sentinel_core.bus import BackfillProgress, Bus
from sentinel_core.children import real_stderr
from sentinel_core.ingest.backfill import Throttle
from sentinel_core.ingest.jobs import Job
from sentinel_core.store.blocks import BlockRows, mark_rows_finalized
from sentinel_tui.headless import HeadlessOutput


def progress(**kw: Any) -> BackfillProgress:
    base: dict[str, Any] = dict(run_id=1, mode="fast_backfill", start=1, end=10, done=5, total=10)
    return BackfillProgress(**{**base, **kw})


def headless_line(p: BackfillProgress) -> str:
    out = io.StringIO()
    HeadlessOutput(Console(file=out, width=300), interactive=False)(p)
    return out.getvalue()


def test_headless_rates_are_rounded_as_people_read_them():
    line = headless_line(progress(rate=2125.71, calls_per_second=14.4, concurrency=3))
    assert "2,126 blocks/s, 14 calls/s, concurrency 3" in line
    assert "2.5 blocks/s, 0.4 calls/s" in headless_line(progress(rate=2.46, calls_per_second=0.44))
    assert "0 blocks/s, 0 calls/s" in headless_line(progress(rate=0.0, calls_per_second=0.0))


async def test_the_throttle_counts_every_request_it_lets_through():
    throttle = Throttle(limit=4, max_limit=4)
    for _ in range(5):
        await throttle.pace()
    assert throttle.sent == 5


class Runs:
    def __init__(self) -> None:
        self.done: dict[int, int] = {}
        self.status: dict[int, str] = {}

    async def update_run(self, run_id: int, blocks_done: int) -> None:
        self.done[run_id] = blocks_done

    async def finish_run(self, run_id: int, status: str) -> None:
        self.status[run_id] = status


class Core:
    def __init__(self) -> None:
        self.bus = Bus()
        self.store = Runs()


class Busy(Job):
    """A job that always says 32 are in flight (as a backfill's last figures might)."""

    def progress(self, error: str | None = None) -> BackfillProgress:
        return progress(run_id=self.run_id, done=self.done, state=self.state, concurrency=32, error=error)

    async def run(self) -> BackfillProgress:
        async with self.lifecycle():
            self._advance(7)
            if self.end == 0:
                raise RuntimeError("boom")
            await asyncio.sleep(10)
        return await self.finish()


@pytest.mark.parametrize("how", ["done", "cancelled", "failed"])
async def test_a_finished_job_has_nothing_in_flight_and_its_record_counts_what_it_did(how):
    core: Any = Core()
    seen: list[BackfillProgress] = []
    core.bus.subscribe(seen.append)
    job = Busy(core, start=1, end=0 if how == "failed" else 10)
    job.run_id = 3
    if how == "done":
        job._advance(7)
        final = await job.finish()
        assert final.concurrency == 0
    else:
        task = asyncio.create_task(job.run())
        await asyncio.sleep(0.05)
        if how == "cancelled":
            task.cancel()
        with pytest.raises((asyncio.CancelledError, RuntimeError)):
            await task
    assert seen[-1].state == how and seen[-1].concurrency == 0
    assert core.store.status[3] == how and core.store.done[3] == 7 == seen[-1].done


def test_rows_at_or_below_the_finalized_head_are_marked_finalized():
    rows = BlockRows(
        [4, 5, 6], [(n, "h", "p", None, 1, 0, 0, 0, 0, None, None) for n in (4, 5, 6)], [], [], [], []
    )
    marked = mark_rows_finalized(rows, 5)
    assert [(r[0], r[5]) for r in marked.blocks] == [(4, 1), (5, 1), (6, 0)]
    assert mark_rows_finalized(rows, 3) is rows


class Captured(io.StringIO):
    """Like Textual's capture of stderr: no file descriptor."""

    def fileno(self) -> int:
        return -1


def test_processes_start_with_a_stderr_that_has_a_file_descriptor(monkeypatch):
    captured = Captured()
    monkeypatch.setattr(sys, "stderr", captured)
    with real_stderr():
        assert sys.stderr is not captured and sys.stderr.fileno() >= 0
    assert sys.stderr is captured
    monkeypatch.setattr(sys, "__stderr__", None)
    with real_stderr():
        assert sys.stderr.fileno() >= 0  # the null device
    assert sys.stderr is captured


def test_headless_says_the_limit_the_pacer_learned_and_the_frame_size():
    line = headless_line(progress(rate=14.0, calls_per_second=55.2, call_limit=57.6, frame_calls=8))
    assert "55 calls/s (node limit ~58 calls/s, 8 calls a frame)" in line
    assert "node limit" not in headless_line(progress(rate=14.0, calls_per_second=55.2))
