"""Job control for backfills: one ``Job`` lifecycle, and the controller that runs a job on its own thread.

:class:`Job` is what the block backfill (:class:`~sentinel_core.ingest.backfill.Backfill`) and the
metagraph snapshot backfill (:class:`~sentinel_core.ingest.snapshots.SnapshotBackfill`) share: the
states (``running`` -> ``paused`` <-> ``running`` -> ``done`` | ``cancelled`` | ``failed``), pause and
resume (the job's loops call :meth:`Job.checkpoint`), the rate over a recent window, the run record in
the store, and progress published on ``sentinel.bus`` as :class:`~sentinel_core.bus.BackfillProgress`
events (at most every 0.2 s, and at once on every change of state).

:class:`JobController` runs one job at a time beside live watching, on a thread with its own event
loop (decoding blocks is CPU work that would otherwise hold up the caller's loop), and offers start,
pause, resume and cancel from the caller's thread. With ``isolate`` (the dashboard) a block backfill
into a database file runs in a child process instead (:mod:`~sentinel_core.ingest.job_process`):
a thread still shares the interpreter with the caller's key presses.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Literal

from ..bus import BackfillProgress
from ..errors import SentinelError
from ..tasks import raise_if_stop_requested

if TYPE_CHECKING:
    from ..service import Sentinel
    from .job_process import ChildJob, ProcessRun

JobState = Literal["running", "paused", "done", "cancelled", "failed"]
FINISHED: frozenset[str] = frozenset({"done", "cancelled", "failed"})
PUBLISH_EVERY = 0.2
"""Seconds between two progress events of a running job (a change of state is published at once)."""


class JobError(SentinelError):
    """A job could not be started (another one runs, the core is not started, bad arguments)."""


class Job(ABC):
    """The lifecycle one backfill run goes through; subclasses do the work in ``run()``.

    ``run()`` wraps its work in ``async with self.lifecycle(run_id):`` (a cancellation or a failure
    records the run as ``cancelled`` / ``failed`` and publishes it) and ends with ``await
    self.finish()``; its loops call ``await self.checkpoint()`` (ends the job when it is cancelled,
    waits while it is paused) and ``self._advance(n)`` / ``self._publish()``."""

    def __init__(self, sentinel: Sentinel, *, start: int, end: int) -> None:
        self.s = sentinel
        self.start = start
        self.end = end
        self.run_id = 0
        self.total = 0
        self.done = 0
        self.state: JobState = "running"
        self._resume = asyncio.Event()
        self._resume.set()
        self._rates: deque[tuple[float, int]] = deque(maxlen=64)
        self._last_publish = 0.0

    # -- what a job reports -----------------------------------------------------------------------------
    @abstractmethod
    def progress(self, error: str | None = None) -> BackfillProgress:
        """The job's progress now (each kind of job says what it counts)."""

    @abstractmethod
    async def run(self) -> BackfillProgress:
        """Do the work; the final progress (or raises)."""

    # -- control ---------------------------------------------------------------------------------------
    def pause(self) -> None:
        """Hold the job at its next checkpoint (call on the job's own event loop's thread)."""
        self.state = "paused"
        self._resume.clear()
        self._publish(force=True)

    def resume(self) -> None:
        self.state = "running"
        self._resume.set()
        self._publish(force=True)

    async def checkpoint(self) -> None:
        """For the top of a job's loops: end the job when it is cancelled, wait while it is paused."""
        raise_if_stop_requested()
        await self._resume.wait()

    # -- progress --------------------------------------------------------------------------------------
    def _rate(self) -> float:
        """Units per second over the recent window."""
        if len(self._rates) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._rates[0], self._rates[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0

    def _eta(self, rate: float) -> float | None:
        return (self.total - self.done) / rate if rate > 0 else None

    def _advance(self, n: int) -> None:
        self.done += n
        self._rates.append((time.monotonic(), self.done))

    def _publish(self, force: bool = False, error: str | None = None) -> None:
        now = time.monotonic()
        if force or now - self._last_publish >= PUBLISH_EVERY:
            self._last_publish = now
            self.s.bus.publish(self._ended(self.progress(error)))

    def _ended(self, progress: BackfillProgress) -> BackfillProgress:
        """A finished job has nothing in flight, whatever its last figures were."""
        if progress.state in FINISHED and progress.concurrency:
            return progress.model_copy(update={"concurrency": 0})
        return progress

    # -- the run record --------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def lifecycle(self) -> AsyncIterator[None]:
        """Around a job's work: a cancellation or a failure ends the stored run that way and is
        published (then propagates)."""
        try:
            yield
        except asyncio.CancelledError:
            self.state = "cancelled"
            await asyncio.shield(self._record("cancelled"))
            self._publish(force=True)
            raise
        except Exception as exc:
            self.state = "failed"
            await self._record("failed")
            self._publish(force=True, error=str(exc))
            raise

    async def settle(self) -> None:
        """Before a cancelled or failed run is recorded: make ``done`` what the store holds (a write
        may have committed just as the cancellation arrived, before the job counted it). A job whose
        count is exact already leaves it as it is."""
        return None

    async def _record(self, status: str) -> None:
        """End the stored run with what was done: the runs table says what the progress said."""
        if status != "done":
            await self.settle()
        await self.s.store.update_run(self.run_id, self.done)
        await self.s.store.finish_run(self.run_id, status)

    async def finish(self) -> BackfillProgress:
        """The work is complete: the run is recorded ``done`` and the final progress published."""
        self.state = "done"
        await self._record("done")
        final = self._ended(self.progress())
        self.s.bus.publish(final)
        return final


class JobController:
    """Runs one :class:`Job` at a time on a thread with its own event loop (or, with ``isolate``, a
    block backfill in a child process); start, pause, resume and cancel are called from any other
    thread (the dashboard's). Progress reaches the caller as the job's ``BackfillProgress`` events on
    ``sentinel.bus``."""

    def __init__(self, sentinel: Sentinel, *, isolate: bool = False) -> None:
        self.s = sentinel
        self.isolate = isolate
        self.job: Job | ChildJob | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[BackfillProgress] | None = None
        self._child: ProcessRun | None = None
        self._ending: list[ProcessRun] = []
        """Child processes whose run has ended, still closing when the next one started."""
        self._cancel_requested = False
        self._lock = threading.Lock()
        self.error: BaseException | None = None
        """What the last job raised (its ``failed`` progress event says so too)."""

    @property
    def running(self) -> bool:
        """A job runs (a child process whose run has ended, still closing, does not count: the next
        one may start)."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return False
        return self._child is None or self._child.job.state not in FINISHED

    # -- start ------------------------------------------------------------------------------------------
    def start_backfill(
        self,
        *,
        start: int,
        end: int,
        mode: Literal["backfill", "fast_backfill"] = "fast_backfill",
        workers: int | None = None,
        batch_size: int | None = None,
    ) -> str | None:
        """Start a block backfill beside live watching; a problem, or None when started."""
        if not self.s.started:
            return "the core is not started yet"
        if self.running:
            return "a backfill is already running (c cancels it)"
        # backfill.py builds on Job (defined here): imported when used, not when this module loads.
        from .backfill import Backfill, BackfillError

        params: dict[str, Any] = {
            "start": start,
            "end": end,
            "mode": mode,
            "workers": workers,
            "batch_size": batch_size,
        }
        try:
            job = Backfill(self.s, **params)  # the same checks the child makes, said at once
        except BackfillError as exc:
            return str(exc)
        if self.isolate and self.s.settings.storage.path != ":memory:":
            from .job_process import ProcessRun

            run = ProcessRun(self.s, params)
            self._ending = [r for r in self._ending if r.thread.is_alive()]
            if self._child is not None and self._child.thread.is_alive():
                self._ending.append(self._child)
            self.job, self.error, self._child, self._thread = run.job, None, run, run.thread
            run.start()
        else:
            self.start(job)
        return None

    def start(self, job: Job) -> None:
        """Run ``job`` on a thread of its own (raises JobError when one is running)."""
        if self.running:
            raise JobError("a backfill is already running")
        self.job = job
        self.error = None
        self._cancel_requested = False
        self._task = None
        if self._child is not None and self._child.thread.is_alive():
            self._ending.append(self._child)  # still closing: killed on quit if it must be
        self._child = None
        loop = asyncio.new_event_loop()
        self._loop = loop
        thread = threading.Thread(target=self._run, args=(job, loop), name="sentinel-job", daemon=True)
        self._thread = thread
        thread.start()

    def _run(self, job: Job, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            with self._lock:
                task = loop.create_task(job.run())
                self._task = task
                if self._cancel_requested:
                    task.cancel()
            loop.run_until_complete(task)
        except BaseException as exc:  # noqa: BLE001 - the failure arrives as a progress event too
            self.error = exc
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            with self._lock:
                self._loop = None
            loop.close()

    # -- control ----------------------------------------------------------------------------------------
    def _call(self, fn: Callable[[], None]) -> bool:
        """Run ``fn`` on the job's loop (its events belong there); False when no job runs."""
        with self._lock:
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(fn)
                return True
        return False

    def pause(self) -> bool:
        return self._control("pause")

    def resume(self) -> bool:
        return self._control("resume")

    def _control(self, command: Literal["pause", "resume"]) -> bool:
        job, child = self.job, self._child
        if job is None or not self.running:
            return False
        if child is not None:
            child.send(command)
            job.state = "paused" if command == "pause" else "running"
            return True
        assert isinstance(job, Job)
        return self._call(job.pause if command == "pause" else job.resume)

    def toggle_pause(self) -> JobState | None:
        """Pause or resume the running job; the new state, or None when none runs."""
        job = self.job
        if job is None or not self.running:
            return None
        if job.state == "paused":
            return "running" if self.resume() else job.state
        return "paused" if self.pause() else job.state

    def cancel(self) -> bool:
        """Stop the running job (it records the run as cancelled); False when none runs."""
        job, child = self.job, self._child
        if job is None or not self.running:
            return False
        if child is not None:
            child.send("cancel")
            return True
        assert isinstance(job, Job)
        if job.state == "paused":
            self._call(job.resume)  # let the workers see the cancellation
        with self._lock:
            self._cancel_requested = True
            task, loop = self._task, self._loop
            if task is not None and loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)
        return True

    def kill(self) -> None:
        """End a child process's backfill at once (quitting after a cancel that took too long); its
        run is recorded failed. A job on a thread cannot be killed: cancel it."""
        for run in [*self._ending, *([self._child] if self._child is not None else [])]:
            if run.thread.is_alive():
                run.kill()

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait (without blocking the caller's loop) until no job runs, its process ended too;
        False on timeout."""
        threads = [r.thread for r in self._ending] + ([self._thread] if self._thread is not None else [])
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            await asyncio.to_thread(thread.join, left)
        return not any(thread.is_alive() for thread in threads)

    async def stop(self, timeout: float = 10.0) -> None:
        """Cancel the running job, if any, and wait for its thread to end (at most ``timeout`` s; a
        child process still running then is killed)."""
        self.cancel()
        if not await self.wait(timeout):
            self.kill()
            await self.wait(5)
