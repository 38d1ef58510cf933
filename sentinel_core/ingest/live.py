"""Live mode: follow new and finalized heads, store every block exactly once.

On (re)connect the gap between the last stored block and the head is filled first. A head whose
parent is not the block we stored at the height below is a reorganisation: the stored blocks from
the fork point on are replaced (``write_blocks`` replaces by number), never duplicated. A watchdog
raises the stall alert when no block arrives, and reconnects when the subscription goes quiet.
Connection failures are retried with exponential backoff and jitter, forever.

With several endpoints (``[network] urls``, ``--network`` given more than once) a failure, a stall
(no head for the quiet time) or a lag (another endpoint's head more than ``lag_blocks`` ahead, from
head probes every ``probe_interval`` seconds) switches to the next endpoint at once, without a
back-off while a healthy one is left; the gap is filled from the last stored block as after any
reconnect. Each switch is published as a ``ConnectionChanged`` with ``reason`` and ``previous`` (and a
``LogLine``: ``switching from ws://a to ws://b (2/2): ws://a stalled: no head for 30 s``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Literal

from ..alerts.raising import raise_alerts
from ..bus import ConnectionChanged, HeadUpdated, LogLine
from ..chain.client import ChainClient, ChainError
from ..chain.endpoints import Decision, EndpointPool, HeadProbe, brief
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


class _Stalled(ChainError):
    """No new head for ``seconds``: the subscription (or the node) is presumed dead."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no new block for {seconds:.0f}s; reconnecting")
        self.seconds = seconds


