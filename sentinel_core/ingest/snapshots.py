"""Metagraph snapshots: one now (live mode, at each epoch boundary) or across a past range.

:func:`take_snapshots` reads the metagraphs of some subnets at one block (one batch frame) and
stores them; :class:`LiveSnapshots` decides, block by block in live mode, which are due. :class:`SnapshotBackfill` takes them over ``[start, end]`` at every ``step_epochs``-th
epoch boundary of each subnet (optionally also at the quarter points of each epoch, as the original
Sentinel did), with the boundaries computed from each subnet's tempo at that block:

1. plan: the tempo of every subnet is read at probe blocks (the range's ends and a grid) and, where
   two neighbouring probes differ, bisected down to the block of the change; the boundaries follow
   from :func:`sentinel_core.metagraph.epoch_boundaries` segment by segment;
2. skip what the store already has (a second run resumes where the first stopped);
3. workers, each on its own connection, take chunks of blocks and read every snapshot of a chunk in
   one batch frame (two, counting the runtime versions), decode with the compiled decoders and
   write each chunk in one transaction. A failed chunk is retried with backoff; nothing is skipped.

Progress is published on ``sentinel.bus`` as :class:`~sentinel_core.bus.BackfillProgress` notices
(``done``/``total`` count snapshots, one per subnet and block).

Snapshot rules. Each snapshot stored here is compared with its stored neighbours of the same subnet
(the one just before and, when a later one is already stored, the one just after) through the snapshot
rules of the Sentinel's current engine (hot reload applies), and the alerts take the block alerts' path:
stored with their delivery outbox, published as ``AlertRaised``, the deliverer woken. The neighbours
come from the store, in the store's thread and in the same call as the write, so a backfill in any
order (chunks finishing out of order, runs over ranges before or after stored ones) compares the pairs
that end up consecutive; a backfill defers a pair while a snapshot it planned between the two is not yet
stored. Dedup keys (``rule:netuid:block:uid``) make comparing a pair again harmless.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..alerts.raising import raise_alerts
from ..bus import BackfillProgress, LogLine, WorkerProgress
from ..chain.client import ChainClient, ChainError, RpcError
from ..chain.reads.metagraph import MetagraphUnavailable, read_metagraphs
from ..chain.reads.subnets import read_tempos, subnets_at
from ..metagraph import Metagraph, epoch_boundaries, epoch_runs_at
from ..model import Alert
from ..store import StoreAPI
from ..tasks import cancel_and_wait
from .jobs import Job

if TYPE_CHECKING:
    from ..service import Sentinel

log = logging.getLogger("sentinel.snapshots")
PROBE_EVERY = 7200
SCHEDULE_EVENTS = {
    ("SubtensorModule", "TempoSet"),
    ("SubtensorModule", "NetworkAdded"),
    ("SubtensorModule", "NetworkRemoved"),
    ("System", "CodeUpdated"),
}
"""Events after which the epoch schedule of the next block must be read again."""
CALLS_PER_FRAME = 64


Pair = tuple[int, int, int]
"""(netuid, previous block, block): two consecutive stored snapshots of a subnet."""


def _pending_between(pending: dict[int, list[int]] | None, netuid: int, a: int, b: int) -> bool:
    """Whether a snapshot planned (not yet stored) for ``netuid`` lies strictly between ``a`` and ``b``."""
    blocks = pending.get(netuid) if pending else None
    if not blocks:
        return False
    i = bisect.bisect_right(blocks, a)
    return i < len(blocks) and blocks[i] < b


async def store_and_pair(
    store: StoreAPI,
    mgs: Sequence[Metagraph],
    points: Sequence[int] | int,
    *,
    pair: bool,
    pending: dict[int, list[int]] | None = None,
    paired: set[Pair] | None = None,
) -> list[Pair]:
    """Write ``mgs`` and (``pair``) return the pairs of consecutive stored snapshots they form with their
    stored neighbours, read by the store with nothing written in between, so the neighbours are
    exact. ``pending`` (netuid -> sorted planned blocks not yet stored) defers a pair with a planned
    snapshot between its two; ``paired`` remembers the pairs already returned (each pair once)."""
    if not pair:
        await store.write_snapshots(mgs, points)
        return []
    written = await store.write_snapshots_and_neighbours(mgs, points, unchecked=True)
    if pending:
        for mg in mgs:
            blocks = pending.get(mg.netuid)
            if blocks:
                i = bisect.bisect_left(blocks, mg.block)
                if i < len(blocks) and blocks[i] == mg.block:
                    del blocks[i]
    paired = set() if paired is None else paired
    out: list[Pair] = []
    for netuid, block, before, after in written:
        for key in _neighbour_pairs(netuid, block, before, after, pending):
            if key not in paired:
                paired.add(key)
                out.append(key)
    return out


def _neighbour_pairs(
    netuid: int, block: int, before: int | None, after: int | None, pending: dict[int, list[int]] | None
) -> list[Pair]:
    """The pairs the stored snapshot at ``block`` forms with its stored neighbours ``before`` and
    ``after``, less any with a planned snapshot between (that one's own write pairs them)."""
    return [
        (netuid, a, b)
        for a, b in ((before, block), (block, after))
        if a is not None and b is not None and not _pending_between(pending, netuid, a, b)
    ]


class SnapshotAlerts:
    """Raises the snapshot rules' alerts for pairs of stored snapshots (see the module docstring).

    Snapshots just written are kept (the last ``keep``) so that a pair rarely costs a store read."""

    def __init__(self, sentinel: Sentinel, *, keep: int = 256) -> None:
        self.s = sentinel
        self.keep = keep
        self.raised = 0
        self._recent: OrderedDict[tuple[int, int], Metagraph] = OrderedDict()

    @property
    def active(self) -> bool:
        """Whether the current engine has snapshot rules (else pairs are not even looked for)."""
        return bool(self.s.engine.snapshot_rules)

    def remember(self, mgs: Sequence[Metagraph]) -> None:
        recent = self._recent
        for mg in mgs:
            recent[(mg.netuid, mg.block)] = mg
            recent.move_to_end((mg.netuid, mg.block))
        while len(recent) > self.keep:
            recent.popitem(last=False)

    async def _snapshot(self, netuid: int, block: int, neurons: bool) -> Metagraph | None:
        mg = self._recent.get((netuid, block))
        if mg is not None and (mg.rows or mg._raw is not None or not neurons or not mg.exists):
            return mg
        mg = await self.s.store.read_snapshot_raw(netuid, block, neurons=neurons)
        if mg is not None and neurons:
            self.remember([mg])
        return mg

    async def check(self, pairs: Sequence[Pair]) -> list[Alert]:
        """Evaluate ``pairs`` and raise the alerts; returns those that were new."""
        engine = self.s.engine
        if not pairs or not engine.snapshot_rules:
            return []
        neurons = engine.snapshot_rules_need_rows
        alerts: list[Alert] = []
        for netuid, a, b in pairs:
            previous = await self._snapshot(netuid, a, neurons)
            current = await self._snapshot(netuid, b, neurons)
            if previous is not None and current is not None:
                alerts.extend(engine.evaluate_snapshot(previous, current))
        wake = self.s.deliverer.on_new_alerts
        return await raise_alerts(self.s.store, self.s.bus, alerts, wake, source="snapshot")


async def store_snapshots(
    sentinel: Sentinel,
    alerts: SnapshotAlerts,
    mgs: Sequence[Metagraph],
    points: Sequence[int] | int,
    *,
    pending: dict[int, list[int]] | None = None,
    paired: set[Pair] | None = None,
) -> list[Alert]:
    """Store ``mgs`` and raise what the snapshot rules find against their stored neighbours."""
    active = alerts.active
    pairs = await store_and_pair(sentinel.store, mgs, points, pair=active, pending=pending, paired=paired)
    if not active:
        return []
    alerts.remember(mgs)
    return await _check_and_mark(sentinel, alerts, pairs, [(mg.netuid, mg.block) for mg in mgs])


async def _check_and_mark(
    sentinel: Sentinel, alerts: SnapshotAlerts, pairs: Sequence[Pair], keys: list[tuple[int, int]]
) -> list[Alert]:
    """Raise what the snapshot rules find in ``pairs``, then note the snapshots ``keys`` as checked."""
    new = await alerts.check(pairs)
    alerts.raised += len(new)
    await sentinel.store.mark_checked(keys)
    return new


async def unchecked_pairs(
    store: StoreAPI, pending: dict[int, list[int]] | None = None
) -> tuple[list[Pair], list[tuple[int, int]]]:
    """The pairs of the snapshots stored but never evaluated (see :func:`_neighbour_pairs`), and those
    snapshots."""
    found = await store.unchecked_neighbours()
    pairs = {pair for n, b, before, after in found for pair in _neighbour_pairs(n, b, before, after, pending)}
    return sorted(pairs), [(n, b) for n, b, _, _ in found]


async def check_unchecked(
    sentinel: Sentinel,
    alerts: SnapshotAlerts,
    *,
    pending: dict[int, list[int]] | None = None,
    paired: set[Pair] | None = None,
) -> list[Alert]:
    """Evaluate what a stopped process stored and never evaluated (a kill between the two), so that a
    resumed run, which skips stored snapshots, raises their alerts all the same (once: alerts are
    keyed by happening)."""
    if not alerts.active:
        await sentinel.store.mark_checked(None)  # no snapshot rules now: nothing is owed
        return []
    pairs, keys = await unchecked_pairs(sentinel.store, pending)
    if not keys:
        return []
    if paired is not None:
        paired.update(pairs)
    return await _check_and_mark(sentinel, alerts, pairs, keys)


async def take_snapshots(
    sentinel: Sentinel,
    client: ChainClient,
    netuids: Sequence[int],
    block_number: int,
    block_hash: str,
    *,
    point: int = 0,
    with_weights: bool = False,
) -> list[Metagraph]:
    """Read and store the metagraphs of ``netuids`` at one block (one batch frame), and raise what the
    snapshot rules find."""
    mgs = await read_metagraphs(
        client, [(n, block_number, block_hash) for n in netuids], lite=not with_weights
    )
    await store_snapshots(sentinel, SnapshotAlerts(sentinel), mgs, point)
    return mgs


class LiveSnapshots:
    """Live mode: a snapshot of each watched subnet at each of its epoch blocks (and, with
    ``points_per_epoch=4``, at the quarter points after it), decided per block from the tempo in
    force when the block started (read at its parent, in the same batch for every subnet).

    ``await live.on_blocks(client, blocks)`` after the pipeline stored them; ``netuids`` None means
    every subnet that exists at the block."""

    def __init__(
        self,
        sentinel: Sentinel,
        netuids: Sequence[int] | None = None,
        *,
        points_per_epoch: Literal[1, 4] = 1,
        with_weights: bool = False,
    ) -> None:
        self.s = sentinel
        self.netuids = list(netuids) if netuids is not None else None
        self.points_per_epoch = points_per_epoch
        self.with_weights = with_weights
        self.taken = 0
        # Live mode runs for months: keep few snapshots in memory (a 256-neuron one is ~200 KB); the
        # previous snapshot of a subnet, one epoch old, is read back from the store when needed.
        self.alerts = SnapshotAlerts(sentinel, keep=16)
        self._seen: tuple[str, dict[int, int | None]] | None = None
        """(hash, tempos in force when that block started) of the last block seen, while valid for its child."""
        self._checked_unchecked = False

    def due(self, number: int, tempos: dict[int, int | None]) -> list[tuple[int, int]]:
        """``(netuid, point)`` of the snapshots due at block ``number`` under ``tempos``."""
        out = []
        for netuid, tempo in tempos.items():
            if not tempo:
                continue
            if epoch_runs_at(number, netuid, tempo):
                out.append((netuid, 0))
                continue
            for k in range(1, self.points_per_epoch):
                back = round(k * (tempo + 1) / self.points_per_epoch)
                if epoch_runs_at(number - back, netuid, tempo):
                    out.append((netuid, k))
        return out

    async def on_blocks(self, client: ChainClient, blocks: Sequence[Any]) -> int:
        """Take the snapshots due at ``blocks`` (objects with ``number``, ``hash``, ``parent_hash``,
        and ``events`` when known).

        The subnets and their tempos are read at a block's parent only when they may differ from what
        the previous block saw: the first block, a block whose parent was not the last one seen, or a
        block after one that set a tempo, added or removed a subnet, or upgraded the runtime. So a
        fast chain costs one storage read per such change, not one per block."""
        count = 0
        if not self._checked_unchecked:
            await check_unchecked(self.s, self.alerts)
            self._checked_unchecked = True
        for block in blocks:
            tempos = await self._tempos_before(client, block)
            due = self.due(block.number, tempos)
            if due:
                mgs = await read_metagraphs(
                    client,
                    [(n, block.number, block.hash) for n, _ in due],
                    lite=not self.with_weights,
                    build_rows=self.with_weights,
                )
                await store_snapshots(self.s, self.alerts, mgs, [p for _, p in due])
                count += len(mgs)
            events = getattr(block, "events", None)
            steady = events is not None and not any((ev.pallet, ev.name) in SCHEDULE_EVENTS for ev in events)
            self._seen = (block.hash, tempos) if steady else None
        self.taken += count
        return count

    async def _tempos_before(self, client: ChainClient, block: Any) -> dict[int, int | None]:
        """The watched subnets' tempos in force when ``block`` started (the state at its parent)."""
        if self._seen is not None and self._seen[0] == block.parent_hash:
            return self._seen[1]
        netuids = self.netuids if self.netuids is not None else await subnets_at(client, block.parent_hash)
        if not netuids:
            return {}
        (tempos,) = await read_tempos(client, netuids, [block.parent_hash])
        return tempos


async def _hashes(client: ChainClient, numbers: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    numbers = sorted(set(numbers))
    for i in range(0, len(numbers), 500):
        chunk = numbers[i : i + 500]
        for n, h in zip(chunk, await client.block_hashes(chunk)):
            if h is None:
                raise ChainError(f"block {n} is beyond the chain head")
            out[n] = h
    return out


async def tempo_schedule(
    client: ChainClient, netuids: Sequence[int], start: int, end: int, *, probe_every: int = PROBE_EVERY
) -> dict[int, list[tuple[int, int | None]]]:
    """For each netuid, ``[(from_block, tempo), ...]``: the tempo governing blocks from ``from_block``
    on (the stored tempo after the block before), over ``[start, end]``; None while the subnet does
    not exist. Probes the ends and a grid, and bisects between probes that differ."""
    lo_state, hi_state = max(0, start - 1), max(0, end - 1)
    probes = sorted({lo_state, hi_state, *range(lo_state, hi_state, max(1, probe_every))})
    hashes = await _hashes(client, probes)
    states: dict[int, dict[int, int | None]] = {}
    values = await read_tempos(client, netuids, [hashes[p] for p in probes])
    states.update(zip(probes, values))

    async def read(block: int) -> dict[int, int | None]:
        if block not in states:
            h = (await _hashes(client, [block]))[block]
            (states[block],) = await read_tempos(client, netuids, [h])
        return states[block]

    async def bisect_between(a: int, b: int) -> None:
        if b - a <= 1 or states[a] == states[b]:
            return
        mid = (a + b) // 2
        await read(mid)
        await bisect_between(a, mid)
        await bisect_between(mid, b)

    for a, b in zip(probes, probes[1:]):
        await bisect_between(a, b)
    out: dict[int, list[tuple[int, int | None]]] = {}
    ordered = sorted(states)
    for n in netuids:
        points: list[tuple[int, int | None]] = []
        for s in ordered:
            t = states[s][n]
            if not points or points[-1][1] != t:
                points.append((s + 1, t))
        if points:
            points[0] = (min(points[0][0], start), points[0][1])
        out[n] = points
    return out


def plan_points(
    schedule: dict[int, list[tuple[int, int | None]]],
    start: int,
    end: int,
    *,
    step_epochs: int = 1,
    points_per_epoch: int = 1,
) -> dict[int, list[tuple[int, int]]]:
    """``block -> [(netuid, point), ...]``: every ``step_epochs``-th epoch boundary of each subnet in
    ``[start, end]`` (point 0) and, with ``points_per_epoch=4``, the quarter points (1..3) after it."""
    out: dict[int, list[tuple[int, int]]] = {}
    for netuid, points in schedule.items():
        boundaries = epoch_boundaries(start, end, points, netuid)[:: max(1, step_epochs)]
        for b in boundaries:
            out.setdefault(b, []).append((netuid, 0))
            if points_per_epoch > 1:
                tempo = _tempo_at(points, b) or 0
                for k in range(1, points_per_epoch):
                    p = b + round(k * (tempo + 1) / points_per_epoch)
                    if p <= end:
                        out.setdefault(p, []).append((netuid, k))
    return dict(sorted(out.items()))


def _tempo_at(points: list[tuple[int, int | None]], block: int) -> int | None:
    found = None
    for b, t in points:
        if b > block:
            break
        found = t
    return found


class SnapshotBackfill(Job):
    """Snapshots over ``[start, end]``; ``await run()`` returns when all are stored (or raises)."""

    def __init__(
        self,
        sentinel: Sentinel,
        start: int,
        end: int,
        netuids: Sequence[int] | None = None,
        *,
        step_epochs: int = 1,
        points_per_epoch: Literal[1, 4] = 1,
        with_weights: bool = False,
        workers: int | None = None,
        calls_per_frame: int = CALLS_PER_FRAME,
        probe_every: int = PROBE_EVERY,
        max_attempts: int = 10,
    ) -> None:
        if start > end:
            raise ValueError(f"block_start {start} > block_end {end}")
        if points_per_epoch not in (1, 4):
            raise ValueError("points_per_epoch must be 1 or 4")
        super().__init__(sentinel, start=start, end=end)
        self.netuids = list(netuids) if netuids is not None else None
        self.step_epochs = max(1, step_epochs)
        self.points_per_epoch = points_per_epoch
        self.with_weights = with_weights
        self.workers = workers or sentinel.settings.ingest.workers
        self.calls_per_frame = max(1, calls_per_frame)
        self.probe_every = probe_every
        self.max_attempts = max_attempts
        self.skipped = 0
        self.plan: dict[int, list[tuple[int, int]]] = {}
        self.schedule: dict[int, list[tuple[int, int | None]]] = {}
        self.backoffs = 0
        self._workers: dict[int, WorkerProgress] = {}
        self._rng = random.Random()
        self.alerts = SnapshotAlerts(sentinel, keep=max(256, 4 * self.calls_per_frame))
        self._pending: dict[int, list[int]] = {}
        """netuid -> planned blocks not yet stored (a pair around one of them waits for it)."""
        self._paired: set[Pair] = set()

    # -- progress --------------------------------------------------------------------------------------
    def progress(self, error: str | None = None) -> BackfillProgress:
        rate = self._rate()
        remaining = self.total - self.done
        return BackfillProgress(
            run_id=self.run_id,
            mode="fast_backfill",
            start=self.start,
            end=self.end,
            done=self.done,
            total=self.total,
            rate=rate,
            unit="snapshots",
            eta_seconds=remaining / rate if rate > 0 else None,
            state=self.state,
            workers=[w.model_copy() for w in sorted(self._workers.values(), key=lambda w: w.worker)],
            backoffs=self.backoffs,
            concurrency=len(self._workers),
            error=error,
        )

    # -- run -------------------------------------------------------------------------------------------
    async def run(self) -> BackfillProgress:
        store = self.s.store
        assert store is not None
        self.run_id = await store.start_run("snapshots", self.start, self.end)
        client = await self.s.connect(archive=True)
        try:
            async with self.lifecycle():
                jobs = await self._plan(client)
                await check_unchecked(self.s, self.alerts, pending=self._pending, paired=self._paired)
                self._rates.append((time.monotonic(), 0))
                self._publish(force=True)
                await self._execute(client, jobs)
        finally:
            await client.close()
        return await self.finish()

    async def _plan(self, client: ChainClient) -> list[tuple[int, str, list[tuple[int, int]]]]:
        if self.netuids is None:
            ends = await _hashes(client, [self.start, self.end])
            found = set(await subnets_at(client, ends[self.start])) | set(
                await subnets_at(client, ends[self.end])
            )
            self.netuids = sorted(found)
        self.schedule = await tempo_schedule(
            client, self.netuids, self.start, self.end, probe_every=self.probe_every
        )
        self.plan = plan_points(
            self.schedule,
            self.start,
            self.end,
            step_epochs=self.step_epochs,
            points_per_epoch=self.points_per_epoch,
        )
        pairs = [(b, n) for b, items in self.plan.items() for n, _ in items]
        have = await self.s.store.taken(pairs)
        self.skipped = len(have)
        todo = {b: [(n, p) for n, p in items if (b, n) not in have] for b, items in self.plan.items()}
        todo = {b: items for b, items in todo.items() if items}
        pending: dict[int, list[int]] = {}
        for b, items in sorted(todo.items()):
            for n, _ in items:
                pending.setdefault(n, []).append(b)
        self._pending = pending
        hashes = await _hashes(client, list(todo))
        self.total = sum(len(v) for v in todo.values())
        return [(b, hashes[b], items) for b, items in sorted(todo.items())]

    async def _execute(self, first: ChainClient, jobs: list[tuple[int, str, list[tuple[int, int]]]]) -> None:
        chunks: list[list[tuple[int, str, list[tuple[int, int]]]]] = []
        cur: list[tuple[int, str, list[tuple[int, int]]]] = []
        calls = 0
        for job in jobs:
            if cur and calls + len(job[2]) > self.calls_per_frame:
                chunks.append(cur)
                cur, calls = [], 0
            cur.append(job)
            calls += len(job[2])
        if cur:
            chunks.append(cur)
        queue: asyncio.Queue[list[tuple[int, str, list[tuple[int, int]]]]] = asyncio.Queue()
        for c in chunks:
            queue.put_nowait(c)
        errors: list[BaseException] = []

        async def worker(wid: int) -> None:
            client = first if wid == 0 else None
            wp = self._workers.setdefault(wid, WorkerProgress(worker=wid))
            try:
                while not queue.empty() and not errors:
                    await self.checkpoint()
                    try:
                        chunk = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    if client is None:
                        client = await self.s.connect(archive=True)
                    wp.total += sum(len(j[2]) for j in chunk)
                    wp.current = chunk[0][0]
                    client = await self._do_chunk(client, chunk)
                    n = sum(len(j[2]) for j in chunk)
                    wp.done += n
                    self._advance(n)
                    self._publish()
            except Exception as exc:  # noqa: BLE001 - surfaced to run()
                errors.append(exc)
            finally:
                if client is not None and client is not first:
                    await client.close()

        tasks = [
            asyncio.create_task(worker(w), name=f"snapshots-{w}")
            for w in range(min(self.workers, max(1, len(chunks))))
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            await cancel_and_wait(*tasks)
        if errors:
            raise errors[0]

    async def _do_chunk(
        self, client: ChainClient, chunk: list[tuple[int, str, list[tuple[int, int]]]]
    ) -> ChainClient:
        requests = [(n, b, h) for b, h, items in chunk for n, _ in items]
        points = [p for _, _, items in chunk for _, p in items]
        attempt = 0
        while True:
            try:
                mgs = await read_metagraphs(client, requests, lite=not self.with_weights, build_rows=False)
                break
            except MetagraphUnavailable:
                raise
            except (ChainError, OSError) as exc:
                attempt += 1
                # An error the node answered will not change by waiting minutes (nor a pruned node's).
                if attempt >= self.max_attempts or (
                    isinstance(exc, RpcError) and not exc.rate_limited and (exc.pruned or attempt >= 3)
                ):
                    raise
                self.backoffs += 1
                delay = min(30.0, 0.25 * 2 ** min(attempt, 7)) * (0.5 + self._rng.random())
                rate_limited = isinstance(exc, RpcError) and exc.rate_limited
                self.s.bus.publish(
                    LogLine(
                        level="warning",
                        text=(
                            f"snapshots at #{chunk[0][0]}-#{chunk[-1][0]}: {exc}; retry {attempt} in {delay:.1f}s"
                            + (" (rate limited)" if rate_limited else "")
                        ),
                    )
                )
                self._publish(force=True)
                await asyncio.sleep(delay)
                if not rate_limited:
                    await self.s.reconnect(client, exc, archive=True)
        await store_snapshots(self.s, self.alerts, mgs, points, pending=self._pending, paired=self._paired)
        return client
