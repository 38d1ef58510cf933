"""A block backfill in a process of its own, beside a dashboard.

In the dashboard's process a backfill's fetching, frame parsing and writing share the interpreter
with the UI thread, and the UI thread gives the interpreter lock up every time its event loop waits
on the selector: it gets it back only after the switch interval when the backfill's threads are
busy, so a key press that takes a hundred turns of the loop waited that many times (pane keys took
0.3 - 0.6 s during a backfill, 50 ms without). In a process of its own the backfill shares only the
cores, and at a lower priority: the dashboard draws a key press as fast as without one.

The child opens the same database as a *delegated* writer (the dashboard keeps the writer lock; the
child checks that its parent holds it and SQLite serialises the two connections' transactions),
runs the same :class:`~sentinel_core.ingest.backfill.Backfill` with its decoding processes, and
sends back over its pipe every notice its bus publishes (progress, log lines, alerts raised, changes
found) and the alerts it stored, so the dashboard's deliverer delivers them at once. Pause, resume
and cancel go the other way. It ends with its parent, even one killed with kill -9
(``PR_SET_PDEATHSIG``, as the decoding processes do); a child that ends without a word (killed, out
of memory) is reported ``failed`` and its run record closed by the parent.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Literal

from ..bus import BackfillProgress, LogLine
from ..children import die_with_parent, exit_text, real_stderr
from ..config import Settings
from ..errors import SentinelError
from .jobs import FINISHED, JobState

if TYPE_CHECKING:
    from ..service import Sentinel

CHILD_NICE = 10
"""A backfill is background work: with every core busy it yields to the dashboard drawing the
screen (its decoding processes are lower still)."""
Command = Literal["pause", "resume", "cancel"]


class ChildJob:
    """What the dashboard knows of the backfill its child process runs (from the child's progress)."""

    def __init__(self, mode: str, start: int, end: int) -> None:
        self.mode = mode
        self.start = start
        self.end = end
        self.state: JobState = "running"
        self.run_id = 0
        self.processes_used = 1
        """The processes the backfill decoded in (the child alone: 1), known when its run ends."""
        self.pid: int | None = None
        """The child process."""
        self.last: BackfillProgress | None = None


class ProcessRun:
    """One backfill in a child process, and the thread that starts it and reads its pipe (the
    process's parent thread: it lives as long as the process, see ``die_with_parent``)."""

    def __init__(self, sentinel: Sentinel, params: dict[str, Any]) -> None:
        self.s = sentinel
        self.params = params
        self.job = ChildJob(str(params.get("mode", "fast_backfill")), params["start"], params["end"])
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._pending: list[Command] = []
        self._killed = False
        self.thread = threading.Thread(target=self._run, name="sentinel-job", daemon=True)

    def start(self) -> None:
        self.thread.start()

    # -- control (from any thread) ---------------------------------------------------------------------
    def send(self, command: Command) -> None:
        """Tell the child (queued until its pipe is there)."""
        with self._lock:
            if self._conn is None:
                self._pending.append(command)
                return
            with contextlib.suppress(OSError, EOFError, ValueError):
                self._conn.send(command)

    def kill(self) -> None:
        """End the child at once (its decoding processes end with it)."""
        with self._lock:
            self._killed = True
            process = self._process
        if process is not None and process.is_alive():
            with contextlib.suppress(OSError):
                process.kill()

    # -- the parent thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        mine, theirs = ctx.Pipe(duplex=True)
        settings = self.s.settings.model_copy(update={"rules": list(self.s.engine.rules)})
        live, archive = self.s.endpoints_in_use()
        # Not a daemon: it starts decoding processes of its own (daemons may not have children).
        process = ctx.Process(
            target=child_main,
            args=(theirs, settings, live, archive, self.params, os.getpid()),
            name="sentinel-backfill",
        )
        error: str | None = None
        try:
            with real_stderr():
                process.start()
        except Exception as exc:  # noqa: BLE001 - reported as the run's failure
            error = f"the backfill process did not start: {exc}"
        theirs.close()
        if error is None:
            with self._lock:
                self._process = process
                self._conn = mine
                self.job.pid = process.pid
                pending, self._pending = self._pending, []
                killed = self._killed
            if killed:
                process.kill()
            for command in pending:
                self.send(command)
            error = self._read(mine)
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(2)
            if error is None and self.job.state not in FINISHED:
                error = f"the backfill process ended without finishing ({exit_text(process.exitcode)})"
        with self._lock:
            self._conn = None
        mine.close()
        if error is not None and self.job.state not in FINISHED:
            self._failed(error)

    def _read(self, conn: Connection) -> str | None:
        """Hand on what the child sends until it closes its end; the error it reported, if any."""
        error: str | None = None
        while True:
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):
                return error
            except Exception as exc:  # noqa: BLE001 - a message that does not unpickle
                return f"the backfill process sent what could not be read: {exc}"
            if kind == "notice":
                if isinstance(value, BackfillProgress):
                    self._track(value)
                self.s.bus.publish(value)
            elif kind == "alerts":
                with contextlib.suppress(SentinelError):  # the deliverer is gone (quitting)
                    self.s.deliverer.on_new_alerts(value)
            elif kind == "processes":
                self.job.processes_used = int(value)
            elif kind == "error":
                error = str(value)

    def _track(self, progress: BackfillProgress) -> None:
        job = self.job
        job.last = progress
        job.run_id = progress.run_id or job.run_id
        job.state = progress.state
        job.start, job.end = progress.start, progress.end

    def _failed(self, error: str) -> None:
        """The child ended before its run did: close the run record as the child would have, say so."""
        job = self.job
        last = job.last
        done = last.done if last is not None else 0
        if job.run_id:
            with contextlib.suppress(Exception):  # the store is closed (quitting): the next writer repairs it
                asyncio.run(_close_run(self.s, job.run_id, done))
        job.state = "failed"
        base = last or BackfillProgress(
            run_id=job.run_id,
            mode="fast_backfill" if job.mode != "backfill" else "backfill",
            start=job.start,
            end=job.end,
            done=0,
            total=0,
        )
        self.s.bus.publish(
            base.model_copy(update={"state": "failed", "error": error, "concurrency": 0, "eta_seconds": None})
        )
        self.s.bus.publish(LogLine(level="error", text=f"backfill failed: {error}"))


