"""Backfill modes: ``backfill`` (sequential, a pause between blocks) and ``fast_backfill``.

fast_backfill splits the blocks of [start, end] that the store does not have yet (so a second run
after an interruption fetches only what is missing) into batches; workers, each on its own
connection, take batches and fetch each in two or three JSON-RPC batch frames. Every call goes
through one :class:`~sentinel_core.chain.pacing.CallPacer` for the node: it learns the calls per
second the node permits from its refusals, cuts frames to fit, and the clients ask again only for the
refused items of a frame, so a rate-limited node slows a backfill to its limit and never stalls it.
Overload answers (timeouts, dropped connections) halve the batches in flight and back off with
jitter, clean answers grow them again; ``max_rps`` caps the call rate by hand. A batch that failed is
fetched again; nothing is skipped.

Both modes clamp an end beyond the chain head to the head (saying so at the start), store the blocks at
or below the finalized head (read at the start and again every few seconds) as finalized, and count
in their progress the blocks stored: nothing more is stored while a run is paused.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ..bus import BackfillProgress, LogLine, WorkerProgress
from ..chain.client import ChainClient, ChainError, RpcError, is_rate_limit_text
from ..chain.pacing import CallPacer
from ..errors import SentinelError
from ..service import collect_connection_garbage
from ..store.blocks import mark_rows_finalized
from ..tasks import cancel_and_wait
from .jobs import Job
from .pipeline import Prepared, prepare
from .procs import DecoderDied, DecoderPool, auto_processes

_R = TypeVar("_R")

if TYPE_CHECKING:
    from ..service import Sentinel

log = logging.getLogger("sentinel.backfill")

NODE_ERROR_ATTEMPTS = 3
"""Times a batch is tried when the node answers it with an error (after the client's own quick retries
of transient ones)."""
FINALITY_EVERY = 3.0
"""Seconds a finalized head read by a backfill is used before it is read again (two calls)."""


class BackfillError(SentinelError):
    pass


def plan(missing: Sequence[tuple[int, int]], step: int, start: int, batch_size: int) -> list[list[int]]:
    """Batches of block numbers to fetch: the missing ranges, every ``step``-th block from ``start``."""
    numbers: list[int] = []
    for a, b in missing:
        first = a + ((start - a) % step)
        numbers.extend(range(first, b + 1, step))
    return [numbers[i : i + batch_size] for i in range(0, len(numbers), batch_size)]


@dataclass
class Throttle:
    """A backfill's batches in flight (``limit``) and the node's call budget (``pacer``).

    Rate-limit refusals are the pacer's business (it lowers the call rate, not the concurrency);
    overload (timeouts, dropped connections) halves the batches in flight and pauses every sender,
    with jitter; each clean batch lets one more be in flight, up to ``max_limit``.
    """

    limit: int
    max_limit: int
    max_rps: float | None = None
    overloads: int = 0
    rng: random.Random = field(default_factory=random.Random)
    pacer: CallPacer = field(init=False)
    _streak: int = 0

    def __post_init__(self) -> None:
        self.pacer = CallPacer(max_rps=self.max_rps, rng=self.rng)

    @property
    def sent(self) -> int:
        """Calls sent through the pacer in all."""
        return self.pacer.sent

    @property
    def backoffs(self) -> int:
        """Refused frames and overloads so far."""
        return self.pacer.backoffs + self.overloads

    async def pace(self, calls: int = 1) -> None:
        await self.pacer.pace(calls)

    def on_success(self) -> None:
        self._streak = 0
        if self.limit < self.max_limit:
            self.limit += 1

    def on_rate_limited(self) -> float:
        """A refusal that reached the backfill as an error (a connection's handshake): the pacer
        learns from it; the pause, in seconds."""
        return self.pacer.refused(0)

    def on_overload(self) -> float:
        """Errors that are not rate limits (timeouts, dropped connections): fewer in flight, back off."""
        self.overloads += 1
        self._streak += 1
        self.limit = max(1, self.limit // 2)
        # Doubling with the failures in a row (a clean answer starts over), not with all of the run's.
        delay = min(30.0, 0.5 * 2.0 ** min(self._streak, 6)) * (0.5 + self.rng.random())
        self.pacer.pause(delay)
        return delay

    def calls_per_second(self) -> float:
        return self.pacer.calls_per_second()


class Backfill(Job):
    """One backfill run; ``await run()`` returns when the range is complete (or raises)."""

    def __init__(
        self,
        sentinel: Sentinel,
        *,
        start: int,
        end: int,
        mode: Literal["backfill", "fast_backfill"] = "fast_backfill",
        workers: int | None = None,
        batch_size: int | None = None,
        batch_delay: float | None = None,
        step: int | None = None,
        rate_limit: float | None = None,
        max_rps: float | None = None,
        processes: int | None = None,
        max_attempts: int = 20,
    ) -> None:
        ing = sentinel.settings.ingest
        if start > end:
            raise BackfillError(f"block_start {start} > block_end {end}")
        super().__init__(sentinel, start=start, end=end)
        self.mode = mode
        self.workers = workers or ing.workers
        self.batch_size = batch_size or ing.batch_size
        self.batch_delay = ing.batch_delay if batch_delay is None else batch_delay
        self.step = step or ing.step
        self.rate_limit = ing.rate_limit if rate_limit is None else rate_limit
        self.max_rps = max_rps if max_rps is not None else ing.max_rps
        self.processes = processes if processes is not None else ing.processes
        """fast_backfill: decoding processes (None: one per core for long ranges, see auto_processes)."""
        self.decoders: DecoderPool | None = None
        self.processes_used = 1
        """The processes a fast_backfill decoded in (this one alone: 1)."""
        self.max_attempts = max_attempts
        self._worker_progress: dict[int, WorkerProgress] = {}
        self.in_flight = 0
        """Batches being fetched, decoded or written now."""
        self.finalized: int | None = None
        """The finalized head as last read: blocks at or below it are stored finalized."""
        self._finalized_at = 0.0
        self._finality_lock = asyncio.Lock()
        self._decoder_calls = 0
        """Requests made by decoding processes that are closed now."""
        # (time, requests so far), from the job's creation: a run shorter than one window still has
        # the requests it made counted from its start.
        self._calls: deque[tuple[float, int]] = deque([(time.monotonic(), 0)], maxlen=64)
        self._planned: set[int] = set()
        """(time, requests sent so far) at each step, over the same window as the rate."""
        # Start at full concurrency and no call cap: a rate-limited node refuses part of the first
        # frames and the pacer learns its limit from there; a node of our own answers and we keep going.
        self.throttle = Throttle(limit=self.workers, max_limit=self.workers, max_rps=self.max_rps)

    # -- progress --------------------------------------------------------------------------------------
    def calls_sent(self) -> int:
        """Calls to the node so far: this process's (paced) and the decoding processes' requests."""
        decoders = self.decoders
        return self.throttle.sent + self._decoder_calls + (decoders.frames if decoders is not None else 0)

    def _calls_per_second(self) -> float:
        """Calls per second over the recent window (the rate's): the fetches of a batch and the
        decoding processes' reads, even when a figure is taken while the workers wait on decoding."""
        if not self._calls:
            return 0.0
        t0, f0 = self._calls[0]
        elapsed = time.monotonic() - t0
        return (self.calls_sent() - f0) / max(elapsed, 0.5)

    def _frame_calls(self) -> int:
        """Calls in the frame of a whole batch (bodies and events of its blocks), or fewer when the
        pacer cuts frames to fit the node's limit."""
        whole = 2 * (1 if self.mode == "backfill" else self.batch_size)
        cut = self.throttle.pacer.frame_calls()
        return min(whole, cut) if cut else whole

    async def settle(self) -> None:
        """The blocks of this run that the store holds now (see :meth:`Job.settle`)."""
        if self._planned:
            stored = await self.s.store.present_numbers(min(self._planned), max(self._planned))
            self.done = len(stored & self._planned)

    def _advance(self, n: int) -> None:
        super()._advance(n)
        self._calls.append((time.monotonic(), self.calls_sent()))

    def progress(self, error: str | None = None) -> BackfillProgress:
        rate = self._rate()
        remaining = self.total - self.done
        return BackfillProgress(
            run_id=self.run_id,
            mode=self.mode,
            start=self.start,
            end=self.end,
            done=self.done,
            total=self.total,
            rate=rate,
            eta_seconds=(remaining / rate) if rate > 0 else None,
            state=self.state,
            # Copies: the workers go on counting in theirs while the event travels (to another thread).
            workers=[w.model_copy() for w in sorted(self._worker_progress.values(), key=lambda w: w.worker)],
            backoffs=self.throttle.backoffs,
            calls_per_second=self._calls_per_second(),
            call_limit=self.throttle.pacer.cap(),
            frame_calls=self._frame_calls(),
            # Sequential: one block at a time, including the pause between two.
            concurrency=(1 if self.state in ("running", "paused") else 0)
            if self.mode == "backfill"
            else self.in_flight,
            error=error,
        )

    # -- run -----------------------------------------------------------------------------------------
    async def run(self) -> BackfillProgress:
        store = self.s.store
        # A node that cannot be reached at the start is an error now, not something to wait out.
        client = await self.s.connect(archive=True)
        try:
            head, _ = await client.head()
            self.finalized, _ = await client.finalized_head()
            self._finalized_at = time.monotonic()
        finally:
            await client.close()
        self._clamp_to(head)
        missing = await store.missing_in(self.start, self.end)
        batches = plan(missing, self.step, self.start, 1 if self.mode == "backfill" else self.batch_size)
        self.total = sum(len(b) for b in batches)
        self._planned = {n for b in batches for n in b}
        self.run_id = await store.start_run(self.mode, self.start, self.end)
        self._rates.append((time.monotonic(), 0))
        self._calls.append((time.monotonic(), self.calls_sent()))
        self._publish(force=True)
        async with self.lifecycle():
            try:
                if self.mode == "backfill":
                    await self._sequential(batches)
                else:
                    await self._parallel(batches)
            finally:
                collect_connection_garbage()  # the workers' connections
        return await self.finish()

    def _clamp_to(self, head: int) -> None:
        """An end beyond the chain head: backfill up to the head, and say so (a start beyond it is an
        error)."""
        if self.start > head:
            raise BackfillError(f"start #{self.start:,} is beyond the chain head #{head:,}")
        if self.end > head:
            text = (
                f"end #{self.end:,} is beyond the chain head #{head:,}: "
                f"backfilling #{self.start:,} – #{head:,}"
            )
            log.info(text)
            self.s.bus.publish(LogLine(level="warning", text=text))
            self.end = head

    async def _final_up_to(self, client: ChainClient, batch: list[int]) -> int | None:
        """The finalized head, read again when the last reading is a few seconds old: a block at or
        below it when it is fetched is final."""
        if self.finalized is not None and batch[-1] <= self.finalized:
            return self.finalized
        async with self._finality_lock:
            if time.monotonic() - self._finalized_at >= FINALITY_EVERY:
                number, _ = await self._retrying(client, client.finalized_head, batch)
                self.finalized = max(number, self.finalized or 0)
                self._finalized_at = time.monotonic()
        return self.finalized

    async def _store(
        self, prepared: Prepared, final: int | None, source: str, blocks: Sequence[Any] | None = None
    ) -> None:
        """Write a prepared batch (not while the run is paused: what the run counts is what it
        stored), its blocks at or below ``final`` marked finalized."""
        await self.checkpoint()
        if final is not None:
            prepared = prepared._replace(rows=mark_rows_finalized(prepared.rows, final))
        await self.s.pipeline.commit(prepared, blocks, source=source)

    async def _sequential(self, batches: list[list[int]]) -> None:
        client = await self._connect()
        engine = self.s.new_engine()
        artifact = self.s.pipeline.artifact is not None
        self._worker_progress[0] = WorkerProgress(worker=0, total=self.total)
        try:
            for batch in batches:
                await self.checkpoint()
                self.in_flight = 1
                try:
                    final = await self._final_up_to(client, batch)
                    blocks = await self._retrying(client, partial(client.fetch_blocks, batch), batch)
                    prepared = await self._retrying(
                        client, partial(prepare, client, blocks, engine, artifact=artifact), batch
                    )
                    await self._store(prepared, final, "backfill", blocks)
                finally:
                    self.in_flight = 0
                self._advance(len(blocks))
                wp = self._worker_progress[0]
                wp.done, wp.current = wp.done + len(blocks), batch[-1]
                self._publish()
                if self.rate_limit:
                    await asyncio.sleep(self.rate_limit)
        finally:
            await client.close()

    async def _parallel(self, batches: list[list[int]]) -> None:
        processes = self.processes if self.processes is not None else auto_processes(self.total)
        self.processes_used = processes
        if processes > 1:
            url = self.s.archive_url or self.s.url
            assert url is not None
            self.decoders = DecoderPool(
                processes, url, self.s.engine.rules, artifact=self.s.pipeline.artifact is not None
            )
        try:
            await self._workers(batches, self.decoders)
        except DecoderDied as exc:
            raise BackfillError(str(exc)) from None
        finally:
            if self.decoders is not None:
                self.decoders.close()
                self._decoder_calls += self.decoders.frames
                self.decoders = None

    async def _fetch_and_process(
        self, client: ChainClient, batch: list[int], engine: Any, decoders: DecoderPool | None
    ) -> int:
        """One batch through the pipeline: in this process, or decoded in a decoding process and
        written here. Returns the number of blocks stored."""
        final = await self._final_up_to(client, batch)
        if decoders is None:
            artifact = self.s.pipeline.artifact is not None
            blocks = await self._retrying(client, lambda: client.fetch_blocks(batch), batch)
            prepared = await self._retrying(
                client, lambda: prepare(client, blocks, engine, artifact=artifact), batch
            )
            await self._store(prepared, final, "fast_backfill", blocks)
            return len(blocks)
        raw = await self._retrying(client, lambda: client.fetch_raw(batch), batch)
        prepared = await self._retrying(client, lambda: decoders.prepare(raw), batch)
        await self._store(prepared, final, "fast_backfill")
        return len(raw)

    async def _workers(self, batches: list[list[int]], decoders: DecoderPool | None) -> None:
        queue: asyncio.Queue[list[int]] = asyncio.Queue()
        for batch in batches:
            queue.put_nowait(batch)
        worker_count = min(self.workers, max(1, len(batches)))
        slots = asyncio.Semaphore(0)
        granted = 0

        def adjust() -> None:
            nonlocal granted
            while granted < self.throttle.limit:
                slots.release()
                granted += 1

        adjust()
        errors: list[BaseException] = []

        async def worker(wid: int) -> None:
            nonlocal granted
            client: ChainClient | None = None
            engine = self.s.new_engine()
            wp = self._worker_progress.setdefault(wid, WorkerProgress(worker=wid))
            try:
                while not queue.empty():
                    await self.checkpoint()
                    await slots.acquire()
                    try:
                        if granted > self.throttle.limit:
                            granted -= 1
                            continue  # give the slot back: concurrency was reduced
                        try:
                            batch = queue.get_nowait()
                        except asyncio.QueueEmpty:
                            slots.release()
                            return
                        if client is None:
                            client = await self._connect()
                        wp.total += len(batch)
                        wp.current = batch[0]
                        self.in_flight += 1
                        try:
                            stored = await self._fetch_and_process(client, batch, engine, decoders)
                        finally:
                            self.in_flight -= 1
                        wp.done += stored
                        self._advance(stored)
                        if self.done % (self.batch_size * 10) < stored:
                            await self.s.store.update_run(self.run_id, self.done)
                        self._publish()
                        slots.release()
                        adjust()
                    except BaseException:
                        slots.release()
                        raise
            except Exception as exc:  # noqa: BLE001 - surfaced to run()
                errors.append(exc)
            finally:
                if client is not None:
                    await client.close()

        tasks = []
        for wid in range(worker_count):
            tasks.append(asyncio.create_task(worker(wid), name=f"backfill-{wid}"))
            if self.batch_delay:
                await asyncio.sleep(self.batch_delay)
        try:
            await asyncio.gather(*tasks)
        finally:
            await cancel_and_wait(*tasks)
        if errors:
            raise errors[0]

    async def _connect(self) -> ChainClient:
        """Connect, waiting out rate limits (the handshake itself takes several requests)."""
        failures = 0
        while True:
            await self.throttle.pace()
            try:
                client = await self.s.connect(archive=True)
            except ChainError as exc:
                if is_rate_limit_text(str(exc)):
                    await asyncio.sleep(self.throttle.on_rate_limited())
                    continue
                failures += 1
                if failures >= self.max_attempts:
                    raise
                await asyncio.sleep(self.throttle.on_overload())
                continue
            client.pacer = self.throttle.pacer
            return client

    async def _retrying(
        self, client: ChainClient, action: Callable[[], Awaitable[_R]], batch: list[int]
    ) -> _R:
        """Run ``action`` until it succeeds: rate limits slow the pace, other errors back off and
        reconnect. Nothing is skipped; after ``max_attempts`` failures of the connection it gives up,
        after ``NODE_ERROR_ATTEMPTS`` errors the node answered (its answer will not change by
        waiting minutes), and at once when a pruned node says it discarded the state."""
        failures = 0
        node_errors = 0
        while True:
            try:
                result = await action()
                self.throttle.on_success()
                return result
            except ChainError as exc:
                limited = (exc.rate_limited if isinstance(exc, RpcError) else False) or is_rate_limit_text(
                    str(exc)
                )
                if limited:
                    delay = self.throttle.on_rate_limited()
                    self._publish(force=True)
                    await asyncio.sleep(delay)
                    continue
                failures += 1
                if isinstance(exc, RpcError):
                    node_errors += 1
                    if exc.pruned or node_errors >= NODE_ERROR_ATTEMPTS:
                        raise
                if failures >= self.max_attempts:
                    raise
                delay = self.throttle.on_overload()
                self._publish(force=True)
                self.s.bus.publish(
                    LogLine(level="warning", text=f"blocks {batch[0]}-{batch[-1]}: {exc}; retrying")
                )
                await asyncio.sleep(delay)
                if not isinstance(exc, RpcError):
                    try:  # on the next endpoint when several are configured
                        await self.s.reconnect(client, exc, archive=True)
                    except ChainError as again:  # the next attempt fails fast and counts
                        self.s.bus.publish(LogLine(level="warning", text=f"reconnecting: {again}"))