class _SwitchWanted(Exception):
    """The head probes advise another endpoint (``decision``): leave this connection."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


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
        self._probe: HeadProbe | None = None
        self._wanted: Decision | None = None
        self._wake = asyncio.Event()
        self._switch_note: tuple[str, str] | None = None
        """(previous endpoint, reason) of the last switch, told with the next connection notices."""

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
                    "connecting" if self.attempt == 0 and self._switch_note is None else "reconnecting"
                )
                self.s.bus.publish(self._notice(state, url))
                try:
                    client = await self.s.connect()
                except ChainError as exc:
                    await self._backoff(str(exc))
                    continue
                if client.url != url:  # the endpoint in use failed; the connection is to the next one
                    switched = self.s.pool.last_switch if self.s.pool is not None else None
                    self._switch_note = (url, switched.reason if switched is not None else "")
                try:
                    self.s.bus.publish(self._notice("connected", client.url))
                    self._switch_note = None
                    self.attempt = 0
                    await self._follow(client)
                except _SwitchWanted as wanted:
                    self._take(wanted.decision)
                except _Stalled as exc:
                    await self._lost(
                        client.url, exc, f"{client.url} stalled: no head for {exc.seconds:.0f} s"
                    )
                except (TimeoutError, ChainError, ConnectionError, OSError) as exc:
                    await self._lost(client.url, exc)
                except Exception as exc:  # noqa: BLE001 - the websocket library raises many kinds
                    await self._lost(client.url, exc, f"{type(exc).__name__}: {exc}")
                finally:
                    await client.close()
                    collect_connection_garbage()
        finally:
            await cancel_and_wait(watchdog)
            if self._probe is not None:
                await self._probe.close()
                self._probe = None

    # -- endpoints ---------------------------------------------------------------------------------------
    def _notice(
        self, state: Literal["connecting", "connected", "reconnecting"], url: str
    ) -> ConnectionChanged:
        pool = self.s.pool
        previous, reason = self._switch_note or (None, None)
        return ConnectionChanged(
            state=state,
            url=url,
            attempt=self.attempt,
            endpoint=(pool.index(url) or 1) if pool is not None else 1,
            endpoints=len(pool) if pool is not None else 1,
            previous=previous,
            reason=reason,
        )

    async def _lost(self, url: str, exc: BaseException, text: str | None = None) -> None:
        """The connection to ``url`` failed: with another healthy endpoint, switch to it at once;
        else back off (rotating to the endpoint that failed longest ago, when there are several)."""
        reason = text or str(exc) or type(exc).__name__
        pool = self.s.pool
        if pool is None or len(pool) == 1:
            await self._backoff(reason)
            return
        reason = text if isinstance(exc, _Stalled) and text else brief(url, text or exc)
        pool.report_failure(url, reason)
        self._switch_note = (url, reason)
        if pool.current() == url:
            healthy = pool.alternative() is not None
            pool.switch(reason)
        else:  # another job on the same endpoints switched already
            healthy = not pool.cooling(pool.current())
        if not healthy:
            await self._backoff(reason)

    def _take(self, decision: Decision) -> None:
        """Follow the probes' advice: the endpoint in use lags (it is reported failed) or a preferred
        one is back."""
        pool = self.s.pool
        assert pool is not None
        current = pool.current()
        if decision.failed:
            pool.report_failure(current, decision.reason)
        self._switch_note = (current, decision.reason)
        pool.use(decision.target, decision.reason)

    async def _watch_endpoints(self, pool: EndpointPool, client: ChainClient) -> None:
        """Every ``probe_interval`` seconds: probe every endpoint's head; when the pool advises another
        endpoint, wake the head loop to switch."""
        if self._probe is None:
            self._probe = HeadProbe(pool, self.s.probe_client)
        interval = self.s.settings.network.probe_interval
        while True:
            await asyncio.sleep(interval)
            decision: Decision | None = None
            if pool.current() != client.url:
                # Another job on the same endpoints (a backfill, the dashboard's reads) switched.
                switched = pool.last_switch
                why = switched.reason if switched is not None else f"{pool.current()} is in use"
                decision = Decision(pool.current(), why, failed=False)
            else:
                await self._probe.probe(client)
                decision = pool.check()
            if decision is not None:
                self._wanted = decision
                self._wake.set()
                return

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
        notice = self._notice("reconnecting", self.s.url or "?")
        notice.error = reason
        self.s.bus.publish(notice)
        self.s.bus.publish(
            LogLine(
                level="warning",
                text=f"live: {reason}; connecting again in {delay:.1f}s (attempt {self.attempt})",
            )
        )
        await asyncio.sleep(delay)

    async def _follow(self, client: ChainClient) -> None:
        pool = self.s.pool
        several = pool is not None and len(pool) > 1
        head_number, _ = await client.head()
        if pool is not None:
            pool.report_head(client.url, head_number)
        await self._catch_up(client, head_number)
        finals = asyncio.create_task(self._follow_finalized(client), name="finalized")
        self._wanted = None
        self._wake.clear()
        watch = (
            asyncio.create_task(self._watch_endpoints(pool, client), name="endpoint-probe")
            if several and pool is not None
            else None
        )
        try:
            heads = client.heads(newest=True)
            while True:
                raise_if_stop_requested()
                timeout = self._quiet_timeout()
                if watch is None:
                    try:
                        number, block_hash, parent = await wait_for(heads.__anext__(), timeout)
                    except TimeoutError:
                        raise _Stalled(timeout) from None
                    except StopAsyncIteration:
                        raise ChainError("subscription ended") from None
                else:
                    number, block_hash, parent = await self._next_head(heads, timeout)
                failed = finals.exception() if finals.done() else None
                if failed is not None:
                    raise failed
                if pool is not None:
                    pool.report_head(client.url, number)
                await self._on_head(client, number, block_hash, parent, time.monotonic())
        finally:
            await cancel_and_wait(finals, *([watch] if watch is not None else []))

    async def _next_head(
        self, heads: AsyncIterator[tuple[int, str, str]], timeout: float
    ) -> tuple[int, str, str]:
        """The next head, or :class:`_SwitchWanted` as soon as the probes advise another endpoint, or
        :class:`_Stalled` after ``timeout`` seconds without one."""
        if self._wanted is not None:
            raise _SwitchWanted(self._wanted)
        head = asyncio.ensure_future(heads.__anext__())
        wake = asyncio.ensure_future(self._wake.wait())
        try:
            done, _ = await asyncio.wait({head, wake}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            wake.cancel()
            if not head.done():
                head.cancel()
        if head in done:
            try:
                return head.result()
            except StopAsyncIteration:
                raise ChainError("subscription ended") from None
        if self._wanted is not None:
            raise _SwitchWanted(self._wanted)
        raise _Stalled(timeout)

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