async def _close_run(sentinel: Sentinel, run_id: int, done: int) -> None:
    await sentinel.store.update_run(run_id, done)
    await sentinel.store.finish_run(run_id, "failed")


# -- the child process -----------------------------------------------------------------------------------


def child_main(
    conn: Connection,
    settings: Settings,
    live: list[str],
    archive: list[str] | None,
    params: dict[str, Any],
    parent: int,
) -> None:
    """The child process: run the backfill, say how it went, end."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the dashboard's; it cancels us
    with contextlib.suppress(OSError, AttributeError):
        os.nice(CHILD_NICE)
    sender = _Sender(conn)
    try:
        asyncio.run(_child(sender, conn, settings, live, archive, params))
    except BaseException as exc:  # noqa: BLE001 - the run's failure, for the parent to say
        sender.send(("error", str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
    finally:
        conn.close()


class _Sender:
    """Sends to the parent from any of the child's threads; a parent gone ends nothing here (the
    kernel ends this process then)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.lock = threading.Lock()

    def send(self, message: tuple[str, Any]) -> None:
        with self.lock, contextlib.suppress(OSError, EOFError, ValueError):
            self.conn.send(message)


async def _child(
    sender: _Sender,
    conn: Connection,
    settings: Settings,
    live: list[str],
    archive: list[str] | None,
    params: dict[str, Any],
) -> None:
    from ..service import Sentinel
    from .backfill import Backfill

    sentinel = Sentinel(settings)
    sentinel.use_endpoints(live, archive)
    job = Backfill(sentinel, **params)

    def forward(notice: Any) -> None:
        if isinstance(notice, BackfillProgress) and notice.state in FINISHED:
            sender.send(("processes", job.processes_used))  # known to the parent when the run ends
        sender.send(("notice", notice))

    sentinel.bus.subscribe(forward)
    await sentinel.start(deliver=False, watch_rules=False, live=False, delegated=True)
    try:
        # The parent delivers: its deliverer is told of the alerts this process stored.
        sentinel.pipeline.on_new_alerts = lambda alerts: sender.send(("alerts", list(alerts)))
        task = asyncio.create_task(job.run(), name="backfill")
        loop = asyncio.get_running_loop()

        def command(name: str) -> None:
            if name == "pause":
                job.pause()
            elif name == "resume":
                job.resume()
            elif name == "cancel":
                if job.state == "paused":
                    job.resume()  # let the workers see the cancellation
                task.cancel()

        threading.Thread(target=_commands, args=(conn, loop, command), name="commands", daemon=True).start()
        try:
            await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
            if job.state != "cancelled":  # cancelled before its run began: say so all the same
                job.state = "cancelled"
                job._publish(force=True)
    finally:
        await sentinel.stop()


def _commands(conn: Connection, loop: asyncio.AbstractEventLoop, command: Callable[[str], None]) -> None:
    """The child's reader of its parent's commands; the parent's end closed means cancel."""
    while True:
        try:
            name = str(conn.recv())
        except (EOFError, OSError):
            name = "cancel"
        try:
            loop.call_soon_threadsafe(command, name)
        except RuntimeError:  # the loop is closed: the run is over
            return
        if name == "cancel":
            return
