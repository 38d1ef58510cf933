"""The one Job lifecycle and the job controller: a job runs on the controller's thread, is paused,
resumed and cancelled from the caller's, records its run and reports every change as a progress event."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from sentinel_core.bus import BackfillProgress, Bus
from sentinel_core.ingest.jobs import Job, JobController


class Runs:
    """The store's run records, as the lifecycle writes them."""

    def __init__(self) -> None:
        self.status: dict[int, str] = {}
        self.done: dict[int, int] = {}

    async def start_run(self, mode: str, start: int, end: int) -> int:
        run_id = len(self.status) + 1
        self.status[run_id] = "running"
        return run_id

    async def update_run(self, run_id: int, blocks_done: int) -> None:
        self.done[run_id] = blocks_done

    async def finish_run(self, run_id: int, status: str) -> None:
        self.status[run_id] = status


class Core:
    def __init__(self) -> None:
        self.bus = Bus()
        self.store: Any = Runs()
        self.started = True


class Counting(Job):
    """Counts to ``total``, one step per checkpoint, ``step`` seconds apart; fails at ``fail_at``."""

    def __init__(self, core: Any, total: int, step: float = 0.01, fail_at: int | None = None) -> None:
        super().__init__(core, start=1, end=total)
        self.steps, self.step, self.fail_at = total, step, fail_at
        self.thread: str | None = None

    def progress(self, error: str | None = None) -> BackfillProgress:
        return BackfillProgress(
            run_id=self.run_id,
            mode="backfill",
            start=self.start,
            end=self.end,
            done=self.done,
            total=self.total,
            rate=self._rate(),
            state=self.state,
            error=error,
        )

    async def run(self) -> BackfillProgress:
        self.thread = threading.current_thread().name
        self.total = self.steps
        self.run_id = await self.s.store.start_run("backfill", self.start, self.end)
        self._publish(force=True)
        async with self.lifecycle():
            for i in range(self.steps):
                await self.checkpoint()
                if i == self.fail_at:
                    raise RuntimeError("node went away")
                await asyncio.sleep(self.step)
                self._advance(1)
                self._publish()
        return await self.finish()


def _until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_job_runs_to_done_on_its_own_thread_and_says_so() -> None:
    core = Core()
    events: list[BackfillProgress] = []
    core.bus.subscribe(lambda n: events.append(n))  # type: ignore[arg-type]
    jobs = JobController(core)  # type: ignore[arg-type]
    job = Counting(core, 5)
    jobs.start(job)
    _until(lambda: not jobs.running)
    assert job.thread == "sentinel-job" and job.thread != threading.current_thread().name
    assert job.state == "done" and job.done == 5
    assert core.store.status == {1: "done"} and core.store.done == {1: 5}
    assert events[0].state == "running" and events[-1].state == "done" and events[-1].done == 5
    assert jobs.error is None


def test_pause_resume_and_cancel_from_another_thread() -> None:
    core = Core()
    states: list[str] = []
    core.bus.subscribe(lambda n: states.append(n.state))  # type: ignore[attr-defined]
    jobs = JobController(core)  # type: ignore[arg-type]
    assert jobs.toggle_pause() is None and not jobs.cancel()  # nothing runs yet
    job = Counting(core, 10_000, step=0.001)
    jobs.start(job)
    _until(lambda: job.done > 3)
    assert jobs.start_backfill(start=1, end=2) == "a backfill is already running (c cancels it)"
    assert jobs.toggle_pause() == "paused"
    _until(lambda: job.state == "paused")
    held = job.done
    time.sleep(0.1)
    assert job.done <= held + 1  # held at its next checkpoint
    assert jobs.toggle_pause() == "running"
    _until(lambda: job.state == "running" and job.done > held + 3)
    assert jobs.pause()
    _until(lambda: job.state == "paused")
    assert jobs.cancel()  # a paused job is resumed so that it sees the cancellation
    _until(lambda: not jobs.running)
    assert job.state == "cancelled" and core.store.status == {1: "cancelled"}
    assert states[-1] == "cancelled" and "paused" in states
    assert isinstance(jobs.error, asyncio.CancelledError)


def test_a_failed_job_records_its_run_and_the_error() -> None:
    core = Core()
    events: list[BackfillProgress] = []
    core.bus.subscribe(lambda n: events.append(n))  # type: ignore[arg-type]
    jobs = JobController(core)  # type: ignore[arg-type]
    jobs.start(Counting(core, 5, fail_at=2))
    _until(lambda: not jobs.running)
    assert core.store.status == {1: "failed"}
    assert events[-1].state == "failed" and events[-1].error == "node went away"
    assert isinstance(jobs.error, RuntimeError)


def test_stop_cancels_and_waits() -> None:
    core = Core()
    jobs = JobController(core)  # type: ignore[arg-type]
    job = Counting(core, 10_000, step=0.001)
    jobs.start(job)
    _until(lambda: job.done > 0)
    asyncio.run(jobs.stop(5))
    assert not jobs.running and job.state == "cancelled"
