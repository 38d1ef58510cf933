"""Decoding processes for fast_backfill.

Decoding blocks, evaluating rules and building rows is CPU work: in one interpreter it caps a
backfill at one core however fast the node answers. With ``processes`` > 1 the backfill keeps the
network (batch frames, pacing, back-off: one throttle for the node) and the single SQLite writer in
its own process, and hands each fetched batch, undecoded, to a pool of decoding processes. Each of
them runs the same :func:`~sentinel_core.ingest.pipeline.prepare` the in-process path runs, on its own
connection (for the runtime metadata and the parent-state reads of hyperparameter changes) and its own
rules engine, and hands back plain rows. The parent writes them in one transaction per batch.

Not ``concurrent.futures.ProcessPoolExecutor``: its processes answer through one shared queue, and a
process killed while it wrote an answer could leave the pool waiting forever (a backfill stalled after
a decoding process was killed). Here each process has a pipe of its own.

A decoding process ends with its parent, even one killed with kill -9 (see
:mod:`sentinel_core.children`), and also at an end of file on its pipe: a pool starts all its
processes from one thread of its own that lives as long as the pool. A process the pool stops is
reaped (joined), never left a zombie.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from typing import Any, TypeVar, cast

from ..chain.client import ChainClient, ChainError, RawBlock, RpcError
from ..children import die_with_parent, real_stderr
from ..errors import SentinelError
from ..rules.engine import RuleEngine
from .pipeline import Prepared, prepare

T = TypeVar("T")

_InitArgs = tuple[str, list[Any], bool, float]
"""What a decoding process starts from: ``(url, rules, artifact, timeout)``."""

_Answer = tuple[str, Any]
"""A decoding process's answer: ``("ok", (Prepared, requests made))``, ``("chain", (method, code,
message))`` or ``("error", text)``."""


def auto_processes(blocks: int) -> int:
    """Processes worth starting for ``blocks`` blocks: one per core (at most 4) for a range long
    enough to pay for their start-up (~1 s each), else none beyond this one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if blocks < 1000 else max(1, min(cores, 4))


class _Decoder:
    """A decoding process's state: its event loop, connection and rules engine, kept across batches."""

    def __init__(self, url: str, rules: list[Any], artifact: bool, timeout: float) -> None:
        from ..service import tune_gc

        tune_gc()
        self.loop = asyncio.new_event_loop()
        self.url = url
        self.timeout = timeout
        self.engine = RuleEngine(rules)
        self.artifact = artifact
        self.client: ChainClient | None = None

    async def prepare(self, raw: list[RawBlock]) -> Prepared:
        if self.client is None:
            self.client = await ChainClient(self.url, timeout=self.timeout).connect()
        try:
            blocks = await self.client.decode_raw(raw)
            return await prepare(self.client, blocks, self.engine, artifact=self.artifact)
        except ChainError:
            await self.client.close()  # the next batch starts from a fresh connection
            self.client = None
            raise


_decoder: _Decoder | None = None


def _start(url: str, rules: list[Any], artifact: bool, timeout: float) -> None:
    global _decoder
    _decoder = _Decoder(url, rules, artifact, timeout)


def _prepare(raw: list[RawBlock]) -> _Answer:
    """Runs in a decoding process. Chain errors come back as data (their classes do not survive
    pickling as they are): ``("ok", Prepared)`` or ``("chain", (method or None, code or None, message))``,
    method and code set for the node's JSON-RPC errors."""
    assert _decoder is not None
    before = _decoder.client.frames if _decoder.client is not None else 0
    try:
        prepared = _decoder.loop.run_until_complete(_decoder.prepare(raw))
        client = _decoder.client
        return "ok", (prepared, (client.frames - before) if client is not None else 0)
    except RpcError as exc:
        return "chain", (exc.method, exc.code, exc.message)
    except ChainError as exc:
        return "chain", (None, None, str(exc))


DECODER_NICE = 10
"""Decoding is background work: with every core busy the processes yield to the dashboard (its key
presses) and to the parent, which fetches and writes for them; alone on a machine they run as fast."""


