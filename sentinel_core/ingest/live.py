"""Live mode: follow new and finalized heads, store every block exactly once.

On (re)connect the gap between the last stored block and the head is filled first. A head whose
parent is not the block we stored at the height below is a reorganisation: the stored blocks from
the fork point on are replaced (``write_blocks`` replaces by number), never duplicated. A watchdog
raises the stall alert when no block arrives, and reconnects when the subscription goes quiet.
Connection failures are retried with exponential backoff and jitter, forever.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import TYPE_CHECKING, Literal

from ..alerts.raising import raise_alerts
from ..bus import ConnectionChanged, HeadUpdated, LogLine
from ..chain.client import ChainClient, ChainError
from ..chain.reads.hyperparams import read_hyperparams
from ..chain.reads.subnets import subnets_at
from ..model import Block, HyperparamChange
from ..rules.engine import RuleEngine
from ..service import collect_connection_garbage
from ..tasks import cancel_and_wait, raise_if_stop_requested, wait_for
from .snapshots import LiveSnapshots

if TYPE_CHECKING:
    from ..service import Sentinel

log = logging.getLogger("sentinel.live")

FETCH_BATCH = 50
MAX_REORG_DEPTH = 64


class LiveRunner:
    def __init__(
        self,
        sentinel: Sentinel,
        *,
        engine: RuleEngine | None = None,
        max_gap_fill: int = 10_000,
        quiet_after: float | None = None,
        rng: random.Random | None = None,
        warm_blocks: int = 100,
    ) -> None:
        self.s = sentinel
        self.engine = engine or sentinel.engine
        self.max_gap_fill = max_gap_fill
        self.warm_blocks = warm_blocks
        watch = sentinel.settings.watch
        self.snapshots = (
            LiveSnapshots(sentinel, None if watch.subnets == "all" else list(watch.subnets))
            if watch.snapshots
            else None
        )
        self.quiet_after = quiet_after
        self.rng = rng or random.Random()
        self.last_number: int | None = None
        self.last_hash: str | None = None
        self.last_block_at: float | None = None
        self.best: int | None = None
        self.finalized: int | None = None
        self.attempt = 0
        self.blocks_processed = 0
        self._recent: dict[int, str] = {}
        self._interval: float | None = None
        """Seconds between heads, smoothed (sets how long a silent subscription is trusted)."""
        self._head_at: float | None = None

    # -- the loop --------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Watch the chain until cancelled."""
        store = self.s.store
        self.last_number = await store.latest_block()
        if self.last_number is not None:
            self.last_hash = await store.block_hash(self.last_number)
            await self._warm()
        self.last_block_at = time.monotonic()
        watchdog = asyncio.create_task(self._stall_watch(), name="stall-watch")
        try:
            while True:
                raise_if_stop_requested()
                url = self.s.url or "?"
                state: Literal["connecting", "reconnecting"] = (
                    "connecting" if self.attempt == 0 else "reconnecting"
                )
                self.s.bus.publish(ConnectionChanged(state=state, url=url, attempt=self.attempt))
                try:
                    client = await self.s.connect()
                except ChainError as exc:
                    await self._backoff(str(exc))
                    continue
                try:
                    self.s.bus.publish(ConnectionChanged(state="connected", url=url, attempt=self.attempt))
                    self.attempt = 0
                    await self._follow(client)
                except (TimeoutError, ChainError, ConnectionError, OSError) as exc:
                    await self._backoff(str(exc) or type(exc).__name__)
                except Exception as exc:  # noqa: BLE001 - the websocket library raises many kinds
                    await self._backoff(f"{type(exc).__name__}: {exc}")
                finally:
                    await client.close()
                    collect_connection_garbage()
        finally:
            await cancel_and_wait(watchdog)

    async def _warm(self) -> None:
        """Refill the rules' sliding windows from stored history, so a restart does not blind them."""
        store = self.s.store
        last = self.last_number
        if last is None:
            return
        depth = min(self.warm_blocks, last)
        first = last - depth + 1
        changes: dict[int, list[HyperparamChange]] = {}
        for c in await store.hyperparam_history(limit=1000):
            if c.block >= first:
                changes.setdefault(c.block, []).append(c)
        for n in range(first, last + 1):
            block = await store.get_block(n)
            if block is not None and not block.decode_error:
                self.engine.warm(block, changes.get(n, []))

    async def _backoff(self, reason: str) -> None:
        self.attempt += 1
        delay = min(30.0, 0.5 * 2 ** min(self.attempt, 6)) * (0.5 + self.rng.random())
        self.s.bus.publish(
            ConnectionChanged(state="reconnecting", url=self.s.url or "?", attempt=self.attempt, error=reason)
        )
        self.s.bus.publish(
            LogLine(level="warning", text=f"connection lost ({reason}); retry {self.attempt} in {delay:.1f}s")
        )
        await asyncio.sleep(delay)

    async def _follow(self, client: ChainClient) -> None:
        head_number, _ = await client.head()
        await self._catch_up(client, head_number)
        finals = asyncio.create_task(self._follow_finalized(client), name="finalized")
        try:
            heads = client.heads(newest=True)
            while True:
                raise_if_stop_requested()
                timeout = self._quiet_timeout()
                try:
                    number, block_hash, parent = await wait_for(heads.__anext__(), timeout)
                except TimeoutError:
                    raise ChainError(f"no new block for {timeout:.0f}s; reconnecting") from None
                except StopAsyncIteration:
                    raise ChainError("subscription ended") from None
                failed = finals.exception() if finals.done() else None
                if failed is not None:
                    raise failed
                await self._on_head(client, number, block_hash, parent, time.monotonic())
        finally:
            await cancel_and_wait(finals)

    def _quiet_timeout(self) -> float:
        """How long without a new head before the subscription is presumed dead: six typical block
        intervals (as observed), at least 5 s and at most 60 s."""
        if self.quiet_after is not None:
            return self.quiet_after
        if self._interval is None:
            return 60.0
        return min(60.0, max(5.0, 6 * self._interval))

    async def _on_head(
        self, client: ChainClient, number: int, block_hash: str, parent: str, received: float
    ) -> None:
        if self._head_at is not None and self.best is not None and number > self.best:
            gap = (received - self._head_at) / (number - self.best)
            self._interval = gap if self._interval is None else 0.9 * self._interval + 0.1 * gap
        if self.best is None or number > self.best:
            self._head_at = received
        self.best = number if self.best is None else max(self.best, number)
        self.s.bus.publish(HeadUpdated(best=self.best, finalized=self.finalized))
        if self._recent.get(number) == block_hash:
            return  # seen already (the node repeats the head after subscribing)
        if self.last_number is not None and number > self.last_number + 1:
            await self._catch_up(client, number - 1)
        if number > 0 and self.last_number is not None and number <= self.last_number + 1:
            known_parent = self._recent.get(number - 1)
            if known_parent is None and self.last_number == number - 1:
                known_parent = self.last_hash
            if known_parent is not None and known_parent != parent:
                await self._reorg(client, number - 1, parent)
        (block,) = await client.fetch_blocks([], hashes=[block_hash])
        await self._process(client, [block], received)

    async def _reorg(self, client: ChainClient, number: int, new_hash: str) -> None:
        """Replace stored blocks from the fork point up to ``number`` (whose canonical hash is ``new_hash``)."""
        chain: list[str] = []
        h = new_hash
        n = number
        while n >= 0 and len(chain) < MAX_REORG_DEPTH:
            if self._recent.get(n) == h:
                break
            chain.append(h)
            header = await client.header(h)
            if header is None:
                break
            h = header["parentHash"]
            n -= 1
        chain.reverse()
        self.s.bus.publish(
            LogLine(level="warning", text=f"reorg: replacing {len(chain)} block(s) up to #{number}")
        )
        blocks = await client.fetch_blocks([], hashes=chain)
        await self._process(client, blocks, None)

    async def _catch_up(self, client: ChainClient, upto: int) -> None:
        if self.last_number is None:
            return  # a fresh database starts at the head
        start = self.last_number + 1
        if upto - start + 1 > self.max_gap_fill:
            skipped = (start, upto - self.max_gap_fill)
            self.s.bus.publish(
                LogLine(
                    level="warning",
                    text=(
                        f"blocks {skipped[0]}-{skipped[1]} are older than the gap-fill limit ({self.max_gap_fill}); "
                        "run a backfill for them"
                    ),
                )
            )
            start = upto - self.max_gap_fill + 1
        for a in range(start, upto + 1, FETCH_BATCH):
            numbers = list(range(a, min(upto, a + FETCH_BATCH - 1) + 1))
            blocks = await client.fetch_blocks(numbers)
            first = blocks[0]
            known = self._recent.get(first.number - 1)
            if known is None and self.last_number == first.number - 1:
                known = self.last_hash
            if known is not None and first.number > 0 and known != first.parent_hash:
                # What we stored below this run was replaced on chain (we skipped the replacing head).
                await self._reorg(client, first.number - 1, first.parent_hash)
            await self._process(client, blocks, None)

    async def _process(self, client: ChainClient, blocks: list[Block], received: float | None) -> None:
        await self.s.pipeline.process(client, blocks, self.engine, source="live", received_at=received)
        for block in blocks:
            self._recent[block.number] = block.hash
            self._recent.pop(block.number - 2 * MAX_REORG_DEPTH, None)
        last = blocks[-1]
        self.last_number, self.last_hash = last.number, last.hash
        self.last_block_at = time.monotonic()
        self.blocks_processed += len(blocks)
        every = self.s.settings.watch.snapshot_every
        for block in blocks:
            if block.number % every == 0:
                await self._snapshot(client, block.number, block.hash)
        if self.snapshots is not None:
            try:
                await self.snapshots.on_blocks(client, blocks)
            except ChainError as exc:  # a missed snapshot is reported, never fatal to ingestion
                self.s.bus.publish(LogLine(level="warning", text=f"metagraph snapshot skipped: {exc}"))

    async def _follow_finalized(self, client: ChainClient) -> None:
        async for number, _, _ in client.heads(finalized=True, newest=True):
            self.finalized = number
            await self.s.store.mark_finalized(number)
            self.s.bus.publish(HeadUpdated(best=self.best, finalized=number))

    async def _stall_watch(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            alerts = self.engine.check_stall(
                time.time(),
                self.last_number,
                None if self.last_block_at is None else time.time() - (time.monotonic() - self.last_block_at),
            )
            wake = self.s.deliverer.on_new_alerts
            await raise_alerts(self.s.store, self.s.bus, alerts, wake, source="stall")

    # -- periodic snapshots ----------------------------------------------------------------------------
    async def _snapshot(self, client: ChainClient, number: int, block_hash: str) -> None:
        """Read every watched subnet's hyperparameters and record changes no setter announced."""
        store = self.s.store
        watch = self.s.settings.watch.subnets
        try:
            netuids = await subnets_at(client, block_hash) if watch == "all" else list(watch)
            values = await read_hyperparams(client, netuids, block_hash)
        except ChainError as exc:
            self.s.bus.publish(LogLine(level="warning", text=f"snapshot at #{number} failed: {exc}"))
            return
        for netuid, current in values.items():
            if current is None:
                continue
            previous = await store.latest_hyperparam_poll(netuid, number - 1)
            if previous is not None:
                snap_block, expected = previous[0], dict(previous[1])
                for change in reversed(await store.hyperparam_history(netuid=netuid, limit=1000)):
                    if snap_block < change.block <= number:
                        expected[change.name] = change.new
                unexplained = [
                    HyperparamChange(
                        block=number, netuid=netuid, name=name, old=expected.get(name), new=value, call=None
                    )
                    for name, value in current.items()
                    if name in expected and expected[name] != value
                ]
                if unexplained:
                    await store.write_changes(unexplained)
            await store.write_hyperparam_poll(number, netuid, current)