def _serve(conn: Connection, initargs: _InitArgs, parent: int) -> None:
    """A decoding process: one batch in, one answer out, until the parent closes its end (or is
    gone: ``parent`` is its pid)."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
        os.nice(DECODER_NICE)
    _start(*initargs)
    while True:
        try:
            raw = conn.recv()
        except (EOFError, OSError):
            return
        answer: _Answer
        try:
            answer = _prepare(raw)
        except Exception as exc:  # noqa: BLE001 - a bug: reported to the parent, which raises it
            answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - an answer that does not pickle (pickling precedes writing)
            conn.send(("error", f"the answer could not be sent back: {type(exc).__name__}: {exc}"))


async def _in_daemon_thread(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on a daemon thread of its own. Not an executor: its threads are joined when the
    interpreter exits, and one still waiting on a process would hold the exit up."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if not future.done():
            future.set_result(value) if ok else future.set_exception(value)

    def run() -> None:
        outcome: tuple[bool, object]
        try:
            outcome = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    threading.Thread(target=run, name="decoder-io", daemon=True).start()
    return await future


class DecoderDied(SentinelError):
    """Decoding processes kept ending abruptly (killed, out of memory)."""


class _Gone(SentinelError):
    """The decoding process of a round trip died during it."""


class _Worker:
    """One decoding process and the parent's end of its own pipe. Nothing else holds that pipe, so the
    process's death, even in the middle of an answer, is an end of file here: it cannot go unnoticed."""

    def __init__(self, ctx: SpawnContext, initargs: _InitArgs) -> None:
        mine, theirs = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_serve, args=(theirs, initargs, os.getpid()), name="sentinel-decoder", daemon=True
        )
        with real_stderr():
            self.process.start()
        theirs.close()
        self.conn = mine

    def roundtrip(self, raw: list[RawBlock]) -> _Answer:
        try:
            self.conn.send(raw)
            answer: _Answer = self.conn.recv()
            return answer
        except (EOFError, OSError) as exc:
            raise _Gone from exc

    def stop(self) -> None:
        """Kill the process and reap it; a thread waiting on its answer then gets an end of file."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(2)  # reaps it (no zombie); SIGKILL ends a process at once

    def close(self) -> None:
        """Stop, and close the pipe: only by whoever owns the worker now (a thread in a round trip, or
        the pool for an idle one), never under a thread that is reading it."""
        self.stop()
        self.conn.close()


class DecoderPool:
    """``processes`` decoding processes (spawned: the parent runs threads and an event loop), each
    serving one batch at a time over its own pipe; a thread per batch waits on its answer. A
    process that dies is replaced and its batch given to another, up to ``max_restarts`` times in all."""

    def __init__(
        self,
        processes: int,
        url: str,
        rules: list[Any],
        *,
        artifact: bool = False,
        timeout: float = 30.0,
        max_restarts: int = 3,
    ) -> None:
        self.processes = processes
        self.max_restarts = max_restarts
        self.restarts = 0
        self.frames = 0
        """Requests the decoding processes made (runtime metadata, parent-state reads)."""
        self._ctx = multiprocessing.get_context("spawn")
        self._initargs = (url, list(rules), artifact, timeout)
        self._lock = threading.Lock()
        # The one thread every process is started from (see the module's docstring): a process
        # started from the thread of a round trip would be killed as that thread ends.
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentinel-decoder-start")
        self._workers: list[_Worker] = []
        try:
            for _ in range(processes):
                self._workers.append(self._new_worker())
        except BaseException:
            for worker in self._workers:
                worker.close()
            self._starter.shutdown(wait=False)
            raise
        # Last in, first out: the process that just answered takes the next batch, so with one batch in
        # flight every batch goes to one rules engine, whose pattern windows see the blocks in order.
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        for worker in self._workers:
            self._idle.put(worker)
        self._failed: str | None = None
        self._closed = False

    def _new_worker(self) -> _Worker:
        return self._starter.submit(_Worker, self._ctx, self._initargs).result()

    @property
    def pids(self) -> list[int]:
        """The decoding processes running now."""
        with self._lock:
            pids = (w.process.pid for w in self._workers if w.process.is_alive())
            return [pid for pid in pids if pid is not None]

    async def prepare(self, raw: list[RawBlock]) -> Prepared:
        """Decode, evaluate and build rows for ``raw`` in a decoding process. Raises ChainError
        (RpcError for the node's refusals) as the in-process path would, DecoderDied when processes
        keep dying."""
        kind, value = await _in_daemon_thread(self._run, raw)
        if kind == "ok":
            prepared, frames = value
            self.frames += int(frames)
            return cast(Prepared, prepared)
        if kind == "error":
            raise RuntimeError(f"a decoding process failed: {value}")
        method, code, message = value
        raise RpcError(method, code, message) if method is not None else ChainError(message)

    def _run(self, raw: list[RawBlock]) -> _Answer:
        """In a thread: send ``raw`` to an idle process and wait for its answer, replacing processes
        that die on the way."""
        while True:
            worker = self._take()
            try:
                answer = worker.roundtrip(raw)
            except _Gone:
                self._replace(worker)
                continue
            if self._closed:
                worker.close()
            else:
                self._idle.put(worker)
            return answer

    def _take(self) -> _Worker:
        while True:
            if self._failed is not None:
                raise DecoderDied(self._failed)
            if self._closed:
                raise DecoderDied("the decoding processes were stopped")
            try:
                return self._idle.get(timeout=0.2)
            except queue.Empty:
                continue

    def _replace(self, dead: _Worker) -> None:
        dead.close()
        with self._lock:
            if self._closed:
                return
            if self.restarts >= self.max_restarts:
                self._failed = (
                    f"a decoding process died, {self.restarts} restart(s) already spent; "
                    "run the backfill again to resume"
                )
                raise DecoderDied(self._failed)
            self.restarts += 1
            fresh = self._new_worker()
            self._workers[self._workers.index(dead)] = fresh
        self._idle.put(fresh)

    def close(self) -> None:
        """Stop the processes (a batch in progress is dropped) and the threads waiting on them."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for worker in workers:
            worker.stop()
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        self._starter.shutdown(wait=False)
